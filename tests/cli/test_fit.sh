#!/usr/bin/env bash
# test_fit.sh - `fitd fit` end to end: the two worked examples converge to
# their closed-form references, exit codes 0/1/2, problem+json on stderr,
# byte-identical reruns, a drawn seed that reproduces its run, Ctrl-C, and
# no sanitizer report in any run's stderr.
# Ends with one line "test_fit: P passed, F failed" (tests/run.sh reads it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fitd=${FITD_BIN:-$root/build/fitd}
examples=$root/api/examples
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_fit: $*" >&2; }
check() { # check NAME COMMAND...: the command's success is the check
    local name=$1; shift
    if "$@"; then ok; else bad "$name"; fi
}
# json FILE EXPR: evaluates a Python expression over d = the document in FILE
json() {
    "$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"
}
# run NAME SPEC: runs fitd fit, leaving stdout, stderr and the exit code in $tmp/NAME.*
run() {
    "$fitd" fit "$2" >"$tmp/$1.out" 2>"$tmp/$1.err"
    echo $? >"$tmp/$1.rc"
}
rc_is() { [ "$(cat "$tmp/$1.rc")" = "$2" ]; }

if [ ! -x "$fitd" ]; then
    echo "FAIL test_fit: no fitd binary at $fitd" >&2
    echo "test_fit: 0 passed, 1 failed"
    exit 1
fi

# 1. linear regression: gradient descent lands on the OLS solution.
run linear "$examples/linear.json"
check "linear exits 0" rc_is linear 0
check "linear succeeded, params within 1e-3 of ols" json "$tmp/linear.out" '
d["status"] == "succeeded" and d["termination"] == "completed" and d["error"] is None
and d["reference"]["method"] == "ols"
and all(abs(d["params"][k] - d["reference"]["params"][k]) <= 1e-3 for k in ("m", "b"))
and d["loss"] <= d["initial_loss"] and d["seed"] == 7 and d["spec"]["seed"] == 7'
check "linear history has one entry per epoch" json "$tmp/linear.out" '
len(d["history"]["epoch"]) == d["epochs_run"] == len(d["history"]["loss"])
== len(d["history"]["params"]["m"]) == len(d["history"]["params"]["b"])
and d["history"]["epoch"][0] == 1 and "val_loss" not in d["history"]
and d["history"]["loss"][-1] < d["history"]["loss"][0]'

# 2. Gaussian maximum likelihood: lands on the sample mean and 1/N sd.
run gaussian "$examples/gaussian.json"
check "gaussian exits 0" rc_is gaussian 0
check "gaussian mu, sigma within 1e-3 of mle" json "$tmp/gaussian.out" '
d["status"] == "succeeded" and d["reference"]["method"] == "mle"
and all(abs(d["params"][k] - d["reference"]["params"][k]) <= 1e-3 for k in ("mu", "sigma"))
and abs(d["params"]["mu"] - 2) < 0.1 and abs(d["params"]["sigma"] - 0.5) < 0.1'

# 3. the same spec twice: the same bytes
run linear2 "$examples/linear.json"
check "linear twice is byte-identical" cmp -s "$tmp/linear.out" "$tmp/linear2.out"
run gaussian2 "$examples/gaussian.json"
check "gaussian twice is byte-identical" cmp -s "$tmp/gaussian.out" "$tmp/gaussian2.out"
"$fitd" fit - <"$examples/linear.json" >"$tmp/stdin.out" 2>"$tmp/stdin.err"
check "spec on stdin gives the same document" cmp -s "$tmp/linear.out" "$tmp/stdin.out"
check "document ends with a newline" test "$(tail -c 1 "$tmp/linear.out" | od -An -c | tr -d ' ')" = '\n'

# 4. a diverging run: sgd with learning rate 10 on the linear example
"$py" -c 'import json, sys
d = json.load(open(sys.argv[1])); d["optimizer"]["learning_rate"] = 10
json.dump(d, open(sys.argv[2], "w"))' "$examples/linear.json" "$tmp/diverge.json"
run diverge "$tmp/diverge.json"
check "diverging run exits 1" rc_is diverge 1
check "diverging run is failed/diverged with null loss" json "$tmp/diverge.out" '
d["status"] == "failed" and d["termination"] == "diverged" and d["loss"] is None
and d["error"]["reason"] == "diverged" and "epoch" in d["error"]["detail"]'

# 5. an invalid spec: exit 2, problem+json on stderr with the pointer
"$py" -c 'import json, sys
d = json.load(open(sys.argv[1])); d["optimizer"]["learning_rate"] = -1; d["epoch"] = 5
json.dump(d, open(sys.argv[2], "w"))' "$examples/linear.json" "$tmp/invalid.json"
run invalid "$tmp/invalid.json"
check "invalid spec exits 2" rc_is invalid 2
check "invalid spec prints nothing on stdout" test ! -s "$tmp/invalid.out"
check "invalid spec: problem+json with pointers" json "$tmp/invalid.err" '
d["status"] == 422 and d["type"] == "https://fitd.dev/problems/invalid-spec" and d["title"]
and {e["pointer"] for e in d["errors"]} == {"/optimizer/learning_rate", "/epoch"}
and [e["detail"] for e in d["errors"] if e["pointer"] == "/epoch"][0].startswith("unknown field")'

printf '%s' '{"data": {"generate": {"kind": "linear"}}, "model": {"kind": "expression",
  "predict": "a*exp(-bb*x)", "params": ["a", "b"]}}' >"$tmp/expr.json"
run expr "$tmp/expr.json"
check "expression error exits 2" rc_is expr 2
check "expression error has pointer and column" json "$tmp/expr.err" '
d["errors"][0]["pointer"] == "/model/predict" and d["errors"][0]["column"] == 8
and "unknown name" in d["errors"][0]["detail"]'

printf '{"epochs": 1,\n "epochs": 2}' >"$tmp/dup.json"
run dup "$tmp/dup.json"
check "malformed JSON exits 2" rc_is dup 2
check "malformed JSON is a 400 with line and column" json "$tmp/dup.err" '
d["status"] == 400 and d["type"].endswith("/malformed-json") and d["line"] == 2 and d["column"] > 0'

printf '{"dataset": "abc"}' >"$tmp/dataset.json"
run dataset "$tmp/dataset.json"
check "a dataset id exits 2" rc_is dataset 2
check "a dataset id is refused at /dataset" json "$tmp/dataset.err" '
d["errors"][0]["pointer"] == "/dataset" and d["errors"][0]["detail"].startswith("fitd fit needs inline data")'

run missing "$tmp/no-such-file.json"
check "unreadable file exits 2" rc_is missing 2
check "unreadable file says why" grep -q "no-such-file.json" "$tmp/missing.err"

# 6. no seed: one is drawn and reported, and the normalized spec reruns it
"$py" -c 'import json, sys
d = json.load(open(sys.argv[1])); del d["seed"]; d["epochs"] = 20
json.dump(d, open(sys.argv[2], "w"))' "$examples/linear.json" "$tmp/noseed.json"
run noseed "$tmp/noseed.json"
check "no seed: exits 0 with the drawn seed in the document and its spec" json "$tmp/noseed.out" '
isinstance(d["seed"], int) and 0 <= d["seed"] <= 2**53 and d["spec"]["seed"] == d["seed"]'
"$py" -c 'import json, sys
json.dump(json.load(open(sys.argv[1]))["spec"], open(sys.argv[2], "w"))' \
    "$tmp/noseed.out" "$tmp/rerun.json" 2>/dev/null
run rerun "$tmp/rerun.json"
check "the normalized spec reruns the job byte for byte" cmp -s "$tmp/noseed.out" "$tmp/rerun.out"

# 7. Ctrl-C: the run ends as cancelled and still prints its document
printf '{"data": {"generate": {"kind": "linear", "n": 100000}}, "epochs": 1000000, "seed": 1}' \
    >"$tmp/long.json"
"$fitd" fit "$tmp/long.json" >"$tmp/long.out" 2>"$tmp/long.err" &
pid=$!
# A SIGINT before fitd has installed its handler kills it (under TSan, one
# sent that early was once lost and the run went on): wait until /proc
# shows the handler (SigCgt bit 1 = SIGINT), up to 10 s, then let the run
# get going
for _ in $(seq 500); do
    kill -0 "$pid" 2>/dev/null || break
    caught=$(awk '/^SigCgt:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    [ -n "$caught" ] && [ $((0x$caught & 2)) -ne 0 ] && break
    sleep 0.02
done
sleep 0.3
kill -INT "$pid" 2>/dev/null
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
wait "$pid"
echo $? >"$tmp/long.rc"
check "SIGINT exits 1" rc_is long 1
check "SIGINT: status cancelled, document printed" json "$tmp/long.out" '
d["status"] == "cancelled" and d["termination"] == "cancelled"
and d["epochs_run"] == len(d["history"]["loss"]) and d["error"] is None'

# 8. the other commands
check "fitd --help exits 0" "$fitd" --help >/dev/null
check "fitd fit --help exits 0" "$fitd" fit --help >/dev/null
check "fitd version" bash -c '"$1" version | grep -q "^fitd "' _ "$fitd"
# the allocator it names is the one the binary is linked with (jemalloc by
# default, glibc's under MALLOC=libc or a sanitizer)
if ldd "$fitd" | grep -q libjemalloc; then want="^allocator: jemalloc [0-9]"; else want="^allocator: glibc malloc$"; fi
check "fitd version names its allocator ($want)" bash -c '"$1" version | grep -q "$2"' _ "$fitd" "$want"
check "fitd serve --help lists every option" bash -c '"$1" serve --help | grep -q -- "--api-token"' _ "$fitd"
"$fitd" serve --bogus >/dev/null 2>"$tmp/serve.err"
check "fitd serve with an unknown option: exit 2" test $? -eq 2
check "fitd serve names the bad option" grep -q "unknown option '--bogus'" "$tmp/serve.err"
"$fitd" fit >/dev/null 2>"$tmp/nofile.err"
check "fitd fit without a file: exit 2" test $? -eq 2

# 9. under make asan/tsan: no sanitizer report on any run's stderr (the runs
# above that print to the terminal fail by their exit status, 66)
reports=$(grep -l -E 'Sanitizer:|: runtime error: ' "$tmp"/*.err)
check "no sanitizer report" test -z "$reports"
for f in $reports; do echo "FAIL test_fit: $f:"; head -n 40 "$f"; done >&2

echo "test_fit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
