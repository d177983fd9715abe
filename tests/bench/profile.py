#!/usr/bin/env python3
"""Where the server's time goes under load: perf samples during a wrk run.

    CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \\
        cargo build --release -p clawchat-server
    python3 tests/bench/profile.py "/api/todos?limit=50" "/api/search?q=zanzibar"
    python3 tests/bench/profile.py --seed api /api/todos?limit=50 /api/today /api/search?q=garden

Seeds the data as http_bench.py does (`--seed`, `--memos`, `--use-seed`: the same
options), then for
each path runs wrk (2 threads, 16 connections, 10 s), records the server with
`perf record -g` for 6 s of it, and prints the split by thread, by object (the binary,
the C library, the kernel) and the top symbols. On a stripped binary the server's own
functions show as addresses in it; the C library's and the kernel's still have names.
Needs wrk and perf (Debian: wrk, linux-perf). `CLAWCHAT_BIN` picks the binary.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_bench as hb  # noqa: E402


def report(record, sort, rows):
    out = subprocess.run(
        ["perf", "report", "-i", record, "--stdio", "--no-children", "--sort", sort, "-g", "none"],
        capture_output=True, text=True,
    ).stdout
    lines = [line for line in out.splitlines() if line.strip() and not line.startswith("#")]
    print("\n".join(lines[:rows]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", default=["/api/todos?limit=50"])
    ap.add_argument("--seed", choices=("sqlite", "api"), default="sqlite")
    ap.add_argument("--memos", type=int)
    ap.add_argument("--use-seed", metavar="DIR", help="start from a copy of DIR (http_bench.py --save-seed)")
    ap.add_argument("--symbols", type=int, default=25, help="how many top symbols to print")
    args = ap.parse_args()
    args.save_seed = None
    if args.memos is None:
        args.memos = 100_000 if args.seed == "sqlite" else 0
    with tempfile.TemporaryDirectory() as work:
        data = os.path.join(work, "data")
        _, _, token = hb.prepare(data, args)
        port = hb.free_port()
        proc, _ = hb.start(data, port)
        for path in args.paths:
            record = os.path.join(work, "perf.data")
            wrk = subprocess.Popen(
                ["wrk", "-t2", "-c16", "-d10s", "-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}"],
                stdout=subprocess.PIPE, text=True,
            )
            time.sleep(2)
            subprocess.run(["perf", "record", "-F", "499", "-g", "-p", str(proc.pid), "-o", record, "--", "sleep", "6"],
                           capture_output=True, check=True)
            rps = [line for line in wrk.communicate()[0].splitlines() if "Requests/sec" in line]
            print(f"## {path}  {' '.join(rps)}")
            report(record, "comm", 6)
            report(record, "dso", 8)
            report(record, "dso,sym", args.symbols)
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
