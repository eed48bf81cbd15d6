#!/usr/bin/env bash
# Memory benchmark of the fitd service: what a stored dataset, an upload
# and a running job cost in resident memory, read from /proc/PID/status
# of a real `fitd serve` on loopback. Then a short throughput probe (wrk).
#
# Usage: tests/bench/bench_memory.sh BUILD_DIR [ROWS]
#   BUILD_DIR  where `make` put fitd (make bench passes build)
#   ROWS       rows of the 2-column dataset (default 1000000; env
#              FITD_BENCH_MEM_ROWS also sets it)
#   FITD_BENCH_WRK_SECONDS  length of each wrk run (default 5; 0 skips wrk)
#
# Cases (see tests/bench/README.md, "Memory"):
#   (a) store_csv   memory store, ROWS x 2 CSV posted as text/csv
#   (b) store_csv   sqlite store, the same CSV
#   (c) job_full / job_shuffle / job_full_again on both stores: full batch,
#       batch_size 1000 with shuffle, full batch again; 200 epochs each
#   (d) store_json / store_json_again  memory store, the same data as a
#       JSON columns body, twice on one server
#   (e) get_data    memory store, GET /v1/datasets/{id}/data of (a)
# Every server is a fresh `fitd serve --port 0 --quiet` with its own
# temporary data directory, killed on exit.
#
# MB here is 10^6 bytes (/proc gives KiB; they are converted). Result
# lines go to stdout and to BUILD_DIR/bench/memory.txt; copy that file over
# tests/bench/baseline_memory.txt to make it the new baseline.
# Informational: exits 0 whatever the figures (2 on a usage error).
set -u
B=${1:-build}
ROWS=${2:-${FITD_BENCH_MEM_ROWS:-1000000}}
WRK_SECS=${FITD_BENCH_WRK_SECONDS:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
BASE=$HERE/baseline_memory.txt
PY=/usr/bin/python3
FITD=$B/fitd
COLS=2
EPOCHS=200

if [ ! -x "$FITD" ]; then
    echo "memory: $FITD not built (make $FITD)"
    exit 0
fi
for tool in curl "$PY"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "memory: $tool not found (apt-get install curl python3); skipped"
        exit 0
    fi
done
case $ROWS in '' | *[!0-9]*) echo "usage: $0 BUILD_DIR [ROWS]" >&2; exit 2 ;; esac

mkdir -p "$B/bench"
OUT=$B/bench/memory.txt
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fitd-bench-mem.XXXXXX")
PIDS=""

cleanup() {
    local p
    for p in $PIDS; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in $PIDS; do
        # fitd drains on SIGTERM (no job runs by then); KILL after 10 s.
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    PIDS=""
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers ----

# emit LINE: shows a result line and keeps it.
emit() {
    echo "$*" | tee -a "$OUT"
}

# kb PID FIELD: a /proc/PID/status field in KiB (VmRSS, VmHWM, RssAnon, ...).
kb() {
    awk -v k="$2:" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# mb KIB: KiB as MB (10^6 bytes), one decimal.
mb() {
    awk -v k="$1" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }'
}

# ratio A_KIB B_BYTES: A (KiB) over B (bytes), two decimals.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a * 1024 / b : 0) }'
}

# reset_hwm PID: makes VmHWM the current VmRSS (Linux clear_refs "5"), so
# VmHWM afterwards is the peak of what follows. Returns 1 when not allowed
# (then VmHWM is the peak since the process started).
HWM_RESET=yes
reset_hwm() {
    if ! { echo 5 >"/proc/$1/clear_refs"; } 2>/dev/null; then
        HWM_RESET=no
        return 1
    fi
}

# json EXPR: evaluates a Python expression over the JSON document `d` read
# from stdin; prints it ("" when the document does not read or the key is
# missing).
json() {
    "$PY" -c '
import json, sys
try:
    d = json.load(sys.stdin)
    v = eval(sys.argv[1])
except Exception:
    v = ""
print("" if v is None else v)' "$1"
}

# start_server STORE: a fresh fitd; sets SPID, SURL, SDIR.
start_server() {
    SDIR=$(mktemp -d "$WORK/data.XXXXXX")
    "$FITD" serve --port 0 --store "$1" --quiet --data-dir "$SDIR" $EXTRA_FLAGS >"$SDIR.out" 2>"$SDIR.err" &
    SPID=$!
    PIDS="$PIDS $SPID"
    local port=""
    for _ in $(seq 100); do
        port=$(sed -n '1s|^fitd listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$SDIR.out")
        [ -n "$port" ] && break
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$port" ]; then
        echo "memory: fitd did not start (store $1):"
        sed 's/^/  /' "$SDIR.out" "$SDIR.err" | head -n 20
        return 1
    fi
    SURL=http://127.0.0.1:$port
}

# stop_server: ends the server started last.
stop_server() {
    kill -TERM "$SPID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
    PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$SPID" | tr '\n' ' ')
}

# sample_rss PID STOPFILE: prints the largest VmRSS (KiB) seen every ~10 ms
# until STOPFILE exists.
sample_rss() {
    local max=0 v
    while [ ! -e "$2" ] && kill -0 "$1" 2>/dev/null; do
        v=$(kb "$1" VmRSS)
        [ "$v" -gt "$max" ] && max=$v
        sleep 0.01
    done
    echo "$max"
}

# upload CASE STORE FILE CONTENT_TYPE [reuse]: starts a server (or, with
# reuse, takes the one started last), posts FILE to /v1/datasets and
# prints the result line. Leaves the server running and sets DSID (empty
# on failure).
upload() {
    local name=$1 store=$2 file=$3 ctype=$4
    DSID=""
    [ "${5:-}" = reuse ] || start_server "$store" || return 1
    sleep 0.2 # let the threads settle
    local before anon_before after anon_after peak resp code t0 t1
    reset_hwm "$SPID"
    before=$(kb "$SPID" VmRSS)
    anon_before=$(kb "$SPID" RssAnon)
    t0=$(date +%s.%N)
    resp=$(curl -sS -w '\n%{http_code}' -H "Content-Type: $ctype" --data-binary "@$file" \
        "$SURL/v1/datasets" 2>&1)
    t1=$(date +%s.%N)
    code=$(echo "$resp" | tail -n 1)
    after=$(kb "$SPID" VmRSS)
    anon_after=$(kb "$SPID" RssAnon)
    peak=$(kb "$SPID" VmHWM)
    if [ "$code" != 201 ]; then
        emit "# memory case=$name store=$store: upload answered $code: $(echo "$resp" | head -n 1 | cut -c1-300)"
        return 1
    fi
    DSID=$(echo "$resp" | head -n 1 | json 'd["id"]')
    local size
    size=$(stat -c %s "$file")
    emit "memory case=$name store=$store rows=$ROWS cols=$COLS binary_mb=$(awk -v b="$BIN" 'BEGIN{printf "%.1f", b/1e6}')" \
        "body_mb=$(awk -v b="$size" 'BEGIN{printf "%.1f", b/1e6}')" \
        "rss_before_mb=$(mb "$before") rss_after_mb=$(mb "$after") peak_mb=$(mb "$peak")" \
        "anon_delta_mb=$(mb $((anon_after - anon_before)))" \
        "delta_vs_binary=$(ratio $((after - before)) "$BIN") peak_vs_binary=$(ratio $((peak - before)) "$BIN")" \
        "seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')"
}

# job CASE STORE SPEC_JSON: runs one job on the server started last
# (dataset DSID), sampling VmRSS while it runs; prints the result line.
job() {
    local name=$1 store=$2 spec=$3
    local before after peak sampled resp id status epochs t0 t1 stopf samp
    sleep 0.2
    reset_hwm "$SPID"
    before=$(kb "$SPID" VmRSS)
    stopf=$WORK/stop.$name.$store
    samp=$WORK/sampled.$name.$store
    rm -f "$stopf"
    sample_rss "$SPID" "$stopf" >"$samp" &
    local sampler=$!
    t0=$(date +%s.%N)
    resp=$(curl -sS -H 'Content-Type: application/json' -d "$spec" "$SURL/v1/jobs?wait=120" 2>&1)
    id=$(echo "$resp" | json 'd["id"]')
    status=$(echo "$resp" | json 'd["status"]')
    while [ -n "$id" ] && { [ "$status" = queued ] || [ "$status" = running ]; }; do
        resp=$(curl -sS "$SURL/v1/jobs/$id?wait=60" 2>&1)
        status=$(echo "$resp" | json 'd["status"]')
    done
    t1=$(date +%s.%N)
    touch "$stopf"
    wait "$sampler"
    sampled=$(cat "$samp")
    after=$(kb "$SPID" VmRSS)
    peak=$(kb "$SPID" VmHWM)
    epochs=$(echo "$resp" | json 'd["epochs_run"]')
    if [ "$status" != succeeded ]; then
        emit "# memory case=$name store=$store: job ended '${status:-?}': $(echo "$resp" | head -c 300)"
    fi
    emit "memory case=$name store=$store rows=$ROWS cols=$COLS binary_mb=$(awk -v b="$BIN" 'BEGIN{printf "%.1f", b/1e6}')" \
        "rss_before_mb=$(mb "$before") rss_after_mb=$(mb "$after") peak_mb=$(mb "$peak")" \
        "sampled_max_mb=$(mb "$sampled") job_peak_mb=$(mb $((peak - before)))" \
        "bytes_per_row=$(awk -v k=$((peak - before)) -v n="$ROWS" 'BEGIN{printf "%.1f", k*1024/n}')" \
        "delta_vs_binary=$(ratio $((after - before)) "$BIN") peak_vs_binary=$(ratio $((peak - before)) "$BIN")" \
        "status=${status:-?} epochs=${epochs:-?} seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')"
    JOBID=$id
}

# wrk_probe PATH LABEL: one wrk run against the server started last.
wrk_probe() {
    local path=$1 label=$2 out before after
    before=$(kb "$SPID" VmRSS)
    out=$(wrk -t2 -c16 -d"${WRK_SECS}s" --latency "$SURL$path" 2>&1)
    after=$(kb "$SPID" VmRSS)
    echo "$out" | awk -v label="$label" -v before="$(mb "$before")" -v after="$(mb "$after")" -v secs="$WRK_SECS" '
    function ms(s,   v) {
        v = s + 0
        if (s ~ /us$/) return v / 1000
        if (s ~ /ms$/) return v
        if (s ~ /s$/) return v * 1000
        return v
    }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { total = $1 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { sockerr = $0; sub(/.*Socket errors: */, "", sockerr); gsub(/[ ,]+/, "_", sockerr) }
    END {
        printf "throughput path=%s connections=16 threads=2 seconds=%s requests=%s requests_per_s=%s p50_ms=%.3f p99_ms=%.3f non2xx=%s%s rss_before_mb=%s rss_after_mb=%s\n",
            label, secs, total == "" ? "?" : total, rps == "" ? "?" : rps, p50, p99,
            non2xx == "" ? 0 : non2xx, sockerr == "" ? "" : " socket_errors=" sockerr, before, after
    }' | tee -a "$OUT"
}

# ---- the data ----

BIN=$((ROWS * COLS * 8))
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
{
    echo "# memory date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "# memory machine: ${cpu:-unknown cpu}, $(nproc 2>/dev/null || echo '?') cpus, $(uname -sm), glibc $(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
    echo "# memory fitd: $("$FITD" version 2>/dev/null | head -n 1)"
} >"$OUT"
cat "$OUT"
echo "# memory: generating $ROWS x $COLS rows (CSV and JSON) in $WORK"

# The engine benchmark's data: x = i/(N-1), y = x + 2 + small noise,
# written with Python's repr (shortest round-trip text, ~19 bytes a value).
"$PY" - "$ROWS" "$WORK/data.csv" "$WORK/data.json" <<'EOF'
import sys
n = int(sys.argv[1])
x = [i / (n - 1) if n > 1 else 0.0 for i in range(n)]
y = [(v + 2) + 0.01 * ((i * 7919 % 1000) / 1000 - 0.5) for i, v in enumerate(x)]
with open(sys.argv[2], "w") as f:
    f.write("x,y\n")
    f.writelines("%r,%r\n" % (a, b) for a, b in zip(x, y))
with open(sys.argv[3], "w") as f:
    f.write('{"columns": {"x": [')
    f.write(", ".join(map(repr, x)))
    f.write('], "y": [')
    f.write(", ".join(map(repr, y)))
    f.write("]}}")
EOF
if [ ! -s "$WORK/data.csv" ] || [ ! -s "$WORK/data.json" ]; then
    echo "memory: could not generate the data; skipped"
    exit 0
fi
# The default --max-body (64m) takes the bodies up to ~1.6e6 rows; raise
# it only for bigger runs, so the default cases run the default server.
EXTRA_FLAGS=""
[ "$(stat -c %s "$WORK/data.json")" -gt 60000000 ] && EXTRA_FLAGS="--max-body 4g"

FULL='{"dataset": "%s", "epochs": '$EPOCHS'}'
SHUF='{"dataset": "%s", "epochs": '$EPOCHS', "batch_size": 1000, "shuffle": true}'
[ "$ROWS" -lt 1000 ] && SHUF='{"dataset": "%s", "epochs": '$EPOCHS', "batch_size": 1, "shuffle": true}'

# (a) + (c) on the memory store
if upload store_csv memory "$WORK/data.csv" text/csv && [ -n "$DSID" ]; then
    # shellcheck disable=SC2059
    job job_full memory "$(printf "$FULL" "$DSID")"
    # shellcheck disable=SC2059
    job job_shuffle memory "$(printf "$SHUF" "$DSID")"
    # A second full-batch job: does the first job's memory come back?
    # shellcheck disable=SC2059
    job job_full_again memory "$(printf "$FULL" "$DSID")"
    # (e) GET /v1/datasets/{id}/data: the columns back as JSON text.
    sleep 0.2
    reset_hwm "$SPID"
    before=$(kb "$SPID" VmRSS)
    got=$(curl -sS -o /dev/null -w '%{http_code} %{size_download}' "$SURL/v1/datasets/$DSID/data")
    after=$(kb "$SPID" VmRSS)
    peak=$(kb "$SPID" VmHWM)
    emit "memory case=get_data store=memory rows=$ROWS cols=$COLS status=${got% *}" \
        "body_mb=$(awk -v b="${got#* }" 'BEGIN{printf "%.1f", b/1e6}')" \
        "rss_before_mb=$(mb "$before") rss_after_mb=$(mb "$after") peak_mb=$(mb "$peak")" \
        "delta_vs_binary=$(ratio $((after - before)) "$BIN") peak_vs_binary=$(ratio $((peak - before)) "$BIN")"
    before=$(kb "$SPID" VmRSS)
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$SURL/v1/datasets/$DSID")
    sleep 0.2
    after=$(kb "$SPID" VmRSS)
    emit "memory case=delete_dataset store=memory rows=$ROWS status=$code rss_before_mb=$(mb "$before")" \
        "rss_after_mb=$(mb "$after") delta_vs_binary=$(ratio $((after - before)) "$BIN")"
fi
stop_server

# (b) + (c) on the sqlite store
if upload store_csv sqlite "$WORK/data.csv" text/csv && [ -n "$DSID" ]; then
    # shellcheck disable=SC2059
    job job_full sqlite "$(printf "$FULL" "$DSID")"
    # shellcheck disable=SC2059
    job job_shuffle sqlite "$(printf "$SHUF" "$DSID")"
    # shellcheck disable=SC2059
    job job_full_again sqlite "$(printf "$FULL" "$DSID")"
fi
stop_server

# (d) the same data as a JSON body (the body is kept whole, then parsed to
# a tree), twice on one server: does what the first left behind get reused?
if upload store_json memory "$WORK/data.json" application/json; then
    upload store_json_again memory "$WORK/data.json" application/json reuse
fi
stop_server

[ "$HWM_RESET" = yes ] || emit "# memory: /proc/PID/clear_refs not writable: peaks are since each server started"

# ---- throughput probe (informational) ----
if [ "$WRK_SECS" = 0 ]; then
    emit "# throughput: skipped (FITD_BENCH_WRK_SECONDS=0)"
elif ! command -v wrk >/dev/null 2>&1; then
    emit "# throughput: wrk not installed (apt-get install wrk); skipped"
elif start_server memory; then
    resp=$(curl -sS -H 'Content-Type: application/json' \
        -d '{"data": {"generate": {"kind": "linear", "n": 1000, "seed": 1}}, "epochs": 100}' \
        "$SURL/v1/jobs?wait=30" 2>&1)
    id=$(echo "$resp" | json 'd["id"]')
    if [ -n "$id" ]; then
        wrk_probe "/v1/jobs/$id" "/v1/jobs/{id}"
    else
        emit "# throughput: could not create a job: $(echo "$resp" | head -c 300)"
    fi
    wrk_probe /livez /livez
    stop_server
fi

# ---- summary ----
[ -f "$BASE" ] || BASE=/dev/null
echo
echo "== memory summary (MB = 10^6 bytes; binary = rows x cols x 8 = $(awk -v b="$BIN" 'BEGIN{printf "%.1f", b/1e6}') MB) =="
awk -v results="$OUT" -v basefile="$BASE" -v rows="$ROWS" -v cols="$COLS" '
# Reads the "memory case=... store=... k=v ..." and "throughput path=..."
# lines of a file into v[set, key, field].
function load(file, set,    line, f, n, i, kv, key, k, kvs) {
    while ((getline line < file) > 0) {
        n = split(line, f, /[ \t]+/)
        if (f[1] != "memory" && f[1] != "throughput") continue
        split("", kvs)
        for (i = 2; i <= n; i++) { split(f[i], kv, "="); kvs[kv[1]] = substr(f[i], length(kv[1]) + 2) }
        key = f[1] == "memory" ? kvs["case"] "/" kvs["store"] : "tp" kvs["path"]
        for (k in kvs) v[set, key, k] = kvs[k]
        seen[set, key] = 1
    }
    close(file)
}
function g(set, key, k) { return (set, key, k) in v ? v[set, key, k] : "-" }
function row(a, b, c, d, e, f2, h) { printf "  %-24s %9s %9s %9s %9s %11s %10s\n", a, b, c, d, e, f2, h }
function verdict(x, ok) { return x == "-" ? "UNKNOWN" : (ok ? "met" : "NOT MET") }
BEGIN {
    load(results, "now"); load(basefile, "base")
    n = split("store_csv/memory store_csv/sqlite store_json/memory store_json_again/memory " \
              "job_full/memory job_shuffle/memory job_full_again/memory get_data/memory delete_dataset/memory " \
              "job_full/sqlite job_shuffle/sqlite job_full_again/sqlite", keys, " ")
    row("case/store", "after_mb", "steady_x", "peak_x", "step_mb", "base:steady", "base:peak")
    for (i = 1; i <= n; i++) {
        k = keys[i]
        if (!seen["now", k] && !seen["base", k]) continue
        step = g("now", k, "job_peak_mb")
        if (step == "-" && g("now", k, "peak_mb") != "-")
            step = sprintf("%.1f", g("now", k, "peak_mb") - g("now", k, "rss_before_mb"))
        row(k, g("now", k, "rss_after_mb"), g("now", k, "delta_vs_binary"), g("now", k, "peak_vs_binary"),
            step, g("base", k, "delta_vs_binary"), g("base", k, "peak_vs_binary"))
    }
    br = g("base", "store_csv/memory", "rows")
    if (br != "-" && br != rows) printf "  (the baseline was measured with %s rows, this run has %s: compare the ratios with care)\n", br, rows
    print "  after_mb: VmRSS after the step; steady_x: (VmRSS after - before) / binary;"
    print "  peak_x: (VmHWM during the step - VmRSS before) / binary; step_mb: that peak increase in MB"
    if (seen["now", "tp/v1/jobs/{id}"] || seen["now", "tp/livez"]) {
        printf "\n  %-24s %12s %10s %10s %14s\n", "throughput (wrk -c16)", "req/s", "p50_ms", "p99_ms", "base:req/s"
        split("/v1/jobs/{id} /livez", tp, " ")
        for (i = 1; i <= 2; i++) {
            k = "tp" tp[i]
            if (!seen["now", k]) continue
            printf "  %-24s %12s %10s %10s %14s\n", tp[i], g("now", k, "requests_per_s"),
                g("now", k, "p50_ms"), g("now", k, "p99_ms"), g("base", k, "requests_per_s")
        }
    }

    print "\n== memory targets (informational) =="
    s = g("now", "store_csv/memory", "delta_vs_binary"); p = g("now", "store_csv/memory", "peak_vs_binary")
    printf "  %-68s %7s  %s\n", "stored dataset ~8*R*C bytes (CSV, steady 0.9-1.3x)", s "x",
        verdict(s, s + 0 >= 0.9 && s + 0 <= 1.3)
    printf "  %-68s %7s  %s\n", "CSV upload peak well under 3x binary (< 2x)", p "x", verdict(p, p + 0 < 2)
    s = g("now", "store_json/memory", "delta_vs_binary"); p = g("now", "store_json/memory", "peak_vs_binary")
    printf "  %-68s %7s  %s\n", "JSON upload keeps no tree or text (steady 0.9-1.3x)", s "x",
        verdict(s, s + 0 >= 0.9 && s + 0 <= 1.3)
    printf "  %-68s %7s  %s\n", "JSON upload peak (under 3x, like CSV)", p "x", verdict(p, p + 0 < 3)
    # A job adds O(chunk) scratch: 2 MB allowed for it (arena and stack
    # slack); plus, with shuffle, the 8-byte permutation index; plus, for
    # sqlite, one loaded copy of the columns and its 2 MB page cache.
    bin = rows * cols * 8 / 1e6
    split("job_full/memory job_shuffle/memory job_full/sqlite job_shuffle/sqlite", jk, " ")
    for (i = 1; i <= 4; i++) {
        k = jk[i]; m = g("now", k, "job_peak_mb")
        allow = 2 + (k ~ /shuffle/ ? rows * 8 / 1e6 : 0) + (k ~ /sqlite/ ? bin + 2 : 0)
        what = sprintf("%s: job peak <= %.1f MB (chunk%s%s)", k, allow,
            k ~ /shuffle/ ? " + perm" : "", k ~ /sqlite/ ? " + copy + cache" : "")
        printf "  %-68s %7s  %s\n", what, m " MB", verdict(m, m + 0 <= allow)
    }
    # After its jobs end a server should be back near where it was: the
    # buffers of the jobs returned (2 MB allowed).
    split("memory sqlite", st, " ")
    for (i = 1; i <= 2; i++) {
        a = g("now", "store_csv/" st[i], "rss_after_mb"); b = g("now", "job_full_again/" st[i], "rss_after_mb")
        m = a == "-" || b == "-" ? "-" : sprintf("%.1f", b - a)
        printf "  %-68s %7s  %s\n", st[i] ": RSS after 3 jobs - after upload <= 2 MB", m " MB", verdict(m, m + 0 <= 2)
    }
}'
if [ "$BASE" != /dev/null ]; then
    echo
    echo "memory baseline recorded: $(sed -n 's/^# memory date: //p' "$BASE" | head -n 1), $(sed -n 's/^# memory machine: //p' "$BASE" | head -n 1)"
fi
echo "memory results: $OUT (cp it to tests/bench/baseline_memory.txt to make it the baseline)"
exit 0
