# The two commands of the README: `make serve` runs the product, `make test` runs every test.
# Both install what is missing first (scripts/install-tools.sh, idempotent).

SHELL := /bin/bash
# binaryen 132's wasm-opt must come before any system one when scripts/build.sh runs.
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
WASM := --target wasm32-unknown-unknown
UNIT := -p visitor-sidebar-contract -p visitor-sidebar-proxy -p visitor-sidebar-sim
NATIVE := $(UNIT) -p visitor-sidebar-e2e
# The proxy's --demo (and the simulator inside it) is a cargo feature production builds leave out.
DEMO := --features visitor-sidebar-proxy/demo

.PHONY: tools serve build test fmt-check lint test-native test-wasm test-e2e test-serve test-target-dir bench

tools:
	@scripts/install-tools.sh

## Runs the proxy in demo mode on 127.0.0.1:3000 and `trunk serve` on 127.0.0.1:8080, or says
## why not (other ports: PROXY_PORT=… PORT=…; see scripts/serve.sh).
serve: tools
	@scripts/serve.sh

## The release bundles in dist/ (one per provider and one with both, wasm-opt applied, hashed
## names, .br and .gz beside each file; see scripts/build.sh).
build: tools
	scripts/build.sh

## Every test layer; fails when any fails.
test: tools fmt-check lint test-native test-wasm test-e2e test-serve test-target-dir
	@echo "make test: all layers passed"

fmt-check:
	cargo fmt --all --check

lint:
	scripts/module-cycles.py src
	scripts/module-cycles.py proxy/src
	cargo clippy -p visitor-sidebar $(WASM) --all-targets -- -D warnings
	cargo clippy -p visitor-sidebar $(WASM) --no-default-features --features livechat --all-targets -- -D warnings
	cargo clippy -p visitor-sidebar $(WASM) --no-default-features --features liveperson --all-targets -- -D warnings
	cargo clippy $(NATIVE) $(DEMO) --all-targets -- -D warnings
	cargo clippy -p visitor-sidebar-proxy -- -D warnings

test-native:
	cargo test $(UNIT) $(DEMO)

## The widget's own tests in headless Chromium (wasm-bindgen-test; see webdriver.json).
test-wasm:
	wasm-pack test --headless --chrome .

## The release build in headless Chromium against the proxy in demo mode.
test-e2e: build
	cargo test -p visitor-sidebar-e2e -- --test-threads=1

## `make serve` itself: busy ports, a failing proxy or trunk, its own CARGO_TARGET_DIR, Ctrl-C.
## After `build` (the widget) and test-native (the unoptimised proxy), it builds three crates.
test-serve: build
	scripts/test-serve.sh

## `make build` and the bench with a CARGO_TARGET_DIR of their own: the named wasm written there
## and found there (scripts/target-dir.sh is the one place either asks). One more NAMED_WASM=1
## build.sh run into a temporary directory, about 3 minutes; the bench is only asked to look.
test-target-dir: build
	scripts/test-target-dir.sh

## Sizes and speeds against the targets (see the README); the table also goes to
## artifacts/bench.txt (git-ignored). twiggy (the size profiler) is installed on demand.
bench: tools
	@scripts/install-tools.sh --bench
	NAMED_WASM=1 scripts/build.sh
	cargo run --release -p visitor-sidebar-e2e --bin bench
	BENCH_OUT=artifacts/bench-proxy.txt cargo run --release -p visitor-sidebar-proxy --features demo --example bench
	cargo run --release -p visitor-sidebar-proxy --features demo --example load
	cargo run --release -p visitor-sidebar-proxy --features demo --example replicas
	cat artifacts/bench-widget.txt artifacts/bench-proxy.txt artifacts/bench-load.txt artifacts/bench-replicas.txt > artifacts/bench.txt
	@echo "written to artifacts/bench.txt"
