#!/usr/bin/env bash
# Three fitd replicas on one PostgreSQL behind nginx, as docker/compose.yaml
# runs them, on this machine's loopback: small jobs end to end through the
# balancer (POST /v1/jobs?wait=30 of 100 rows x 100 epochs, wrk with
# wrk_post_job.lua) at 16 and 64 connections, and how the claims spread
# over the replicas. The nginx configuration is docker/lb/nginx.conf with
# the replicas' loopback ports in place of the compose service name.
#
# Usage: tests/bench/bench_replicas.sh BUILD_DIR
#   FITD_BENCH_REPLICAS_SECONDS  length of each wrk run (default 5)
# Lines go to stdout and BUILD_DIR/bench/replicas.txt. Informational:
# exits 0 whatever the figures (and says so when nginx, wrk or PostgreSQL
# is missing: apt-get install nginx-light wrk postgresql).
set -u
B=${1:-build}
SECS=${FITD_BENCH_REPLICAS_SECONDS:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$B/bench/replicas.txt
for tool in nginx wrk curl psql; do
    command -v "$tool" >/dev/null 2>&1 || { echo "replicas: $tool not found; skipped"; exit 0; }
done
[ -x "$B/fitd" ] || { echo "replicas: $B/fitd not built"; exit 0; }
mkdir -p "$B/bench"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fitd-bench-rep.XXXXXX")
chmod 755 "$WORK"
PIDS=""
cleanup() {
    [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    "$ROOT/tests/pg/cluster.sh" stop "$WORK/pg" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url=$("$ROOT/tests/pg/cluster.sh" start "$WORK/pg") || { echo "replicas: no PostgreSQL cluster"; exit 0; }
psql "$url" -qc "CREATE DATABASE fitd" || exit 0
db=${url%/postgres}/fitd
servers=""
for i in 1 2 3; do
    port=$(free_port)
    "$B/fitd" serve --store postgres --database-url "$db" --port "$port" --quiet \
        >"$WORK/r$i.out" 2>"$WORK/r$i.log" &
    PIDS="$PIDS $!"
    servers="$servers server 127.0.0.1:$port;"
    ports="${ports:-} $port"
done
lb=$(free_port)
sed -e "s|server fitd:8080;|$servers|" -e "s|listen 8080;|listen 127.0.0.1:$lb;|" \
    -e "s|worker_processes auto;|worker_processes 1; pid $WORK/nginx.pid; error_log $WORK/nginx.err;|" \
    -e "s|^http {|http { access_log off; client_body_temp_path $WORK; proxy_temp_path $WORK;|" \
    "$ROOT/docker/lb/nginx.conf" >"$WORK/nginx.conf"
nginx -c "$WORK/nginx.conf" || { echo "replicas: nginx did not start"; exit 0; }
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$lb/readyz" >/dev/null && break
    sleep 0.1
done
{
    echo "# replicas date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "# replicas machine: $(nproc) cpus; 3 fitd (default workers), PostgreSQL $(psql -V | awk '{print $3}'), nginx $(nginx -v 2>&1 | sed 's|.*/||'), all on loopback"
    echo "# replicas load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
for c in 16 64; do
    res=$(wrk -t2 -c"$c" -d"${SECS}s" --timeout 35s --latency -s "$HERE/wrk_post_job.lua" \
        "http://127.0.0.1:$lb/v1/jobs?wait=30" -- $((c * 1000000)) 2>&1)
    p50=$(printf '%s\n' "$res" | awk '$1 == "50%" {print $2}')
    p99=$(printf '%s\n' "$res" | awk '$1 == "99%" {print $2}')
    jobs=$(printf '%s\n' "$res" | sed -n 's/.*jobs ok=\([0-9]*\).*jobs_per_s=\([0-9.]*\).*/ok=\1 jobs_per_s=\2/p')
    echo "replicas conns=$c $jobs p50=$p50 p99=$p99" | tee -a "$OUT"
done
claims=""
for p in $ports; do
    claims="$claims $(curl -s "http://127.0.0.1:$p/metrics" | awk '$1 == "fitd_lease_claims_total" {print $2}')"
done
echo "replicas claims per replica:$claims" | tee -a "$OUT"
exit 0
