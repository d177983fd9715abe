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

.PHONY: run test lint unit clients deps rust node python assets bench release clean help

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

# cargo prints one "test result" per test binary, the last being the (empty) doc tests;
# the closing line sums them all, so a reader of the log sees the real count.
unit: deps
	@set -o pipefail; log=$$(mktemp); \
	$(CARGO) test --workspace 2>&1 | tee $$log; status=$$?; \
	awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($$i ~ /^passed/) p += $$(i-1); if ($$i ~ /^failed/) f += $$(i-1) } } \
	     END { printf "tests: %d passed, %d failed\n", p, f }' $$log; \
	rm -f $$log; exit $$status

test: deps lint clients unit test-desktop

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

# --- Desktop app (src-tauri/) --------------------------------------------------------
# Debian/Ubuntu packages the Tauri build needs, and those its tests need (a virtual X
# display, screenshots, a window search, a session bus and a Secret Service).
DESKTOP_BUILD_PKGS := libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev pkg-config
DESKTOP_TEST_PKGS := xvfb xauth imagemagick xdotool dbus dbus-x11 gnome-keyring libsecret-tools python3
define need_pkgs
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing" $$missing; \
		$(SUDO) apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing; \
	fi
endef

.PHONY: desktop-sys desktop-test-sys ui test-desktop package bench-desktop
desktop-sys:
	$(call need_pkgs,$(DESKTOP_BUILD_PKGS))

desktop-test-sys:
	$(call need_pkgs,$(DESKTOP_TEST_PKGS))

# The web UI the window shows, when its sources are here; without it the app shows a
# small built-in page.
ui: node
	@if [ -f ui/package.json ]; then \
		cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build; \
	fi

# The real app under Xvfb (tests/desktop/run_app.py), and the keychain checks with no
# session bus and with a real Secret Service (gnome-keyring in a private session bus).
test-desktop: deps desktop-test-sys ui
	$(CARGO) build -p clawchat-desktop
	$(CARGO) test -p clawchat-desktop --test shell --no-run
	DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent \
		$(CARGO) test -p clawchat-desktop --test shell -- --ignored --exact without_a_keychain_secrets_go_to_a_private_file
	dbus-run-session -- bash -c 'export XDG_DATA_HOME=$$(mktemp -d); \
		echo -n clawchat-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
		$(CARGO) test -p clawchat-desktop --test shell -- --ignored --exact with_the_secret_service_secrets_go_to_the_keychain'
	dbus-run-session -- python3 tests/desktop/run_app.py $${CARGO_TARGET_DIR:-target}/debug/clawchat tests/artifacts

# The .deb (needs the Tauri CLI, installed here if missing). The AppImage bundler
# downloads a runtime while it builds, so it needs a network and is not built here.
package: deps ui
	@$(CARGO) tauri --version >/dev/null 2>&1 || $(CARGO) install tauri-cli --version "^2" --locked
	cd src-tauri && $(CARGO) tauri build --bundles deb

# Launch-to-window time and idle memory of the release build, for BENCHMARKS.md.
bench-desktop: deps desktop-test-sys ui
	$(CARGO) build --release -p clawchat-desktop
	dbus-run-session -- python3 tests/desktop/run_app.py $${CARGO_TARGET_DIR:-target}/release/clawchat tests/artifacts
	@ls -l $${CARGO_TARGET_DIR:-target}/release/clawchat | awk '{ printf "release binary: %.1f MB\n", $$5 / 1048576 }'
