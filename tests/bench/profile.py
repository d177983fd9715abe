#!/usr/bin/env python3
"""Where the server's time goes under load: perf samples during a wrk run.

    CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \\
        cargo build --release -p clawchat-server
    python3 tests/bench/profile.py "/api/todos?limit=50" "/api/search?q=zanzibar"

Seeds the same data as http_bench.py, then for each path runs wrk (2 threads, 16
connections, 10 s) and records the server with `perf record -g` for 6 s of it, and prints
the split by thread and the top symbols. Needs wrk and perf (Debian: wrk, linux-perf).
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_bench as hb  # noqa: E402


def main():
    paths = sys.argv[1:] or ["/api/todos?limit=50"]
    with tempfile.TemporaryDirectory() as work:
        data = os.path.join(work, "data")
        port = hb.free_port()
        proc, _ = hb.start(data, port)
        pin = hb.read_pin(proc)
        token = hb.request(port, "POST", "/api/auth/login", body={"pin": pin})["access_token"]
        hb.seed(os.path.join(data, "clawchat.db"), 1000, 100_000)
        for path in paths:
            record = os.path.join(work, "perf.data")
            wrk = subprocess.Popen(
                ["wrk", "-t2", "-c16", "-d10s", "-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}"],
                stdout=subprocess.PIPE, text=True,
            )
            time.sleep(2)
            subprocess.run(["perf", "record", "-F", "499", "-g", "-p", str(proc.pid), "-o", record, "--", "sleep", "6"],
                           capture_output=True, check=True)
            rps = [l for l in wrk.communicate()[0].splitlines() if "Requests/sec" in l]
            print(f"## {path}  {' '.join(rps)}")
            for sort, rows in (("comm", 4), ("sym", 20)):
                report = subprocess.run(
                    ["perf", "report", "-i", record, "--stdio", "--no-children", "--sort", sort, "-g", "none"],
                    capture_output=True, text=True,
                ).stdout
                lines = [l for l in report.splitlines() if l.strip() and not l.startswith("#")]
                print("\n".join(lines[:rows]))
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
