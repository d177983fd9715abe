#!/usr/bin/env python3
"""/ws under load: 1,000 authenticated connections each sending one message.

    cargo build --release -p clawchat-server --example ws_load
    python3 tests/bench/ws_bench.py [--connections 1000] [--spread SECONDS]

Reports the server's resident memory before the connections, with them all open and
idle (so memory per idle connection), and the client's send-to-stream_start percentiles.
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_bench as hb  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--spread", type=float, default=0.0,
                    help="seconds over which the sends are spread (0: all at once)")
    args = ap.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(hb.ROOT, "target"))
    load = os.path.join(target, "release", "examples", "ws_load")
    with tempfile.TemporaryDirectory() as data:
        port = hb.free_port()
        proc, _ = hb.start(data, port)
        pin = hb.read_pin(proc)
        before = hb.rss_mb(proc.pid)
        client = subprocess.Popen([load, f"http://127.0.0.1:{port}", pin, str(args.connections), str(args.spread)],
                                  stdout=subprocess.PIPE, text=True)
        idle = None
        lines = []
        for line in client.stdout:
            lines.append(line.strip())
            if line.startswith("idle_ready"):
                idle = hb.rss_mb(proc.pid)
        client.wait()
        after = hb.rss_mb(proc.pid)
        proc.terminate()
        proc.wait()
    per_conn_kb = (idle - before) * 1024 / args.connections
    print("\n".join(lines))
    print(f"- server memory: {before:.1f} MB before, {idle:.1f} MB with {args.connections} idle connections "
          f"({per_conn_kb:.1f} KB per connection), {after:.1f} MB after the messages")


if __name__ == "__main__":
    main()
