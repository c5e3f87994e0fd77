#!/usr/bin/env bash
# Installs an unpacked Insta-Clerky release: the binary and site under $ROOT/opt/insta-clerky,
# the unit in $ROOT/etc/systemd/system, an environment file to fill in at
# $ROOT/etc/insta-clerky/insta-clerky.env (never overwritten), and the service user.
#   sudo ./install.sh            install, then: edit the environment file; systemctl enable --now insta-clerky
#   ROOT=/tmp/x ./install.sh     into another root, without users or systemctl (how the release is checked)
set -euo pipefail
cd "$(dirname "$0")"
root=${ROOT:-}
opt=$root/opt/insta-clerky

install -d "$opt/bin" "$root/etc/systemd/system" "$root/etc/insta-clerky"
install -m 0755 bin/server "$opt/bin/server"
rm -rf "$opt/site.new" && cp -R site "$opt/site.new" && rm -rf "$opt/site" && mv "$opt/site.new" "$opt/site"
install -m 0644 README.md "$opt/README.md"
install -m 0644 systemd/insta-clerky.service "$root/etc/systemd/system/insta-clerky.service"
env_file=$root/etc/insta-clerky/insta-clerky.env
if [ ! -f "$env_file" ]; then
    install -m 0600 insta-clerky.env.example "$env_file"
    echo "install: fill in $env_file (every secret is empty)"
fi

if [ -z "$root" ]; then
    id insta-clerky >/dev/null 2>&1 || useradd --system --home-dir /var/lib/insta-clerky --shell /usr/sbin/nologin insta-clerky
    systemctl daemon-reload
    echo "install: done; start it with: systemctl enable --now insta-clerky"
fi
