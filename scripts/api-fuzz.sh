#!/usr/bin/env bash
# `make api-fuzz`: Schemathesis generates requests from /api/v1/openapi.json and checks every
# answer against the document (no 5xx, documented statuses, headers and bodies, refused bad input,
# the key required). Its own services, sandbox and server (debug build); a signed-up person's key,
# and their instance, automation and conversation as every path's ids, so generated queries and
# bodies reach real data (the integration tests cover other users' and missing ids). EXAMPLES
# (default 100) per operation.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
SCHEMATHESIS_VERSION=3.39.16 HYPOTHESIS_VERSION=6.115.0
venv=.data/schemathesis
if [ "$($venv/bin/st --version 2>/dev/null)" != "st, version $SCHEMATHESIS_VERSION" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "schemathesis==$SCHEMATHESIS_VERSION" "hypothesis==$HYPOTHESIS_VERSION"
fi
cargo build -p server -p meta-sandbox
cargo leptos build

data=.data/api-fuzz
scripts/services.sh wipe "$data"
pids=()
cleanup() {
    set +e
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    scripts/services.sh stop "$data"
}
trap cleanup EXIT
PG_FSYNC=off scripts/services.sh start "$data" 55443 57028 51035 51090
port=3920 sandbox_port=3921 secret=$(head -c 24 /dev/urandom | base64)
SANDBOX_ADDR=127.0.0.1:$sandbox_port SANDBOX_APP_ID=100000000000001 SANDBOX_APP_SECRET=$secret \
    SANDBOX_REDIRECT_URIS=http://127.0.0.1:$port/api/instagram/callback target/debug/meta-sandbox >"$data/sandbox.log" 2>&1 &
pids+=($!)
env LISTEN_ADDR=127.0.0.1:$port PUBLIC_URL=http://127.0.0.1:$port \
    DATABASE_URL=postgres://postgres@127.0.0.1:55443/insta_clerky MONGODB_URI=mongodb://127.0.0.1:57028/fuzz \
    META_GRAPH_VERSION=v24.0 META_APP_ID=100000000000001 META_APP_SECRET=$secret \
    META_REDIRECT_URI=http://127.0.0.1:$port/api/instagram/callback META_VERIFY_TOKEN=fuzz-verify \
    META_AUTHORIZE_URL=http://127.0.0.1:$sandbox_port/oauth/authorize META_API_BASE_URL=http://127.0.0.1:$sandbox_port \
    META_GRAPH_BASE_URL=http://127.0.0.1:$sandbox_port TOKEN_ENCRYPTION_KEYS=fuzz:$(head -c 32 /dev/urandom | base64) \
    SESSION_SECRET=$(head -c 48 /dev/urandom | base64) SMTP_URL=smtp://127.0.0.1:51035 \
    MAIL_FROM="Insta-Clerky <no-reply@fuzz.insta-clerky.test>" API_CALLS_PER_KEY_PER_MINUTE=100000 \
    target/debug/server >"$data/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS -X POST "http://127.0.0.1:$sandbox_port/_sandbox/webhook" -H 'content-type: application/json' \
    -d "{\"callback_url\": \"http://127.0.0.1:$port/webhook/instagram\", \"verify_token\": \"fuzz-verify\"}" >/dev/null
owner=$(cd end2end && BASE_URL=http://127.0.0.1:$port SANDBOX_URL=http://127.0.0.1:$sandbox_port \
    MAIL_API=http://127.0.0.1:51090 node tools/api-owner.mjs)
value() { echo "$owner" | sed -n "s/^$1=//p"; }
"$venv/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.json" --experimental=openapi-3.1 \
    -H "Authorization: Bearer $(value KEY)" --checks all --hypothesis-max-examples "${EXAMPLES:-100}" \
    --set-path "instance_id=$(value INSTANCE)" --set-path "automation_id=$(value AUTOMATION)" \
    --set-path "person_id=$(value PERSON)" --hypothesis-deadline 5000
