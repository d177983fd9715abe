#!/usr/bin/env python3
"""HTTP load figures for BENCHMARKS.md.

Starts the release server on a fresh data folder, seeds it (1,000 todos, 100,000 memos,
a few events), then runs wrk at 16 connections against the routes the foundation issue
names, and measures idle memory and start-up time. Everything stays on 127.0.0.1.

    make bench                     # builds the release binary first
    python3 tests/bench/http_bench.py --duration 10
"""

import argparse
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORDS = (
    "project meeting notes lisbon flight budget garden recipe book idea plan review draft "
    "invoice doctor dentist school music guitar running training holiday paper kitchen "
    "garage taxes insurance birthday present coffee tea market report client design "
    "release server backup photo camera walk river mountain ocean bicycle library"
).split()


def binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    path = os.path.join(target, "release", "clawchat-server")
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: run `make release` first")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data_dir, port):
    env = dict(os.environ, CLAWCHAT_DATA_DIR=data_dir, PORT=str(port), HOST="127.0.0.1", TZ="UTC")
    env.pop("PIN", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary(), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    # Start-up is measured to the first answered request, polling as fast as the OS allows.
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                sys.exit("the server exited during start-up")
    return proc, (time.perf_counter() - t0) * 1000


def read_pin(proc):
    for _ in range(10):
        line = proc.stdout.readline()
        m = re.search(r"PIN is (\d+)", line)
        if m:
            return m.group(1)
    sys.exit("no PIN printed on first start")


def request(port, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def seed(db_path, todos, memos):
    now = int(time.time() * 1000)
    rng = random.Random(7)
    con = sqlite3.connect(db_path, timeout=30)
    with con:
        con.executemany(
            "INSERT INTO todos (id, title, description, status, priority, due_at, due_is_date, tags, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            [
                (
                    uuid.uuid4().hex,
                    " ".join(rng.choices(WORDS, k=4)),
                    " ".join(rng.choices(WORDS, k=12)),
                    rng.choice(["pending", "in_progress", "completed"]),
                    rng.choice(["low", "medium", "high", "urgent"]),
                    now + rng.randint(-5, 30) * 86_400_000,
                    json.dumps(rng.sample(WORDS, 2)),
                    now,
                    now,
                )
                for _ in range(todos)
            ],
        )
        batch = []
        for i in range(memos):
            words = rng.choices(WORDS, k=40)
            # One word in a thousand memos is rare, so a search for it is a typical lookup.
            if i % 1000 == 0:
                words.append("zanzibar")
            batch.append((uuid.uuid4().hex, " ".join(words[:5]), " ".join(words), "[]", int(i % 5000 == 0), now, now))
            if len(batch) == 10_000:
                con.executemany(
                    "INSERT INTO memos (id, title, content, tags, pinned, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    batch,
                )
                batch = []
        if batch:
            con.executemany(
                "INSERT INTO memos (id, title, content, tags, pinned, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
        for h in range(5):
            con.execute(
                "INSERT INTO events (id, title, start_at, end_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (uuid.uuid4().hex, f"event {h}", now + h * 3_600_000, now + h * 3_600_000 + 1_800_000, now, now),
            )
    con.close()


def wrk(port, path, token, duration, method="GET", body=None):
    lua = [f'wrk.headers["Authorization"] = "Bearer {token}"']
    if method != "GET":
        lua += [f'wrk.method = "{method}"', f"wrk.body = '{json.dumps(body)}'",
                'wrk.headers["Content-Type"] = "application/json"']
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write("\n".join(lua) + "\n")
        script = f.name
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "-s", script, f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout
    os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, lat.get("50"), lat.get("99"), int(errors.group(1)) if errors else 0


def first_frame_ms(port, token, rounds):
    """Client-side time from sending a message to the first SSE frame of its answer.

    It bounds the server's own time from above (it adds the loopback round trip), and it
    includes storing the user's message durably, which happens before the first frame.
    """
    times = []
    for i in range(rounds):
        body = json.dumps({"content": f"add benchmark item {i} to my todo list"}).encode()
        head = (
            f"POST /api/chat/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", port)) as s:
            t0 = time.perf_counter()
            s.sendall(head + body)
            seen = b""
            while b"data:" not in seen:
                chunk = s.recv(4096)
                if not chunk:
                    break
                seen += chunk
            times.append((time.perf_counter() - t0) * 1000)
            while s.recv(65536):
                pass
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99) - 1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--memos", type=int, default=100_000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        proc, first_ms = start(data, port)
        pin = read_pin(proc)
        token = request(port, "POST", "/api/auth/login", body={"pin": pin})["access_token"]
        t0 = time.perf_counter()
        seed(os.path.join(data, "clawchat.db"), 1000, args.memos)
        seed_s = time.perf_counter() - t0
        proc.terminate()
        proc.wait()

        port = free_port()
        proc, warm_ms = start(data, port)
        time.sleep(1)
        idle = rss_mb(proc.pid)
        rows = []
        for name, path, method, body in [
            ("GET /api/todos?limit=50 (of 1,000)", "/api/todos?limit=50", "GET", None),
            ("POST /api/todos", "/api/todos", "POST", {"title": "benchmark todo", "priority": "high"}),
            (f"GET /api/search?q=zanzibar ({args.memos:,} memos)", "/api/search?q=zanzibar", "GET", None),
            (f"GET /api/search?q=garden ({args.memos:,} memos, common word)", "/api/search?q=garden", "GET", None),
            ("GET /api/today", "/api/today", "GET", None),
        ]:
            rps, p50, p99, errors = wrk(port, path, token, args.duration, method, body)
            rows.append((name, rps, p50, p99, errors))
        ff50, ff99 = first_frame_ms(port, token, 500)
        after = rss_mb(proc.pid)
        proc.terminate()
        proc.wait()

    print(f"Seeded 1,000 todos and {args.memos:,} memos in {seed_s:.1f} s.\n")
    print("| route | req/s | p50 | p99 | non-2xx |")
    print("|---|---:|---:|---:|---:|")
    for name, rps, p50, p99, errors in rows:
        print(f"| `{name}` | {rps:,.0f} | {p50} | {p99} | {errors} |")
    print()
    print(f"- start-up to first answered request: first start {first_ms:.0f} ms (creates the database, "
          f"generates the secret and PIN), warm start {warm_ms:.0f} ms")
    print(f"- resident memory: idle after start {idle:.1f} MB, after the load runs {after:.1f} MB")
    print(f"- message to first answer frame (`POST /api/chat/stream`, built-in parser, 500 sequential "
          f"messages, client-side): p50 {ff50:.2f} ms, p99 {ff99:.2f} ms")


if __name__ == "__main__":
    main()
