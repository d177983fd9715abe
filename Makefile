# ClawChat: `make run` starts the app, `make test` runs every check. Both install what is
# missing first (Debian/Ubuntu packages with apt-get, npm packages with npm ci).

SHELL := /bin/bash
.DEFAULT_GOAL := run
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian/Ubuntu packages each step needs, by the command that shows they are there.
define need
	@command -v $(1) >/dev/null 2>&1 || { \
		echo "Installing $(2) (needed for $(1))"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); }
endef

.PHONY: run test lint unit clients deps rust node python assets bench release clean help ui ui-unit ui-types e2e chromium

help:
	@echo "make run     start ClawChat (the headless server; prints its URL and, on first start, the PIN)"
	@echo "make test    install what is missing, then lint and run every test"
	@echo "make bench   HTTP load figures for BENCHMARKS.md (release build, wrk)"
	@echo "make ui      build the web UI into ui/dist (ui-unit, ui-types and e2e test it)"

rust:
	@command -v $(CARGO) >/dev/null 2>&1 || { \
		echo "Rust is not installed. Install it from your distribution or with rustup (https://rustup.rs), then run make again."; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy
	$(call need,cc,build-essential)
	$(call need,pkg-config,pkg-config)

node:
	$(call need,node,nodejs)
	$(call need,npm,npm)

# The OpenAPI viewers the server embeds (served at /docs and /redoc without a CDN).
assets/node_modules/.package-lock.json: assets/package.json assets/package-lock.json
	cd assets && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

assets: node assets/node_modules/.package-lock.json

python:
	$(call need,python3,python3)
	@python3 -c "import ensurepip, venv" 2>/dev/null || { \
		echo "Installing python3-venv"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; }

# The clients people use, for the suites in tests/: socket.io-client (npm) and
# python-socketio (PyPI, in a virtual environment of its own).
tests/node_modules/.package-lock.json: tests/package.json tests/package-lock.json
	cd tests && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

tests/.venv/installed: tests/realtime/requirements.txt
	python3 -m venv tests/.venv
	tests/.venv/bin/pip install -q --disable-pip-version-check -r tests/realtime/requirements.txt
	touch $@

# Socket.IO driven from outside by the real clients, against the built server binary.
clients: deps python tests/node_modules/.package-lock.json tests/.venv/installed
	$(CARGO) build -p clawchat-server
	cd tests && node --test realtime/
	tests/.venv/bin/python -m unittest discover -s tests/realtime -p "test_*.py"

deps: rust assets

run: deps ui
	$(CARGO) run --release -p clawchat-server -- serve

lint: rust
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# cargo prints one "test result" per test binary, the last being the (empty) doc tests;
# the closing line sums them all, so a reader of the log sees the real count.
unit: deps
	@set -o pipefail; log=$$(mktemp); \
	$(CARGO) test --workspace 2>&1 | tee $$log; status=$$?; \
	awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($$i ~ /^passed/) p += $$(i-1); if ($$i ~ /^failed/) f += $$(i-1) } } \
	     END { printf "tests: %d passed, %d failed\n", p, f }' $$log; \
	rm -f $$log; exit $$status

test: deps lint clients unit ui-types ui-unit e2e

# The web UI (ui/, Svelte + TypeScript, built by Vite into ui/dist, which the server embeds
# and serves at /), its unit tests, the check that its generated types match the Rust
# types, and the browser tests in tests/e2e (Debian's chromium, headless).
ui/node_modules/.package-lock.json: ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund --loglevel=error

ui: node ui/node_modules/.package-lock.json
	cd ui && npm run build

ui-unit: node ui/node_modules/.package-lock.json
	cd ui && npm run check && npm test

ui-types: rust
	CLAWCHAT_WRITE_TYPES=1 $(CARGO) test -p clawchat-server --lib typescript -- --quiet
	@git diff --exit-code -- ui/src/lib/api/generated && test -z "$$(git status --porcelain -- ui/src/lib/api/generated)" \
		|| { echo "ui/src/lib/api/generated was out of date with the Rust types; commit the regenerated files"; exit 1; }

chromium:
	$(call need,chromium,chromium)

e2e: deps ui chromium tests/node_modules/.package-lock.json
	$(CARGO) build -p clawchat-server
	cd tests && node --test --test-concurrency=1 e2e/

release: deps ui
	$(CARGO) build --release -p clawchat-server

bench: release
	$(call need,wrk,wrk)
	$(call need,sqlite3,sqlite3)
	$(call need,python3,python3)
	python3 tests/bench/http_bench.py

clean:
	$(CARGO) clean
	rm -rf assets/node_modules ui/node_modules ui/dist
