#!/usr/bin/env bash
# test_page.sh - the page at GET / (src/service/page.html) in headless
# Chromium, against a real fitd: a finished job shown by /?job=ID (its id,
# status "succeeded", both plots loaded as SVG through Blob URLs, no console
# errors, a 1280x800 screenshot), then the same with --api-token: the token
# from the URL fragment (#token=T), the token kept in localStorage, and the
# token prompt when none is known.
#
# Needs /usr/bin/chromium (Debian's `chromium`; CHROMIUM=path overrides) and
# /usr/bin/python3; installs nothing. Without Chromium it skips.
# The page writes its state into #state's data-* attributes, which
# `--dump-dom` shows after `--virtual-time-budget` has run the page's timers.
# Chromium runs with --no-sandbox: its sandbox refuses to start as root
# (CI containers) and needs user namespaces that containers often lack.
# Ends with one line "test_page: P passed, F failed" (tests/run.sh reads it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fitd=${FITD_BIN:-$root/build/fitd}
chromium=${CHROMIUM:-/usr/bin/chromium}
py=/usr/bin/python3
examples=$root/api/examples
token=page-test-token-7f3a

if [ ! -x "$chromium" ]; then
    echo "test_page: 0 passed, 0 failed (skipped: chromium not installed)"
    exit 0
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_page: $*" >&2; }
check() { # check NAME COMMAND...: the command's success is the check
    local name=$1; shift
    if "$@"; then ok; else bad "$name"; fi
}
finish() {
    # the servers stop on SIGTERM with status 0 and no sanitizer report in
    # their stderr (under make asan/tsan a report would otherwise be lost
    # with $tmp)
    local p e rc
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || continue
        wait "$p"
        rc=$?
        [ "$rc" -eq 0 ] || bad "fitd (pid $p) exited $rc on SIGTERM"
    done
    pids=()
    for e in "$tmp"/*/fitd.err; do
        [ -f "$e" ] && grep -q -E 'Sanitizer:|: runtime error: ' "$e" || continue
        bad "a sanitizer report in ${e#"$tmp"/}:"
        head -n 40 "$e" >&2
    done
    echo "test_page: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}

for f in "$fitd" "$py"; do
    if [ ! -x "$f" ]; then
        bad "missing $f"
        finish
    fi
done

# start NAME ARGS...: starts fitd on a free port with its own data dir;
# sets url (empty when it did not come up).
start() {
    local name=$1; shift
    mkdir -p "$tmp/$name"
    "$fitd" serve --port 0 --data-dir "$tmp/$name/data" --quiet "$@" \
        >"$tmp/$name/fitd.out" 2>"$tmp/$name/fitd.err" &
    pids+=($!)
    url=""
    local i
    for i in $(seq 100); do
        url=$(sed -nE 's/^fitd listening on (http:\/\/127\.0\.0\.1:[0-9]+).*/\1/p' \
            "$tmp/$name/fitd.out" 2>/dev/null)
        [ -n "$url" ] && return 0
        sleep 0.1
    done
    bad "$name: fitd did not start: $(tail -n 5 "$tmp/$name/fitd.err")"
    return 1
}

# http METHOD URL [BODYFILE] [TOKEN]: prints "STATUS CONTENT-TYPE" on the
# first line, then the body.
http() {
    "$py" - "$@" <<'EOF'
import sys, urllib.request, urllib.error
method, url = sys.argv[1], sys.argv[2]
body = open(sys.argv[3], "rb").read() if len(sys.argv) > 3 and sys.argv[3] else None
req = urllib.request.Request(url, data=body, method=method)
if body is not None:
    req.add_header("Content-Type", "application/json")
if len(sys.argv) > 4 and sys.argv[4]:
    req.add_header("Authorization", "Bearer " + sys.argv[4])
try:
    r = urllib.request.urlopen(req, timeout=90)
    status, ctype, data = r.status, r.headers.get("Content-Type", ""), r.read()
except urllib.error.HTTPError as e:
    status, ctype, data = e.code, e.headers.get("Content-Type", ""), e.read()
except Exception as e:
    status, ctype, data = 0, "", str(e).encode()
sys.stdout.write("%d %s\n" % (status, ctype))
sys.stdout.write(data.decode("utf-8", "replace"))
EOF
}

# submit NAME [TOKEN]: posts api/examples/linear.json with ?wait=60; sets
# job (empty on failure).
submit() {
    http POST "$url/v1/jobs?wait=60" "$examples/linear.json" "${2:-}" >"$tmp/$1/job.txt"
    job=$("$py" -c 'import json, sys
lines = open(sys.argv[1]).read().split("\n", 1)
d = json.loads(lines[1]) if lines[0].startswith("200 ") else {}
print(d.get("id", "") if d.get("status") == "succeeded" else "")' "$tmp/$1/job.txt" 2>/dev/null)
    [ -n "$job" ] || bad "$1: the job did not succeed: $(head -c 300 "$tmp/$1/job.txt")"
}

# browse NAME URL [PROFILE]: headless Chromium loads URL, runs the page's
# timers for 10 s of virtual time, and leaves the DOM in NAME.html, its log
# in NAME.log and a 1280x800 screenshot in NAME.png. PROFILE (a directory)
# is kept between calls; by default each call gets a fresh one.
browse() {
    local name=$1 page=$2 profile=${3:-}
    if [ -z "$profile" ]; then profile=$(mktemp -d "$tmp/profile.XXXXXX"); fi
    timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --mute-audio --hide-scrollbars \
        --user-data-dir="$profile" --window-size=1280,800 --virtual-time-budget=10000 \
        --enable-logging=stderr --v=0 --screenshot="$tmp/$name.png" --dump-dom "$page" \
        >"$tmp/$name.html" 2>"$tmp/$name.log"
    local rc=$?
    [ "$rc" -eq 0 ] || bad "$name: chromium exited $rc: $(grep -v dbus "$tmp/$name.log" | tail -n 5)"
    if [ ! -s "$tmp/$name.png" ]; then # an older Chromium: one output per run
        timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
            --no-first-run --disable-background-networking --disable-component-update \
            --disable-sync --hide-scrollbars --user-data-dir="$profile" \
            --window-size=1280,800 --virtual-time-budget=10000 \
            --screenshot="$tmp/$name.png" "$page" >/dev/null 2>&1
    fi
}

# dom NAME CHECK...: checks on NAME.html (the page's DOM after loading).
# Each CHECK is one of:
#   loaded JOB          #state ready, the job JOB shown with status
#                       "succeeded", both plots loaded from blob: URLs
#                       with a natural width > 0, no error counted
#   token-prompt        the token bar is shown and no job is loaded
# Prints one line per failed expectation; exits nonzero when any failed.
dom() {
    "$py" - "$tmp/$1.html" "${@:2}" <<'EOF'
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.by_id, self.text, self.stack = {}, {}, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.by_id[a["id"]] = dict(a, _tag=tag)
            self.text.setdefault(a["id"], "")
        if tag not in ("img", "input", "meta", "link", "br", "polyline"):
            self.stack.append(a.get("id"))
    def handle_endtag(self, tag):
        if tag not in ("img", "input", "meta", "link", "br", "polyline") and self.stack:
            self.stack.pop()
    def handle_data(self, data):
        for i in self.stack:
            if i is not None:
                self.text[i] += data

d = Dom()
d.feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
state = d.by_id.get("state", {})
problems = []
def want(cond, what):
    if not cond:
        problems.append(what)

if not state:
    problems.append("no #state element: the page did not load (DOM: %d bytes)"
                    % len(open(sys.argv[1], "rb").read()))
else:
    for check in sys.argv[2:]:
        if check.startswith("loaded "):
            job = check.split(" ", 1)[1]
            want(state.get("data-ready") == "1", "#state not ready: %r" % state)
            want(state.get("data-job") == job, "data-job %r, want %s" % (state.get("data-job"), job))
            want(d.text.get("job-id", "").strip() == job,
                 "#job-id shows %r, want %s" % (d.text.get("job-id"), job))
            want(state.get("data-status") == "succeeded"
                 and d.text.get("job-status", "").strip() == "succeeded",
                 "status %r / badge %r, want succeeded"
                 % (state.get("data-status"), d.text.get("job-status")))
            want("hidden" not in d.by_id.get("job", {}).get("class", "hidden").split(),
                 "the job panel is hidden")
            for name in ("loss", "fit"):
                img = d.by_id.get("plot-" + name, {})
                want(img.get("_tag") == "img", "no <img id=plot-%s>" % name)
                want(img.get("src", "").startswith("blob:"),
                     "plot-%s src %r is not a blob: URL" % (name, img.get("src")))
                want(state.get("data-plot-" + name) == "loaded",
                     "plot %s: %r (%s)" % (name, state.get("data-plot-" + name),
                                          d.text.get("msg-" + name, "").strip()))
                try:
                    w = int(img.get("data-natural-width", "0"))
                except ValueError:
                    w = 0
                want(w > 0, "plot %s naturalWidth %r" % (name, img.get("data-natural-width")))
            want("show" not in d.by_id.get("tokenbar", {}).get("class", "").split(),
                 "the token prompt is shown")
        elif check == "token-prompt":
            want("show" in d.by_id.get("tokenbar", {}).get("class", "").split(),
                 "the token prompt is not shown")
            want(state.get("data-status", "") == "", "a job loaded without a token: %r" % state)
        else:
            problems.append("unknown check " + check)
    want(state.get("data-errors") == "0",
         "the page counted %s error(s): %s" % (state.get("data-errors"), state.get("data-last-error")))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF
}

# console NAME: no console message and no uncaught error in NAME.log.
# Chromium's own "[DOM]" / "[Deprecation]" / "[Violation]" hints (verbose
# and warning level) are shown but do not fail the check.
console_clean() {
    local log=$tmp/$1.log
    local msgs
    msgs=$(grep -E ':CONSOLE[(:]|Uncaught' "$log" | grep -vE '"\[(DOM|Deprecation|Violation)\]')
    grep -E ':CONSOLE[(:]' "$log" | grep -E '"\[(DOM|Deprecation|Violation)\]' |
        sed 's/^/note test_page: /' >&2
    if [ -n "$msgs" ]; then
        printf '%s\n' "$msgs" | head -n 10 >&2
        return 1
    fi
}

# png NAME: NAME.png is a 1280x800 PNG (larger than a blank page).
png() {
    "$py" - "$tmp/$1.png" <<'EOF'
import struct, sys
try:
    b = open(sys.argv[1], "rb").read()
except OSError as e:
    print(e); sys.exit(1)
if len(b) < 24 or b[:8] != b"\x89PNG\r\n\x1a\n" or b[12:16] != b"IHDR":
    print("not a PNG (%d bytes)" % len(b)); sys.exit(1)
w, h = struct.unpack(">II", b[16:24])
if (w, h) != (1280, 800) or len(b) < 20000:
    print("PNG %dx%d, %d bytes" % (w, h, len(b))); sys.exit(1)
EOF
}

# dom_check NAME CHECK: dom with the problems as the failure message.
dom_check() {
    local out
    if out=$(dom "$@"); then ok; else bad "$1: $(printf '%s' "$out" | tr '\n' ';')"; fi
}
png_check() {
    local out
    if out=$(png "$1"); then ok; else bad "$1: screenshot: $out"; fi
}

# ---- 1. no token: a finished job by /?job=ID ----
if start open --store sqlite; then
    http GET "$url/" >"$tmp/open/page.txt"
    head=$(head -n 1 "$tmp/open/page.txt")
    page_ok=1
    case $head in
        "200 text/html"*) ok ;;
        *) bad "open: GET / answers '$head', want 200 text/html"; page_ok=0 ;;
    esac
    submit open
    if [ -n "$job" ]; then
        # the list the page reads: newest first
        check "open: GET /v1/jobs?order=newest lists the job first" "$py" -c '
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/v1/jobs?order=newest&page_size=50"))
sys.exit(0 if d["items"] and d["items"][0]["id"] == sys.argv[2] else 1)' "$url" "$job"
    fi
    if [ -n "$job" ] && [ "$page_ok" = 1 ]; then
        browse open "$url/?job=$job"
        dom_check open "loaded $job"
        check "open: no console errors" console_clean open
        png_check open
        shot=$tmp/open.png
    fi
fi

# ---- 2. --api-token: the token from #token=T, then from localStorage ----
if start auth --store memory --api-token "$token"; then
    http GET "$url/v1/jobs" >"$tmp/auth/list.txt"
    case $(head -n 1 "$tmp/auth/list.txt") in
        "401 "*) ok ;;
        *) bad "auth: GET /v1/jobs without the token is not 401" ;;
    esac
    http GET "$url/" >"$tmp/auth/page.txt"
    case $(head -n 1 "$tmp/auth/page.txt") in
        "200 text/html"*) ok ;;
        *) bad "auth: GET / needs no token" ;;
    esac
    submit auth "$token"
    if [ -n "$job" ]; then
        profile=$(mktemp -d "$tmp/profile.XXXXXX")
        browse auth-fragment "$url/?job=$job#token=$token" "$profile"
        dom_check auth-fragment "loaded $job"
        check "auth-fragment: no console errors" console_clean auth-fragment
        # the same profile, no fragment: the token kept in localStorage
        browse auth-stored "$url/?job=$job" "$profile"
        dom_check auth-stored "loaded $job"
        check "auth-stored: no console errors" console_clean auth-stored
        png_check auth-stored
        # a fresh profile, no token: the 401 prompt
        browse auth-none "$url/?job=$job"
        dom_check auth-none token-prompt
    fi
fi

# the screenshot outlives the run when SCREENSHOT=path is given
if [ -n "${SCREENSHOT:-}" ] && [ -s "${shot:-}" ]; then cp "$shot" "$SCREENSHOT"; fi
finish
