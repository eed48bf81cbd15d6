#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster (tests/pg/cluster.sh)
# in a temporary directory, for the tests that run on the postgres store:
#   tests/pg/with_cluster.sh CMD [ARGS...]
# exports FITD_TEST_DATABASE_URL (the cluster's admin database) and
# FITD_TEST_PG_DIR (its directory, to stop and restart it), runs CMD, and
# stops and removes the cluster however CMD ends. Exits with CMD's status;
# when the cluster cannot start, prints one failing summary line (so the
# suite's count shows it) and exits 1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d "${TMPDIR:-/tmp}/fitd-pg.XXXXXX")
chmod 755 "$d"
cleanup() {
    "$here/cluster.sh" stop "$d" >/dev/null 2>&1
    rm -rf "$d"
}
trap cleanup EXIT
if ! url=$("$here/cluster.sh" start "$d"); then
    echo "postgres cluster: 0 passed, 1 failed"
    exit 1
fi
export FITD_TEST_DATABASE_URL=$url FITD_TEST_PG_DIR=$d
"$@"
