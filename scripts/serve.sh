#!/usr/bin/env bash
# `make serve`: runs the demo, or says exactly why not.
#
# Builds the proxy (demo feature) and starts it in demo mode (simulated LivePerson and LiveChat,
# no credentials) on 127.0.0.1:$PROXY_PORT, waits for its /api/health, then starts
# `trunk serve --release` on 127.0.0.1:$PORT forwarding /api to that proxy, and prints the demo's
# URLs once both answer. When either cannot start (a port in use, a build error, the proxy
# exiting) it stops both and ends with a one-line cause and a non-zero status; Ctrl-C stops both.
#
#   PROXY_PORT=3001 PORT=8081 make serve   other ports (defaults 3000 and 8080)
#   HOSTILE=1 make serve                   adds the simulator's hostile visitors (an XSS corpus in
#                                          every visitor field)
#   PROXY_PROFILE=dev make serve           an unoptimised proxy: a quicker first build
#   RUST_LOG=info make serve               more of the proxy's log (it logs warnings by default)
#
# The proxy is started through `cargo run`, so any CARGO_TARGET_DIR works; trunk's output goes to
# trunk-dist in that same directory (scripts/target-dir.sh), unless TRUNK_BUILD_DIST says where.
#
# shellcheck disable=SC2016,SC2317 # bash -c scripts take their values as arguments; traps call
set -euo pipefail
cd "$(dirname "$0")/.."

PROXY_PORT=${PROXY_PORT:-3000}
PORT=${PORT:-8080}
PROXY_PROFILE=${PROXY_PROFILE:-release}
HOST=127.0.0.1
PROXY_WAIT_SECS=15 # the build is done by then; the proxy itself starts in well under a second
# The tools scripts/install-tools.sh installs (binaryen 132's wasm-opt before any system one), as
# the Makefile sets them, so the script also runs on its own.
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf 'make serve: %s\n' "$*"; }
fail() {
  printf 'make serve: %s\n' "$*" >&2
  exit 1
}

for var in PROXY_PORT PORT; do
  if ! [[ ${!var} =~ ^[0-9]{1,5}$ ]] || ((10#${!var} < 1 || 10#${!var} > 65535)); then
    fail "$var='${!var}' is not a port number (1-65535)"
  fi
done
if ((10#$PROXY_PORT == 10#$PORT)); then
  fail "PROXY_PORT and PORT are both $PORT; the proxy and trunk serve need a port each"
fi

for tool in cargo trunk; do
  command -v "$tool" >/dev/null || fail "$tool is not installed: run make tools (scripts/install-tools.sh)"
done

# Whether something accepts connections on $HOST:$1.
answers() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null; }

# The HTTP status of GET http://$HOST:$1$2, or nothing when no answer comes in 3 s.
http_status() {
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit
    printf "GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n" "$2" "$0" "$1" >&3
    read -r _ status _ <&3 && printf "%s" "$status"' "$HOST" "$1" "$2" 2>/dev/null || true
}

port_in_use() { # port, its variable, what it is for
  fail "port $1 is already in use, so $3 cannot listen there: stop what uses it, or choose another port, e.g. $2=$(($1 + 1)) make serve"
}

# Checked before anything is built, so a busy port costs seconds, not a build. The servers'
# own "Address already in use" (a port taken later, or bound without listening) is caught below.
if answers "$PROXY_PORT"; then port_in_use "$PROXY_PORT" PROXY_PORT "the proxy"; fi
if answers "$PORT"; then port_in_use "$PORT" PORT "trunk serve"; fi

# Trunk.toml's target/trunk-dist is for a bare `trunk serve`; here trunk writes beside cargo.
target_dir=$(scripts/target-dir.sh) ||
  fail "cannot tell cargo's target directory (scripts/target-dir.sh's error is above)"
export TRUNK_BUILD_DIST=${TRUNK_BUILD_DIST:-$target_dir/trunk-dist}

proxy_args=(-p visitor-sidebar-proxy --features demo --profile "$PROXY_PROFILE")
say "building the proxy (cargo build ${proxy_args[*]})"
cargo build "${proxy_args[@]}" || fail "the proxy did not build (cargo's errors are above)"

# Each server runs in its own session (setsid), so stopping it stops what it started (trunk's
# cargo, wasm-bindgen, wasm-opt) and nothing else. Their output goes to files this script relays
# to the terminal, so a failure can be told apart from a slow start and reported last.
logs=$(mktemp -d "${TMPDIR:-/tmp}/visitor-sidebar-serve.XXXXXX")
proxy_pid='' trunk_pid=''

stop_servers() {
  local pid deadline=$((SECONDS + 5))
  for pid in $proxy_pid $trunk_pid; do kill -INT -- "-$pid" 2>/dev/null || true; done
  for pid in $proxy_pid $trunk_pid; do
    while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  rm -rf "$logs"
}
trap stop_servers EXIT
trap 'echo; say "stopping"; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Prints the complete lines of file $1 not shown yet; $2 names the counter of lines shown.
relay() {
  local -n shown_=$2
  local total
  total=$(wc -l <"$1")
  if ((total > shown_)); then
    sed -n "$((shown_ + 1)),${total}p" "$1"
    shown_=$total
  fi
}
# The rest of file $1, its last line too even when unfinished.
relay_rest() {
  local -n shown_=$2
  sed -n "$((shown_ + 1)),\$p" "$1"
  if [ -n "$(tail -c 1 "$1")" ]; then echo; fi
}
# shellcheck disable=SC2034 # used through relay's name reference
proxy_shown=0 trunk_shown=0

# Whether process $1 (a child of this script) is still running.
running() { kill -0 "$1" 2>/dev/null; }
# Sets $exit_status to the exit status of process $1 (a child of this script that has ended).
reap() {
  exit_status=0
  wait "$1" || exit_status=$?
}

# Ends the script for a server that failed: the rest of its output, then the cause.
server_failed() { # log, counter of lines shown, port, its variable, name, what happened
  relay_rest "$1" "$2"
  if grep -q 'Address already in use' "$1"; then port_in_use "$3" "$4" "$5"; fi
  if [ -s "$1" ]; then fail "$5 $6 (its output is above)"; fi
  fail "$5 $6"
}
proxy_failed() { server_failed "$logs/proxy.log" proxy_shown "$PROXY_PORT" PROXY_PORT "the proxy" "$1"; }
trunk_failed() { server_failed "$logs/trunk.log" trunk_shown "$PORT" PORT "trunk serve" "$1"; }

say "starting the proxy in demo mode on $HOST:$PROXY_PORT"
hostile=()
if [ -n "${HOSTILE:-}" ] && [ "$HOSTILE" != 0 ]; then hostile=(--hostile); fi
# The pages come from trunk's origin (PORT): the proxy lets it call (module scripts and POSTs
# carry an Origin header), and the origins VS_ALLOWED_ORIGINS adds.
VS_ALLOWED_ORIGINS="http://$HOST:$PORT,http://localhost:$PORT${VS_ALLOWED_ORIGINS:+,$VS_ALLOWED_ORIGINS}" \
  setsid cargo run -q "${proxy_args[@]}" -- --demo "${hostile[@]}" --listen "$HOST:$PROXY_PORT" \
  </dev/null >"$logs/proxy.log" 2>&1 &
proxy_pid=$!

deadline=$((SECONDS + PROXY_WAIT_SECS))
until [ "$(http_status "$PROXY_PORT" /api/health)" = 200 ]; do
  relay "$logs/proxy.log" proxy_shown
  if ! running "$proxy_pid"; then
    reap "$proxy_pid"
    proxy_failed "exited with status $exit_status before answering on http://$HOST:$PROXY_PORT/api/health"
  fi
  if ((SECONDS >= deadline)); then
    proxy_failed "did not answer on http://$HOST:$PROXY_PORT/api/health within $PROXY_WAIT_SECS s"
  fi
  sleep 0.2
done
relay "$logs/proxy.log" proxy_shown

say "building the widget and starting trunk serve on $HOST:$PORT (a first build takes minutes)"
# -q: trunk's warnings and errors only (cargo's progress still shows). RUST_LOG is meant for the
# proxy (and trunk refuses it together with -q). RUST_LIB_BACKTRACE=0: trunk's errors as one
# line, not a backtrace each.
setsid env -u RUST_LOG RUST_LIB_BACKTRACE=0 trunk serve -q --release --skip-version-check \
  --address "$HOST" --port "$PORT" --proxy-backend "http://$HOST:$PROXY_PORT/api/" \
  </dev/null >"$logs/trunk.log" 2>&1 &
trunk_pid=$!

# No deadline: trunk builds the widget before it listens, and a first build takes minutes. Trunk
# carries on serving after a failed first build (the last good dist/, or nothing), so an error it
# reports before it answers is fatal, even when the page answers.
until [ "$(http_status "$PORT" /console.html)" = 200 ]; do
  relay "$logs/proxy.log" proxy_shown
  relay "$logs/trunk.log" trunk_shown
  if ! running "$proxy_pid"; then
    reap "$proxy_pid"
    proxy_failed "stopped with status $exit_status while trunk serve was starting"
  fi
  if ! running "$trunk_pid"; then
    reap "$trunk_pid"
    trunk_failed "exited with status $exit_status before serving http://$HOST:$PORT/"
  fi
  if grep -q ' ERROR ' "$logs/trunk.log"; then
    trunk_failed "reported an error before serving http://$HOST:$PORT/"
  fi
  sleep 0.5
done
if grep -q ' ERROR ' "$logs/trunk.log"; then
  trunk_failed "reported an error before serving http://$HOST:$PORT/"
fi
if [ "$(http_status "$PORT" /api/health)" != 200 ]; then
  trunk_failed "does not forward http://$HOST:$PORT/api/ to the proxy on port $PROXY_PORT"
fi
relay "$logs/proxy.log" proxy_shown
relay "$logs/trunk.log" trunk_shown

cat <<MSG

  visitor-sidebar demo (Ctrl-C stops it)
    agent console:  http://$HOST:$PORT/console.html
    iframe page:    http://$HOST:$PORT/   (LiveChat visitors list)
                    http://$HOST:$PORT/?provider=liveperson&visitorId=…&sid=…
    LivePerson Agent Workspace (fake, SDK stand-in):  http://$HOST:$PORT/api/demo/agent-workspace
    LiveChat Agent App (stand-in):  http://$HOST:$PROXY_PORT/agent-app.html?widget=http://$HOST:$PORT/?console=livechat
    proxy API:      http://$HOST:$PROXY_PORT/api/health

MSG

# From here on both servers' output goes on to the terminal until one of them stops or Ctrl-C.
while running "$proxy_pid" && running "$trunk_pid"; do
  relay "$logs/proxy.log" proxy_shown
  relay "$logs/trunk.log" trunk_shown
  sleep 0.5
done
if ! running "$proxy_pid"; then
  reap "$proxy_pid"
  proxy_failed "stopped with status $exit_status"
fi
reap "$trunk_pid"
trunk_failed "stopped with status $exit_status"
