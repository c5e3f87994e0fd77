#!/usr/bin/env bash
# Webhook acknowledgement latency, measured as Meta would see it, against the real server binary
# and the Meta sandbox: once with Meta answering fast, once with every Send API call taking 2 s.
# The 200 must not wait for replies, so both runs should show the same latency.
#   scripts/bench-ack.sh [DELIVERIES] [CONCURRENCY]      (PROFILE=dev for a quicker build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
deliveries=${1:-2000} concurrency=${2:-16} profile=${PROFILE:-release}
data=.data/bench app=http://127.0.0.1:3200 sandbox=http://127.0.0.1:3201 secret=bench-secret
pids=()
cleanup() {
    set +e
    trap '' INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    scripts/services.sh stop "$data" >/dev/null
}
trap cleanup EXIT
scripts/services.sh wipe "$data" >/dev/null
PG_FSYNC=off scripts/services.sh start "$data" 55434 57019 >/dev/null

cargo build --profile "$profile" -p server -p meta-sandbox -p loadgen
bin=target/$([ "$profile" = dev ] && echo debug || echo "$profile")
SANDBOX_ADDR=127.0.0.1:3201 SANDBOX_APP_ID=100000000000001 SANDBOX_APP_SECRET=$secret \
    SANDBOX_REDIRECT_URIS=$app/api/instagram/callback "$bin/meta-sandbox" >"$data/sandbox.log" 2>&1 &
pids+=($!)
env LISTEN_ADDR=127.0.0.1:3200 PUBLIC_URL=$app DATABASE_URL=postgres://postgres@127.0.0.1:55434/insta_clerky \
    MONGODB_URI=mongodb://127.0.0.1:57019/bench META_GRAPH_VERSION=v24.0 META_APP_ID=100000000000001 \
    META_APP_SECRET=$secret META_REDIRECT_URI=$app/api/instagram/callback META_VERIFY_TOKEN=bench-verify \
    META_AUTHORIZE_URL=$sandbox/oauth/authorize META_API_BASE_URL=$sandbox META_GRAPH_BASE_URL=$sandbox \
    TOKEN_ENCRYPTION_KEYS=bench:$(head -c 32 /dev/urandom | base64) SESSION_SECRET=$(head -c 48 /dev/urandom | base64) \
    LOG_FORMAT=json RUST_LOG=warn "$bin/server" >"$data/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -fsS "$app/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

# A user connects @loja.exemplo through the sandbox's Business Login and adds an automation
# that answers every DM; a follower writes once, which opens the 24-hour window for replies.
jar=$data/cookies
form() { curl -fsS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' -H 'accept: text/html' "$@"; }
form --data 'email=bench@loja.test&name=Bench&password=senha-forte-123' "$app/api/sign_up" >/dev/null
authorize=$(form --data 'name=Bench' "$app/api/instances/create")
callback=$(curl -fsS -o /dev/null -w '%{redirect_url}' --data "${authorize#*\?}&decision=allow&account=loja.exemplo" \
    "$sandbox/oauth/authorize")
form "${callback%#_}" >/dev/null
instance=$(curl -fsS -b "$jar" -H 'accept: application/json' "$app/api/instances" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
curl -fsS -b "$jar" -o /dev/null -H 'accept: application/json' --data-urlencode "instance_id=$instance" \
    --data-urlencode 'input[name]=Todos' --data-urlencode 'input[kind]=dm' --data-urlencode 'input[trigger]=all' \
    --data-urlencode 'input[keywords]=' --data-urlencode 'input[response_text]=Oi! Já te respondo.' \
    --data-urlencode 'input[response_type]=direct' "$app/api/automations/save"
curl -fsS -o /dev/null -H 'content-type: application/json' -d '{"to": "loja.exemplo", "text": "oi"}' \
    "$sandbox/_sandbox/followers/cliente.fiel/messages"

queued() { psql -h 127.0.0.1 -p 55434 -U postgres -d insta_clerky -tAc "SELECT count(*) FROM jobs"; }
run() { META_APP_SECRET=$secret "$bin/loadgen" --url "$app/webhook/instagram" --deliveries "$deliveries" --concurrency "$concurrency"; }
echo "Meta fast:               $(run); jobs queued after: $(queued)"
curl -fsS -o /dev/null -H 'content-type: application/json' \
    -d '{"endpoint": "messages", "kind": "timeout", "share": 1.0, "seconds": 3600, "delay_ms": 2000}' "$sandbox/_sandbox/faults"
echo "Send API takes 2 s/call: $(run); jobs queued after: $(queued)"
