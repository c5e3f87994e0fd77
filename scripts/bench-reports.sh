#!/usr/bin/env bash
# `make bench-reports`: the reports benchmark. Release binaries; its own PostgreSQL (fsync and
# synchronous_commit on, as in production) and MongoDB-wire server; one user with ROWS report rows
# (1,000,000 by default; kept in .data/bench-reports for the next run); then loadgen times every
# filter combination of the reports API, the full CSV export and server rendering under 16
# clients (DURATION seconds per page, 10 by default). Figures go to target/bench/reports.json.
# PERF=1 also samples the machine with perf while the pages render (target/bench/profile-pages.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
rows=${ROWS:-1000000} duration=${DURATION:-10}
data=.data/bench-reports pg_port=55435 mongo_port=57020
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
cargo build --release -p server -p loadgen
bin=target/release

# Kept between runs (seeding a million rows takes a while); `ROWS` more than last time adds rows.
PG_FSYNC=on PG_OPTIONS="-c synchronous_commit=on -c shared_buffers=1GB -c max_wal_size=8GB" \
    scripts/services.sh start "$data" $pg_port $mongo_port 3425 3480 >/dev/null
database=postgres://postgres@127.0.0.1:$pg_port/insta_clerky

env LISTEN_ADDR=127.0.0.1:3400 PUBLIC_URL=http://127.0.0.1:3400 DATABASE_URL=$database \
    MONGODB_URI=mongodb://127.0.0.1:$mongo_port/bench META_GRAPH_VERSION=v24.0 META_APP_ID=100000000000001 META_APP_SECRET=bench-reports-secret \
    META_REDIRECT_URI=http://127.0.0.1:3400/api/instagram/callback META_VERIFY_TOKEN=bench-verify \
    META_AUTHORIZE_URL=http://127.0.0.1:9/oauth/authorize META_API_BASE_URL=http://127.0.0.1:9 META_GRAPH_BASE_URL=http://127.0.0.1:9 \
    TOKEN_ENCRYPTION_KEYS=bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY= \
    SESSION_SECRET=bench-session-secret-0123456789abcdef SMTP_URL=smtp://127.0.0.1:3425 \
    CALLS_PER_USER_PER_MINUTE=100000000 EXPORTS_PER_USER_PER_MINUTE=1000 SIGN_UP_PER_IP_PER_HOUR=100000 \
    LOG_FORMAT=json RUST_LOG=warn "$bin/server" >"$data/server.log" 2>&1 &
server_pid=$!
pids+=($server_pid)
for _ in $(seq 1 150); do curl -fsS http://127.0.0.1:3400/readyz >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS http://127.0.0.1:3400/readyz >/dev/null || { tail -n 20 "$data/server.log" >&2; exit 1; }

mkdir -p target/bench
[ "${PERF:-}" != 1 ] || export BENCH_PERF_DIR=target/bench
DATABASE_URL=$database META_APP_SECRET=bench-reports-secret MAIL_API=http://127.0.0.1:3480 \
    nice -n -5 "$bin/loadgen" --app http://127.0.0.1:3400 --reports "$rows" --duration "$duration" \
    --server-pid "$server_pid" --json target/bench/reports.json
