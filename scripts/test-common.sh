# What the scripts' tests (scripts/test-*.sh) share; sourced, not run: their ok/FAIL lines and
# final verdict, and the workspace's build directory their CARGO_TARGET_DIRs of their own reuse.

failures=0
pass() { printf 'ok    %s\n' "$*"; }
flunk() {
  printf 'FAIL  %s\n' "$*"
  failures=$((failures + 1))
}

# Ends the test named $1: status 1 and how many failed, or "all passed".
finish() {
  if ((failures)); then
    echo "$1: $failures failed"
    exit 1
  fi
  echo "$1: all passed"
}

# Where cargo keeps intermediate files for this workspace now (honours the caller's settings), so
# a test's own CARGO_TARGET_DIR (with CARGO_BUILD_BUILD_DIR set to this) builds nothing twice.
# $1: the test's name, for the error.
workspace_build_dir() {
  local dir
  dir=$(scripts/target-dir.sh build) || exit 1
  if [ ! -d "$dir" ]; then
    echo "$1: cargo's build directory '$dir' does not exist: build first (make build)" >&2
    exit 1
  fi
  printf '%s\n' "$dir"
}
