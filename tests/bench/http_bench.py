#!/usr/bin/env python3
"""HTTP load figures for BENCHMARKS.md.

Starts the release server on a fresh data folder, seeds it, then runs wrk (2 threads, 16
connections) against each route with a valid token, and measures memory, start-up time
and the server's CPU time a request (from /proc, so it holds on a busy machine). Everything stays on 127.0.0.1. Two seedings:

- `--seed sqlite` (the default): 1,000 todos, `--memos` memos (100,000 by default) and a
  few events, written straight into the database file while the server is stopped.
- `--seed api`: what a person's organiser holds, created through the server's API as a
  client would: 1,000 todos with short titles (a third with a due date this month, in
  three priorities), 200 one-hour events this month, and 100 items holding the word
  `garden` (40 of those todos, 20 of those events, 40 memos), which the search run looks
  for. `--memos N` adds N memos of 40 words without that word, posted by wrk itself
  (`POST /api/memos`, one durable commit each), so the same search runs over a large
  notebook.

    make bench                                   # builds the release binary first
    python3 tests/bench/http_bench.py --duration 10
    python3 tests/bench/http_bench.py --seed api --memos 0
    python3 tests/bench/http_bench.py --seed api --memos 100000 --save-seed seed100k
    python3 tests/bench/http_bench.py --use-seed seed100k     # the same data again
    CLAWCHAT_BIN=path/to/clawchat-server python3 tests/bench/http_bench.py --seed api

`--parse` adds, after the routes, a run of `POST /api/parse` (the UI's live preview: the
built-in parser, nothing stored) over the 243 texts of `tests/eval/everyday.jsonl` in
turn from every connection, and the memory after it: what parsing from many threads at
once leaves behind. Before it, one read is timed on its own: the server builds the
parser's grammar on its first read, so that is what the first message after a start
costs (not with `--seed sqlite`, whose first-answer run has read before).
"""

import argparse
import calendar
import datetime
import http.client
import json
import os
import random
import re
import shutil
import signal
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
    if os.environ.get("CLAWCHAT_BIN"):
        return os.environ["CLAWCHAT_BIN"]
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


class Client:
    """One kept-alive connection to the server, for seeding through the API."""

    def __init__(self, port, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path, body):
        self.conn.request("POST", path, json.dumps(body), self.headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 201:
            sys.exit(f"POST {path} answered {r.status}: {data[:200]!r}")
        return json.loads(data)

    def total(self, path):
        self.conn.request("GET", path, headers=self.headers)
        return json.loads(self.conn.getresponse().read())["total"]


SEARCH_WORD = "garden"
FILLER = [w for w in WORDS if w != SEARCH_WORD]


def seed_api(port, token):
    """The issue's organiser, created through the API (see the module's docstring)."""
    rng = random.Random(21)
    api = Client(port, token)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    for i in range(1000):
        words = rng.sample(FILLER, 2)
        if i % 25 == 0:
            words[0] = SEARCH_WORD
        todo = {"title": " ".join(words), "priority": ("low", "medium", "high")[rng.randrange(3)]}
        if i % 3 == 0:
            due = now + datetime.timedelta(days=rng.randint(-15, 15), hours=rng.randint(-12, 12))
            todo["due_date"] = due.isoformat()
        api.post("/api/todos", todo)
    days = calendar.monthrange(now.year, now.month)[1]
    for i in range(200):
        start = now.replace(day=rng.randint(1, days), hour=rng.randint(8, 19), minute=0, second=0)
        words = rng.sample(FILLER, 2)
        if i % 10 == 0:
            words[0] = SEARCH_WORD
        api.post("/api/events", {
            "title": " ".join(words),
            "start_time": start.isoformat(),
            "end_time": (start + datetime.timedelta(hours=1)).isoformat(),
        })
    for _ in range(40):
        words = rng.choices(FILLER, k=20)
        words.insert(rng.randrange(20), SEARCH_WORD)
        api.post("/api/memos", {"content": " ".join(words)})
    return api


# Posts memos of 40 words until each wrk thread's share is answered, then stops the
# thread. A request wrk builds is not always sent, so the count is of answers: the posts
# in flight at the end make the total a few over the share at most.
MEMO_LUA = """
local vocab = {%s}
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(id + 7)
  share = math.floor(%d / %d) + ((id < %d %% %d) and 1 or 0)
  answered = 0
end
function request()
  local words = {}
  for i = 1, 40 do words[i] = vocab[math.random(#vocab)] end
  return wrk.format("POST", "/api/memos", nil, '{"content":"' .. table.concat(words, " ") .. '"}')
end
function response(status, headers, body)
  answered = answered + 1
  if answered >= share then wrk.thread:stop() end
end
"""


def seed_memos(port, token, count, threads=2):
    """About `count` memos through `POST /api/memos`, posted by wrk (fast, and the server's
    own path); see `MEMO_LUA`. wrk runs for its whole duration even when every thread has
    stopped, so it is interrupted (and reports) once the memos are there."""
    if count <= 0:
        return
    vocab = ", ".join(f'"{w}"' for w in FILLER)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
        f.write('wrk.headers["Content-Type"] = "application/json"\n')
        f.write(MEMO_LUA % (vocab, count, threads, count, threads))
        script = f.name
    api = Client(port, token)
    target = api.total("/api/memos?limit=1") + count
    load = subprocess.Popen(
        ["wrk", f"-t{threads}", "-c8", "-d3600s", "-s", script, f"http://127.0.0.1:{port}/"],
        stdout=subprocess.PIPE, text=True,
    )
    while load.poll() is None and api.total("/api/memos?limit=1") < target:
        time.sleep(1)
    load.send_signal(signal.SIGINT)
    out = load.communicate()[0]
    os.unlink(script)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"seeding memos: {errors.group(1)} requests failed")


PARSE_LUA = """
local texts = {%s}
local next_text = 0
function request()
  next_text = next_text %% #texts + 1
  return wrk.format("POST", "/api/parse", nil, texts[next_text])
end
"""


def parse_run(port, token, duration):
    """wrk posting the everyday texts to `POST /api/parse`, each connection in turn."""
    with open(os.path.join(ROOT, "tests", "eval", "everyday.jsonl")) as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    # Each body as a Lua string of decimal byte escapes, so no text can end the string.
    bodies = ", ".join('"' + "".join(f"\\{b}" for b in json.dumps({"text": t}).encode()) + '"' for t in texts)
    tail = ['wrk.headers["Content-Type"] = "application/json"', PARSE_LUA % bodies]
    return wrk(port, "/api/parse", token, duration, lua_tail=tail)


def first_read(port, token):
    """Times one `POST /api/parse`, in ms. On a server that has read nothing yet, this is
    the read that builds the parser's grammar."""
    t0 = time.perf_counter()
    request(port, "POST", "/api/parse", token, {"text": "lunch with Sam on friday at 1pm"})
    return (time.perf_counter() - t0) * 1000


def wrk(port, path, token, duration, method="GET", body=None, lua_tail=()):
    lua = [f'wrk.headers["Authorization"] = "Bearer {token}"']
    if method != "GET":
        lua += [f'wrk.method = "{method}"', f"wrk.body = '{json.dumps(body)}'",
                'wrk.headers["Content-Type"] = "application/json"']
    lua += lua_tail
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


def cpu_s(pid):
    """CPU time the process has used so far (user and system, all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def sqlite_runs(memos):
    return [
        ("GET /api/todos?limit=50 (of 1,000)", "/api/todos?limit=50", "GET", None),
        ("POST /api/todos", "/api/todos", "POST", {"title": "benchmark todo", "priority": "high"}),
        (f"GET /api/search?q=zanzibar ({memos:,} memos)", "/api/search?q=zanzibar", "GET", None),
        (f"GET /api/search?q=garden ({memos:,} memos, common word)", "/api/search?q=garden", "GET", None),
        ("GET /api/today", "/api/today", "GET", None),
    ]


def api_runs(memos):
    return [
        ("GET /api/todos?limit=50 (of 1,000)", "/api/todos?limit=50", "GET", None),
        ("GET /api/today", "/api/today", "GET", None),
        (f"GET /api/search?q={SEARCH_WORD} (100 matches, {memos + 40:,} memos)", f"/api/search?q={SEARCH_WORD}", "GET", None),
        ("POST /api/todos", "/api/todos", "POST", {"title": "benchmark todo", "priority": "high"}),
        ("GET /api/health", "/api/health", "GET", None),
    ]


def prepare(data, args):
    """Seeds `data` as `args` asks, or copies a folder seeded before (`--use-seed`); returns
    what was seeded (in words, with how long it took), the first start's time (None for a
    copy) and a token that stays valid across restarts."""
    if args.use_seed:
        shutil.copytree(args.use_seed, data, dirs_exist_ok=True)
        with open(os.path.join(data, SEED_NOTE)) as f:
            note = json.load(f)
        port = free_port()
        proc, _ = start(data, port)
        token = request(port, "POST", "/api/auth/login", body={"pin": note["pin"]})["access_token"]
        proc.terminate()
        proc.wait()
        return f"{note['seeded']} (a copy of {args.use_seed}).", None, token
    port = free_port()
    proc, first_ms = start(data, port)
    pin = read_pin(proc)
    token = request(port, "POST", "/api/auth/login", body={"pin": pin})["access_token"]
    t0 = time.perf_counter()
    if args.seed == "api":
        api = seed_api(port, token)
        seed_memos(port, token, args.memos)
        counts = {kind: api.total(f"/api/{kind}?limit=1") for kind in ("todos", "events", "memos")}
        what = (f"{counts['todos']:,} todos, {counts['events']:,} events and {counts['memos']:,} memos "
                "through the API")
    else:
        seed(os.path.join(data, "clawchat.db"), 1000, args.memos)
        what = f"1,000 todos and {args.memos:,} memos into the database file"
    seeded = f"Seeded {what} in {time.perf_counter() - t0:.1f} s"
    proc.terminate()
    proc.wait()
    if args.save_seed:
        shutil.copytree(data, args.save_seed)
        with open(os.path.join(args.save_seed, SEED_NOTE), "w") as f:
            json.dump({"pin": pin, "seeded": seeded, "seed": args.seed, "memos": args.memos}, f)
    return seeded + ".", first_ms, token


# What a saved seed folder keeps beside the data: the PIN to log in with, what it holds.
SEED_NOTE = "bench-seed.json"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--seed", choices=("sqlite", "api"), default="sqlite", help="which seeding (see above)")
    ap.add_argument("--memos", type=int, help="memos to seed (sqlite: 100,000 by default; api: 0)")
    ap.add_argument("--save-seed", metavar="DIR", help="keep a copy of the seeded data folder in DIR")
    ap.add_argument("--use-seed", metavar="DIR", help="start from a copy of DIR (saved by --save-seed)")
    ap.add_argument("--only", metavar="TEXT", action="append", help="run only the routes whose path holds TEXT")
    ap.add_argument("--parse", action="store_true", help="then parse the everyday texts (see above)")
    args = ap.parse_args()
    if args.use_seed:
        with open(os.path.join(args.use_seed, SEED_NOTE)) as f:
            note = json.load(f)
        args.seed, args.memos = note["seed"], note["memos"]
    if args.memos is None:
        args.memos = 100_000 if args.seed == "sqlite" else 0

    with tempfile.TemporaryDirectory() as data:
        seeded, first_ms, token = prepare(data, args)
        port = free_port()
        proc, warm_ms = start(data, port)
        time.sleep(1)
        idle = rss_mb(proc.pid)
        rows = []
        for name, path, method, body in (api_runs if args.seed == "api" else sqlite_runs)(args.memos):
            if args.only and not any(text in path for text in args.only):
                continue
            cpu = cpu_s(proc.pid)
            rps, p50, p99, errors = wrk(port, path, token, args.duration, method, body)
            # The server's own CPU time a request: on a machine shared with other work,
            # throughput follows the CPU left over, this does not.
            cpu_ms = (cpu_s(proc.pid) - cpu) * 1000 / (rps * args.duration)
            rows.append((name, rps, p50, p99, errors, cpu_ms))
        first_frame = first_frame_ms(port, token, 500) if args.seed == "sqlite" and not args.only else None
        after = rss_mb(proc.pid)
        parsed = first_read_ms = None
        if args.parse:
            if first_frame is None:
                # Nothing was read yet: this read builds the parser's grammar.
                first_read_ms = first_read(port, token)
            cpu = cpu_s(proc.pid)
            rps, p50, p99, errors = parse_run(port, token, args.duration)
            cpu_ms = (cpu_s(proc.pid) - cpu) * 1000 / (rps * args.duration)
            rows.append(("POST /api/parse (243 everyday texts in turn)", rps, p50, p99, errors, cpu_ms))
            parsed = rss_mb(proc.pid)
        proc.terminate()
        proc.wait()

    print(seeded + "\n")
    print("| route | req/s | p50 | p99 | non-2xx | server CPU a request |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rps, p50, p99, errors, cpu_ms in rows:
        print(f"| `{name}` | {rps:,.0f} | {p50} | {p99} | {errors} | {cpu_ms:.3f} ms |")
    print()
    if first_ms is not None:
        print(f"- start-up to first answered request: first start {first_ms:.0f} ms (creates the database, "
              f"generates the secret and PIN), warm start {warm_ms:.0f} ms")
    print(f"- resident memory: idle after start {idle:.1f} MB, after the load runs {after:.1f} MB")
    if first_read_ms is not None:
        print(f"- the first read after start (`POST /api/parse`, which builds the parser's grammar): "
              f"{first_read_ms:.1f} ms")
    if parsed is not None:
        print(f"- resident memory after the parse run: {parsed:.1f} MB")
    if first_frame:
        print(f"- message to first answer frame (`POST /api/chat/stream`, built-in parser, 500 sequential "
              f"messages, client-side): p50 {first_frame[0]:.2f} ms, p99 {first_frame[1]:.2f} ms")


if __name__ == "__main__":
    main()
