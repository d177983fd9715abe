#!/usr/bin/env python3
"""Launches the real ClawChat desktop app under Xvfb and checks it as a user would.

Start-up (window shown, page calling `desktop_session`), /api/health from the embedded
server, a screenshot of the window, single instance (a second launch hands over and
exits), the approval round trip (a file_create waits, is approved, the file exists; an
executor_shell is denied and nothing ran), then a clean quit (SIGTERM, exit 0, the
database consistent). Prints launch-to-window time and idle memory for BENCHMARKS.md.

Run inside `dbus-run-session` (the single-instance check uses the session bus):
    dbus-run-session -- python3 tests/desktop/run_app.py BINARY ARTIFACT_DIR
Only the standard library is used.
"""

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
    try:
        launched = time.monotonic()
        app = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=work)
        out = Output(app.stdout, "  app| ")

        m = wait_until("the server's address", lambda: out.find(r"server is running at (http://127\.0\.0\.1:\d+)")
                       or (app.poll() is not None and fail(f"the app exited with {app.returncode}")))
        base = m.group(1)

        def window():
            r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^ClawChat$"],
                               env=env, capture_output=True, text=True)
            return r.stdout.split()[0] if r.returncode == 0 and r.stdout.strip() else None

        win = wait_until("the window", window, every=0.05)
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
        print(summary())
    finally:
        if app is not None and app.poll() is None:
            app.kill()
        xvfb.terminate()
        xvfb.wait()


if __name__ == "__main__":
    main()
