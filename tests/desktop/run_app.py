#!/usr/bin/env python3
"""Launches the real ClawChat desktop app under Xvfb and checks it as a user would.

Start-up (window shown, page calling `desktop_session`), /api/health from the embedded
server, a screenshot of the window, single instance (a second launch hands over and
exits), start at login (Settings writes and removes the XDG autostart entry; a start
with --autostart serves with no window until the app is opened again), the approval round trip (a file_create waits, is approved, the file exists; an
executor_shell is denied and nothing ran), then a clean quit (SIGTERM, exit 0, the
database consistent). Prints launch-to-window time and idle memory for BENCHMARKS.md.

Run inside `dbus-run-session` (the single-instance check uses the session bus):
    dbus-run-session -- python3 tests/desktop/run_app.py BINARY ARTIFACT_DIR
Only the standard library is used.
"""

import base64
import hashlib
import http.server
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

WAIT = 120  # seconds for anything to happen on a busy machine
PIN = "418263"


# What the summary line reports: the checks that ran and how they ended, counted as they
# happen, never written by hand.
RESULTS = {"passed": 0, "failed": 0}


def summary():
    return f"desktop: {RESULTS['passed']} passed, {RESULTS['failed']} failed"


def passed(what):
    RESULTS["passed"] += 1
    print(f"ok: {what}", flush=True)


def fail(msg):
    RESULTS["failed"] += 1
    print(f"FAIL: {msg}", flush=True)
    print(summary(), flush=True)
    raise SystemExit(1)


def wait_until(what, check, timeout=WAIT, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    fail(f"timed out waiting for {what}")


def request(method, url, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, (json.loads(raw) if raw else None)


class Output:
    """Collects a process's output lines in the background."""

    def __init__(self, stream, echo_prefix):
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, args=(stream, echo_prefix), daemon=True).start()

    def _read(self, stream, prefix):
        for line in iter(stream.readline, ""):
            with self.lock:
                self.lines.append(line.rstrip("\n"))
            print(f"{prefix}{line}", end="", flush=True)

    def find_all(self, pattern):
        with self.lock:
            return [line for line in self.lines if re.search(pattern, line)]

    def find(self, pattern):
        with self.lock:
            for line in self.lines:
                m = re.search(pattern, line)
                if m:
                    return m
        return None


def app_env(home, display, data):
    """The app's environment: a private home and data folder on the virtual display, secrets
    in files, the built-in parser, and software rendering (Xvfb has no GPU)."""
    env = {
        k: v for k, v in os.environ.items()
        if k in ("PATH", "DBUS_SESSION_BUS_ADDRESS", "LANG", "LC_ALL")
    }
    env.update({
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "DISPLAY": display,
        "CLAWCHAT_DATA_DIR": data,
        "CLAWCHAT_SECRET_BACKEND": "file",
        "PIN": PIN,
        "AI_PROVIDER": "builtin",
        "TZ": "UTC",
        "RUST_LOG": "info,tower_http=warn,sqlx=warn",
        "WEBKIT_DISABLE_DMABUF_RENDERER": "1",
        "LIBGL_ALWAYS_SOFTWARE": "1",
    })
    return env


def start_xvfb():
    r, w = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(w,),
    )
    os.close(w)
    with os.fdopen(r) as f:
        display = f.readline().strip()
    if not display:
        fail("Xvfb did not start")
    return xvfb, f":{display}"


def process_tree(pid):
    """`pid` and all its descendants (the webview's processes too)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        found.append(p)
        stack.extend(children.get(p, []))
    return found


def process_tree_rss_kb(pid):
    """Resident memory of `pid` and all its descendants."""
    total, names = 0, []
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                status = f.read()
            kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            total += kb
            name = re.search(r"Name:\s+(\S+)", status).group(1)
            names.append(f"{name} {kb / 1024:.0f} MB")
        except (OSError, AttributeError):
            pass
    return total, names


def autostart_entry(home):
    """Where the autostart plugin keeps the XDG autostart entry on Linux."""
    return os.path.join(home, ".config", "autostart", "ClawChat.desktop")


def check_start_at_login(base, token, home, binary, env, win):
    """The first launch's question (pre-set to yes), answered in the window, writes the XDG
    autostart entry; Settings' switch removes it."""
    entry = autostart_entry(home)
    status, s = request("GET", f"{base}/api/settings", token)
    if status != 200 or s["start_at_login"] is not False or s["start_at_login_asked"] is not False:
        fail(f"a first launch should be off and not yet asked: {status} {s}")
    if os.path.exists(entry):
        fail(f"{entry} exists before the user said yes")
    # The question's first stop is its box (ticked); the next is Continue.
    press(env, win, "Tab")
    subprocess.run(["xdotool", "key", "Return"], env=env, check=True)
    s = wait_until("the first launch's question to be answered",
                   lambda: (lambda s: s if s["start_at_login_asked"] else None)(
                       request("GET", f"{base}/api/settings", token)[1]))
    if s["start_at_login"] is not True:
        fail(f"Continue on the question as it opened did not turn start at login on: {s}")
    with open(entry) as f:
        lines = f.read().splitlines()
    if f"Exec={os.path.realpath(binary)} --autostart" not in lines or "[Desktop Entry]" not in lines:
        fail(f"the autostart entry does not start this app in the tray: {lines}")
    if request("GET", f"{base}/api/settings", token)[1]["start_at_login"] is not True:
        fail("GET /api/settings does not show start at login on")
    passed(f"the first launch's question, answered as it opened, wrote {entry}, starting the app with --autostart")
    status, s = request("PATCH", f"{base}/api/settings", token, {"start_at_login": False})
    if status != 200 or s["start_at_login"] is not False:
        fail(f"turning start at login off answered {status} {s}")
    if os.path.exists(entry):
        fail("turning start at login off left the autostart entry behind")
    passed("turning start at login off removed the autostart entry")


def find_window(env, visible=True):
    """The id of the ClawChat window, if there is one (a visible one by default)."""
    flags = ["--onlyvisible"] if visible else []
    r = subprocess.run(["xdotool", "search", *flags, "--name", "^ClawChat$"],
                       env=env, capture_output=True, text=True)
    return r.stdout.split()[0] if r.returncode == 0 and r.stdout.strip() else None


def hidden_windows_of_a_size(env, min_side=100):
    """Unmapped windows named ClawChat at least `min_side` pixels each way. The toolkit's
    own hidden windows (GTK's client leader, the event loop's) carry the app's name too,
    at a few pixels; a main window made but not shown has the window's size."""
    ids = subprocess.run(["xdotool", "search", "--name", "^ClawChat$"], env=env,
                         capture_output=True, text=True).stdout.split()
    sized = []
    for wid in ids:
        geo = subprocess.run(["xdotool", "getwindowgeometry", wid], env=env,
                             capture_output=True, text=True).stdout
        m = re.search(r"Geometry: (\d+)x(\d+)", geo)
        if m and min(int(m.group(1)), int(m.group(2))) >= min_side:
            sized.append(wid)
    return sized


def check_started_at_login(binary, env, work):
    """A start at login serves and waits in the tray with no window; opening the app
    again (as from the menu) shows the window."""
    app = subprocess.Popen([binary, "--autostart"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, cwd=work)
    out = Output(app.stdout, "  app| ")
    try:
        wait_until("the server after a start at login",
                   lambda: out.find(r"server is running at")
                   or (app.poll() is not None and fail(f"the app exited with {app.returncode}")))
        # Set-up ends with this line, after which a window would already exist.
        wait_until("the start-up to finish", lambda: out.find(r"started at login: no window"))
        if find_window(env):
            fail("a start at login showed a window")
        if hidden_windows_of_a_size(env) or out.find(r"desktop session opened|window created"):
            fail("a start at login made the main window, if hidden")
        passed("a start at login serves with no window")
        subprocess.run([binary], env=env, capture_output=True, text=True, timeout=WAIT, cwd=work)
        wait_until("the window, after the app was opened again", lambda: find_window(env))
        passed("opening the app again shows the window a start at login left out")
        app.send_signal(signal.SIGTERM)
        if app.wait(timeout=WAIT) != 0:
            fail(f"the app exited with {app.returncode}")
        app = None
    finally:
        if app is not None and app.poll() is None:
            app.kill()


QUICK_ADD = "^ClawChat quick add$"


def hold_keys(display, work, keys="control+shift + space"):
    """Another X client (xbindkeys) holding `keys`, as an app that took them first."""
    config = os.path.join(work, "xbindkeysrc")
    with open(config, "w") as f:
        f.write(f'"true"\n  {keys}\n')
    # Line-buffered, so its "starting loop" (the keys are held) shows at once.
    holder = subprocess.Popen(["stdbuf", "-oL", "xbindkeys", "-n", "-v", "-f", config], env={**os.environ, "DISPLAY": display},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = Output(holder.stdout, "  xbindkeys| ")
    try:
        wait_until("xbindkeys to hold the keys", lambda: out.find(r"starting loop"))
    except SystemExit:
        holder.kill()
        raise
    return holder


def quick_add_window(env):
    r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", QUICK_ADD],
                       env=env, capture_output=True, text=True)
    return r.stdout.split()[0] if r.returncode == 0 and r.stdout.strip() else None


def sessions(out):
    """How many pages have asked the shell for their session (each window's page does
    once it runs)."""
    return len(out.find_all(r"desktop session opened"))


def wait_quick_add(env, out, before, how):
    """The quick-add window, once its page runs (it asked for its session)."""
    win = wait_until(f"quick add from {how}", lambda: quick_add_window(env))
    wait_until(f"the quick-add page from {how}", lambda: sessions(out) > before)
    return win


def press(env, win, key):
    """Focuses `win` and presses `key` there, through the X server as a keyboard would."""
    subprocess.run(["xdotool", "windowfocus", win], env=env, check=True)
    time.sleep(1)  # let the page draw its dialog and take the focus before the key
    subprocess.run(["xdotool", "key", "--clearmodifiers", key], env=env, check=True)


def check_shortcut(base, token, env, out):
    """Another app holds Ctrl+Shift+Space: Settings says so, and another is put in force;
    pressing it opens quick add, and Escape closes it."""
    _, s = request("GET", f"{base}/api/settings", token)
    if s["quick_add_shortcut"] != "Ctrl+Shift+Space" or "taken by another app" not in (s["quick_add_shortcut_error"] or ""):
        fail(f"Settings should say the default shortcut is taken: {s['quick_add_shortcut']!r} {s['quick_add_shortcut_error']!r}")
    passed(f"Settings says the shortcut is taken: {s['quick_add_shortcut_error']}")
    status, body = request("PATCH", f"{base}/api/settings", token, {"quick_add_shortcut": "Ctrl+Nope"})
    if status != 422 or body["errors"][0]["field"] != "quick_add_shortcut":
        fail(f"a shortcut that is no key combination answered {status} {body}")
    status, s = request("PATCH", f"{base}/api/settings", token, {"quick_add_shortcut": "Ctrl+Alt+Q"})
    if status != 200 or s["quick_add_shortcut"] != "Ctrl+Alt+Q" or s["quick_add_shortcut_error"] is not None:
        fail(f"another shortcut answered {status} {s}")
    passed("another shortcut was registered in its place")
    status, body = request("PATCH", f"{base}/api/settings", token, {"quick_add_shortcut": "Ctrl+Shift+Space"})
    if status != 422 or "taken by another app" not in body["detail"]:
        fail(f"going back to the held shortcut answered {status} {body}")
    _, s = request("GET", f"{base}/api/settings", token)
    if s["quick_add_shortcut"] != "Ctrl+Alt+Q" or s["quick_add_shortcut_error"] is not None:
        fail(f"a refused shortcut changed the one in force: {s}")
    passed("a shortcut another app holds is refused and the one in force stays")
    before = sessions(out)
    subprocess.run(["xdotool", "key", "ctrl+alt+q"], env=env, check=True)
    win = wait_quick_add(env, out, before, "its shortcut")
    passed("the shortcut opened the quick-add window")
    press(env, win, "Escape")
    wait_until("Escape to close quick add", lambda: out.find(r"quick add closed") and not quick_add_window(env))
    passed("Escape closed the quick-add window")


TRAY_MENU = "/org/ayatana/NotificationItem/tray_icon_tray_app_main/Menu"


def gdbus(*args):
    # Some of the app's connections never answer a call to a path they lack: a short wait.
    return subprocess.run(["gdbus", "call", "--session", "--timeout", "5", *args], capture_output=True, text=True)


def tray_menu(pid):
    """The app's tray menu on the session bus (the dbusmenu a panel shows), as (bus name,
    {label: item id})."""
    bus = ["--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus"]
    names = re.findall(r"'(:[0-9.]+)'", gdbus(*bus, "--method", "org.freedesktop.DBus.ListNames").stdout)
    for name in names:
        owner = gdbus(*bus, "--method", "org.freedesktop.DBus.GetConnectionUnixProcessID", name).stdout
        if re.search(rf"uint32 {pid}\b", owner):
            layout = gdbus("--dest", name, "--object-path", TRAY_MENU,
                           "--method", "com.canonical.dbusmenu.GetLayout", "0", "--", "-1", "[]")
            if layout.returncode == 0:
                items = re.findall(r"\((\d+), \{[^}]*'label': <'([^']+)'>", layout.stdout)
                return name, {label: item for item, label in items}
    return None


def check_tray_quick_add(pid, env, out):
    """The tray menu's Quick add, clicked as a panel does (a dbusmenu event), opens the
    quick-add window."""
    name, items = wait_until("the tray menu on the session bus", lambda: tray_menu(pid))
    if "Quick add" not in items:
        fail(f"the tray menu has no Quick add: {items}")
    before = sessions(out)
    clicked = gdbus("--dest", name, "--object-path", TRAY_MENU, "--method", "com.canonical.dbusmenu.Event",
                    items["Quick add"], "clicked", "<0>", "0")
    if clicked.returncode != 0:
        fail(f"the tray menu did not take the click: {clicked.stderr}")
    win = wait_quick_add(env, out, before, "the tray")
    passed(f"the tray menu ({', '.join(items)}) opened the quick-add window")
    press(env, win, "Escape")
    wait_until("Escape to close quick add", lambda: not quick_add_window(env))


def todo_titled(base, token, prefix):
    _, page = request("GET", f"{base}/api/todos?limit=100", token)
    return next((t for t in page["items"] if t["title"].startswith(prefix)), None)


def check_links(binary, env, work, base, token, out):
    """A clawchat://add link handed to the running app fills quick add, and nothing is
    saved until Enter; malformed links are refused without harm."""
    link = "clawchat://add?text=Water%20the%20plants%20tomorrow%20at%205pm"
    before = sessions(out)
    handed = subprocess.run([binary, link], env=env, capture_output=True, text=True, timeout=WAIT, cwd=work)
    if handed.returncode != 0 or "server is running" in handed.stdout:
        fail(f"the link's launch did not hand over: {handed.returncode} {handed.stdout}{handed.stderr}")
    win = wait_quick_add(env, out, before, "the link")
    time.sleep(1)
    if todo_titled(base, token, "Water the plants"):
        fail("the link saved a todo on its own")
    press(env, win, "Return")
    todo = wait_until("Enter to save the link's todo", lambda: todo_titled(base, token, "Water the plants"))
    wait_until("quick add to close after saving", lambda: not quick_add_window(env))
    passed(f"a link handed to the running app filled quick add; Enter saved \"{todo['title']}\" and closed it")
    refused = 0
    for bad in ["clawchat://[::1", "clawchat://delete/everything"]:
        r = subprocess.run([binary, bad], env=env, capture_output=True, text=True, timeout=WAIT, cwd=work)
        if r.returncode != 0:
            fail(f"the launch with {bad} exited with {r.returncode}")
        refused += 1
        wait_until(f"{bad} to be refused", lambda: len(out.find_all(r"a link was refused")) >= refused)
    if request("GET", f"{base}/api/health")[0] != 200 or not find_window(env):
        fail("a malformed link hurt the running app")
    passed("malformed links were refused with a message and the app carried on")


class UpdateServer:
    """A local update server on 127.0.0.1 serving what `files` holds (path → bytes), and
    the paths asked for, in order."""

    def __init__(self):
        self.files, self.asked = {}, []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.asked.append(self.path)
                body = owner.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


UPDATE_VERSION = "9.9.9"
PACKAGE = f"/clawchat_{UPDATE_VERSION}_amd64.deb"


def update_key(work, name):
    """A minisign key pair made for this run (no password): (secret key path, the public
    key as the app is configured with it: the .pub file, base64)."""
    pub, sec = os.path.join(work, f"{name}.pub"), os.path.join(work, f"{name}.key")
    subprocess.run(["minisign", "-G", "-W", "-p", pub, "-s", sec], check=True, capture_output=True)
    with open(pub, "rb") as f:
        return sec, base64.b64encode(f.read()).decode()


def signed(work, secret, package):
    """`package` signed with `secret` for UPDATE_VERSION: the .minisig file, base64, as an
    update manifest carries it."""
    path = os.path.join(work, "package.bin")
    with open(path, "wb") as f:
        f.write(package)
    comment = f"timestamp:{int(time.time())}\tfile:{PACKAGE[1:]}\tversion:{UPDATE_VERSION}"
    subprocess.run(["minisign", "-S", "-s", secret, "-m", path, "-t", comment], check=True, capture_output=True)
    with open(path + ".minisig", "rb") as f:
        return base64.b64encode(f.read()).decode()


def publish(server, package, signature):
    """The update server offers UPDATE_VERSION: its manifest and the package it names."""
    server.files["/latest.json"] = json.dumps({
        "version": UPDATE_VERSION, "notes": "A test release", "pub_date": "2026-12-06T00:00:00Z",
        "url": server.base + PACKAGE, "signature": signature,
    }).encode()
    server.files[PACKAGE] = package


def click_tray(pid, label):
    name, items = wait_until("the tray menu on the session bus", lambda: tray_menu(pid))
    if label not in items:
        fail(f"the tray menu has no {label}: {items}")
    clicked = gdbus("--dest", name, "--object-path", TRAY_MENU, "--method", "com.canonical.dbusmenu.Event",
                    items[label], "clicked", "<0>", "0")
    if clicked.returncode != 0:
        fail(f"the tray menu did not take the click: {clicked.stderr}")


def update_checks(out, state):
    return out.find_all(rf"update check \({state}\): ")


def said(line):
    """What an update check's log line told the user."""
    return re.split(r"update check \(\w+\): ", line, maxsplit=1)[-1]


def check_updates(pid, env, out, server, work, binary, data, artifacts, genuine):
    """The check at start offered the update whose signature checks out; a package changed
    after signing, and one signed with another key, are refused (the tray's Check for
    updates, shown in Settings) and nothing is installed or backed up."""
    line = wait_until("the update check at start", lambda: update_checks(out, "ready"))
    if PACKAGE not in server.asked or f"ClawChat {UPDATE_VERSION} is ready to install" not in line[0]:
        fail(f"the signed update was not downloaded and offered: {server.asked} {line}")
    passed(f"the check at start offered the signed update: {said(line[0])}")
    with open(binary, "rb") as f:
        before = hashlib.sha256(f.read()).hexdigest()
    package, signature = server.files[PACKAGE], json.loads(server.files["/latest.json"])["signature"]
    other_key, _ = update_key(work, "other")
    cases = [("a package changed after it was signed", package[:-1] + bytes([package[-1] ^ 1]), signature),
             ("a package signed with another key", package, signed(work, other_key, package))]
    for what, served, sig in cases:
        publish(server, served, sig)
        refused = len(update_checks(out, "refused"))
        click_tray(pid, "Check for updates")
        line = wait_until(f"{what} to be refused", lambda: update_checks(out, "refused")[refused:])[0]
        if f"The update to ClawChat {UPDATE_VERSION} was refused: its signature does not match" not in line:
            fail(f"{what}: {line}")
        passed(f"{what} was refused: {said(line)}")
    wait_until("Settings to show the refusal", lambda: find_window(env))
    time.sleep(2)
    subprocess.run(["import", "-window", find_window(env), os.path.join(artifacts, "desktop-update-refused.png")],
                   env=env, check=True)
    publish(server, package, genuine)
    with open(binary, "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != before:
            fail("the app's binary changed")
    if [n for n in os.listdir(data) if n.endswith(".bak")]:
        fail(f"a refused update backed up the database: {os.listdir(data)}")
    passed("nothing was installed: the binary is as it was and no backup was taken")


def main():
    if len(sys.argv) != 3:
        fail("usage: run_app.py BINARY ARTIFACT_DIR")
    binary, artifacts = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(artifacts, exist_ok=True)
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        fail("run this inside dbus-run-session")
    work = tempfile.mkdtemp(prefix="clawchat-desktop-")
    home, data = os.path.join(work, "home"), os.path.join(work, "data")
    os.makedirs(os.path.join(home, "notes"))
    xvfb, display = start_xvfb()
    env = app_env(home, display, data)
    app = None
    holder = hold_keys(display, work)
    updates = UpdateServer()
    secret, pubkey = update_key(work, "release")
    genuine_package = b"a stand-in for the next release's package, signed for this run\n" * 64
    genuine = signed(work, secret, genuine_package)
    publish(updates, genuine_package, genuine)
    try:
        launched = time.monotonic()
        # Only the first app is pointed at the update server (the later ones check nothing).
        app_env_with_updates = {**env, "CLAWCHAT_UPDATE_URL": updates.base + "/latest.json",
                                "CLAWCHAT_UPDATE_PUBKEY": pubkey}
        app = subprocess.Popen([binary], env=app_env_with_updates, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=work)
        out = Output(app.stdout, "  app| ")

        m = wait_until("the server's address", lambda: out.find(r"server is running at (http://127\.0\.0\.1:\d+)")
                       or (app.poll() is not None and fail(f"the app exited with {app.returncode}")))
        base = m.group(1)

        win = wait_until("the window", lambda: find_window(env), every=0.05)
        window_ms = (time.monotonic() - launched) * 1000
        # The page is up when it has asked the shell for its session.
        wait_until("the page to call desktop_session", lambda: out.find(r"desktop session opened"))
        page_ms = (time.monotonic() - launched) * 1000
        passed("the window opened and the page asked the shell for its session")
        print(f"measure: launch to window {window_ms:.0f} ms, to the page calling desktop_session {page_ms:.0f} ms")

        status, health = request("GET", f"{base}/api/health")
        if status != 200 or health.get("status") != "ok":
            fail(f"/api/health answered {status} {health}")
        passed(f"/api/health from the embedded server at {base}")

        time.sleep(2)  # let the page paint before the picture
        shot = os.path.join(artifacts, "desktop-window.png")
        subprocess.run(["import", "-window", win, shot], env=env, check=True)
        spread = subprocess.run(["convert", shot, "-format", "%[fx:standard_deviation]", "info:"],
                                capture_output=True, text=True, check=True).stdout.strip()
        if float(spread) <= 0.0:
            fail("the window's screenshot is a single colour: nothing was drawn")
        passed(f"screenshot saved to {shot}")

        # One instance at a time: a second launch hands over to the first and exits.
        second = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=WAIT, cwd=work)
        if second.returncode != 0:
            fail(f"the second launch exited with {second.returncode}: {second.stdout}{second.stderr}")
        if "server is running" in second.stdout:
            fail("the second launch started a server of its own")
        if request("GET", f"{base}/api/health")[0] != 200:
            fail("the first instance stopped answering after a second launch")
        passed("a second launch handed over to the first and exited")

        status, tokens = request("POST", f"{base}/api/auth/login", body={"pin": PIN, "device_name": "test"})
        if status != 200:
            fail(f"login answered {status} {tokens}")
        token = tokens["access_token"]
        check_start_at_login(base, token, home, binary, env, win)
        check_shortcut(base, token, env, out)
        check_tray_quick_add(app.pid, env, out)
        check_links(binary, env, work, base, token, out)
        check_updates(app.pid, env, out, updates, work, binary, data, artifacts, genuine)

        def awaiting(tool):
            def check():
                _, page = request("GET", f"{base}/api/tasks?status=awaiting_approval", token)
                return next((t for t in page["items"] if t["tool"] == tool), None)
            return check

        def final(task_id):
            def check():
                _, page = request("GET", f"{base}/api/tasks", token)
                t = next((t for t in page["items"] if t["task_id"] == task_id), None)
                return t if t and t["status"] in ("done", "failed", "cancelled") else None
            return check

        created = os.path.join(home, "notes", "approved.txt")
        status, _ = request("POST", f"{base}/api/chat/send", token,
                            {"content": "create a file ~/notes/approved.txt with hello from the test"})
        if status != 202:
            fail(f"chat/send answered {status}")
        task = wait_until("file_create to wait for approval", awaiting("file_create"))
        time.sleep(1)
        if os.path.exists(created):
            fail("the file was created before the yes")
        status, _ = request("POST", f"{base}/api/tasks/{task['task_id']}/approve", token)
        if status != 200:
            fail(f"approve answered {status}")
        done = wait_until("file_create to finish", final(task["task_id"]))
        if done["status"] != "done":
            fail(f"file_create ended {done['status']}: {done.get('error')}")
        with open(created) as f:
            if f.read() != "hello from the test":
                fail("the created file has the wrong content")
        passed("file_create waited, was approved, and the file exists")

        ran = os.path.join(home, "ran.txt")
        request("POST", f"{base}/api/chat/send", token, {"content": "run touch ran.txt"})
        task = wait_until("executor_shell to wait for approval", awaiting("executor_shell"))
        status, _ = request("POST", f"{base}/api/tasks/{task['task_id']}/deny", token, {"reason": "not now"})
        if status != 200:
            fail(f"deny answered {status}")
        done = wait_until("executor_shell to end", final(task["task_id"]))
        if done["status"] != "cancelled":
            fail(f"the denied command ended {done['status']}")
        time.sleep(1)
        if os.path.exists(ran):
            fail("the denied command ran")
        passed("executor_shell was denied and nothing ran")

        time.sleep(5)
        rss_kb, names = process_tree_rss_kb(app.pid)
        print(f"measure: idle resident memory {rss_kb / 1024:.0f} MB over {len(names)} processes ({', '.join(names)})")

        app.send_signal(signal.SIGTERM)
        try:
            code = app.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            fail("the app did not quit")
        if code != 0:
            fail(f"the app exited with {code}")
        if not out.find(r"the embedded server stopped"):
            fail("the server was not stopped gracefully")
        db_path = os.path.join(data, "clawchat.db")
        wal = db_path + "-wal"
        if os.path.exists(wal) and os.path.getsize(wal) > 0:
            fail("the write-ahead log was not checkpointed")
        db = sqlite3.connect(db_path)
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            fail("the database is not consistent")
        rows = dict(db.execute("SELECT tool, status FROM agent_tasks").fetchall())
        if rows != {"file_create": "done", "executor_shell": "cancelled"}:
            fail(f"the task history is {rows}")
        db.close()
        passed("quit cleanly, exit 0, database consistent, task history kept")
        app = None
        check_started_at_login(binary, env, work)
        print(summary())
    finally:
        if app is not None and app.poll() is None:
            app.kill()
        holder.terminate()
        holder.wait()
        updates.close()
        xvfb.terminate()
        xvfb.wait()


if __name__ == "__main__":
    main()
