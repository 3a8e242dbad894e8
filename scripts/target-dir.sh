#!/usr/bin/env bash
# Prints the directory cargo writes this workspace's output to, as cargo itself resolves it
# (`cargo metadata`): CARGO_TARGET_DIR, CARGO_BUILD_TARGET_DIR or a .cargo/config.toml's
# build.target-dir, else target/ at the workspace root; always an absolute path. The one place
# that answers it, for scripts/build.sh (the bundles), scripts/serve.sh (trunk's output), the
# bench (e2e/src/bin/bench.rs reads the named wasm from the bundles) and the scripts' tests.
#
#   scripts/target-dir.sh          the target directory (cargo's target_directory)
#   scripts/target-dir.sh build    where cargo keeps intermediate files (build_directory:
#                                  build.build-dir, cargo 1.91+; the same as the target
#                                  directory unless that is set)
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-target}" in
target) key=target_directory ;;
build) key=build_directory ;;
*)
  echo "usage: scripts/target-dir.sh [target|build]" >&2
  exit 2
  ;;
esac

if ! metadata=$(cargo metadata --format-version 1 --no-deps); then
  echo "target-dir.sh: cargo metadata failed (its error is above), so cargo's $key is unknown" >&2
  exit 1
fi
# cargo metadata is one line of JSON; a path is a string without escapes unless it holds a
# backslash, a quote or a control character, which this plain match refuses rather than misreads.
dir=$(grep -o "\"$key\":\"[^\"]*\"" <<<"$metadata" | head -n 1 | cut -d'"' -f4) || true
if [ -z "$dir" ]; then
  echo "target-dir.sh: cargo metadata names no $key (build_directory needs cargo 1.91 or later)" >&2
  exit 1
fi
if [[ $dir == *\\* ]]; then
  echo "target-dir.sh: cargo's $key holds a backslash, quote or control character, which the scripts do not support: choose another CARGO_TARGET_DIR" >&2
  exit 1
fi
printf '%s\n' "$dir"
