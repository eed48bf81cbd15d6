#!/usr/bin/env bash
# Runs each unit test program under valgrind's memcheck; any error or leak
# fails it. Ends with "N passed, N failed" counting programs.
# FITD_UNDER_VALGRIND tells a test to leave out its biggest size (test_csv
# reads 1e5 rows instead of 1e6), never a check.
set -u
export FITD_UNDER_VALGRIND=1
pass=0; fail=0
for t in "$@"; do
    if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        "$t" >/dev/null 2>/tmp/valgrind.$$.log; then
        pass=$((pass + 1))
    else
        echo "valgrind: $t failed"; tail -n 30 /tmp/valgrind.$$.log
        fail=$((fail + 1))
    fi
done
rm -f /tmp/valgrind.$$.log
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
