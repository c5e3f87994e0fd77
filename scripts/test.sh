#!/usr/bin/env bash
# `make test`: every test. Unit and integration tests against a private PostgreSQL and MongoDB-wire
# server (fresh for each run, fresh databases for each test), then Playwright in Chromium against
# the real server binary and WASM bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# A one-shot clone gains nothing from incremental caches, which take gigabytes of a shared disk.
[ "${CI:-}" = true ] && export CARGO_INCREMENTAL=0
echo "== disk: $(df -h . | awk 'NR==2 {print $4 " free of " $2}')"
# binaryen's wasm-opt for release builds (Debian's breaks hydration).
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

data=.data/test
scripts/services.sh wipe "$data"
server_pid=""
cleanup() {
    set +e # stop everything even when the server is already gone
    trap '' INT TERM # a second Ctrl-C must not cut the cleanup short
    for pid in $server_pid ${sandbox_pid:-}; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    scripts/services.sh stop "$data"
}
trap cleanup EXIT
PG_FSYNC=off scripts/services.sh start "$data" 55433 57018 51025 51080
export DATABASE_URL=postgres://postgres@127.0.0.1:55433/insta_clerky
export TEST_MONGODB_URI=mongodb://127.0.0.1:57018
# Sign-ups are confirmed by e-mail: the tests read the links from the SMTP catcher.
export TEST_SMTP_URL=smtp://127.0.0.1:51025 TEST_MAIL_API=http://127.0.0.1:51080

echo "== formatting and lints"
cargo fmt --all --check
cargo clippy -p app -p server -p meta-sandbox -p loadgen -p fuzz --features app/ssr --tests -- -D warnings

echo "== unit and integration tests"
cargo test -p app -p server -p meta-sandbox -p fuzz --features app/ssr

echo "== building the site and the Meta sandbox for the browser tests"
cargo leptos build
cargo build -p meta-sandbox

echo "== browser tests"
port=3900
sandbox_port=3901
e2e_secret=$(head -c 24 /dev/urandom | base64)
SANDBOX_ADDR=127.0.0.1:$sandbox_port SANDBOX_APP_ID=100000000000001 SANDBOX_APP_SECRET=$e2e_secret \
    SANDBOX_REDIRECT_URIS=http://127.0.0.1:$port/api/instagram/callback target/debug/meta-sandbox >"$data/e2e-sandbox.log" 2>&1 &
sandbox_pid=$!
e2e_env=(
    LISTEN_ADDR=127.0.0.1:$port PUBLIC_URL=http://127.0.0.1:$port
    MONGODB_URI=$TEST_MONGODB_URI/e2e
    META_GRAPH_VERSION=v24.0 META_APP_ID=100000000000001 META_APP_SECRET=$e2e_secret
    META_REDIRECT_URI=http://127.0.0.1:$port/api/instagram/callback META_VERIFY_TOKEN=e2e-verify
    META_AUTHORIZE_URL=http://127.0.0.1:$sandbox_port/oauth/authorize
    META_API_BASE_URL=http://127.0.0.1:$sandbox_port META_GRAPH_BASE_URL=http://127.0.0.1:$sandbox_port
    TOKEN_ENCRYPTION_KEYS=e2e:$(head -c 32 /dev/urandom | base64)
    SESSION_SECRET=$(head -c 48 /dev/urandom | base64)
    SIGN_IN_PER_IP_PER_MINUTE=600 SIGN_UP_PER_IP_PER_HOUR=1000
    SMTP_URL=$TEST_SMTP_URL MAIL_FROM="Insta-Clerky E2E <no-reply@e2e.insta-clerky.test>"
)
# An admin for the specs that need one (the CLI an operator would use).
export E2E_ADMIN_EMAIL=e2e-admin@insta-clerky.local E2E_ADMIN_PASSWORD=$(head -c 18 /dev/urandom | base64)
env "${e2e_env[@]}" NEW_USER_PASSWORD="$E2E_ADMIN_PASSWORD" target/debug/server user create \
    --email "$E2E_ADMIN_EMAIL" --name "Admin E2E" --admin --if-missing >/dev/null
env "${e2e_env[@]}" target/debug/server >"$data/e2e-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$data/e2e-server.log"; exit 1; }
    sleep 0.2
done
# Meta's dashboard step: the sandbox delivers webhooks to the app (after Meta's handshake).
curl -fsS -X POST "http://127.0.0.1:$sandbox_port/_sandbox/webhook" -H 'content-type: application/json' \
    -d "{\"callback_url\": \"http://127.0.0.1:$port/webhook/instagram\", \"verify_token\": \"e2e-verify\"}" >/dev/null
(cd end2end && BASE_URL=http://127.0.0.1:$port SANDBOX_URL=http://127.0.0.1:$sandbox_port MAIL_API=$TEST_MAIL_API \
    npx playwright test)
