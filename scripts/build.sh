#!/usr/bin/env bash
# `make build`: the widget's release bundles and pages in dist/.
#
# One crate, three bundles, each built with its cargo features (Cargo.toml):
#   livechat    LiveChat only    the iframe page's ?provider=livechat (and ?console=livechat)
#   liveperson  LivePerson only  the iframe page's ?provider=liveperson (and ?console=liveperson)
#   full        both             visitor-sidebar.js: hosts that switch providers, the demo console
# Each is `cargo rustc` (the wasm-release profile), `wasm-bindgen --target web` and binaryen's
# `wasm-opt -Oz`. Its JS and wasm get content-hashed names (cached for a year by the proxy);
# a stable-named entry module re-exports each (what mount() users import), and the iframe
# page's loader.js gets the hashed names written in. Finally every .wasm, .js, .css and .html gets a
# brotli (.br, quality 11) and a gzip (.gz, -9) twin, which the proxy's --static serves to
# browsers that accept them.
#
# Each bundle's intermediate files go to bundles/NAME in cargo's target directory (whatever
# CARGO_TARGET_DIR or cargo's configuration makes it; scripts/target-dir.sh resolves it for
# build, bench and serve alike). NAMED_WASM=1 (make bench) also writes STEM_bg.named.wasm there:
# the same wasm-opt run with the function names kept (-g), for twiggy's list of the largest
# items, which the bench finds through the same script.
#
# DIST_DIR=DIR puts the result in DIR instead of dist/ (the scripts' tests build into a
# directory of their own).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET_DIR=$(scripts/target-dir.sh)
DIST_DIR=${DIST_DIR:-dist}
BUNDLES="$TARGET_DIR/bundles"
STAGE="$TARGET_DIR/dist-staging"
# The same binaryen 132 (tools/node_modules) and features as the wasm rustc emits.
WASM_OPT_FLAGS=(-Oz --enable-bulk-memory --enable-nontrapping-float-to-int
  --enable-reference-types --enable-sign-ext --enable-mutable-globals)

rm -rf "$STAGE"
mkdir -p "$STAGE" "$BUNDLES"

manifest=""
# name | cargo feature arguments | file stem
while IFS='|' read -r name features stem; do
  echo "==> bundle $name ($features)"
  # shellcheck disable=SC2086 # the feature arguments are words
  # cdylib alone: with Cargo.toml's cdylib + rlib, cargo leaves the cdylib without LTO (about
  # 100 KB more wasm).
  cargo rustc -p visitor-sidebar --lib --crate-type cdylib --target wasm32-unknown-unknown \
    --profile wasm-release $features
  out="$BUNDLES/$name"
  rm -rf "$out"
  mkdir -p "$out"
  wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name "$stem" \
    "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/visitor_sidebar.wasm"
  mv "$out/${stem}_bg.wasm" "$out/${stem}_bg.pre-opt.wasm"
  wasm-opt "${WASM_OPT_FLAGS[@]}" "$out/${stem}_bg.pre-opt.wasm" -o "$out/${stem}_bg.wasm"
  if [ -n "${NAMED_WASM:-}" ]; then
    wasm-opt "${WASM_OPT_FLAGS[@]}" -g "$out/${stem}_bg.pre-opt.wasm" -o "$out/${stem}_bg.named.wasm"
  fi

  # One hash for the pair: the JS glue and the wasm change together.
  hash=$(cat "$out/${stem}_bg.wasm" "$out/$stem.js" | sha256sum | cut -c1-16)
  js="$stem-$hash.js"
  wasm="$stem-${hash}_bg.wasm"
  # The glue's default wasm URL (init() without arguments) must name the hashed file.
  if [ "$(grep -c "'${stem}_bg.wasm'" "$out/$stem.js")" != 1 ]; then
    echo "build.sh: $stem.js does not name ${stem}_bg.wasm exactly once" >&2
    exit 1
  fi
  sed "s|'${stem}_bg.wasm'|'$wasm'|" "$out/$stem.js" >"$STAGE/$js"
  cp "$out/${stem}_bg.wasm" "$STAGE/$wasm"
  cat >"$STAGE/$stem.js" <<JS
// The $name bundle of visitor-sidebar (scripts/build.sh). This file keeps its name; the
// bundle's files are named by their content. Use: import init, { mount } from "./$stem.js";
// await init();
export * from "./$js";
export { default } from "./$js";
JS
  manifest+="${manifest:+, }\"$name\": { \"js\": \"./$js\", \"wasm\": \"./$wasm\" }"
done <<'BUNDLE_LIST'
livechat|--no-default-features --features=livechat|visitor-sidebar-livechat
liveperson|--no-default-features --features=liveperson|visitor-sidebar-liveperson
full|--features=livechat,liveperson|visitor-sidebar
BUNDLE_LIST

cp index.html www/sidebar.css www/page.css www/console.html www/console.js www/console.css "$STAGE/"
# The consoles' SDKs from npm (tools/package.json), loaded only in their ?console= mode.
cp tools/node_modules/@livechat/agent-app-sdk/dist/agentapp.umd.min.js \
  tools/node_modules/@livechat/accounts-sdk/dist/accounts-sdk.min.js "$STAGE/"
# The loader learns the hashed names: its one `const BUNDLES = {};` line is replaced.
if [ "$(grep -c '^const BUNDLES = {};$' www/loader.js)" != 1 ]; then
  echo "build.sh: www/loader.js has no line 'const BUNDLES = {};' to fill in" >&2
  exit 1
fi
sed "s|^const BUNDLES = {};\$|const BUNDLES = { $manifest };|" www/loader.js >"$STAGE/loader.js"

echo "==> precompressing"
find "$STAGE" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' \) -print0 |
  while IFS= read -r -d '' file; do
    gzip -9 --no-name --keep --force "$file"
    brotli --best --keep --force "$file"
  done

rm -rf "$DIST_DIR"
mkdir -p "$(dirname "$DIST_DIR")"
mv "$STAGE" "$DIST_DIR"
echo "==> $DIST_DIR/ ready:"
ls -l "$DIST_DIR"
