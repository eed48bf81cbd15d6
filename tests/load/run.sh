#!/usr/bin/env bash
# tests/load/run.sh - builds and runs the load tests (soak, crash) with
# CI-friendly defaults; the last line reads "N passed, N failed" summing
# both, and the exit status is nonzero when anything failed.
#
#   tests/load/run.sh                  # from the repository root
#   FITD_SOAK_SECONDS=120 FITD_CRASH_ROUNDS=10 tests/load/run.sh
#
# Defaults here: soak 60 s with 32 clients, crash 5 rounds with 8 clients
# (about 2 minutes in all on a 2-core machine). FITD_BIN picks the server
# (default build/fitd, built with make when FITD_BIN is unset); B the
# build directory (default build). FITD_LOAD_NOBUILD=1 expects
# $B/load/soak and $B/load/crash to exist already.
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
CC=${CC:-cc}
FLAGS="-O2 -g -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes
       -Wmissing-prototypes -Wformat=2 -Wvla -Wundef -Wwrite-strings -ffp-contract=off
       -D_POSIX_C_SOURCE=200809L -pthread"

export FITD_SOAK_SECONDS=${FITD_SOAK_SECONDS:-60}
export FITD_SOAK_THREADS=${FITD_SOAK_THREADS:-32}
export FITD_CRASH_ROUNDS=${FITD_CRASH_ROUNDS:-5}
export FITD_CRASH_THREADS=${FITD_CRASH_THREADS:-8}

if [ -z "${FITD_BIN:-}" ]; then
    make --no-print-directory -s B="$B" "$B/fitd" || { echo "0 passed, 1 failed"; exit 1; }
    export FITD_BIN="$PWD/$B/fitd"
fi
if [ "${FITD_LOAD_NOBUILD:-0}" != 1 ]; then
    mkdir -p "$B/load"
    for t in soak crash; do
        # shellcheck disable=SC2086
        $CC $FLAGS -Isrc -Itests/unit -Itests/api tests/load/$t.c tests/load/loadlib.c tests/api/apitest.c \
            -lcurl -ljansson -lsqlite3 -lm -pthread -o "$B/load/$t" || { echo "0 passed, 1 failed"; exit 1; }
    done
fi

start=$(date +%s)
total_p=0; total_f=0
for t in soak crash; do
    "$B/load/$t" > "$B/load/$t.out" 2>&1; rc=$?
    cat "$B/load/$t.out"
    line=$(grep -E "^$t: [0-9]+ passed, [0-9]+ failed$" "$B/load/$t.out" | tail -n 1)
    p=$(printf '%s' "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/p')
    f=$(printf '%s' "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/p')
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$t: exited $rc without reporting a failure"
        f=1
    fi
    total_p=$((total_p + p)); total_f=$((total_f + f))
done
echo "load tests: $(( $(date +%s) - start )) s"
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
