#!/usr/bin/env bash
# Starts or stops a private PostgreSQL cluster, a MongoDB-wire server and (given its ports) an SMTP
# catcher with a web page and API (maildev), whose data lives in DIR.
#   scripts/services.sh start DIR PG_PORT MONGO_PORT [SMTP_PORT WEB_PORT]   (a port of "-" skips that server)
#   scripts/services.sh stop  DIR
#   scripts/services.sh wipe  DIR   (stop, then delete all their data)
# PG_FSYNC=off speeds up throwaway clusters; PG_OPTIONS adds server settings ("-c name=value ...").
# Safe after a crash: stale pid files are cleared and the servers start again on the same data.
set -euo pipefail
cd "$(dirname "$0")/.."

action=$1 dir=$(realpath -m "$2")
pg_bin=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
# From /: the postgres user may not be allowed into the current folder.
run_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

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
    mkdir -p "$dir"
    [ "$1" = - ] || start_postgres "$1"
    [ "$2" = - ] || start_mongo "$2"
    [ "${3:--}" = - ] || start_mail "$3" "$4"
}

start_mail() {
    local smtp_port=$1 web_port=$2
    if ! { [ -f "$dir/mail.pid" ] && kill -0 "$(cat "$dir/mail.pid")" 2>/dev/null; }; then
        mkdir -p "$dir/mail"
        nohup end2end/node_modules/.bin/maildev --smtp "$smtp_port" --web "$web_port" --ip 127.0.0.1 \
            --web-ip 127.0.0.1 --mail-directory "$dir/mail" >"$dir/mail.log" 2>&1 &
        echo $! >"$dir/mail.pid"
    fi
    wait_for_port "$smtp_port" "the SMTP catcher" "$dir/mail.log"
    wait_for_port "$web_port" "the SMTP catcher's page" "$dir/mail.log"
}

start_postgres() {
    local pg_port=$1 pg=$dir/pg
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user. When that user
    # cannot reach the checkout (a clone under /root, say), the cluster lives under its home and
    # $dir/pg links to it, so the data still survives restarts.
    if [ ! -e "$pg" ] && [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$dir"; then
        local home
        home=/var/lib/postgresql/insta-clerky/$(printf %s "$dir" | sha1sum | cut -c1-12)
        mkdir -p "$home"
        chown postgres: "$home"
        ln -s "$home" "$pg"
    fi
    pg=$(realpath "$pg" 2>/dev/null || echo "$pg")
    if [ ! -f "$pg/PG_VERSION" ]; then
        mkdir -p "$pg"
        [ "$(id -u)" != 0 ] || chown postgres: "$pg"
        chmod 700 "$pg"
        run_pg "$pg_bin/initdb" -D "$pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    fi
    if ! run_pg "$pg_bin/pg_ctl" -D "$pg" status >/dev/null 2>&1; then
        rm -f "$pg/postmaster.pid"
        # The log and the socket sit in the data folder, which the postgres user owns.
        run_pg "$pg_bin/pg_ctl" -D "$pg" -l "$pg/postgres.log" -w -t 60 \
            -o "-p $pg_port -k $pg -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-on} ${PG_OPTIONS:-}" start >/dev/null
    fi
    wait_for_port "$pg_port" PostgreSQL "$pg/postgres.log"
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'insta_clerky'" | grep -q 1 ||
        psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE insta_clerky" >/dev/null
}

start_mongo() {
    local mongo_port=$1
    if ! { [ -f "$dir/mongo.pid" ] && kill -0 "$(cat "$dir/mongo.pid")" 2>/dev/null; }; then
        mkdir -p "$dir/mongo"
        nohup .venv/bin/secantusd-py --port "$mongo_port" --storage-path "$dir/mongo" >"$dir/mongo.log" 2>&1 &
        echo $! >"$dir/mongo.pid"
    fi
    wait_for_port "$mongo_port" "the MongoDB-wire server" "$dir/mongo.log"
}

stop() {
    if [ -f "$dir/mail.pid" ]; then
        kill "$(cat "$dir/mail.pid")" 2>/dev/null || true
        rm -f "$dir/mail.pid"
    fi
    if [ -f "$dir/mongo.pid" ]; then
        kill "$(cat "$dir/mongo.pid")" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$(cat "$dir/mongo.pid")" 2>/dev/null || break; sleep 0.2; done
        rm -f "$dir/mongo.pid"
    fi
    if [ -f "$dir/pg/postmaster.pid" ]; then
        run_pg "$pg_bin/pg_ctl" -D "$(realpath "$dir/pg")" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

wipe() {
    stop
    [ ! -L "$dir/pg" ] || rm -rf "$(realpath "$dir/pg")"
    rm -rf "$dir"
}

case $action in
    start) start "$3" "$4" "${5:--}" "${6:--}" ;;
    stop) stop ;;
    wipe) wipe ;;
    *) echo "usage: $0 start DIR PG_PORT MONGO_PORT [SMTP_PORT WEB_PORT] | stop DIR | wipe DIR" >&2; exit 2 ;;
esac
