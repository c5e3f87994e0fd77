#!/usr/bin/env bash
# `make run`: serves Insta-Clerky at http://127.0.0.1:3000 on a machine with nothing configured.
# Whatever is already configured (environment or .env: DATABASE_URL, MONGODB_URI, META_*) is used
# as is; whatever is not gets a private stand-in under .data/run that survives restarts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# binaryen's wasm-opt for release builds (Debian's breaks hydration).
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

if [ -f .env ]; then set -a; . ./.env; set +a; fi
data=.data/run
mkdir -p "$data"
started_services=""
cleanup() {
    set +e # stop everything even when the server is already gone
    trap '' INT TERM # a second Ctrl-C must not cut the cleanup short
    for pid in ${server_pid:-} ${sandbox_pid:-}; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    [ -z "$started_services" ] || scripts/services.sh stop "$data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${DATABASE_URL:-}" ] || [ -z "${MONGODB_URI:-}" ] || [ -z "${SMTP_URL:-}" ]; then
    # No mail server configured: a local catcher receives the e-mail and shows it on a page.
    scripts/services.sh start "$data" "$([ -n "${DATABASE_URL:-}" ] && echo - || echo 55432)" \
        "$([ -n "${MONGODB_URI:-}" ] && echo - || echo 57017)" \
        "$([ -n "${SMTP_URL:-}" ] && echo - || echo 1025)" 1080
    started_services=1
    export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:55432/insta_clerky}
    export MONGODB_URI=${MONGODB_URI:-mongodb://127.0.0.1:57017/insta_clerky}
    [ -n "${SMTP_URL:-}" ] || mail_page=http://127.0.0.1:1080
    export SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:1025}
fi

# Demo mode: secrets generated once into an ignored file, so sessions and tokens survive restarts.
demo_env=.data/demo.env
if [ ! -f "$demo_env" ]; then
    umask 077
    random() { head -c "$1" /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }
    cat >"$demo_env" <<DEMO
SESSION_SECRET=$(random 48)
TOKEN_ENCRYPTION_KEYS=demo1:$(head -c 32 /dev/urandom | base64)
DEMO_META_APP_SECRET=$(random 24)
DEMO_META_VERIFY_TOKEN=$(random 18)
DEMO_ADMIN_PASSWORD=$(random 12)
DEMO
fi
set -a; . "$demo_env"; set +a

export PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:3000}
if [ -z "${META_APP_ID:-}" ]; then
    # Not configured for Meta: point every Meta URL at the local sandbox on port 3100.
    sandbox=http://127.0.0.1:3100
    export META_GRAPH_VERSION=v24.0 META_APP_ID=100000000000001
    export META_APP_SECRET=$DEMO_META_APP_SECRET META_VERIFY_TOKEN=$DEMO_META_VERIFY_TOKEN
    export META_REDIRECT_URI=$PUBLIC_URL/api/instagram/callback
    export META_AUTHORIZE_URL=$sandbox/oauth/authorize META_API_BASE_URL=$sandbox META_GRAPH_BASE_URL=$sandbox
    # Every page shows a banner saying so, linking to the follower page and the sent e-mail.
    export DEMO_SANDBOX_URL=$sandbox DEMO_MAIL_URL=${mail_page:-}
    # Leads go to the sandbox's stand-in CRM on this machine, over plain http.
    export LEAD_WEBHOOK_ALLOW_PRIVATE=true
fi

cargo leptos build
if [ -n "${sandbox:-}" ]; then
    # The Meta sandbox plays Instagram for the app registered above.
    cargo build -p meta-sandbox
    # Its world (accounts, tokens, followers, conversations) is kept, so a restart breaks nothing.
    SANDBOX_ADDR=127.0.0.1:3100 SANDBOX_APP_ID=$META_APP_ID SANDBOX_APP_SECRET=$META_APP_SECRET \
        SANDBOX_REDIRECT_URIS=$META_REDIRECT_URI SANDBOX_STATE_FILE=$data/sandbox.json target/debug/meta-sandbox &
    sandbox_pid=$!
fi
server=target/debug/server
$server migrate
demo_admin=admin@insta-clerky.local
NEW_USER_PASSWORD=$DEMO_ADMIN_PASSWORD $server user create --email "$demo_admin" --name "Admin Demo" \
    --admin --premium --if-missing >/dev/null

cat <<MSG

  Insta-Clerky is at $PUBLIC_URL
  Demo admin: $demo_admin / $DEMO_ADMIN_PASSWORD
${sandbox:+  Meta sandbox (plays Instagram): $sandbox/_sandbox/accounts
}${mail_page:+  E-mail sent by the app (sign-up links): $mail_page
}  Ctrl-C stops the app and the services this command started.

MSG
$server serve &
server_pid=$!
if [ -n "${sandbox:-}" ]; then
    # Meta's dashboard step: save the app's webhook callback (the sandbox runs Meta's handshake).
    for _ in $(seq 1 150); do curl -fsS "$PUBLIC_URL/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fsS -X POST "$sandbox/_sandbox/webhook" -H 'content-type: application/json' \
        -d "{\"callback_url\": \"$PUBLIC_URL/webhook/instagram\", \"verify_token\": \"$META_VERIFY_TOKEN\"}" >/dev/null \
        && echo "  Webhooks: the sandbox delivers to $PUBLIC_URL/webhook/instagram" \
        || echo "  Webhooks: could not register the callback with the sandbox" >&2
fi
wait "$server_pid"
