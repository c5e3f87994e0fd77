#!/usr/bin/env bash
# `make release`: the optimised site and binary, built offline, packed into a release archive
# with the systemd unit and the installer, then checked: the archive is installed into a scratch
# root and started the way the unit starts it (migrate, then serve with TLS) against private
# databases, and must answer over https.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# binaryen's wasm-opt (Debian's breaks hydration); cargo-leptos would download one otherwise.
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

cargo leptos build --release
version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
name=insta-clerky-$version-$(uname -m)-linux
out=dist/$name
rm -rf "$out" && mkdir -p "$out/bin" "$out/systemd"
install -m 0755 target/release/server "$out/bin/server"
cp -R target/site "$out/site"
install -m 0644 deploy/systemd/insta-clerky.service "$out/systemd/"
install -m 0755 deploy/install.sh "$out/install.sh"
install -m 0644 .env.example "$out/insta-clerky.env.example"
install -m 0644 README.md "$out/README.md"
mkdir -p "$out/grafana" && install -m 0644 deploy/grafana/*.json "$out/grafana/"
tar -C dist -czf "dist/$name.tar.gz" "$name"

gz() { gzip -9c "$1" | wc -c; }
wasm=$(gz target/site/pkg/insta-clerky.wasm) js=$(gz target/site/pkg/insta-clerky.js) css=$(gz target/site/pkg/insta-clerky.css)
budget=$((250 * 1024))
printf 'release: %s (%s)\n' "dist/$name.tar.gz" "$(du -h "dist/$name.tar.gz" | cut -f1)"
printf 'release: browser bundle gzipped: WASM %d + JS %d = %d bytes (budget %d)%s; CSS %d\n' \
    "$wasm" "$js" $((wasm + js)) "$budget" "$([ $((wasm + js)) -le $budget ] || echo ', OVER BUDGET')" "$css"

# The check: install into a scratch root, then run the unit's own commands.
check=$(mktemp -d)
services=.data/release-check
cleanup() {
    set +e
    if [ -n "${server_pid:-}" ]; then
        kill -TERM "$server_pid"
        for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    fi
    scripts/services.sh wipe "$services" >/dev/null
    rm -rf "$check"
}
trap cleanup EXIT
tar -C "$check" -xzf "dist/$name.tar.gz"
ROOT=$check/root "$check/$name/install.sh" >/dev/null
root=$check/root
unit=$root/etc/systemd/system/insta-clerky.service
if command -v systemd-analyze >/dev/null; then
    # Only the unit's own syntax: the user and paths exist on the target machine, not here.
    systemd-analyze verify "$unit" 2>&1 | grep -v -e "insta-clerky" -e "^$" >&2 || true
fi
scripts/services.sh start "$services" 55437 57027 >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$check/key.pem" -out "$check/cert.pem" 2>/dev/null
random() { head -c "$1" /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }
cat >>"$root/etc/insta-clerky/insta-clerky.env" <<ENV
LISTEN_ADDR=127.0.0.1:3443
PUBLIC_URL=https://localhost:3443
HTTP_REDIRECT_ADDR=127.0.0.1:3480
TLS_CERT_FILE=$check/cert.pem
TLS_KEY_FILE=$check/key.pem
METRICS_ADDR=127.0.0.1:3464
DATABASE_URL=postgres://postgres@127.0.0.1:55437/insta_clerky
MONGODB_URI=mongodb://127.0.0.1:57027/insta_clerky
META_APP_ID=100000000000001
META_APP_SECRET=$(random 24)
META_VERIFY_TOKEN=$(random 18)
META_REDIRECT_URI=https://localhost:3443/api/instagram/callback
TOKEN_ENCRYPTION_KEYS=k1:$(head -c 32 /dev/urandom | base64)
SESSION_SECRET=$(random 48)
ENV
# What systemd does with the unit: its environment file, its Environment=, its commands.
unit_value() { sed -n "s/^$1=//p" "$unit" | head -n 1; }
prefixed() { sed "s#/opt/insta-clerky#$root/opt/insta-clerky#g; s#/etc/insta-clerky#$root/etc/insta-clerky#g" <<<"$1"; }
run_unit() {
    (
        # systemd's syntax, not the shell's: a value may hold spaces and <, unquoted.
        while IFS= read -r line; do
            case $line in '' | '#'*) ;; *) export "$line" ;; esac
        done <"$(prefixed "$(unit_value EnvironmentFile)")"
        export "$(prefixed "$(unit_value Environment)")"
        cd "$(prefixed "$(unit_value WorkingDirectory)")"
        # The server's own pid (this subshell becomes it), for the cleanup to stop it.
        echo "$BASHPID" >"$check/$1.pid"
        exec $(prefixed "$(unit_value "$1")")
    )
}
run_unit ExecStartPre >/dev/null
run_unit ExecStart >"$check/server.log" 2>&1 &
for _ in $(seq 1 50); do [ -s "$check/ExecStart.pid" ] && break; sleep 0.1; done
server_pid=$(cat "$check/ExecStart.pid")
curl_tls() { curl -fsS --cacert "$check/cert.pem" --resolve localhost:3443:127.0.0.1 "$@"; }
for _ in $(seq 1 150); do curl_tls https://localhost:3443/readyz >/dev/null 2>&1 && break; sleep 0.2; done
fail() { echo "release check: $*" >&2; tail -n 30 "$check/server.log" >&2; exit 1; }
curl_tls https://localhost:3443/readyz | grep -q '"migrations":"ok"' || fail "not ready over https"
curl_tls -D - -o /dev/null https://localhost:3443/sign-in | grep -qi '^strict-transport-security: max-age=' || fail "no HSTS"
curl_tls -o /dev/null https://localhost:3443/pkg/insta-clerky.wasm || fail "the site's WASM is not served"
redirect=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' http://127.0.0.1:3480/reports?x=1)
[ "$redirect" = "308 https://localhost:3443/reports?x=1" ] || fail "plain HTTP answered '$redirect'"
curl -fsS http://127.0.0.1:3464/metrics | grep -q '^insta_clerky_queue_depth{queue="intake"} 0' || fail "no metrics"
echo "release check: installed from the archive, migrated and served over https as the unit runs it: ok"
