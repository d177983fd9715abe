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

.PHONY: run test lint unit deps rust node assets bench release clean help

help:
	@echo "make run     start ClawChat (the headless server; prints its URL and, on first start, the PIN)"
	@echo "make test    install what is missing, then lint and run every test"
	@echo "make bench   HTTP load figures for BENCHMARKS.md (release build, wrk)"

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

deps: rust assets

run: deps
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

test: deps lint unit

release: deps
	$(CARGO) build --release -p clawchat-server

bench: release
	$(call need,wrk,wrk)
	$(call need,sqlite3,sqlite3)
	$(call need,python3,python3)
	python3 tests/bench/http_bench.py

clean:
	$(CARGO) clean
	rm -rf assets/node_modules
