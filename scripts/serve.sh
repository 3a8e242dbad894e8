#!/usr/bin/env bash
# `make serve`: the proxy in demo mode (simulated LivePerson and LiveChat, no credentials
# needed) on 127.0.0.1:8080, serving the release build in dist/ (`make build`) beside its API,
# compressed and cached as in production. Ctrl-C stops it. `HOSTILE=1 make serve` adds the
# simulator's hostile visitors (an XSS corpus in every visitor field) to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p visitor-sidebar-proxy --features demo

cat <<MSG

  visitor-sidebar demo
    agent console:  http://127.0.0.1:8080/console.html
    iframe page:    http://127.0.0.1:8080/   (LiveChat visitors list)
                    http://127.0.0.1:8080/?provider=liveperson&visitorId=…&sid=…
    proxy API:      http://127.0.0.1:8080/api/health

  After a change to the widget, run \`make build\` again and reload the page.

MSG
exec target/release/visitor-sidebar-proxy --demo ${HOSTILE:+--hostile} --listen 127.0.0.1:8080 --static dist
