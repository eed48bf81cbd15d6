# fitd - build, run, test, bench.
#   make            build/fitd and the test programs
#   make run        install missing Debian packages, build, start fitd
#   make test       every test; the last line is "N passed, N failed"
#   make bench      engine benchmarks (NumPy, PyTorch, a fused C loop), then service memory and throughput
#   make asan|tsan  the test suite under sanitizers (build/asan, build/tsan)
#   make valgrind   the unit tests under valgrind
#   make test-pg    the store tests against a throwaway PostgreSQL (tests/pg)
#   make load       load, soak and kill -9 tests (a few minutes)
#   make fuzz       the libFuzzer harnesses, FUZZ_SECONDS each

SHELL    := /bin/bash
CC       ?= cc
OPT      ?= -O3 -g
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla -Wundef -Wwrite-strings
# -ffp-contract=off: no fused multiply-adds, so every x86-64 gives the same bits.
BASE     := -ffp-contract=off -fno-math-errno -D_POSIX_C_SOURCE=200809L -pthread -MMD -MP
SAN      ?=
# -fno-sanitize-recover: UBSan stops at its first report instead of printing
# it and going on with status 0.
SANFLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-sanitize-recover=undefined -fno-omit-frame-pointer,)
CFLAGS   ?=
# libpq's headers (the postgres store); -isystem: not ours to warn about.
PG_INC   := $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
ALLFLAGS  = $(OPT) $(WARN) $(BASE) $(SANFLAGS) -isystem $(PG_INC) $(CFLAGS)
LDLIBS   := -lmicrohttpd -lsqlite3 -lpq -ljansson -lm -pthread
# The fitd binary runs on jemalloc (src/service/alloc.c says why);
# MALLOC=libc builds it on glibc's malloc. Sanitizer builds keep their own
# allocator, and the test programs run on glibc's.
MALLOC   ?= jemalloc
FITD_MALLOC := $(if $(SAN),,$(if $(filter jemalloc,$(MALLOC)),-ljemalloc,))
B        ?= build

CORE_SRC    := $(wildcard src/core/*.c)
SERVICE_SRC := $(wildcard src/service/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
CORE_OBJ    := $(CORE_SRC:%.c=$(B)/obj/%.o)
SERVICE_OBJ := $(SERVICE_SRC:%.c=$(B)/obj/%.o)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
API_SRC     := $(wildcard tests/api/test_*.c)
API_BIN     := $(API_SRC:tests/api/%.c=$(B)/api/%)

# What `make run` needs on a fresh Debian (to build fitd), and what `make
# test` needs besides: libcurl for the API tests, python3's json module,
# xmllint for the SVGs, curl, and the postgresql package, whose server the
# tests run as a throwaway cluster (the page test runs when chromium is
# installed and says it skipped otherwise).
DEB_PKGS  := build-essential libjansson-dev libmicrohttpd-dev libsqlite3-dev libpq-dev libjemalloc-dev pkg-config
TEST_PKGS := libcurl4-openssl-dev python3 libxml2-utils curl postgresql

.PHONY: all test unit run bench asan tsan valgrind clean deps deps-test deps-bench fmt load test-pg
all: $(B)/fitd $(UNIT_BIN) $(API_BIN)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -Isrc -c $< -o $@

$(B)/libcore.a: $(CORE_OBJ)
	@rm -f $@; ar rcs $@ $^

$(B)/libservice.a: $(SERVICE_OBJ) $(B)/obj/gen/page_html.o
	@rm -f $@; ar rcs $@ $^

# The page served at GET / is src/service/page.html, embedded as bytes
# (od and sed only, so no tool beyond the base system is needed).
$(B)/gen/page_html.c: src/service/page.html
	@mkdir -p $(dir $@)
	@{ echo '/* generated from src/service/page.html by the Makefile; do not edit */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const unsigned char page_html[];'; \
	  echo 'extern const size_t page_html_len;'; \
	  echo 'const unsigned char page_html[] = {'; \
	  od -An -v -tu1 $< | sed -e 's/^ *//' -e 's/ *$$//' -e 's/  */, /g' -e '/^$$/d' -e 's/$$/,/'; \
	  echo '0};'; \
	  echo 'const size_t page_html_len = sizeof page_html - 1;'; } > $@

$(B)/obj/gen/page_html.o: $(B)/gen/page_html.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -c $< -o $@

$(B)/fitd: $(B)/obj/src/main.o $(B)/libservice.a $(B)/libcore.a
	$(CC) $(ALLFLAGS) $^ $(LDLIBS) $(FITD_MALLOC) -o $@

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(B)/libservice.a $(B)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) $^ $(LDLIBS) -o $@

$(B)/obj/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -Isrc -Itests/unit -c $< -o $@

$(B)/api/%: $(B)/obj/tests/api/%.o $(B)/obj/tests/api/apitest.o
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) $^ -lcurl -ljansson -lsqlite3 -lm -pthread -o $@

$(B)/obj/tests/api/%.o: tests/api/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -Isrc -Itests/unit -Itests/api -c $< -o $@

# The unit tests find their data and the fitd binary through these.
export FITD_TEST_DATA := $(CURDIR)/tests/data
export FITD_BIN := $(CURDIR)/$(B)/fitd

unit: all
	@tests/run.sh $(UNIT_BIN)

# Every test, once on the embedded stores and once more (the store tests
# and the API suite, the replica tests included) on a throwaway PostgreSQL.
test: deps-test
	@$(MAKE) --no-print-directory all
	@tests/pg/with_cluster.sh tests/run.sh $(UNIT_BIN) $(wildcard tests/cli/test_*.sh) $(API_BIN) \
	    $(addprefix pg:,$(API_BIN)) tests/api/check_openapi.sh tests/page/test_page.sh

# Installs what a fresh Debian machine lacks (only when something is missing).
install_missing = missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

deps:
	@$(call install_missing,$(DEB_PKGS))

deps-test:
	@$(call install_missing,$(DEB_PKGS) $(TEST_PKGS))

# make bench also needs the load generator, the balancer in front of the
# replicas, and the baselines it compares with.
BENCH_PKGS := wrk nginx-light python3-numpy python3-torch
deps-bench: deps-test
	@$(call install_missing,$(BENCH_PKGS))

run: deps
	@$(MAKE) --no-print-directory $(B)/fitd
	$(B)/fitd serve

bench: deps-bench
	@$(MAKE) --no-print-directory all $(B)/bench/bench_engine $(B)/bench/bench_claims
	@tests/bench/run.sh $(B)

# The shared queue's rate on PostgreSQL (the store, without HTTP).
$(B)/bench/bench_claims: tests/bench/bench_claims.c $(B)/libservice.a $(B)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -Isrc $^ $(LDLIBS) -o $@

$(B)/bench/%: tests/bench/%.c $(B)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -Isrc $^ $(LDLIBS) -o $@

# Under asan and tsan a sanitizer report ends the process at once with
# status 66, which no test expects: a unit test or `fitd fit` fails with it,
# and the API tests also copy a report from the server's log and fail
# (tests/api/apitest.c, fitd_stop). TSan has no suppressions: libmicrohttpd
# and sqlite are not instrumented, but they lock through pthread calls that
# TSan intercepts, and no report has come from inside them.
SAN_ENV := ASAN_OPTIONS=halt_on_error=1:exitcode=66:detect_leaks=1 \
           UBSAN_OPTIONS=halt_on_error=1:exitcode=66:print_stacktrace=1 \
           TSAN_OPTIONS=halt_on_error=1:exitcode=66:second_deadlock_stack=1
# TSan dies with "unexpected memory mapping" on kernels that randomise mmap
# with more bits than its runtime knows; without ASLR (setarch -R, inherited
# by every child) the layout always fits. Left out where setarch can't.
NO_ASLR = $(shell setarch $$(uname -m) -R true 2>/dev/null && echo setarch $$(uname -m) -R)

asan:
	@$(SAN_ENV) $(MAKE) --no-print-directory B=build/asan SAN=address,undefined OPT="-O1 -g" test

tsan:
	@$(SAN_ENV) $(NO_ASLR) $(MAKE) --no-print-directory B=build/tsan SAN=thread OPT="-O1 -g" test

# Bounded load, soak and kill -9 tests on loopback (tests/load/run.sh).
load: $(B)/fitd
	@B=$(B) FITD_BIN=$(CURDIR)/$(B)/fitd tests/load/run.sh

# (test_store_pg against a throwaway cluster, like make test)
valgrind: all
	@tests/pg/with_cluster.sh tests/valgrind.sh $(UNIT_BIN)

# Only the postgres store tests (make test runs them too): a cluster of
# its own in a temporary directory (tests/pg/cluster.sh), stopped and
# removed however the tests end.
test-pg: $(B)/tests/test_store_pg
	@tests/pg/with_cluster.sh tests/run.sh $(B)/tests/test_store_pg

fmt:
	clang-format -i $(CORE_SRC) $(SERVICE_SRC) src/main.c src/core/*.h src/service/*.h tests/unit/*.c

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# libFuzzer harnesses (clang): each runs FUZZ_SECONDS on a copy of its
# seed corpus, so the checked-in seeds stay as they are.
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -ffp-contract=off -D_POSIX_C_SOURCE=200809L -pthread -Isrc -isystem $(PG_INC)
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
.PHONY: fuzz
fuzz: $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)
	@for n in $(FUZZ_NAMES); do \
	  w=$$(mktemp -d); cp -r tests/fuzz/corpus/$$n/. $$w/; \
	  echo "fuzz_$$n: $(FUZZ_SECONDS) s"; \
	  $(B)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	    $$w 2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|crash-' ; \
	  rc=$${PIPESTATUS[0]}; rm -rf $$w; [ $$rc -eq 0 ] || exit $$rc; \
	done

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC) $(SERVICE_SRC) $(B)/gen/page_html.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(CORE_SRC) $(SERVICE_SRC) $(B)/gen/page_html.c $(LDLIBS) -o $@
