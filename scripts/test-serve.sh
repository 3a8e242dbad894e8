#!/usr/bin/env bash
# Tests scripts/serve.sh (`make serve`) as a user meets it: with a port taken, with the proxy or
# trunk failing to start (the exit status and the last line it prints), and working with a
# CARGO_TARGET_DIR of its own (the demo answering on both ports, then Ctrl-C stopping it all).
#
# Cheap after `make build`: CARGO_TARGET_DIR is a fresh temporary directory, so the proxy and
# the widget must be found where cargo puts them there (the test checks which proxy binary runs),
# but cargo's intermediate files stay in the workspace's build directory (CARGO_BUILD_BUILD_DIR,
# cargo 1.91+), so what is built already is not built again. The proxy is built unoptimised
# (PROXY_PROFILE=dev): after `make test`'s native and e2e layers that is three crates more, where
# a release build would be a few minutes.
# shellcheck disable=SC2016 # the bash -c scripts take their values as arguments
set -euo pipefail
cd "$(dirname "$0")/.."
set -m # each serve.sh run in its own process group, as under a terminal, for Ctrl-C

HOST=127.0.0.1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/visitor-sidebar-test-serve.XXXXXX")
# Every process this test starts carries this in its environment; cleanup stops them all, even
# those a broken serve.sh might have left in other sessions.
TAG=$(basename "$tmp")

tagged_pids() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}
    pid=${pid%/environ}
    if [ "$pid" != $$ ] && grep -qzx "TEST_SERVE_TAG=$TAG" "$environ" 2>/dev/null; then
      echo "$pid"
    fi
  done
}
cleanup() {
  local pids
  pids=$(tagged_pids)
  # shellcheck disable=SC2086 # one argument per pid
  if [ -n "$pids" ]; then kill -KILL $pids 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=scripts/test-common.sh
. scripts/test-common.sh

# Waits for command "$@" to succeed, checking every 0.1 s for at most $deadline_secs.
deadline_secs=10
wait_until() {
  local deadline=$((SECONDS + deadline_secs))
  until "$@"; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.1
  done
}

# A port nothing uses now (the kernel's choice).
free_port() {
  perl -MSocket -e 'socket(S, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
    bind(S, sockaddr_in(0, INADDR_LOOPBACK)) or die "bind: $!";
    print((sockaddr_in(getsockname(S)))[0])'
}

# Holds $HOST:$1 until release_port: `listen` accepts connections there; `bind` only binds it,
# so nothing answers but no server can listen there either.
held_port='' holder_pid=''
hold_port() {
  local out="$tmp/hold-$1-$2"
  TEST_SERVE_TAG=$TAG perl -MSocket -e '
    my ($port, $mode) = @ARGV;
    socket(S, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
    bind(S, sockaddr_in($port, INADDR_LOOPBACK)) or die "bind $port: $!";
    if ($mode eq "listen") { listen(S, 5) or die "listen: $!" }
    $| = 1; print "held\n"; sleep;' "$1" "$2" >"$out" 2>&1 &
  holder_pid=$! held_port=$1
  deadline_secs=10
  wait_until grep -qsx held "$out" || {
    echo "test-serve: could not hold port $1: $(cat "$out")" >&2
    exit 1
  }
}
release_port() {
  kill "$holder_pid"
  wait "$holder_pid" 2>/dev/null || true
  holder_pid='' held_port=''
}

# GET http://$HOST:$1$2 [with header line $3]: the whole response (HTTP/1.0, so the server
# closes it), or nothing.
http_get() {
  timeout 10 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit
    printf "GET %s HTTP/1.0\r\nHost: %s:%s\r\n" "$2" "$0" "$1" >&3
    if [ -n "$3" ]; then printf "%s\r\n" "$3" >&3; fi
    printf "\r\n" >&3
    cat <&3' "$HOST" "$1" "$2" "${3:-}" 2>/dev/null || true
}
answers() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null; }

# Where cargo keeps intermediate files for this workspace now (honours the caller's settings).
build_dir=$(workspace_build_dir test-serve)
target_dir="$tmp/target"

# Starts serve.sh with the variables given ("NAME=value" ...) and the test's settings; its
# combined output goes to $out, its pid (and process group) is $serve_pid.
serve() {
  out="$tmp/out-$((++runs))"
  serve_started=$SECONDS
  env TEST_SERVE_TAG="$TAG" CARGO_TARGET_DIR="$target_dir" CARGO_BUILD_BUILD_DIR="$build_dir" \
    PROXY_PROFILE=dev TRUNK_WATCH_IGNORE="$build_dir" TMPDIR="$tmp" \
    PROXY_PORT="$proxy_port" PORT="$port" "$@" scripts/serve.sh </dev/null >"$out" 2>&1 &
  serve_pid=$!
}
runs=0

serve_ended() { ! kill -0 "$serve_pid" 2>/dev/null; }
ended_or_urls() { serve_ended || grep -q 'agent console:' "$out"; }

# Expects the run started last to end with status 1 and $1 as its last line, with no URLs
# printed and nothing left running.
expect_failure() { # name, last line, [a line that must come before it]
  local name=$1 want=$2 before=${3:-} status=0 last
  deadline_secs=600 # the first failing case that gets that far builds the proxy
  wait_until ended_or_urls || true
  if ! serve_ended; then
    if grep -q 'agent console:' "$out"; then
      flunk "$name: serve.sh printed the demo's URLs and runs on"
    else
      flunk "$name: serve.sh still running after ${deadline_secs}s"
    fi
    sed 's/^/      | /' "$out"
    stop_leftovers
    wait "$serve_pid" 2>/dev/null || true # no "Killed" notice from job control
    return
  fi
  wait "$serve_pid" || status=$?
  last=$(tail -n 1 "$out")
  if [ "$status" != 1 ]; then
    flunk "$name: exit status $status, want 1"
  elif [ "$last" != "$want" ]; then
    flunk "$name: last line"$'\n'"   got:  $last"$'\n'"   want: $want"
  elif [ -n "$before" ] && ! grep -qF -- "$before" "$out"; then
    flunk "$name: no line '$before' before the cause"
  elif grep -q 'agent console:' "$out"; then
    flunk "$name: printed the demo's URLs"
  elif { [ "$held_port" != "$port" ] && answers "$port"; } ||
    { [ "$held_port" != "$proxy_port" ] && answers "$proxy_port"; }; then
    flunk "$name: a server still answers after serve.sh failed"
  elif ! no_leftovers; then
    flunk "$name: processes left running: $(tagged_pids | grep -vx "$holder_pid" | tr '\n' ' ')"
  else
    pass "$name: status 1 after $((SECONDS - serve_started))s, '$last'"
    return
  fi
  sed 's/^/      | /' "$out"
  stop_leftovers
}
# shellcheck disable=SC2143 # grep -q would end the pipeline early (pipefail)
no_leftovers() { [ -z "$(tagged_pids | grep -vx "$holder_pid")" ]; }
# After a failed case, so that the next one starts clean.
stop_leftovers() {
  tagged_pids | grep -vx "$holder_pid" | xargs -r kill -KILL 2>/dev/null || true
  deadline_secs=10
  wait_until no_leftovers || true
}

proxy_port=$(free_port)
port=$(free_port)
while [ "$port" = "$proxy_port" ]; do port=$(free_port); done
cause_busy() { # port, variable, what
  echo "make serve: port $1 is already in use, so $3 cannot listen there: stop what uses it, or choose another port, e.g. $2=$(($1 + 1)) make serve"
}

# --- A port already in use is named before anything is built -------------------------------
hold_port "$proxy_port" listen
serve
expect_failure "busy proxy port" "$(cause_busy "$proxy_port" PROXY_PORT "the proxy")"
release_port

hold_port "$port" listen
serve
expect_failure "busy trunk port" "$(cause_busy "$port" PORT "trunk serve")"
release_port

# --- The proxy fails to start: its own line, then the cause ----------------------------------
# The port is bound but not listening, so only the proxy's own attempt to listen finds it taken.
hold_port "$proxy_port" bind
serve
expect_failure "proxy cannot listen" "$(cause_busy "$proxy_port" PROXY_PORT "the proxy")" \
  "visitor-sidebar-proxy: cannot listen on $HOST:$proxy_port: Address already in use"
release_port

serve VS_CACHE_TTL_MS=soon
expect_failure "proxy exits" \
  "make serve: the proxy exited with status 2 before answering on http://$HOST:$proxy_port/api/health (its output is above)" \
  "visitor-sidebar-proxy: configuration error: VS_CACHE_TTL_MS"

# --- trunk's build fails (at once): the proxy is stopped too ---------------------------------
# Trunk then serves what dist/ holds from an earlier build; that must not pass for a working demo.
mkdir -p "$tmp/stale-dist"
echo '<!doctype html><title>Demo agent console (an earlier build)</title>' >"$tmp/stale-dist/console.html"
serve TRUNK_BUILD_FEATURES=no-such-feature TRUNK_BUILD_DIST="$tmp/stale-dist"
expect_failure "widget build fails" \
  "make serve: trunk serve reported an error before serving http://$HOST:$port/ (its output is above)"

# --- The demo with a CARGO_TARGET_DIR of its own, hostile visitors on, then Ctrl-C -------------
# An origin only this run's proxy allows: an answer through trunk that grants it comes from this
# run's proxy, not from another demo on trunk's default backend (127.0.0.1:3000).
origin="http://${TAG,,}.invalid" # lower case, as browsers send it
serve HOSTILE=1 VS_ALLOWED_ORIGINS="$origin"
deadline_secs=900 # trunk builds the widget (cargo finds it built; wasm-bindgen and wasm-opt run)
wait_until ended_or_urls || true
if ! grep -q 'agent console:' "$out"; then
  flunk "demo: no URLs printed (serve.sh $(serve_ended && echo ended || echo still running after ${deadline_secs}s))"
  sed 's/^/      | /' "$out"
else
  pass "demo: URLs printed after $((SECONDS - serve_started))s"
  shopt -s nocasematch # header names' case is the server's choice
  check() { # name, response, expected text
    if [[ $2 == "HTTP/1."?" 200 "* && $2 == *"$3"* ]]; then pass "demo: $1"; else
      flunk "demo: $1: want 200 with '$3', got: $(head -c 300 <<<"$2")"
    fi
  }
  check "proxy health on PROXY_PORT" "$(http_get "$proxy_port" /api/health)" '"demo":true'
  check "console page on PORT" "$(http_get "$port" /console.html)" '<title>Demo agent console'
  check "/api forwarded to PROXY_PORT" "$(http_get "$port" /api/health "Origin: $origin")" \
    "access-control-allow-origin: $origin"
  check "HOSTILE=1 kept" "$(http_get "$port" /api/demo/chats)" '"hostile":true'
  # A module script (the fake Agent Workspace's) is fetched with its page's Origin: trunk's.
  check "PORT's own origin may call the proxy" \
    "$(http_get "$port" /api/demo/agent-workspace.js "Origin: http://$HOST:$port")" 'lp-standin:load'
  # Development sends the pages' policy (Trunk.toml), trunk's inline scripts allowed by the
  # response's nonce only.
  page=$(http_get "$port" /)
  nonce=$(grep -io "'nonce-[^']*'" <<<"$page" | head -n 1 | sed "s/^'nonce-//; s/'\$//")
  # (trunk joins Trunk.toml's directives with ';' alone.)
  if [[ $page == *"content-security-policy: default-src 'none';"* && -n $nonce &&
    $page == *"script-src 'self' 'wasm-unsafe-eval' 'nonce-$nonce'"* &&
    $page == *"nonce=\"$nonce\""* && $page == *"referrer-policy: no-referrer"* ]]; then
    pass "demo: the page carries the strict policy, its scripts the response's nonce"
  else
    flunk "demo: the page's policy or nonce is missing: $(head -c 600 <<<"$page")"
  fi
  if grep -q "agent console:  http://$HOST:$port/console.html" "$out" &&
    grep -q "proxy API:      http://$HOST:$proxy_port/api/health" "$out"; then
    pass "demo: URLs name PORT and PROXY_PORT"
  else
    flunk "demo: URLs do not name the ports"
  fi
  # The block of URLs ends with the proxy's and an empty line ($(…) drops it); nothing after.
  if [ "$(tail -n 2 "$out")" = "    proxy API:      http://$HOST:$proxy_port/api/health" ]; then
    pass "demo: URLs printed last"
  else
    flunk "demo: output after the URLs: $(tail -n 3 "$out")"
  fi
  proxies=()
  for pid in $(tagged_pids); do
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    if [ "$(basename "$exe")" = visitor-sidebar-proxy ]; then proxies+=("$exe"); fi
  done
  if [ "${proxies[*]}" = "$target_dir/debug/visitor-sidebar-proxy" ]; then
    pass "demo: the proxy runs from CARGO_TARGET_DIR ($target_dir/debug)"
  else
    flunk "demo: proxy binaries running: '${proxies[*]}', want $target_dir/debug/visitor-sidebar-proxy"
  fi
  if [ -f "$target_dir/trunk-dist/console.html" ]; then
    pass "demo: trunk's output is in CARGO_TARGET_DIR ($target_dir/trunk-dist)"
  else
    flunk "demo: no $target_dir/trunk-dist/console.html: trunk wrote its output elsewhere"
  fi
fi

# Ctrl-C, as a terminal sends it: SIGINT to serve.sh's process group.
kill -INT -- "-$serve_pid" 2>/dev/null || true
deadline_secs=30
status=0
if wait_until serve_ended; then
  wait "$serve_pid" || status=$?
  left=$(tagged_pids)
  if [ "$status" != 130 ]; then
    flunk "Ctrl-C: exit status $status, want 130"
  elif answers "$proxy_port" || answers "$port"; then
    flunk "Ctrl-C: a server still answers"
  elif [ -n "$left" ]; then
    flunk "Ctrl-C: processes left running: $(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)"
  else
    pass "Ctrl-C: status 130, both servers stopped, no process left"
  fi
else
  flunk "Ctrl-C: serve.sh still running after ${deadline_secs}s"
fi

finish test-serve
