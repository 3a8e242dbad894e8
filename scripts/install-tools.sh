#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine that has rustup's
# stable toolchain, node/npm and apt. Idempotent: installed tools at the right version are
# skipped in seconds. Nothing is downloaded outside the package registries (no browser or
# driver downloads: Chromium and chromedriver come from Debian).
#
# `--bench` also installs what only `make bench` needs: twiggy, the wasm size profiler (a
# 2.5 CPU-minute cargo build, so `make test` on a fresh machine does not wait for it).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.13.1
TWIGGY_VERSION=0.8.0

say() { printf '==> %s\n' "$*"; }

# --- Rust: the wasm target and the lint tools ---------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding rustup component $component"
    rustup component add "$component"
  fi
done

# --- cargo-installed tools, pinned ----------------------------------------------------------
# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "cannot find wasm-bindgen's version in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # --locked can fail when a locked dependency is missing from the registry; then unlocked.
  cargo install --locked --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" ||
    cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
# trunk: `make serve`'s development server (release bundles are scripts/build.sh's).
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (trunk 0.22 needs rustc >= 1.96.1)"
  cargo install --locked --force trunk --version "$TRUNK_VERSION"
fi
if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION"
  cargo install --locked --force wasm-pack --version "$WASM_PACK_VERSION"
fi

# twiggy names itself "twiggy-opt 0.8.0".
if [ "${1:-}" = --bench ] && [ "$(twiggy --version 2>/dev/null)" != "twiggy-opt $TWIGGY_VERSION" ]; then
  say "installing twiggy $TWIGGY_VERSION (for make bench)"
  cargo install --locked --force twiggy --version "$TWIGGY_VERSION"
fi

# --- From Debian: Chromium and chromedriver; brotli and gzip for dist/'s precompressed files --
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null ||
  ! command -v brotli >/dev/null || ! command -v gzip >/dev/null; then
  say "installing chromium, chromium-driver, brotli and gzip from Debian"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver brotli gzip
fi

# --- Redis from Debian: the proxy's replica tests start their own on a free loopback port -------
if ! command -v redis-server >/dev/null; then
  say "installing redis-server from Debian"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y redis-server
fi

# --- npm: binaryen 132 (wasm-opt), axe-core, LiveChat's Agent App and accounts SDKs ------
want_npm() { # name version
  [ "$(node -p "require('./tools/node_modules/$1/package.json').version" 2>/dev/null)" = "$2" ]
}
if ! want_npm binaryen 132.0.0 || ! want_npm axe-core 4.14.1 ||
  ! want_npm @livechat/agent-app-sdk 1.16.0 || ! want_npm @livechat/accounts-sdk 2.1.3; then
  say "installing binaryen 132, axe-core and LiveChat's SDKs into tools/node_modules"
  npm install --prefix tools --no-package-lock --no-audit --no-fund
fi

say "tools ready: $(trunk --version), $(wasm-pack --version), $(wasm-bindgen --version), $(tools/node_modules/.bin/wasm-opt --version | head -1), $(chromedriver --version | cut -d' ' -f1-2), $(redis-server --version | cut -d' ' -f1-3)"
