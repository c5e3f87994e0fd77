#!/usr/bin/env bash
# `make bench`: the engine benchmark. Release binaries; its own PostgreSQL (fsync and
# synchronous_commit on, as in production), MongoDB-wire server and Meta sandbox; N instances
# connected through Business Login; then the scenarios of loadgen, first against one server
# process, then against two on the same databases. Figures go to target/bench/.
#   scripts/bench.sh [loadgen options...]    (ACCOUNTS=1000 DURATION=60 by default)
# PERF=1 also samples the whole machine with perf during each scenario and writes where the CPU
# went (by process and function) to target/bench/profile-*.txt; PostgreSQL's WAL and costliest
# statements per scenario are in the JSON figures either way.
# ONE_PROCESS=1 skips the run with two server processes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
if [ "${PERF:-}" = 1 ] && ! command -v perf >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
fi
accounts=${ACCOUNTS:-1000} duration=${DURATION:-60}
data=.data/bench sandbox=http://127.0.0.1:3201 secret=bench-secret-$(head -c 6 /dev/urandom | base64 | tr -d '/+=')
pg_port=55434 mongo_port=57019
pids=()
cleanup() {
    set +e
    trap '' INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    scripts/services.sh stop "$data" >/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building release binaries"
cargo build --release -p server -p meta-sandbox -p loadgen
bin=target/release

scripts/services.sh wipe "$data" >/dev/null
# Production durability (fsync, synchronous_commit); memory, WAL and checkpoints sized for a busy
# instance rather than PostgreSQL's defaults (compressed full-page images, checkpoints 15 min apart).
pg_settings="-c synchronous_commit=on -c shared_buffers=1GB -c max_connections=200 -c track_wal_io_timing=on
    -c wal_compression=lz4 -c max_wal_size=16GB -c checkpoint_timeout=15min ${PG_EXTRA:-}"
pg_settings=$(echo $pg_settings)
PG_FSYNC=on PG_OPTIONS="$pg_settings -c shared_preload_libraries=pg_stat_statements" \
    scripts/services.sh start "$data" $pg_port $mongo_port 3225 3280 >/dev/null
database=postgres://postgres@127.0.0.1:$pg_port/insta_clerky
psql -q "$database" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"

SANDBOX_ADDR=127.0.0.1:3201 SANDBOX_APP_ID=100000000000001 SANDBOX_APP_SECRET=$secret \
    SANDBOX_REDIRECT_URIS=http://127.0.0.1:3200/api/instagram/callback RUST_LOG=warn \
    "$bin/meta-sandbox" >"$data/sandbox.log" 2>&1 &
pids+=($!)

# The limits that protect production from abuse are lifted: one load generator signs up and
# calls for every user, and its 50 synthetic followers each write to an account many times an
# hour, which the loop guard (LOOP_GUARD_PER_HOUR) would rightly take for a bot.
server() { # port
    env LISTEN_ADDR=127.0.0.1:$1 PUBLIC_URL=http://127.0.0.1:3200 DATABASE_URL=$database DATABASE_MAX_CONNECTIONS=32 \
        MONGODB_URI=mongodb://127.0.0.1:$mongo_port/bench META_GRAPH_VERSION=v24.0 META_APP_ID=100000000000001 \
        META_APP_SECRET=$secret META_REDIRECT_URI=http://127.0.0.1:3200/api/instagram/callback META_VERIFY_TOKEN=bench-verify \
        META_AUTHORIZE_URL=$sandbox/oauth/authorize META_API_BASE_URL=$sandbox META_GRAPH_BASE_URL=$sandbox \
        TOKEN_ENCRYPTION_KEYS=bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY= \
        SESSION_SECRET=bench-session-secret-0123456789abcdef FREE_INSTANCE_QUOTA=1000000 \
        SIGN_IN_PER_IP_PER_MINUTE=100000 SIGN_IN_PER_ACCOUNT_PER_MINUTE=1000 SIGN_UP_PER_IP_PER_HOUR=100000 \
        SIGN_UP_PER_MINUTE=100000 CALLS_PER_USER_PER_MINUTE=100000 LOOP_GUARD_PER_HOUR=100000 SMTP_URL=smtp://127.0.0.1:3225 \
        LOG_FORMAT=json RUST_LOG=warn ${SERVER_ENV:-} "$bin/server" >"$data/server-$1.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return; sleep 0.2; done
    echo "the server on port $1 did not start:" >&2; tail -n 20 "$data/server-$1.log" >&2; exit 1
}
loadgen() { # loadgen options...
    # The load generator runs perf around each scenario when asked (BENCH_PERF_DIR).
    # The load generator counts latency from when each delivery was due: it runs at a higher
    # priority, so that its own lateness on these shared cores is not counted against the server.
    env DATABASE_URL=$database META_APP_SECRET=$secret META_VERIFY_TOKEN=bench-verify MAIL_API=http://127.0.0.1:3280 \
        ${PERF:+BENCH_PERF_DIR=target/bench} nice -n -5 "$bin/loadgen" \
        --sandbox $sandbox --accounts "$accounts" --duration "$duration" --state "$data/setup.json" "$@"
}

server 3200
echo "== one server process"
mkdir -p target/bench
loadgen --app http://127.0.0.1:3200 --label "1 process" --json target/bench/engine-1-process.json "${@}"
[ "${ONE_PROCESS:-}" != 1 ] || exit 0
server 3202
echo "== two server processes"
loadgen --app http://127.0.0.1:3200,http://127.0.0.1:3202 --label "2 processes" \
    --json target/bench/engine-2-processes.json "${@}"
