#!/usr/bin/env bash
# `make serve`: the proxy in demo mode (simulated LivePerson and LiveChat, no credentials
# needed) on 127.0.0.1:3000, and `trunk serve` on 127.0.0.1:8080 forwarding /api to it.
# Ctrl-C stops both. `HOSTILE=1 make serve` adds the simulator's hostile visitors (an XSS corpus
# in every visitor field) to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p visitor-sidebar-proxy --features demo
target/release/visitor-sidebar-proxy --demo ${HOSTILE:+--hostile} --listen 127.0.0.1:3000 &
proxy=$!
trap 'kill $proxy 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  visitor-sidebar demo
    agent console:  http://127.0.0.1:8080/console.html
    iframe page:    http://127.0.0.1:8080/   (LiveChat visitors list)
                    http://127.0.0.1:8080/?provider=liveperson&visitorId=…&sid=…
    LiveChat Agent App (stand-in): http://127.0.0.1:3000/agent-app.html?widget=http://127.0.0.1:8080/?console=livechat
    proxy API:      http://127.0.0.1:3000/api/health

MSG
trunk serve --release
