#!/usr/bin/env python3
"""Crash loop: writers hit the real server while it is killed with SIGKILL at random
moments, then it is restarted on the same database file and everything is checked.

Each round:
  1. with the server dead, the file is checked: `PRAGMA integrity_check` is ok, no
     foreign key dangles, each FTS5 index passes its own integrity-check and indexes as
     many rows as its table, and every write that got a success answer is there, intact,
     and found by a full-text MATCH on its own word; every delete that got one is gone;
  2. the server is started on the same file (its own recovery replays the log); every
     task the kill caught `running` is now `failed` with the reason, the plans it resumed
     finish, leaving no task `running`, and a sample of the acknowledged writes reads back
     through the API;
  3. four writers run at once: todos (create, delete), memos (create, edit), and chat
     messages through `POST /api/chat/send` (no model: the built-in parser answers and
     runs its tasks, so tasks are `running` when the kill lands), until a SIGKILL at a
     random moment.

    python3 tests/durability/crash_loop.py --rounds 50          # what `make test` runs
    CRASH_ROUNDS=500 python3 tests/durability/crash_loop.py     # longer (make soak)

Exits 1 with the problems found, 0 when every round passed.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CHAT_LINES = [
    "remind me to call the dentist {w} tomorrow at 3pm",
    "add a todo to buy milk {w}",
    "note that the garage code {w} is 4417",
    "what's on my calendar friday {w}",
    "add buy bread {w} to my list",
]


class Ledger:
    """What the server acknowledged, and what it may hold for a request cut short."""

    def __init__(self):
        self.lock = threading.Lock()
        self.todos = {}  # id -> (title, word); present
        self.deleted = set()  # todo ids whose DELETE was acknowledged
        self.deleting = set()  # todo ids whose DELETE was cut short: either is right
        self.memos = {}  # id -> (set of allowed contents, word)
        self.messages = {}  # id -> (content, conversation_id, word)
        self.acks = 0
        self.errors = []  # answers no client should get


def word(rng):
    return "w" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10))


def run_writers(base, token, ledger, rng_seed, stop):
    """Starts the four writers; they run until `stop` is set or the server vanishes."""

    def guarded(fn, seed):
        def body():
            rng = random.Random(seed)
            client = harness.Client(base, token)
            while not stop.is_set():
                try:
                    fn(client, rng)
                except OSError:
                    return  # killed mid-request: whatever was not acknowledged may be lost
                except AssertionError as e:
                    with ledger.lock:
                        ledger.errors.append(str(e))
                    return
        return threading.Thread(target=body, daemon=True)

    def todos(client, rng):
        w = word(rng)
        title = f"todo {w} {rng.choice(['call', 'buy', 'fix', 'write'])} ünïcode ✓"
        status, body = client.call("POST", "/api/todos", {"title": title, "tags": ["crash", w]})
        if status == 201:
            with ledger.lock:
                ledger.todos[body["id"]] = (title, w)
                ledger.acks += 1
        elif status >= 500:
            raise AssertionError(f"POST /api/todos answered {status}: {body}")
        if rng.random() < 0.2:
            with ledger.lock:
                victims = [i for i in ledger.todos if i not in ledger.deleted and i not in ledger.deleting]
                victim = rng.choice(victims) if victims else None
                if victim:
                    ledger.deleting.add(victim)
            if victim:
                status, body = client.call("DELETE", f"/api/todos/{victim}")
                with ledger.lock:
                    ledger.deleting.discard(victim)
                    if status == 204:
                        ledger.deleted.add(victim)
                        ledger.acks += 1

    def memos(client, rng):
        w = word(rng)
        content = f"memo {w} " + " ".join(rng.choice(["lisbon", "budget", "garden", "piano"]) for _ in range(40))
        status, body = client.call("POST", "/api/memos", {"content": content, "title": f"m {w}"})
        if status == 201:
            with ledger.lock:
                ledger.memos[body["id"]] = ({content}, w)
                ledger.acks += 1
        elif status >= 500:
            raise AssertionError(f"POST /api/memos answered {status}: {body}")

    def edits(client, rng):
        with ledger.lock:
            ids = list(ledger.memos)
        if not ids:
            time.sleep(0.02)
            return
        memo = rng.choice(ids)
        with ledger.lock:
            allowed, w = ledger.memos[memo]
            # Cut short, the edit may or may not have landed: both contents are right.
            new = f"memo {w} edited {rng.randrange(10**9)}"
            ledger.memos[memo] = (allowed | {new}, w)
        status, body = client.call("PATCH", f"/api/memos/{memo}", {"content": new})
        if status == 200:
            with ledger.lock:
                ledger.memos[memo] = ({new}, w)
                ledger.acks += 1
        elif status >= 500:
            raise AssertionError(f"PATCH /api/memos answered {status}: {body}")

    def chat(client, rng):
        w = word(rng)
        content = rng.choice(CHAT_LINES).format(w=w)
        status, body = client.call("POST", "/api/chat/send", {"content": content})
        if status == 202:
            with ledger.lock:
                ledger.messages[body["message_id"]] = (content, body["conversation_id"], w)
                ledger.acks += 1
        elif status >= 500:
            raise AssertionError(f"POST /api/chat/send answered {status}: {body}")

    threads = [guarded(f, rng_seed * 10 + i) for i, f in enumerate([todos, memos, edits, chat])]
    for t in threads:
        t.start()
    return threads


def check_acknowledged(db_path, ledger):
    """Every acknowledged write is in the file, intact and searchable; returns problems.
    Edits cut short are settled to what the file holds."""
    problems = []
    db = harness.open_db(db_path, readonly=True)
    try:
        def fts_has(fts, w, seq):
            hits = [r[0] for r in db.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ?", (w,))]
            return seq in hits

        with ledger.lock:
            for tid, (title, w) in ledger.todos.items():
                row = db.execute("SELECT seq, title FROM todos WHERE id = ?", (tid,)).fetchone()
                if tid in ledger.deleted:
                    if row is not None:
                        problems.append(f"todo {tid}: deleted with 204, still there")
                    continue
                if tid in ledger.deleting:
                    # The kill cut its DELETE short: gone or intact, and settled as found.
                    ledger.deleting.discard(tid)
                    if row is None:
                        ledger.deleted.add(tid)
                        continue
                if row is None:
                    problems.append(f"todo {tid} ({title!r}): created with 201, missing")
                elif row["title"] != title:
                    problems.append(f"todo {tid}: title {row['title']!r}, expected {title!r}")
                elif not fts_has("todos_fts", w, row["seq"]):
                    problems.append(f"todo {tid}: not found by searching {w}")
            for mid, (allowed, w) in list(ledger.memos.items()):
                row = db.execute("SELECT seq, content FROM memos WHERE id = ?", (mid,)).fetchone()
                if row is None:
                    problems.append(f"memo {mid}: created with 201, missing")
                elif row["content"] not in allowed:
                    problems.append(f"memo {mid}: content {row['content'][:60]!r} is none of the acknowledged ones")
                else:
                    ledger.memos[mid] = ({row["content"]}, w)
                    if not fts_has("memos_fts", w, row["seq"]):
                        problems.append(f"memo {mid}: not found by searching {w}")
            for mid, (content, conversation, w) in ledger.messages.items():
                row = db.execute(
                    "SELECT seq, content, conversation_id, role FROM messages WHERE id = ?", (mid,)
                ).fetchone()
                if row is None:
                    problems.append(f"message {mid}: accepted with 202, missing")
                elif (row["content"], row["conversation_id"], row["role"]) != (content, conversation, "user"):
                    problems.append(f"message {mid}: stored as {tuple(row)!r}")
                elif not fts_has("messages_fts", w, row["seq"]):
                    problems.append(f"message {mid}: not found by searching {w}")
    finally:
        db.close()
    return problems


def inspect_copy(db_path, scratch):
    """Copies the killed server's files (database and write-ahead log, as the kill left
    them) to `scratch` and returns the copy's path: the checks open the copy, so the
    server, not this script, is the one that recovers the log on the real file."""
    copy = os.path.join(scratch, "inspect.db")
    for suffix in ("-wal", "-shm", ""):
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)
    shutil.copyfile(db_path, copy)
    if os.path.exists(db_path + "-wal"):
        shutil.copyfile(db_path + "-wal", copy + "-wal")
    return copy


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("CRASH_ROUNDS", "50")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CRASH_SEED", str(int(time.time())))))
    parser.add_argument("--max-run", type=float, default=1.5, help="longest load before a kill, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    data_dir = tempfile.mkdtemp(prefix="clawchat-crash-")
    scratch = os.path.join(data_dir, "inspect")
    os.makedirs(scratch)
    server = harness.Server(data_dir)
    ledger = Ledger()
    problems = []
    interrupted_tasks = 0
    started = time.monotonic()
    print(f"crash loop: {args.rounds} rounds, seed {args.seed}, data in {data_dir}", flush=True)
    token = None
    cut_short = []
    try:
        for round_no in range(1, args.rounds + 1):
            if round_no > 1:
                copy = inspect_copy(server.db_path, scratch)
                found = harness.check_store(copy) + check_acknowledged(copy, ledger)
                db = harness.open_db(copy, readonly=True)
                cut_short = [r[0] for r in db.execute("SELECT id FROM agent_tasks WHERE status = 'running'")]
                interrupted_tasks += len(cut_short)
                db.close()
                problems += [f"round {round_no - 1}: {p}" for p in found]
                if found:
                    break
            server.start()
            server.pin = None  # stored now; later starts need not hash it again
            if token is None:
                token = server.client().login().token
            client = harness.Client(server.base, token)
            # Recovery, before the server listens: every task the kill caught running is
            # failed with the reason; plans with tasks still to do resume, and must finish.
            db = harness.open_db(server.db_path, readonly=True)
            for task_id in cut_short:
                row = db.execute("SELECT status, error FROM agent_tasks WHERE id = ?", (task_id,)).fetchone()
                if row is None or row["status"] != "failed" or "interrupted" not in (row["error"] or ""):
                    problems.append(f"round {round_no}: task {task_id} cut short by the kill is {tuple(row or ())}")
            deadline = time.monotonic() + 30
            while True:
                running = db.execute("SELECT count(*) FROM agent_tasks WHERE status = 'running'").fetchone()[0]
                if running == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            db.close()
            if running:
                problems.append(f"round {round_no}: {running} tasks still running 30 s after recovery")
            with ledger.lock:
                sample = rng.sample(
                    [i for i in ledger.todos if i not in ledger.deleted], min(5, len(ledger.todos) - len(ledger.deleted))
                )
            for tid in sample:
                status, body = client.call("GET", f"/api/todos/{tid}")
                if status != 200 or body.get("title") != ledger.todos[tid][0]:
                    problems.append(f"round {round_no}: GET /api/todos/{tid} answered {status} {body}")
            stop = threading.Event()
            threads = run_writers(server.base, token, ledger, args.seed + round_no, stop)
            time.sleep(rng.uniform(0.05, args.max_run))
            server.kill()
            stop.set()
            for t in threads:
                t.join(60)
            problems += [f"round {round_no}: {e}" for e in ledger.errors]
            ledger.errors.clear()
            if problems:
                break
        if not problems:
            found = harness.check_store(server.db_path) + check_acknowledged(server.db_path, ledger)
            problems += [f"after the last round: {p}" for p in found]
    finally:
        server.kill()
    elapsed = time.monotonic() - started
    with ledger.lock:
        print(
            f"crash loop: {round_no} rounds in {elapsed:.1f} s, {ledger.acks} acknowledged writes "
            f"({len(ledger.todos)} todos, {len(ledger.deleted)} deleted, {len(ledger.memos)} memos, "
            f"{len(ledger.messages)} messages), {interrupted_tasks} tasks caught running by a kill",
            flush=True,
        )
    if problems:
        print("crash loop FAILED:\n  " + "\n  ".join(problems[:50]), file=sys.stderr)
        print(f"server log tail:\n{server.log_tail()}", file=sys.stderr)
        print(f"data kept in {data_dir}", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    print("crash loop: every acknowledged write survived; integrity, FTS and task checks ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
