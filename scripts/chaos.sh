#!/usr/bin/env bash
# `make chaos`: ten minutes of webhook load against two server processes (release build, its own
# PostgreSQL with fsync on, MongoDB-wire server and Meta sandbox) while, on a schedule, a server is
# killed with SIGKILL five times (and started again), PostgreSQL crashes and restarts twice
# (immediate shutdown: recovery from the WAL), and the sandbox answers 5xx, 429 and time-outs for
# 60 s. Deliveries are retried as Meta retries. At the end loadgen counts deliveries acknowledged,
# processed, lost (must be 0) and duplicate replies (must be 0), and exits non-zero otherwise.
#   CHAOS_SECONDS=600 ACCOUNTS=100 scripts/chaos.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
seconds=${CHAOS_SECONDS:-600} accounts=${ACCOUNTS:-100}
data=.data/chaos sandbox=http://127.0.0.1:3301 secret=chaos-secret-$(head -c 6 /dev/urandom | base64 | tr -d '/+=')
pg_port=55435 mongo_port=57020
pg_bin=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pids=()
cleanup() {
    set +e
    trap '' INT TERM
    # Servers started again by the schedule are not this shell's children: their pid files say.
    for pid in "${pids[@]}" $(cat "$data"/server-*.pid 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
    wait 2>/dev/null
    scripts/services.sh stop "$data" >/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "[$(date -u +%H:%M:%S)] $*"; }

echo "== building release binaries"
cargo build --release -p server -p meta-sandbox -p loadgen
bin=target/release
scripts/services.sh wipe "$data" >/dev/null
PG_FSYNC=on scripts/services.sh start "$data" $pg_port $mongo_port 3325 3380 >/dev/null
database=postgres://postgres@127.0.0.1:$pg_port/insta_clerky

SANDBOX_ADDR=127.0.0.1:3301 SANDBOX_APP_ID=100000000000001 SANDBOX_APP_SECRET=$secret \
    SANDBOX_REDIRECT_URIS=http://127.0.0.1:3300/api/instagram/callback RUST_LOG=warn \
    "$bin/meta-sandbox" >"$data/sandbox.log" 2>&1 &
pids+=($!)

# The limits that protect production from abuse are lifted: one load generator signs up and
# calls for every user, and its 50 synthetic followers each write to an account many times an
# hour, which the loop guard (LOOP_GUARD_PER_HOUR) would rightly take for a bot.
server() { # port: starts (or starts again) the server process on that port
    env LISTEN_ADDR=127.0.0.1:$1 PUBLIC_URL=http://127.0.0.1:3300 DATABASE_URL=$database \
        MONGODB_URI=mongodb://127.0.0.1:$mongo_port/chaos META_GRAPH_VERSION=v24.0 META_APP_ID=100000000000001 \
        META_APP_SECRET=$secret META_REDIRECT_URI=http://127.0.0.1:3300/api/instagram/callback \
        META_VERIFY_TOKEN=chaos-verify META_AUTHORIZE_URL=$sandbox/oauth/authorize META_API_BASE_URL=$sandbox \
        META_GRAPH_BASE_URL=$sandbox TOKEN_ENCRYPTION_KEYS=chaos:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY= \
        SESSION_SECRET=chaos-session-secret-0123456789abcdef FREE_INSTANCE_QUOTA=1000000 \
        SIGN_IN_PER_IP_PER_MINUTE=100000 SIGN_IN_PER_ACCOUNT_PER_MINUTE=1000 SIGN_UP_PER_IP_PER_HOUR=100000 \
        SIGN_UP_PER_MINUTE=100000 CALLS_PER_USER_PER_MINUTE=100000 LOOP_GUARD_PER_HOUR=100000 SMTP_URL=smtp://127.0.0.1:3325 REPLY_RETRY_BASE_MS=200 \
        LOG_FORMAT=json RUST_LOG=warn "$bin/server" >>"$data/server-$1.log" 2>&1 &
    echo $! >"$data/server-$1.pid"
    for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return; sleep 0.2; done
    say "the server on port $1 did not become ready"
}
server 3300
server 3302

chaos() { # the schedule, in seconds from the start of the load
    local start=$SECONDS step=$((seconds / 10))
    at() { while [ $((SECONDS - start)) -lt "$1" ]; do sleep 1; done; }
    local victims=(3300 3302 3300 3302 3300)
    for n in 0 1 2 3 4; do
        at $((step * (2 * n + 1)))
        local port=${victims[$n]}
        say "SIGKILL the server on port $port"
        kill -KILL "$(cat "$data/server-$port.pid")" 2>/dev/null || true
        sleep 3
        server "$port"
        say "the server on port $port is back"
    done &
    (
        for at_s in $((step * 3 + step / 2)) $((step * 7 + step / 2)); do
            at "$at_s"
            say "PostgreSQL crashes (immediate stop) and restarts"
            local pg_dir
            pg_dir=$(realpath "$data/pg")
            if [ "$(id -u)" = 0 ]; then
                (cd / && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir" -m immediate -w restart -l "$pg_dir/postgres.log") >/dev/null
            else
                "$pg_bin/pg_ctl" -D "$pg_dir" -m immediate -w restart -l "$pg_dir/postgres.log" >/dev/null
            fi
            say "PostgreSQL is back"
        done
    ) &
    (
        at $((step * 5))
        say "the sandbox answers 5xx, 429 and time-outs for 60 s"
        for kind in server_error rate_limit timeout; do
            curl -fsS -X POST "$sandbox/_sandbox/faults" -H 'content-type: application/json' \
                -d "{\"endpoint\": \"*\", \"kind\": \"$kind\", \"share\": 0.25, \"seconds\": 60}" >/dev/null
        done
    ) &
    wait
}

echo "== setting up $accounts instances, then $seconds s of load with failures"
# The set-up and warm-up run before the clock starts: loadgen prints when the load begins.
env DATABASE_URL=$database META_APP_SECRET=$secret META_VERIFY_TOKEN=chaos-verify MAIL_API=http://127.0.0.1:3380 "$bin/loadgen" --app http://127.0.0.1:3300,http://127.0.0.1:3302 \
    --sandbox $sandbox --accounts "$accounts" --state "$data/setup.json" --chaos "$seconds" --settle-timeout 900 \
    --started-file "$data/load.started" &
loadgen=$!
pids+=($loadgen)
# The load starts once loadgen has set up (it registers the events first); start the schedule then.
until [ -f "$data/load.started" ]; do
    kill -0 $loadgen 2>/dev/null || break
    sleep 1
done
chaos &
pids+=($!)
wait $loadgen
