#!/usr/bin/env bash
# Starts or stops a private PostgreSQL cluster and a MongoDB-wire server whose data lives in DIR.
#   scripts/services.sh start DIR PG_PORT MONGO_PORT
#   scripts/services.sh stop  DIR
# Safe after a crash: stale pid files are cleared and the servers start again on the same data.
set -euo pipefail
cd "$(dirname "$0")/.."

action=$1 dir=$(realpath -m "$2")
pg_bin=$(pg_config --bindir)
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

wait_for_port() { # port, what, log
    for _ in $(seq 1 150); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.2
    done
    echo "services: $2 did not start on port $1; its log says:" >&2
    tail -n 20 "$3" >&2 || true
    return 1
}

start() {
    local pg_port=$1 mongo_port=$2
    mkdir -p "$dir"
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    if [ ! -f "$dir/pg/PG_VERSION" ]; then
        mkdir -p "$dir/pg"
        [ "$(id -u)" != 0 ] || chown postgres: "$dir/pg"
        chmod 700 "$dir/pg"
        run_pg "$pg_bin/initdb" -D "$dir/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    fi
    if ! run_pg "$pg_bin/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then
        rm -f "$dir/pg/postmaster.pid"
        [ "$(id -u)" != 0 ] || chown postgres: "$dir"
        run_pg "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/postgres.log" -w -t 60 \
            -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-on}" start >/dev/null
    fi
    wait_for_port "$pg_port" PostgreSQL "$dir/postgres.log"
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'insta_clerky'" | grep -q 1 ||
        psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE insta_clerky" >/dev/null

    if ! { [ -f "$dir/mongo.pid" ] && kill -0 "$(cat "$dir/mongo.pid")" 2>/dev/null; }; then
        mkdir -p "$dir/mongo"
        nohup .venv/bin/secantusd-py --port "$mongo_port" --storage-path "$dir/mongo" >"$dir/mongo.log" 2>&1 &
        echo $! >"$dir/mongo.pid"
    fi
    wait_for_port "$mongo_port" "the MongoDB-wire server" "$dir/mongo.log"
}

stop() {
    if [ -f "$dir/mongo.pid" ]; then
        kill "$(cat "$dir/mongo.pid")" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$(cat "$dir/mongo.pid")" 2>/dev/null || break; sleep 0.2; done
        rm -f "$dir/mongo.pid"
    fi
    if [ -f "$dir/pg/postmaster.pid" ]; then
        run_pg "$pg_bin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

case $action in
    start) start "$3" "$4" ;;
    stop) stop ;;
    *) echo "usage: $0 start DIR PG_PORT MONGO_PORT | stop DIR" >&2; exit 2 ;;
esac
