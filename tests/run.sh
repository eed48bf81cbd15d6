#!/usr/bin/env bash
# Runs every test program given as an argument, shows its output, and ends
# with one line "N passed, N failed" summing them. A program that exits
# nonzero without reporting a failure counts as one failure. Sanitizer
# reports (their first lines and stack frames) are shown too.
# An argument pg:PROGRAM runs PROGRAM on the postgres store
# (tests/pg/on_pg.sh; inside tests/pg/with_cluster.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
total_p=0; total_f=0
for t in "$@"; do
    case $t in
    pg:*) out=$("$here/pg/on_pg.sh" "${t#pg:}" 2>&1); rc=$? ;;
    *) out=$("$t" 2>&1); rc=$? ;;
    esac
    printf '%s\n' "$out" | grep -E 'FAIL|got|passed, [0-9]+ failed|Sanitizer|: runtime error: |^ +#[0-9]+ 0x' | tail -n 60
    line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    p=$(printf '%s' "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/p')
    f=$(printf '%s' "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/p')
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$t: exited $rc without reporting a failure"
        printf '%s\n' "$out" | tail -n 20
        f=1
    fi
    total_p=$((total_p + p)); total_f=$((total_f + f))
done
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
