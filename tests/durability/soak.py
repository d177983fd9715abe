#!/usr/bin/env python3
"""Soak: mixed REST and WebSocket load on the real server for a long stretch, reporting
its resident memory over time (from /proc) and every error.

Load (all at once, paced so a shared machine keeps breathing):
  - REST writers: create, read, edit, complete and delete todos; create, search and
    delete memos; read Today; list a conversation's messages; one chat message in ten
    through `POST /api/chat/send` (the built-in parser answers);
  - WebSocket clients on `/ws`: each sends `send_message` into its own conversation and
    a `ping` now and then, and reads every event the server pushes.

An error is any 5xx or other unexpected status, any refused or broken connection, any
`error` frame, and a WebSocket that closes while the run goes on. Exits 1 if there was
any error or if memory grew by more than --max-growth-mib after the warm-up.

    make soak                                   # 10 minutes, release build
    SOAK_SECONDS=60 make soak                   # a short try
    tests/.venv/bin/python tests/durability/soak.py --seconds 600   # the script alone

Needs `websocket-client` (installed in tests/.venv with the Socket.IO client).
"""

import argparse
import collections
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time

import websocket  # websocket-client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

WORDS = "lisbon budget garden piano dentist invoice river coffee report ticket".split()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.frames = collections.Counter()
        self.errors = collections.Counter()
        self.examples = []

    def ok(self):
        with self.lock:
            self.requests += 1

    def error(self, kind, detail):
        with self.lock:
            self.errors[kind] += 1
            if len(self.examples) < 20:
                self.examples.append(f"{kind}: {detail}")


def rest_worker(base, token, tally, stop, seed, pause):
    rng = random.Random(seed)
    client = harness.Client(base, token)

    def call(method, path, body=None, expect=(200,)):
        try:
            status, answer = client.call(method, path, body)
        except OSError as e:
            tally.error("transport", f"{method} {path}: {e}")
            return None
        if status not in expect:
            tally.error(f"http {status}", f"{method} {path}: {str(answer)[:200]}")
            return None
        tally.ok()
        return answer

    conversation = call("POST", "/api/chat/conversations", {"title": "soak"}, (201,))
    while not stop.is_set():
        w = rng.choice(WORDS)
        todo = call("POST", "/api/todos", {"title": f"soak {w} {rng.randrange(10**6)}", "tags": [w]}, (201,))
        call("GET", "/api/todos?limit=20")
        if todo:
            call("PATCH", f"/api/todos/{todo['id']}", {"priority": rng.choice(["low", "high"])})
            call("POST", f"/api/todos/{todo['id']}/complete")
            call("GET", f"/api/todos/{todo['id']}")
            call("DELETE", f"/api/todos/{todo['id']}", expect=(204,))
        memo = call("POST", "/api/memos", {"content": f"soak memo {w} " * 20}, (201,))
        call("GET", f"/api/search?q={w}&limit=10")
        if memo:
            call("DELETE", f"/api/memos/{memo['id']}", expect=(204,))
        call("GET", "/api/today")
        if conversation and rng.random() < 0.1:
            call("POST", "/api/chat/send",
                 {"content": f"add a todo to buy {w}", "conversation_id": conversation["id"]}, (202,))
            call("GET", f"/api/chat/conversations/{conversation['id']}/messages?limit=20")
        stop.wait(pause)


def seed_store(base, token, items, threads=4):
    """A lived-in store before the load starts: `items` memos of a paragraph each, half as
    many todos and a quarter as many events, spread over two years. A user of a personal
    assistant has years of notes; a soak on an empty file only shows SQLite's page caches
    (2 MiB per pooled connection) filling as the file grows, which is not what a user runs."""
    def work(part):
        rng = random.Random(1000 + part)
        client = harness.Client(base, token)
        for i in range(part, items, threads):
            words = " ".join(rng.choice(WORDS) for _ in range(120))
            calls = [("/api/memos", {"content": f"note {i}: {words}", "tags": [rng.choice(WORDS)]})]
            if i % 2 == 0:
                day = 1 + (i // 2) % 28
                calls.append(("/api/todos", {"title": f"seed {rng.choice(WORDS)} {i}",
                                             "description": words[:300],
                                             "due_date": f"2027-{1 + i % 12:02}-{day:02}T09:00:00Z"}))
            if i % 4 == 0:
                day = 1 + (i // 4) % 28
                start = f"{2025 + i % 2}-{1 + i % 12:02}-{day:02}T{8 + i % 9:02}:00:00Z"
                end = f"{2025 + i % 2}-{1 + i % 12:02}-{day:02}T{9 + i % 9:02}:00:00Z"
                calls.append(("/api/events", {"title": f"seed {rng.choice(WORDS)} {i}",
                                              "description": words[:300],
                                              "start_time": start, "end_time": end}))
            for path, body in calls:
                status, answer = client.call("POST", path, body)
                if status != 201:
                    raise SystemExit(f"seeding failed: POST {path} -> {status} {str(answer)[:200]}")

    run_threads(work, threads)


def browse_store(base, token, threads=4):
    """Every list page and a search for every word, from several clients at once, as a user
    scrolling through what they keep: each pooled SQLite connection reads the whole store, so
    its page cache is at its cap before the measured run starts."""
    def work(part):
        client = harness.Client(base, token)
        for path in ("/api/memos", "/api/todos", "/api/events"):
            page = 1
            while True:
                status, answer = client.call("GET", f"{path}?limit=100&page={page}")
                if status != 200:
                    raise SystemExit(f"browsing failed: GET {path} -> {status} {str(answer)[:200]}")
                if len(answer.get("items", [])) < 100:
                    break
                page += 1
        for w in WORDS:
            client.call("GET", f"/api/search?q={w}&limit=50")

    run_threads(work, threads)


def run_threads(work, threads):
    workers = [threading.Thread(target=work, args=(part,)) for part in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def ws_client(base, token, tally, stop, seed, every):
    rng = random.Random(seed)
    url = base.replace("http://", "ws://") + f"/ws?token={token}"
    rest = harness.Client(base, token)
    try:
        status, conversation = rest.call("POST", "/api/chat/conversations", {"title": "soak ws"})
        ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
    except (OSError, websocket.WebSocketException) as e:
        tally.error("ws connect", str(e))
        return
    tally.ok()

    def reader():
        while True:
            try:
                raw = ws.recv()
            except (OSError, websocket.WebSocketException) as e:
                if not stop.is_set():
                    tally.error("ws closed", str(e))
                return
            if not raw:
                if not stop.is_set():
                    tally.error("ws closed", "the server closed the connection")
                return
            try:
                frame = json.loads(raw)
            except ValueError:
                tally.error("ws frame", raw[:200])
                continue
            kind = frame.get("type", "?")
            with tally.lock:
                tally.frames[kind] += 1
            if kind == "error":
                tally.error("ws error frame", raw[:200])

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    n = 0
    while not stop.wait(every * rng.uniform(0.5, 1.5)):
        n += 1
        if n % 5 == 0:
            frame = {"type": "ping"}
        else:
            frame = {"type": "send_message",
                     "data": {"content": f"remind me to water the {rng.choice(WORDS)} tomorrow at 9am",
                              "conversation_id": conversation["id"]}}
        try:
            ws.send(json.dumps(frame))
            tally.ok()
        except (OSError, websocket.WebSocketException) as e:
            tally.error("ws send", str(e))
            break
    try:
        ws.close()
    except (OSError, websocket.WebSocketException):
        pass
    thread.join(10)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "600")))
    parser.add_argument("--sample", type=float, default=None, help="seconds between memory samples")
    parser.add_argument("--rest-workers", type=int, default=2)
    parser.add_argument("--ws-clients", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.02, help="REST worker pause between rounds, s")
    parser.add_argument("--ws-every", type=float, default=1.0, help="mean seconds between WebSocket sends")
    parser.add_argument("--max-growth-mib", type=float, default=4.0)
    parser.add_argument("--seed-items", type=int, default=8000,
                        help="memos stored before the load (plus half as many todos, a quarter as many events)")
    parser.add_argument("--profile", default=os.environ.get("CLAWCHAT_PROFILE", "release"))
    args = parser.parse_args()
    sample = args.sample or max(5.0, args.seconds / 20)
    warmup = max(sample, args.seconds * 0.2)

    data_dir = tempfile.mkdtemp(prefix="clawchat-soak-")
    server = harness.Server(data_dir, profile=args.profile)
    server.start()
    token = server.client().login().token
    if args.seed_items:
        began = time.monotonic()
        seed_store(server.base, token, args.seed_items)
        browse_store(server.base, token)
        print(f"soak: seeded {args.seed_items} memos, {args.seed_items // 2} todos and "
              f"{args.seed_items // 4} events in {time.monotonic() - began:.0f} s "
              f"({os.path.getsize(server.db_path) / 2**20:.1f} MiB database)", flush=True)
    tally = Tally()
    stop = threading.Event()
    threads = [threading.Thread(target=rest_worker, args=(server.base, token, tally, stop, i, args.pause))
               for i in range(args.rest_workers)]
    threads += [threading.Thread(target=ws_client, args=(server.base, token, tally, stop, 100 + i, args.ws_every))
                for i in range(args.ws_clients)]
    print(f"soak: {args.seconds:.0f} s, {args.rest_workers} REST workers, {args.ws_clients} WebSocket "
          f"clients, {args.profile} build, data in {data_dir}", flush=True)
    print(f"{'t (s)':>7} {'RSS (MiB)':>10} {'requests':>9} {'frames':>8} {'errors':>7}", flush=True)
    samples = []

    def take(t):
        rss = server.rss_kib() / 1024
        with tally.lock:
            row = (t, rss, tally.requests, sum(tally.frames.values()), sum(tally.errors.values()))
        samples.append(row)
        print(f"{row[0]:7.0f} {row[1]:10.1f} {row[2]:9d} {row[3]:8d} {row[4]:7d}", flush=True)

    take(0)
    for t in threads:
        t.start()
    started = time.monotonic()
    next_sample = sample
    while True:
        now = time.monotonic() - started
        if now >= args.seconds:
            break
        if server.proc.poll() is not None:
            tally.error("server exited", f"code {server.proc.returncode}")
            break
        time.sleep(min(1.0, max(0.0, next_sample - now)))
        if time.monotonic() - started >= next_sample:
            take(next_sample)
            next_sample += sample
    take(time.monotonic() - started)
    stop.set()
    for t in threads:
        t.join(60)
    code = server.stop()
    if code != 0:
        tally.error("server stop", f"exit code {code}")

    after_warmup = [s for s in samples if s[0] >= warmup]
    base_rss = after_warmup[0][1] if after_warmup else samples[-1][1]
    end_rss = samples[-1][1]
    peak = max(s[1] for s in samples)
    growth = end_rss - base_rss
    elapsed = samples[-1][0]
    errors = sum(tally.errors.values())
    print(f"soak: {tally.requests} requests and WebSocket sends in {elapsed:.0f} s "
          f"({tally.requests / max(elapsed, 1):.0f}/s), {sum(tally.frames.values())} frames received "
          f"({dict(tally.frames.most_common(6))})")
    print(f"soak: RSS {samples[0][1]:.1f} MiB idle, {base_rss:.1f} MiB after the warm-up ({warmup:.0f} s), "
          f"{end_rss:.1f} MiB at the end, {peak:.1f} MiB peak: growth after warm-up {growth:+.1f} MiB")
    print(f"soak: {errors} errors {dict(tally.errors)}")
    for line in tally.examples:
        print(f"  {line}")
    failed = errors > 0 or growth > args.max_growth_mib
    if growth > args.max_growth_mib:
        print(f"soak FAILED: memory grew {growth:.1f} MiB after the warm-up (limit {args.max_growth_mib})")
    if failed:
        print(f"server log: {server.log_path}")
        return 1
    print("soak: ok")
    shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
