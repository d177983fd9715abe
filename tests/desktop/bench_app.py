#!/usr/bin/env python3
"""The desktop app's figures for BENCHMARKS.md: launch time, idle memory, sizes.

Launches the real app under Xvfb (as tests/desktop/run_app.py does) RUNS times on one
data folder: the first launch is a first start (it creates the database), the others
are warm starts. Each launch is timed to the window being mapped and to the page calling
`desktop_session` (the UI loaded and its script running). The last launch then sits idle
for IDLE seconds, and the memory of the whole process tree (the app, WebKitWebProcess,
WebKitNetworkProcess) is read from /proc: RSS, which counts shared libraries once per
process, and PSS, which splits each shared page between the processes mapping it, so
the PSS sum is the app's share of the machine's memory. Also prints the binary's size
and, when `make package` has built it, the .deb's.

    dbus-run-session -- python3 tests/desktop/bench_app.py BINARY [--runs 5] [--idle 30]

Only the standard library is used.
"""

import argparse
import glob
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time

from run_app import WAIT, Output, app_env, fail, process_tree, request, start_xvfb, wait_until


def memory_kb(pid):
    """(name, RSS kB, PSS kB, threads) of one process, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    with open(f"/proc/{pid}/smaps_rollup") as f:
        rollup = f.read()
    name = re.search(r"Name:\s+(\S+)", status).group(1)
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    rss = int(re.search(r"^Rss:\s+(\d+)", rollup, re.M).group(1))
    pss = int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))
    return name, rss, pss, threads


def launch(binary, env, cwd):
    """Starts the app; returns (process, output, ms to window, ms to page, base URL)."""
    launched = time.monotonic()
    app = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, cwd=cwd)
    out = Output(app.stdout, "  app| ")

    def window():
        if app.poll() is not None:
            fail(f"the app exited with {app.returncode}")
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^ClawChat$"],
                           env=env, capture_output=True, text=True)
        return r.returncode == 0 and r.stdout.strip()

    wait_until("the window", window, every=0.02)
    window_ms = (time.monotonic() - launched) * 1000
    wait_until("the page to call desktop_session", lambda: out.find(r"desktop session opened"), every=0.02)
    page_ms = (time.monotonic() - launched) * 1000
    m = wait_until("the server's address", lambda: out.find(r"server is running at (http://127\.0\.0\.1:\d+)"))
    return app, out, window_ms, page_ms, m.group(1)


def quit_app(app, out):
    app.send_signal(signal.SIGTERM)
    try:
        code = app.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        fail("the app did not quit")
    if code != 0:
        fail(f"the app exited with {code}")
    wait_until("the server to stop", lambda: out.find(r"the embedded server stopped"), timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=5, help="launches; the first is a first start")
    parser.add_argument("--idle", type=float, default=30, help="seconds idle before memory is read")
    args = parser.parse_args()
    if args.runs < 2:
        fail("--runs must be at least 2 (a first start and a warm start)")
    binary = os.path.abspath(args.binary)
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        fail("run this inside dbus-run-session")
    work = tempfile.mkdtemp(prefix="clawchat-bench-")
    home, data = os.path.join(work, "home"), os.path.join(work, "data")
    os.makedirs(home)
    xvfb, display = start_xvfb()
    env = app_env(home, display, data)
    app = None
    try:
        windows, pages = [], []
        for run in range(args.runs):
            app, out, window_ms, page_ms, base = launch(binary, env, work)
            kind = "first start" if run == 0 else "warm start"
            print(f"measure: run {run + 1} ({kind}): launch to window {window_ms:.0f} ms, "
                  f"to the page calling desktop_session {page_ms:.0f} ms", flush=True)
            if run > 0:
                windows.append(window_ms)
                pages.append(page_ms)
            if run < args.runs - 1:
                quit_app(app, out)
                app = None

        status, health = request("GET", f"{base}/api/health")
        if status != 200 or health.get("status") != "ok":
            fail(f"/api/health answered {status} {health}")
        time.sleep(args.idle)
        rows = []
        for pid in process_tree(app.pid):
            try:
                rows.append(memory_kb(pid))
            except (OSError, AttributeError):
                pass  # a process that ended meanwhile
        quit_app(app, out)
        app = None

        def spread(values):
            return (f"median {statistics.median(values):.0f} ms "
                    f"(min {min(values):.0f}, max {max(values):.0f}, {len(values)} warm starts)")

        rss = sum(r[1] for r in rows)
        pss = sum(r[2] for r in rows)
        print()
        print(f"launch to window:                   {spread(windows)}")
        print(f"launch to the page running its code: {spread(pages)}")
        print(f"idle memory after {args.idle:.0f} s, {len(rows)} processes: "
              f"PSS {pss / 1024:.1f} MB, RSS {rss / 1024:.1f} MB")
        for name, r, p, threads in sorted(rows, key=lambda r: -r[2]):
            print(f"  {name:<22} PSS {p / 1024:6.1f} MB   RSS {r / 1024:6.1f} MB   {threads} threads")
        size = os.path.getsize(binary)
        print(f"binary {binary}: {size / 1048576:.1f} MB ({size} bytes)")
        debs = sorted(glob.glob(os.path.join(os.path.dirname(binary), "bundle", "deb", "*.deb")),
                      key=os.path.getmtime)
        if debs:
            size = os.path.getsize(debs[-1])
            print(f".deb {debs[-1]}: {size / 1048576:.1f} MB ({size} bytes)")
        else:
            print(".deb: not built (make package)")
    finally:
        if app is not None and app.poll() is None:
            app.kill()
        xvfb.terminate()
        xvfb.wait()


if __name__ == "__main__":
    main()
