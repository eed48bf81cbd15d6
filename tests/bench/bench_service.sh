#!/usr/bin/env bash
# Service benchmark of fitd with wrk: requests per second and p50/p99
# latency of GET /v1/jobs/{id} (a finished job) and end-to-end throughput
# of small jobs (POST /v1/jobs?wait=30: 100 rows, 100 epochs), at 1, 16 and
# 256 concurrent connections, next to a bare libmicrohttpd server started
# like fitd (tests/bench/bare_server.c) that answers a constant JSON body:
# the ceiling of this machine with wrk on the same cores.
#
# Usage: tests/bench/bench_service.sh BUILD_DIR
#   BUILD_DIR  where `make` put fitd (make bench passes build); the bare
#              server is compiled into BUILD_DIR/bench/bare_server here
#   FITD_BENCH_SERVICE_SECONDS  length of each wrk run (default 5)
#   FITD_BENCH_SERVICE_CONNS    the connection counts (default "1 16 256")
#   FITD_BENCH_SERVICE_REPS     sweeps of every case and level (default 1); the
#                               summary keeps each case's best run, and
#                               pairs each sweep's fitd with its bare server
#   FITD_HTTP_THREADS           MHD thread pool of both servers (default 2,
#                               fitd's default; fitd reads it itself)
#
# Both servers get the same MHD flags and pool size. fitd runs with
# `--store sqlite --quiet` on a fresh temporary data directory and its
# default workers (one per core). wrk uses min(2, connections) threads,
# --latency for the percentiles and a 35 s timeout (so no slow answer is
# dropped from them). Each server has a 1 s warm-up first. In each sweep
# the bare server, fitd's reads and fitd's small jobs take turns at each
# level, so all three see about the same load from whatever else runs on
# the machine; the summary gives the ratios of the best runs of all and,
# with REPS > 1, the median of each sweep's own ratio.
#
# Result lines go to stdout and BUILD_DIR/bench/service.txt; copy that
# file over tests/bench/baseline_service.txt to make it the new baseline.
# Informational: exits 0 whatever the figures (2 on a usage error).
set -u
B=${1:-build}
SECS=${FITD_BENCH_SERVICE_SECONDS:-5}
CONNS=${FITD_BENCH_SERVICE_CONNS:-1 16 256}
REPS=${FITD_BENCH_SERVICE_REPS:-1}
HTHREADS=${FITD_HTTP_THREADS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
BASE=$HERE/baseline_service.txt
LUA=$HERE/wrk_post_job.lua
FITD=$B/fitd
BARE=$B/bench/bare_server
ROWS=100
EPOCHS=100
TIMEOUT=35s
TICK=$(getconf CLK_TCK 2>/dev/null || echo 100)

case $SECS in '' | *[!0-9.]*) echo "usage: FITD_BENCH_SERVICE_SECONDS must be a number" >&2; exit 2 ;; esac
case $REPS in '' | *[!0-9]* | 0) echo "usage: FITD_BENCH_SERVICE_REPS must be a count >= 1" >&2; exit 2 ;; esac
case $HTHREADS in '' | *[!0-9]*) echo "usage: FITD_HTTP_THREADS must be a number" >&2; exit 2 ;; esac
if [ ! -x "$FITD" ]; then
    echo "service: $FITD not built (make $FITD)"
    exit 0
fi
for tool in wrk curl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "service: $tool not found (apt-get install wrk curl); skipped"
        exit 0
    fi
done

# 256 connections: wrk and the server each hold one socket per connection,
# plus fitd's own files; 1024 leaves room.
nofile=$(ulimit -n)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt 4096 ]; then
    hard=$(ulimit -Hn)
    want=4096
    [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ] && want=$hard
    ulimit -n "$want" 2>/dev/null
    nofile=$(ulimit -n)
fi

mkdir -p "$B/bench"
OUT=$B/bench/service.txt
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fitd-bench-svc.XXXXXX")
PIDS=""

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    local p
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
    for p in $PIDS; do
        # fitd drains on SIGTERM; KILL after 10 s.
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    PIDS=""
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

emit() {
    echo "$*" | tee -a "$OUT"
}

load1() {
    cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo '?'
}

# cpu_ticks PID: user + system time of the whole process, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# start NAME CMD...: runs a server that prints "... listening on
# http://127.0.0.1:PORT" on stdout; sets SPID and SURL (returns 1 when it
# does not come up).
start() {
    local name=$1 port=""
    shift
    "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    SPID=$!
    PIDS="$PIDS $SPID"
    for _ in $(seq 100); do
        port=$(sed -n 's|.* listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$WORK/$name.out" | head -n 1)
        [ -n "$port" ] && break
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$port" ]; then
        emit "# service: $name did not start:"
        sed 's/^/#   /' "$WORK/$name.out" "$WORK/$name.err" | head -n 20
        return 1
    fi
    SURL=http://127.0.0.1:$port
}

# metric URL NAME: one unlabelled gauge from fitd's /metrics ("" if absent).
metric() {
    curl -s "$1/metrics" 2>/dev/null | awk -v n="$2" '$1 == n { print $2; exit }'
}

# jobs_succeeded URL: fitd_jobs{status="succeeded"}.
jobs_succeeded() {
    curl -s "$1/metrics" 2>/dev/null | awk '$1 == "fitd_jobs{status=\"succeeded\"}" { print $2; exit }'
}

# drain URL: waits (up to 60 s) until no job is queued or running, so jobs
# that wrk submitted but stopped waiting for do not load the next run.
drain() {
    local q r
    for _ in $(seq 600); do
        q=$(metric "$1" fitd_queue_depth)
        r=$(metric "$1" fitd_jobs_running)
        [ "${q:-0}" = 0 ] && [ "${r:-0}" = 0 ] && return 0
        sleep 0.1
    done
    emit "# service: jobs still queued or running after 60 s (queue ${q:-?}, running ${r:-?})"
}

# bench CASE REP PID URL CONNS [SCRIPT [SCRIPT_ARGS...]]: one wrk run
# (with a lua script if given); prints the result line.
bench() {
    local name=$1 rep=$2 pid=$3 url=$4 c=$5
    shift 5
    local t=$((c < 2 ? c : 2)) out c0 c1 l script=()
    if [ $# -gt 0 ]; then
        script=(-s "$1")
        shift
    fi
    l=$(load1)
    c0=$(cpu_ticks "$pid")
    out=$(wrk -t"$t" -c"$c" -d"${SECS}s" --timeout "$TIMEOUT" --latency "${script[@]}" "$url" -- "$@" 2>&1)
    c1=$(cpu_ticks "$pid")
    echo "$out" >>"$WORK/wrk.log"
    echo "$out" | awk -v name="$name" -v rep="$rep" -v conns="$c" -v threads="$t" -v secs="$SECS" \
        -v cpu=$((c1 - c0)) -v tick="$TICK" -v load="$l" '
    function ms(s,   v) {
        v = s + 0
        if (s ~ /us$/) return v / 1000
        if (s ~ /ms$/) return v
        if (s ~ /[0-9]s$/) return v * 1000
        if (s ~ /m$/) return v * 60000
        return v
    }
    /Requests\/sec:/ { rps = $2 }
    $1 == "Latency" && NF >= 5 { maxl = ms($4) }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { total = $1 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ {
        s = $0; sub(/.*Socket errors: */, "", s); n = split(s, f, /[ ,]+/)
        for (i = 1; i + 1 <= n; i += 2) errs += f[i + 1]
        sockerr = s; gsub(/[ ,]+/, "_", sockerr)
    }
    /^jobs ok=/ { jobs = $0; sub(/^jobs /, "", jobs) }
    /^(unable|Unable)/ || /error/ && !/Socket errors/ { if (fail == "") { fail = $0; gsub(/[ \t]+/, "_", fail) } }
    END {
        if (rps == "") {
            printf "# service case=%s conns=%d: wrk gave no figures: %s\n", name, conns, (fail == "" ? "?" : fail)
            exit
        }
        printf "service case=%s conns=%d rep=%d threads=%d seconds=%s requests=%s rps=%s p50_ms=%.3f p99_ms=%.3f max_ms=%.3f",
            name, conns, rep, threads, secs, total, rps, p50, p99, maxl
        printf " non2xx=%d socket_errors=%d", non2xx + 0, errs + 0
        if (sockerr != "") printf " socket_detail=%s", sockerr
        if (jobs != "") printf " %s", jobs
        printf " server_cpu_s=%.2f cpu_us_per_req=%.1f load1=%s\n", cpu / tick,
            (total > 0 ? cpu / tick * 1e6 / total : 0), load
    }' | tee -a "$OUT"
}

# ---- setup ----

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
{
    echo "# service date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "# service machine: ${cpu:-unknown cpu}, $(nproc 2>/dev/null || echo '?') cpus, $(uname -sm)"
    echo "# service fitd: $("$FITD" version 2>/dev/null | head -n 1)"
    echo "# service wrk: $(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }'), libmicrohttpd $(dpkg-query -W -f '${Version}' libmicrohttpd12 2>/dev/null || echo '?')"
    echo "# service setup: ${SECS}s per run, connections $CONNS, $REPS run(s) each, http threads $HTHREADS, nofile $nofile, tmp on $(df -T "$WORK" 2>/dev/null | awk 'NR == 2 { print $2 }')"
    echo "# service load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null)"
} >"$OUT"
cat "$OUT"
[ "$nofile" != unlimited ] && [ "$nofile" -lt 1024 ] &&
    emit "# service: ulimit -n is $nofile (< 1024): 256 connections may fail (raise the hard limit)"

# The bare server: no Makefile rule; built here when missing or stale.
if [ ! -x "$BARE" ] || [ "$HERE/bare_server.c" -nt "$BARE" ]; then
    if ! ${CC:-cc} -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -pthread "$HERE/bare_server.c" \
        -lmicrohttpd -o "$BARE" 2>"$WORK/cc.err"; then
        emit "# service: could not build $BARE (ratios unknown):"
        sed 's/^/#   /' "$WORK/cc.err" | head -n 10
    fi
fi

BPID="" BURL="" FPID="" FURL=""
if [ -x "$BARE" ] && start bare "$BARE" --port 0 --threads "$HTHREADS"; then
    BPID=$SPID BURL=$SURL
fi
if start fitd env -u FITD_API_TOKEN "$FITD" serve --port 0 --store sqlite --quiet \
    --data-dir "$WORK/data"; then
    FPID=$SPID FURL=$SURL
fi
[ -n "$FPID" ] && emit "# service fitd: $(head -c 300 "$WORK/fitd.err" | sed -n '1s/^{.*"event":"listening",//p' | tr -d '{}"')"

# The GET target: one small finished job.
JOB=""
if [ -n "$FPID" ]; then
    resp=$(curl -sS -H 'Content-Type: application/json' \
        -d "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": $ROWS, \"seed\": 1}}, \"epochs\": $EPOCHS, \"seed\": 1}" \
        "$FURL/v1/jobs?wait=30" 2>&1)
    JOB=$(echo "$resp" | sed -n 's/^{"id":"\(job_[0-9a-f]*\)".*"status":"succeeded".*/\1/p')
    if [ -z "$JOB" ]; then
        emit "# service: could not create a finished job: $(echo "$resp" | head -c 300)"
    else
        emit "# service GET target: /v1/jobs/$JOB ($(curl -s -o /dev/null -w '%{http_code}, %{size_download} bytes' "$FURL/v1/jobs/$JOB"))"
    fi
fi
emit "# service bare answer: $(curl -s -o /dev/null -w '%{http_code}, %{size_download} bytes' "${BURL:-http://0.0.0.0:1}/" 2>/dev/null)"

# ---- runs ----

# Warm-up (not recorded).
[ -n "$BPID" ] && wrk -t2 -c16 -d1s "$BURL/" >/dev/null 2>&1
[ -n "$JOB" ] && wrk -t2 -c16 -d1s "$FURL/v1/jobs/$JOB" >/dev/null 2>&1

# Sweeps: each of the REPS sweeps runs every level, and at each level the
# bare server, fitd's reads and fitd's small jobs one right after the
# other, so the three see about the same load from whatever else runs on
# the machine (the host moves every rate by 10-20% from one minute to the
# next; a sweep takes about a minute). Small jobs: wrk stops waiting at the
# end of a run, but the jobs it submitted last still run: wait for them
# before the next run, and count what the server finished.
seedbase=1000000000
for r in $(seq "$REPS"); do
    for c in $CONNS; do
        [ -n "$BPID" ] && bench bare "$r" "$BPID" "$BURL/" "$c"
        [ -n "$JOB" ] && bench get_job "$r" "$FPID" "$FURL/v1/jobs/$JOB" "$c"
        [ -n "$FPID" ] || continue
        drain "$FURL"
        s0=$(jobs_succeeded "$FURL")
        bench post_job "$r" "$FPID" "$FURL/v1/jobs?wait=30" "$c" "$LUA" "$seedbase" "$ROWS" "$EPOCHS"
        drain "$FURL"
        s1=$(jobs_succeeded "$FURL")
        emit "# service post_job conns=$c rep=$r: the server finished $(( ${s1:-0} - ${s0:-0} )) jobs in all (the run and its tail)"
        seedbase=$((seedbase + 1000000000))
    done
done
emit "# service load average at end: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null)"
grep -E '^jobs .*non200=[1-9]|^jobs .*not_succeeded=[1-9]' "$WORK/wrk.log" >/dev/null 2>&1 &&
    emit "WARNING: some small jobs did not answer 200 succeeded (see non200=, codes= above)"

# ---- summary ----
[ -f "$BASE" ] || BASE=/dev/null
echo
echo "== service summary (wrk ${SECS}s per run; jobs/s for post_job; vs_bare = req/s over the bare server's at the same connections) =="
awk -v results="$OUT" -v basefile="$BASE" -v conns="$CONNS" -v reps="$REPS" '
# Reads the "service case=... conns=... k=v ..." lines of a file into
# v[set, case/conns, field], keeping the best run of each case and level (the
# highest rate: the machine was least disturbed), and pools the server CPU of
# every run and its requests per case in cpu[set, case], req[set, case].
function load(file, set,    line, f, n, i, kv, key, k, kvs, r) {
    while ((getline line < file) > 0) {
        n = split(line, f, /[ \t]+/)
        if (f[1] != "service") continue
        split("", kvs)
        for (i = 2; i <= n; i++) { split(f[i], kv, "="); kvs[kv[1]] = substr(f[i], length(kv[1]) + 2) }
        key = kvs["case"] "/" kvs["conns"]
        cpu[set, kvs["case"]] += kvs["server_cpu_s"]; req[set, kvs["case"]] += kvs["requests"]
        runs[set, key]++
        r = kvs["case"] == "post_job" ? kvs["jobs_per_s"] : kvs["rps"]
        # the best level of each case in each sweep (the paired ratios)
        sk = set SUBSEP kvs["case"] SUBSEP kvs["rep"]
        if (!(sk in sweep) || r + 0 > sweep[sk] + 0) sweep[sk] = r
        if (seen[set, key] && r + 0 <= best_r[set, key] + 0) continue
        best_r[set, key] = r
        for (k in kvs) v[set, key, k] = kvs[k]
        seen[set, key] = 1
    }
    close(file)
}
function cpu_us(set, name) { return req[set, name] > 0 ? cpu[set, name] * 1e6 / req[set, name] : "-" }
function g(set, key, k) { return (set, key, k) in v ? v[set, key, k] : "-" }
# the rate of a case: jobs/s for post_job (finished jobs), else req/s
function rate(set, key) { return key ~ /^post_job/ ? g(set, key, "jobs_per_s") : g(set, key, "rps") }
function fmt(x) { return x == "-" ? "-" : sprintf("%.0f", x) }
function ratio(a, b) { return a == "-" || b == "-" || b + 0 <= 0 ? "-" : sprintf(a / b < 0.1 ? "%.3f" : "%.2f", a / b) }
# the ratio of a target: shown to three places, judged unrounded (0.149 is not 0.15)
function exact(a, b) { return a == "-" || b == "-" || b + 0 <= 0 ? "-" : a / b }
function shown(x) { return x == "-" ? "-" : sprintf("%.3f", x) }
function verdict(x, ok) { return x == "-" ? "UNKNOWN" : (ok ? "met" : "NOT MET") }
function row(a, b, c, d, e, f2, h, i2, j) {
    printf "  %-10s %6s %10s %9s %9s %8s %11s %11s %10s\n", a, b, c, d, e, f2, h, i2, j
}
BEGIN {
    load(results, "now"); load(basefile, "base")
    nc = split(conns, cs, " ")
    split("bare get_job post_job", names, " ")
    row("case", "conns", "rate/s", "p50_ms", "p99_ms", "vs_bare", "cpu_us/req", "base:rate/s", "base:p99")
    for (i = 1; i <= 3; i++) for (j = 1; j <= nc; j++) {
        k = names[i] "/" cs[j]
        if (!seen["now", k] && !seen["base", k]) continue
        r = rate("now", k)
        row(names[i], cs[j], fmt(r), g("now", k, "p50_ms"), g("now", k, "p99_ms"),
            names[i] == "bare" ? "" : ratio(r, g("now", "bare/" cs[j], "rps")),
            g("now", k, "cpu_us_per_req"), fmt(rate("base", k)), g("base", k, "p99_ms"))
    }
    print "  rate/s: requests per second (bare, get_job) or finished jobs per second (post_job);"
    print "  cpu_us/req: the server process CPU time (user + system) over the run per request;"
    print "  load1 at the start of each run is on its result line above"
    if (reps > 1) printf "  each row is the best of %d runs (the highest rate); cpu_us/req is that run'"'"'s\n", reps

    # The ceiling and each fitd case at its best level.
    for (i = 1; i <= 3; i++) {
        best[names[i]] = "-"; at[names[i]] = "-"
        for (j = 1; j <= nc; j++) {
            r = rate("now", names[i] "/" cs[j])
            if (r != "-" && (best[names[i]] == "-" || r + 0 > best[names[i]] + 0)) { best[names[i]] = r; at[names[i]] = cs[j] }
        }
    }
    printf "\n  ceiling (bare, best level): %s req/s at %s connections\n", fmt(best["bare"]), at["bare"]
    print "\n== service targets (informational) =="
    r = exact(best["get_job"], best["bare"])
    printf "  %-70s %7s  %s\n", sprintf("job reads >= 60%% of the bare server (best: %s of %s req/s)", fmt(best["get_job"]), fmt(best["bare"])),
        shown(r), verdict(r, r + 0 >= 0.6)
    r = exact(best["post_job"], best["bare"])
    printf "  %-70s %7s  %s\n", sprintf("small jobs end to end >= 15%% of it (best: %s jobs/s)", fmt(best["post_job"])),
        shown(r), verdict(r, r + 0 >= 0.15)
    bp = g("now", "bare/256", "p99_ms")
    p = g("now", "get_job/256", "p99_ms")
    printf "  %-70s %7s  %s\n", sprintf("job reads p99 < 50 ms at 256 connections (bare: %s ms)", bp), p, verdict(p, p + 0 < 50)
    p = g("now", "post_job/256", "p99_ms")
    printf "  %-70s %7s  %s\n", sprintf("small jobs p99 < 50 ms at 256 connections (bare: %s ms)", bp), p, verdict(p, p + 0 < 50)

    # Paired: within each sweep, the best level of a fitd case over the
    # bare server'"'"'s best level, runs a minute apart at most; the median of
    # the sweeps moves less with the host than the best-of-all ratios above.
    for (i = 2; i <= 3; i++) {
        n = 0; list = ""
        for (k = 1; k <= reps; k++) {
            a = ("now" SUBSEP names[i] SUBSEP k) in sweep ? sweep["now", names[i], k] : "-"
            b = ("now" SUBSEP "bare" SUBSEP k) in sweep ? sweep["now", "bare", k] : "-"
            x = exact(a, b)
            if (x == "-") continue
            pr[++n] = x + 0
            list = list (list == "" ? "" : ", ") sprintf("%s/%s", fmt(a), fmt(b))
        }
        if (n == 0) continue
        for (a = 2; a <= n; a++) for (b = a; b > 1 && pr[b - 1] > pr[b]; b--) { t = pr[b]; pr[b] = pr[b - 1]; pr[b - 1] = t }
        med = n % 2 ? pr[(n + 1) / 2] : (pr[n / 2] + pr[n / 2 + 1]) / 2
        printf "  %-70s %7s  %s\n", sprintf("%s, median of %d paired sweeps (%s)", names[i] == "get_job" ? "job reads >= 60%" : "small jobs >= 15%", n, list),
            shown(med), verdict(med, names[i] == "get_job" ? med >= 0.6 : med >= 0.15)
    }

    # Server CPU per request moves much less with the load of other
    # processes than the rates do: bare over fitd says what share of the
    # ceiling fitd would reach if both were bound by their own CPU.
    cb = cpu_us("now", "bare"); cg = cpu_us("now", "get_job"); cp = cpu_us("now", "post_job")
    printf "\n  server CPU per request, all runs pooled: bare %s us, get_job %s us, post_job %s us\n",
        cb == "-" ? "-" : sprintf("%.1f", cb), cg == "-" ? "-" : sprintf("%.1f", cg), cp == "-" ? "-" : sprintf("%.1f", cp)
    printf "  CPU-bound share of the ceiling (bare CPU/req over fitd CPU/req): job reads %s, small jobs %s\n",
        ratio(cb, cg), ratio(cb, cp)
}'
if [ "$BASE" != /dev/null ]; then
    echo
    echo "service baseline recorded: $(sed -n 's/^# service date: //p' "$BASE" | head -n 1), $(sed -n 's/^# service machine: //p' "$BASE" | head -n 1), load $(sed -n 's/^# service load average at start: //p' "$BASE" | head -n 1)"
fi
echo "service results: $OUT (cp it to tests/bench/baseline_service.txt to make it the baseline)"
exit 0
