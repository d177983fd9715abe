#!/usr/bin/env python3
"""The desktop app's figures for BENCHMARKS.md: launch time, memory beside the platform's
floor, sizes.

Launches one app under Xvfb (as tests/desktop/run_app.py does) RUNS times on one data
folder: ClawChat, or with --bare the bare Tauri window of tests/desktop/bare-window (the
same Tauri, WebKitGTK and build profile, one static page), which is the floor ClawChat's
memory is judged against. For ClawChat the first launch is a first start (it creates the
database) and the others warm starts. Each launch is timed to the window being mapped and
to the page running (ClawChat: the page calls `desktop_session`; the bare window: the
page has loaded).

The last launch is then measured twice: WARM seconds after its page ran ("after a warm
launch"), and again after IDLE more seconds idle. Every process of the app (the app,
WebKitWebProcess, WebKitNetworkProcess) is read from /proc/<pid>/smaps: PSS splits each
shared page between the processes mapping it, so the PSS sum is the app's share of the
machine's memory. "Own" is the part that is the app's and not the platform's: its binary
plus the anonymous memory (heaps, stacks, JIT, shared-memory buffers) of all processes;
the rest is the shared libraries and files (WebKit, GTK, Mesa, fonts).

The two apps are measured one at a time (run side by side, they would share library pages
and split their PSS). --save writes the figures as JSON; --against reads the bare
window's, and the goals are judged: ClawChat's PSS at most the bare window's + 45 MB, its
own share at most 45 MB, and flat over the idle time.

    dbus-run-session -- python3 tests/desktop/bench_app.py BARE_BINARY --bare --save bare.json
    dbus-run-session -- python3 tests/desktop/bench_app.py BINARY --against bare.json

Only the standard library is used.
"""

import argparse
import glob
import json
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time

from run_app import WAIT, Output, app_env, fail, process_tree, start_xvfb, wait_until

MB = 1024  # kB
GOAL_OVER_FLOOR_MB = 45
GOAL_OWN_MB = 45


def smaps_kb(pid, binary):
    """One process's PSS in kB, split into (binary, anonymous, libraries and files)."""
    own_binary = anon = files = 0
    path = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$", line)
            if head:
                path = head.group(1).strip()
                continue
            m = re.match(r"^Pss:\s+(\d+) kB", line)
            if not m:
                continue
            kb = int(m.group(1))
            if path == binary:
                own_binary += kb
            elif not path.startswith("/") or path.startswith(("/memfd:", "/dev/shm/", "/SYSV")):
                anon += kb  # [heap], [stack], [anon:...], anonymous and shared-memory buffers
            else:
                files += kb
    return own_binary, anon, files


def memory(pid, binary):
    """Every process of the app: name, PSS split as in smaps_kb, and RSS."""
    rows = []
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                status = f.read()
            name = re.search(r"Name:\s+(\S+)", status).group(1)
            rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            rows.append({"name": name, "rss": rss, **dict(zip(("binary", "anon", "files"), smaps_kb(p, binary)))})
        except (OSError, AttributeError):
            pass  # a process that ended meanwhile
    total = {k: sum(r[k] for r in rows) for k in ("rss", "binary", "anon", "files")}
    total["pss"] = total["binary"] + total["anon"] + total["files"]
    total["own"] = total["binary"] + total["anon"]
    for r in rows:
        r["pss"] = r["binary"] + r["anon"] + r["files"]
    return {"total": total, "processes": rows}


class Kind:
    """What tells that an app's window and page are up."""

    def __init__(self, bare):
        self.window = "^Bare Tauri window$" if bare else "^ClawChat$"
        self.page = r"page loaded" if bare else r"desktop session opened"
        self.name = "bare Tauri window" if bare else "ClawChat"
        self.exit_code = -signal.SIGTERM if bare else 0


def launch(binary, env, cwd, kind):
    """Starts the app; returns (process, output, ms to window, ms to page)."""
    launched = time.monotonic()
    app = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, cwd=cwd)
    out = Output(app.stdout, "  app| ")

    def window():
        if app.poll() is not None:
            fail(f"the app exited with {app.returncode}")
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", kind.window],
                           env=env, capture_output=True, text=True)
        return r.returncode == 0 and r.stdout.strip()

    wait_until("the window", window, every=0.02)
    window_ms = (time.monotonic() - launched) * 1000
    wait_until("the page to run", lambda: out.find(kind.page), every=0.02)
    page_ms = (time.monotonic() - launched) * 1000
    return app, out, window_ms, page_ms


def quit_app(app, kind):
    """SIGTERM: ClawChat stops its server and exits 0; the bare window has no handler."""
    app.send_signal(signal.SIGTERM)
    try:
        code = app.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        fail("the app did not quit")
    if code != kind.exit_code:
        fail(f"the app exited with {code}")


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(args, kind, binary):
    """The launches and the two memory readings; returns the figures."""
    work = tempfile.mkdtemp(prefix="clawchat-bench-")
    home, data = os.path.join(work, "home"), os.path.join(work, "data")
    os.makedirs(home)
    xvfb, display = start_xvfb()
    env = app_env(home, display, data)
    app = None
    try:
        windows, pages = [], []
        for n in range(args.runs):
            app, out, window_ms, page_ms = launch(binary, env, work, kind)
            print(f"measure: run {n + 1}: launch to window {window_ms:.0f} ms, to the page running {page_ms:.0f} ms",
                  flush=True)
            if n > 0:
                windows.append(window_ms)
                pages.append(page_ms)
            if n < args.runs - 1:
                quit_app(app, kind)
                app = None
        time.sleep(args.warm)
        warm = memory(app.pid, binary) | {"load": load()}
        print(f"measure: after a warm launch ({args.warm:.0f} s): PSS {warm['total']['pss'] / MB:.1f} MB", flush=True)
        time.sleep(args.idle)
        idle = memory(app.pid, binary) | {"load": load()}
        quit_app(app, kind)
        app = None
    finally:
        if app is not None and app.poll() is None:
            app.kill()
        xvfb.terminate()
        xvfb.wait()
    return {"name": kind.name, "windows": windows, "pages": pages, "warm": warm, "idle": idle,
            "warm_s": args.warm, "idle_s": args.idle, "binary": os.path.getsize(binary)}


def report(fig):
    def spread(values):
        return (f"median {statistics.median(values):.0f} ms "
                f"(min {min(values):.0f}, max {max(values):.0f}, {len(values)} warm starts)")

    print(f"\n{fig['name']}")
    print(f"launch to window:          {spread(fig['windows'])}")
    print(f"launch to the page running: {spread(fig['pages'])}")
    for when, label in (("warm", f"after a warm launch ({fig['warm_s']:.0f} s)"),
                        ("idle", f"after {fig['idle_s']:.0f} s more idle")):
        t = fig[when]["total"]
        print(f"{label}, load {fig[when]['load']}: PSS {t['pss'] / MB:.1f} MB (own {t['own'] / MB:.1f}: "
              f"binary {t['binary'] / MB:.1f}, anonymous {t['anon'] / MB:.1f}; libraries and files "
              f"{t['files'] / MB:.1f}), RSS {t['rss'] / MB:.1f} MB")
        for r in sorted(fig[when]["processes"], key=lambda r: -r["pss"]):
            print(f"  {r['name']:<22} PSS {r['pss'] / MB:6.1f} MB (own {(r['binary'] + r['anon']) / MB:5.1f})"
                  f"   RSS {r['rss'] / MB:6.1f} MB")
    print(f"binary: {fig['binary'] / 1048576:.1f} MB ({fig['binary']} bytes)")


def judge(fig, floor):
    """ClawChat's figures against the bare window's, and the goals."""
    print("\nagainst the bare Tauri window (the platform's floor):")
    ok = True
    for when in ("warm", "idle"):
        ours, bare = fig[when]["total"], floor[when]["total"]
        over = (ours["pss"] - bare["pss"]) / MB
        met = over <= GOAL_OVER_FLOOR_MB and ours["own"] / MB <= GOAL_OWN_MB
        ok = ok and met
        print(f"  {when}: ClawChat PSS {ours['pss'] / MB:.1f} MB, bare {bare['pss'] / MB:.1f} MB: "
              f"+{over:.1f} MB (goal <= {GOAL_OVER_FLOOR_MB}); own share {ours['own'] / MB:.1f} MB "
              f"(bare {bare['own'] / MB:.1f}; goal <= {GOAL_OWN_MB}): {'met' if met else 'NOT met'}")
    growth = (fig["idle"]["total"]["pss"] - fig["warm"]["total"]["pss"]) / MB
    print(f"  over {fig['idle_s']:.0f} s idle: PSS {growth:+.1f} MB (bare "
          f"{(floor['idle']['total']['pss'] - floor['warm']['total']['pss']) / MB:+.1f} MB)")
    print(f"  goals {'met' if ok else 'NOT met'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--bare", action="store_true", help="the binary is the bare Tauri window fixture")
    parser.add_argument("--runs", type=int, default=5, help="launches; the first is a first start")
    parser.add_argument("--warm", type=float, default=10, help="seconds after the page runs before the first reading")
    parser.add_argument("--idle", type=float, default=600, help="seconds idle before the second reading")
    parser.add_argument("--save", help="write the figures here as JSON")
    parser.add_argument("--against", help="the bare window's figures (--save of a --bare run)")
    args = parser.parse_args()
    if args.runs < 2:
        fail("--runs must be at least 2 (a first start and a warm start)")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        fail("run this inside dbus-run-session")
    binary = os.path.realpath(args.binary)
    fig = run(args, Kind(args.bare), binary)
    report(fig)
    if not args.bare:
        debs = sorted(glob.glob(os.path.join(os.path.dirname(binary), "bundle", "deb", "*.deb")), key=os.path.getmtime)
        print(f".deb {debs[-1]}: {os.path.getsize(debs[-1]) / 1048576:.1f} MB" if debs else ".deb: not built (make package)")
    if args.save:
        with open(args.save, "w") as f:
            json.dump(fig, f, indent=1)
    if args.against:
        with open(args.against) as f:
            judge(fig, json.load(f))


if __name__ == "__main__":
    main()
