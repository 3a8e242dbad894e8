#!/usr/bin/env bash
# Tests that the build and the bench agree on cargo's target directory with a CARGO_TARGET_DIR of
# their own: scripts/target-dir.sh follows cargo's settings; scripts/build.sh (NAMED_WASM=1, as
# `make bench` runs it) writes the named wasm twins to bundles/ there and nothing to the
# workspace's own; the bench (`bench --check`: the lookup `make bench` does before it measures
# anything, then stop) finds them there, and with another CARGO_TARGET_DIR says they are missing.
# `make serve` with a CARGO_TARGET_DIR of its own is scripts/test-serve.sh's.
#
# After `make build` and the end-to-end tests it costs what one `NAMED_WASM=1 make build` costs
# (about 3 minutes on 2 shared cores), into temporary directories (DIST_DIR: dist/ is left alone):
# cargo's intermediate files stay in the workspace's build directory (CARGO_BUILD_BUILD_DIR, cargo
# 1.91+, as in test-serve.sh), so no dependency is compiled again, but the widget crate is, once
# per bundle's features (as in every build.sh run), then wasm-bindgen, wasm-opt (twice a bundle)
# and the compression run. The bench binary is the one the end-to-end tests built.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tools scripts/install-tools.sh installs (binaryen 132's wasm-opt before any system one), as
# the Makefile sets them, so the script also runs on its own.
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/visitor-sidebar-test-target-dir.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=scripts/test-common.sh
. scripts/test-common.sh
# Runs "$@" with the test's target directory $1 (the rest: the command).
in_target() {
  local dir=$1
  shift
  env CARGO_TARGET_DIR="$dir" CARGO_BUILD_BUILD_DIR="$build_dir" "$@"
}

build_dir=$(workspace_build_dir test-target-dir)
target_dir="$tmp/target"
# bundle directory/file stem, as scripts/build.sh names them
named=(livechat/visitor-sidebar-livechat liveperson/visitor-sidebar-liveperson full/visitor-sidebar)

# --- The one resolver follows cargo's settings ------------------------------------------------
resolves() { # name, expected, command...
  local name=$1 want=$2 got
  shift 2
  got=$("$@" scripts/target-dir.sh 2>&1) || true
  if [ "$got" = "$want" ]; then pass "target-dir.sh: $name"; else
    flunk "target-dir.sh: $name: got '$got', want '$want'"
  fi
}
resolves "CARGO_TARGET_DIR" "$target_dir" env CARGO_TARGET_DIR="$target_dir"
resolves "CARGO_BUILD_TARGET_DIR" "$target_dir" env -u CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR="$target_dir"
resolves "a relative CARGO_TARGET_DIR, from the workspace root" "$PWD/target-elsewhere" \
  env CARGO_TARGET_DIR=target-elsewhere

# --- build.sh writes the named wasm to its CARGO_TARGET_DIR ------------------------------------
touch "$tmp/before-build"
started=$SECONDS
if in_target "$target_dir" NAMED_WASM=1 DIST_DIR="$tmp/dist" scripts/build.sh >"$tmp/build.log" 2>&1; then
  pass "build.sh: built in $((SECONDS - started))s"
  missing=()
  for n in "${named[@]}"; do
    [ -s "$target_dir/bundles/${n}_bg.named.wasm" ] || missing+=("$target_dir/bundles/${n}_bg.named.wasm")
  done
  if [ ${#missing[@]} = 0 ]; then pass "build.sh: the named wasm twins are in CARGO_TARGET_DIR/bundles"; else
    flunk "build.sh: missing ${missing[*]}"
  fi
  if [ -f "$tmp/dist/index.html" ]; then pass "build.sh: DIST_DIR holds the release build"; else
    flunk "build.sh: no index.html in DIST_DIR ($tmp/dist)"
  fi
  # The workspace's own bundles/ (from an earlier build, if any) is not touched.
  written=$(find "$build_dir/bundles" -newer "$tmp/before-build" -print -quit 2>/dev/null || true)
  if [ -z "$written" ]; then pass "build.sh: nothing written to the build directory's bundles/"; else
    flunk "build.sh: wrote $written outside CARGO_TARGET_DIR"
  fi
else
  flunk "build.sh failed with CARGO_TARGET_DIR=$target_dir:"
  tail -n 30 "$tmp/build.log" | sed 's/^/      | /'
fi

# --- The bench looks in the same place -------------------------------------------------------
bench_check() { in_target "$1" cargo run -q -p visitor-sidebar-e2e --bin bench -- --check 2>&1; }
if out=$(bench_check "$target_dir"); then
  unfound=()
  for n in "${named[@]}"; do
    grep -qF -- "$target_dir/bundles/${n}_bg.named.wasm" <<<"$out" || unfound+=("$n")
  done
  if [ ${#unfound[@]} = 0 ]; then pass "bench --check: finds the named wasm in CARGO_TARGET_DIR/bundles"; else
    flunk "bench --check: does not name ${unfound[*]} under $target_dir/bundles:"$'\n'"$out"
  fi
else
  flunk "bench --check with CARGO_TARGET_DIR=$target_dir failed:"$'\n'"$out"
fi
status=0
out=$(bench_check "$tmp/empty") || status=$?
want="$tmp/empty/bundles/${named[0]}_bg.named.wasm is missing"
if [ "$status" != 0 ] && grep -qF -- "$want" <<<"$out"; then
  pass "bench --check: another CARGO_TARGET_DIR without a build: '…_bg.named.wasm is missing', status $status"
else
  flunk "bench --check with an empty CARGO_TARGET_DIR: status $status, want non-zero and '$want':"$'\n'"$out"
fi

finish test-target-dir
