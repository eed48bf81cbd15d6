#!/usr/bin/env bash
# Runs one API test program with every fitd it starts on the postgres store
# (inside tests/pg/with_cluster.sh), and names its summary line after the
# store: "test_api (postgres): N passed, N failed". Leases are 2 s, so a
# killed server's jobs come back within seconds.
#   tests/pg/on_pg.sh PROGRAM
set -u
[ $# -eq 1 ] || { echo "usage: $0 PROGRAM" >&2; exit 2; }
if [ -z "${FITD_TEST_DATABASE_URL:-}" ]; then
    echo "$(basename "$1") (postgres): 0 passed, 1 failed (no cluster: run inside tests/pg/with_cluster.sh)"
    exit 1
fi
FITD_TEST_STORE=postgres FITD_LEASE_SECONDS=2 "$1" 2>&1 |
    sed -E 's/^([A-Za-z0-9_./-]+): ([0-9]+ passed, [0-9]+ failed)$/\1_postgres: \2/'
exit "${PIPESTATUS[0]}"
