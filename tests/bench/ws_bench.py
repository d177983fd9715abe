#!/usr/bin/env python3
"""/ws under load: 1,000 authenticated connections each sending one message.

    cargo build --release -p clawchat-server --example ws_load
    python3 tests/bench/ws_bench.py [--connections 1000] [--spread SECONDS] [--client lean|scan]
                                    [--server BINARY] [--load BINARY] [--runs N]

Reports the server's resident memory before the connections, with them all open and
idle (so memory per idle connection), the client's send-to-stream_start percentiles, and
the CPU time the server and the client each used during the burst (they share the
machine's cores, so what the client takes the server does not get).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_bench as hb  # noqa: E402


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settled_rss(pid, timeout=10.0):
    """The server's resident memory once the work started with it (the parser's grammar,
    built by the one read `measure` asks for first) is done, so that memory is not counted
    among the connections'."""
    last = hb.rss_mb(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = hb.rss_mb(pid)
        if abs(now - last) < 0.05:
            return now
        last = now
    return last


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--spread", type=float, default=0.0,
                    help="seconds over which the sends are spread (0: all at once)")
    ap.add_argument("--client", choices=["lean", "scan"], default="lean",
                    help="how the load client reads frames (see server-core/examples/ws_load.rs)")
    ap.add_argument("--server", help="the server binary (default: the release build)")
    ap.add_argument("--load", help="the load client (default: the release build's ws_load example)")
    ap.add_argument("--runs", type=int, default=1, help="repeat the whole measurement, each on a new server")
    args = ap.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(hb.ROOT, "target"))
    load = args.load or os.path.join(target, "release", "examples", "ws_load")
    if args.server:
        hb.binary = lambda: args.server
    for run in range(args.runs):
        if args.runs > 1:
            print(f"## run {run + 1} of {args.runs}", flush=True)
        measure(args, load)


def measure(args, load):
    with tempfile.TemporaryDirectory() as data:
        port = hb.free_port()
        proc, _ = hb.start(data, port)
        pin = hb.read_pin(proc)
        # The server builds the parser's grammar on its first read (some 200 ms and tens of
        # MB); one read first, so the burst measures a server that has been talked to.
        token = hb.request(port, "POST", "/api/auth/login", body={"pin": pin})["access_token"]
        hb.first_read(port, token)
        before = settled_rss(proc.pid)
        client = subprocess.Popen([load, f"http://127.0.0.1:{port}", pin, str(args.connections), str(args.spread),
                                   args.client],
                                  stdout=subprocess.PIPE, text=True)
        idle = None
        cpu_start = cpu_end = float("nan")
        lines = []
        for line in client.stdout:
            lines.append(line.strip())
            if line.startswith("idle_ready"):
                idle = hb.rss_mb(proc.pid)
            elif line.startswith("burst_start"):
                cpu_start = cpu_seconds(proc.pid)
            elif line.startswith("burst_end"):
                cpu_end = cpu_seconds(proc.pid)
        client.wait()
        after = hb.rss_mb(proc.pid)
        proc.terminate()
        proc.wait()
    per_conn_kb = (idle - before) * 1024 / args.connections
    print("\n".join(lines))
    print(f"- server memory: {before:.1f} MB before, {idle:.1f} MB with {args.connections} idle connections "
          f"({per_conn_kb:.1f} KB per connection), {after:.1f} MB after the messages")
    print(f"- server CPU during the burst: {cpu_end - cpu_start:.2f} s")


if __name__ == "__main__":
    main()
