#!/usr/bin/env bash
# smoke.sh - end-to-end smoke test of a running fitd, used as the SMOKE_COMMAND of
# container-check (which starts the image with -e FITD_PORT=$PORT, network=host):
#
#   ../shared/tools/container-check tests/container/smoke.sh
#
# Also works against any fitd on this machine:  PORT=8080 tests/container/smoke.sh
# Environment: PORT (required), HOST (default 127.0.0.1), FITD_API_TOKEN (sent as a
# bearer token when set), PYTHON (default /usr/bin/python3).
# Checks: /livez 200, /readyz 200; POST /v1/jobs?wait=60 with api/examples/linear.json
# -> 200, succeeded, params.m within 1e-3 of reference.params.m; POST a CSV dataset
# -> 201 (committed to the store, so /data is writable), then GET its data back.
# Exits non-zero with a message naming the first check that failed.
set -euo pipefail
: "${PORT:?smoke.sh: PORT is not set}"
HOST=${HOST:-127.0.0.1}
PY=${PYTHON:-/usr/bin/python3}
base="http://$HOST:$PORT"
here=$(cd "$(dirname "$0")" && pwd)
example="$here/../../api/examples/linear.json"
[ -f "$example" ] || { echo "smoke: FAIL: $example not found" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
auth=(); [ -n "${FITD_API_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $FITD_API_TOKEN")

fail() { echo "smoke: FAIL: $*" >&2; [ -s "$tmp/body" ] && { echo "--- response body:" >&2; head -c 2000 "$tmp/body" >&2; echo >&2; }; exit 1; }
# req METHOD PATH [curl args...]: body to $tmp/body, status code to stdout
req() {
  local m=$1 p=$2; shift 2
  : >"$tmp/body"
  curl -sS --max-time 90 -o "$tmp/body" -w '%{http_code}' -X "$m" ${auth[@]+"${auth[@]}"} "$@" "$base$p" || true
}
expect() { # expect CODE METHOD PATH [curl args...]
  local want=$1 got; shift
  got=$(req "$@")
  [ "$got" = "$want" ] || fail "$1 $2: HTTP $got, expected $want (000: no answer)"
  echo "smoke: ok   $1 $2 -> $got"
}
# jcheck 'python expression over d (the parsed body)' 'what it checks'
jcheck() {
  "$PY" - "$tmp/body" "$1" <<'PY' || fail "$2"
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2], {"abs": abs, "len": len}, {"d": d})
sys.exit(0 if ok else 1)
PY
  echo "smoke: ok   $2"
}

expect 200 GET /livez
expect 200 GET /readyz

expect 200 POST '/v1/jobs?wait=60' -H 'Content-Type: application/json' --data-binary "@$example"
jcheck 'd["status"] == "succeeded"' 'linear job status is succeeded'
jcheck 'abs(d["params"]["m"] - d["reference"]["params"]["m"]) < 1e-3' \
       'linear job params.m within 1e-3 of reference.params.m'
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("smoke:      m=%r ref=%r" % (d["params"]["m"], d["reference"]["params"]["m"]))' "$tmp/body"

printf 'x,y\n1,2\n2,4.5\n3,6\n4,8.25\n' >"$tmp/ds.csv"
expect 201 POST /v1/datasets -H 'Content-Type: text/csv' --data-binary "@$tmp/ds.csv"
jcheck 'd["rows"] == 4 and d["columns"] == ["x", "y"]' 'dataset has 4 rows, columns x,y'
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/body")
expect 200 GET "/v1/datasets/$id/data"
jcheck 'd["columns"] == {"x": [1, 2, 3, 4], "y": [2, 4.5, 6, 8.25]}' "dataset $id data round-trips"

echo "smoke: all checks passed against $base"
