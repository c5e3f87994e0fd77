#!/usr/bin/env bash
# Installs what this machine lacks to build, run and test Insta-Clerky, at pinned versions, from the
# package registries only (crates.io, PyPI, Debian, npm). Does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 needs rustc 1.96
SECANTUSDB_VERSION=0.7.0b3    # MongoDB-wire server for development and tests
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
    say "installing Debian packages: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Debian packages: PostgreSQL server binaries, Chromium, Node.js, Python's venv.
missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || [ -x "$(pg_config --bindir 2>/dev/null)/initdb" ] || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v curl >/dev/null || missing+=(curl)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# Rust: the WASM target, cargo-leptos and the wasm-bindgen CLI equal to Cargo.lock's crate.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi
if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 11 minutes on 2 cores)"
    cargo install cargo-leptos --version "=$CARGO_LEPTOS_VERSION" --locked
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # Not --locked: its lock file names a crate version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

# npm: Playwright (driving Debian's Chromium, never downloading a browser) and binaryen's wasm-opt
# (Debian's binaryen 108 breaks hydration).
if [ ! -f end2end/node_modules/.install-stamp ] || [ end2end/package-lock.json -nt end2end/node_modules/.install-stamp ]; then
    say "installing end2end npm packages"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    touch end2end/node_modules/.install-stamp
fi

# Python: the MongoDB-wire server in a virtual environment of the checkout.
if [ "$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("secantusdb"))' 2>/dev/null)" != "$SECANTUSDB_VERSION" ]; then
    say "installing secantusdb $SECANTUSDB_VERSION into .venv"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check --pre "secantusdb==$SECANTUSDB_VERSION"
fi
