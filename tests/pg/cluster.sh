#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests.
#   tests/pg/cluster.sh start DIR   initdb in DIR (trust auth, UTF8), start it on a
#                                   free port of 127.0.0.1 (socket in DIR), print its URL
#   tests/pg/cluster.sh stop DIR    stop it (DIR stays; remove it yourself)
#   tests/pg/cluster.sh restart DIR start a stopped cluster again, on its port
# Postgres refuses to run as root: as root, the cluster runs as `nobody` and
# DIR is given to it (DIR's parents must let nobody pass, as /tmp does).
set -euo pipefail

usage() { echo "usage: $0 start|stop|restart DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "$0: no PostgreSQL server found in /usr/lib/postgresql/*/bin" >&2
    exit 1
fi

# Runs a command as the cluster's owner (from DIR, so that no unreadable
# working directory bothers postgres).
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd "$dir" && runuser -u nobody -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# A TCP port nothing listens on now (python3 if there, else a random one).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
        2>/dev/null || echo $((20000 + RANDOM % 40000))
}

case $cmd in
start)
    if [ -e "$dir/data" ]; then echo "$0: $dir/data exists" >&2; exit 1; fi
    mkdir -p "$dir/sock"
    if [ "$(id -u)" = 0 ]; then chown nobody: "$dir" "$dir/sock"; fi
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s \
            -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/sock -c fsync=on -c max_connections=200" \
            start >/dev/null 2>&1; then
            echo "$port" >"$dir/port"
            echo "postgresql://postgres@127.0.0.1:$port/postgres"
            exit 0
        fi
    done
    echo "$0: the server did not start; $dir/server.log says:" >&2
    tail -n 20 "$dir/server.log" >&2
    exit 1
    ;;
restart)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/sock -c fsync=on -c max_connections=200" \
        start >/dev/null
    ;;
stop)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop
    ;;
*)
    usage
    ;;
esac
