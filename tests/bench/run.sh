#!/usr/bin/env bash
# Runs the engine benchmarks and prints a summary beside the checked-in
# baseline, then the service's memory benchmark (bench_memory.sh), then
# the service's throughput and latency benchmark (bench_service.sh).
# Usage: tests/bench/run.sh BUILD_DIR [SECONDS]
#   BUILD_DIR  where `make` put bench/bench_engine and fitd (make bench
#              passes build)
#   SECONDS    minimum length of one timed repetition (default 0.5; env
#              FITD_BENCH_SECONDS also sets it)
#   FITD_BENCH_MEMORY=0 skips the memory benchmark; FITD_BENCH_MEM_ROWS
#              and FITD_BENCH_WRK_SECONDS are passed on to it.
#   FITD_BENCH_CLAIMS=0 skips the shared queue's rate on PostgreSQL
#              (bench_claims on a throwaway cluster, tests/pg), whose
#              lines go to BUILD_DIR/bench/claims.txt;
#   FITD_BENCH_REPLICAS=0 skips three replicas on PostgreSQL behind nginx
#              (bench_replicas.sh, BUILD_DIR/bench/replicas.txt);
#   FITD_BENCH_SERVICE=0 skips the service benchmark;
#              FITD_BENCH_SERVICE_SECONDS, _CONNS and _REPS are
#              passed on to it.
# Every result line goes to BUILD_DIR/bench/results.txt as well (memory:
# BUILD_DIR/bench/memory.txt, service: BUILD_DIR/bench/service.txt); copy
# that file over tests/bench/baseline.txt (baseline_memory.txt,
# baseline_service.txt) to make it the new baseline.
# Benchmarks are informational: this script exits 0 whatever the figures.
set -u
B=${1:-build}
SECS=${2:-${FITD_BENCH_SECONDS:-0.5}}
HERE=$(cd "$(dirname "$0")" && pwd)
BASE=$HERE/baseline.txt
PY=/usr/bin/python3
mkdir -p "$B/bench"
OUT=$B/bench/results.txt

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
{
    echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "# machine: ${cpu:-unknown cpu}, $(nproc 2>/dev/null || echo '?') cpus, $(uname -sm)"
    echo "# cc: $(${CC:-cc} --version 2>/dev/null | head -n 1)"
    echo "# seconds per repetition: $SECS"
} > "$OUT"
cat "$OUT"

# Runs one benchmark, showing its lines as they come and keeping them.
run() {
    "$@" 2>&1 | tee -a "$OUT"
}

if [ -x "$B/bench/bench_engine" ]; then
    run "$B/bench/bench_engine" "$SECS"
else
    echo "engine: $B/bench/bench_engine not built (make $B/bench/bench_engine)" | tee -a "$OUT"
fi

# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine and slow
# NumPy down; unset them for the Python runs only.
if [ -x "$PY" ]; then
    run env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$HERE/bench_numpy.py" "$SECS"
    run env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$HERE/bench_torch.py" "$SECS"
else
    echo "python: $PY not found (apt-get install python3 python3-numpy python3-torch)" | tee -a "$OUT"
fi

[ -f "$BASE" ] || BASE=/dev/null
echo
echo "== summary (best of 5; ns per row per epoch; baseline: tests/bench/baseline.txt) =="
awk -v results="$OUT" -v basefile="$BASE" '
# Reads the "name N=... ns_per_row=... us_per_epoch=..." lines of a file into
# ns[set, name, N], us[...] and md[...] (the median).
function load(file, set,    line, f, n, i, name, N, kv) {
    while ((getline line < file) > 0) {
        n = split(line, f, /[ \t]+/)
        if (f[1] !~ /^(engine|fused|numpy|torch)$/ || f[2] !~ /^N=/) continue
        name = f[1]; N = substr(f[2], 3)
        for (i = 3; i <= n; i++) {
            split(f[i], kv, "=")
            if (kv[1] == "ns_per_row") ns[set, name, N] = kv[2]
            if (kv[1] == "us_per_epoch") us[set, name, N] = kv[2]
            if (kv[1] == "median_us_per_epoch") md[set, name, N] = kv[2]
        }
    }
    close(file)
}
function has(set, name, N) { return (set, name, N) in ns }
function num(set, name, N, what) {
    if (!has(set, name, N)) return "-"
    return what == "ns" ? ns[set, name, N] : us[set, name, N]
}
function ratio(set, a, b, N) {
    if (!has(set, a, N) || !has(set, b, N) || us[set, b, N] + 0 <= 0) return "-"
    return sprintf("%.2f", us[set, a, N] / us[set, b, N])
}
function row(label, a, b, c) { printf "  %-14s %12s %12s %12s\n", label, a, b, c }
BEGIN {
    load(results, "now"); load(basefile, "base")
    split("1000 1000000", sizes, " ")
    split("engine fused numpy torch", names, " ")
    for (s = 1; s <= 2; s++) {
        N = sizes[s]
        printf "\nN=%s\n", N
        row("ns/row", "now", "(median)", "baseline")
        for (k = 1; k <= 4; k++) {
            nm = names[k]
            med = has("now", nm, N) && us["now", nm, N] + 0 > 0 ? \
                sprintf("(%.4f)", ns["now", nm, N] * md["now", nm, N] / us["now", nm, N]) : ""
            row(nm, num("now", nm, N, "ns"), med, num("base", nm, N, "ns"))
        }
        row("us/epoch", "now", "(median)", "baseline")
        for (k = 1; k <= 4; k++) {
            nm = names[k]
            med = has("now", nm, N) ? "(" md["now", nm, N] ")" : ""
            row(nm, num("now", nm, N, "us"), med, num("base", nm, N, "us"))
        }
        row("ratio", "now", "", "baseline")
        row("numpy/engine", ratio("now", "numpy", "engine", N), "", ratio("base", "numpy", "engine", N))
        row("torch/engine", ratio("now", "torch", "engine", N), "", ratio("base", "torch", "engine", N))
        row("engine/fused", ratio("now", "engine", "fused", N), "", ratio("base", "engine", "fused", N))
    }

    print "\n== targets (informational) =="
    r = ratio("now", "numpy", "engine", 1000000)
    printf "  N=1e6  engine >= 7x faster than NumPy:  %s  %s\n", r == "-" ? "-" : r "x",
        (r == "-" ? "UNKNOWN" : (r + 0 >= 7 ? "met" : "NOT MET"))
    r = ratio("now", "engine", "fused", 1000000)
    printf "  N=1e6  engine within 2x of fused loop:  %s  %s\n", r == "-" ? "-" : r "x",
        (r == "-" ? "UNKNOWN" : (r + 0 <= 2 ? "met" : "NOT MET"))
    u = num("now", "engine", 1000, "us")
    printf "  N=1000 engine epoch under 2 us:         %s  %s\n", u == "-" ? "-" : u " us",
        (u == "-" ? "UNKNOWN" : (u + 0 < 2 ? "met" : "NOT MET"))
}'

# The same data and starting point everywhere, so the loss at the start
# must agree: each program prints "# check N=... loss0=..." (the engine also
# engine_loss0=...), in run order engine, numpy, torch.
echo
echo "== loss at the starting point, against the engine =="
awk '
/^# numpy / { prog = "numpy" }
/^# torch / { prog = "torch" }
/^# check N=[0-9]+ loss0=/ {
    N = ""; v = ""; ve = ""
    for (i = 3; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "N") N = kv[2]
        if (kv[1] == "loss0") v = kv[2]
        if (kv[1] == "engine_loss0") ve = kv[2]
    }
    if (prog == "") { ref[N] = ve != "" ? ve : v; printf "  N=%-8s engine %s\n", N, ref[N]; next }
    if (!(N in ref)) { printf "  N=%-8s %-6s %s (no engine figure)\n", N, prog, v; next }
    d = v - ref[N]; if (d < 0) d = -d
    r = ref[N] + 0; if (r < 0) r = -r
    rel = r > 0 ? d / r : d
    printf "  N=%-8s %-6s %s  rel diff %.1e%s\n", N, prog, v, rel,
        (rel > 1e-12 ? "  WARNING: differs from the engine" : "")
}' "$OUT"

if grep -q '^WARNING' "$OUT"; then
    echo
    echo "== warnings from the run =="
    grep '^WARNING' "$OUT"
fi

if [ "$BASE" != /dev/null ]; then
    echo
    echo "baseline recorded: $(sed -n 's/^# date: //p' "$BASE" | head -n 1), $(sed -n 's/^# machine: //p' "$BASE" | head -n 1)"
fi
echo "results: $OUT (cp it to tests/bench/baseline.txt to make it the baseline)"

# The service: resident memory of a stored dataset, an upload and a
# running job, then a short throughput probe (README.md, "Memory").
if [ "${FITD_BENCH_MEMORY:-1}" != 0 ]; then
    echo
    echo "== service memory: tests/bench/bench_memory.sh $B =="
    "$HERE/bench_memory.sh" "$B"
fi

# The service under load: wrk against GET /v1/jobs/{id} and small jobs end
# to end, beside a bare libmicrohttpd server (README.md, "Service").
if [ "${FITD_BENCH_SERVICE:-1}" != 0 ]; then
    echo
    echo "== service throughput: tests/bench/bench_service.sh $B =="
    "$HERE/bench_service.sh" "$B"
fi

if [ "${FITD_BENCH_CLAIMS:-1}" != 0 ] && [ -x "$B/bench/bench_claims" ]; then
    echo
    echo "== shared queue on PostgreSQL: $B/bench/bench_claims (tests/pg/with_cluster.sh) =="
    "$HERE/../pg/with_cluster.sh" bash -c '"$0" "$FITD_TEST_DATABASE_URL" 3000' \
        "$B/bench/bench_claims" 2>&1 | tee "$B/bench/claims.txt"
fi

if [ "${FITD_BENCH_REPLICAS:-1}" != 0 ]; then
    echo
    echo "== three replicas behind nginx: tests/bench/bench_replicas.sh $B =="
    "$HERE/bench_replicas.sh" "$B"
fi
exit 0
