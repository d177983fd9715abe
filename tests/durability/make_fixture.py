#!/usr/bin/env python3
"""Makes the database a release leaves behind, for the upgrade tests.

Starts the built server on an empty data folder, fills it through the API with rows of
every kind a user accumulates (todos of every status, priority and due style, recurring
and all-day events, pinned and tagged memos, conversations answered by the built-in
parser with their tasks, one waiting for approval, logins, a spent refresh token, a
one-time code, a push token), stops it gracefully and copies `clawchat.db` to
`server-core/tests/fixtures/releases/<release>.db`.

Run it once per release, on that release's commit, and commit the file:

    cargo build -p clawchat-server
    python3 tests/durability/make_fixture.py --release 0.1.0

The PIN of every fixture is 246810, the integration tests' own.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

FIXTURE_PIN = "246810"


def must(answer, *expected):
    status, body = answer
    if status not in expected:
        raise SystemExit(f"unexpected answer {status}: {body}")
    return body


def fill(client):
    todos = [
        {"title": "Call the dentist", "due_date": "2026-03-13T15:00:00-07:00", "priority": "high", "tags": ["health"]},
        {"title": "Renew passport", "description": "Photos first, then the form.", "due_date": "2026-04-01", "priority": "urgent"},
        {"title": "Buy milk", "tags": ["shopping", "errands"]},
        {"title": "Água para as plantas 🌱", "priority": "low", "tags": ["casa"]},
        {"title": "Draft the budget", "status": "in_progress", "due_date": "2026-03-20"},
        {"title": "Return the library books", "status": "completed"},
        {"title": "File taxes", "description": "Receipts are in the blue folder.\nLine two.", "due_date": "2026-04-15T09:00:00Z"},
    ]
    created = [must(client.call("POST", "/api/todos", t), 201) for t in todos]
    must(client.call("POST", f"/api/todos/{created[2]['id']}/complete"), 200)
    must(client.call("PATCH", f"/api/todos/{created[0]['id']}", {"description": "Ask about the crown"}), 200)

    events = [
        {"title": "Team standup", "start_time": "2026-03-09T09:30:00-07:00", "end_time": "2026-03-09T09:45:00-07:00",
         "recurrence_rule": "FREQ=WEEKLY;BYDAY=MO,WE,FR", "reminder_minutes": 5, "tags": ["work"]},
        {"title": "Lisbon trip", "start_time": "2026-05-01", "end_time": "2026-05-05", "is_all_day": True, "location": "Lisbon"},
        {"title": "Dentist", "start_time": "2026-03-13T15:00:00-07:00", "location": "12 Main St", "description": "Bring the x-rays"},
        {"title": "Mum's birthday", "start_time": "2026-06-02", "is_all_day": True, "recurrence_rule": "FREQ=YEARLY"},
    ]
    for e in events:
        must(client.call("POST", "/api/events", e), 201)

    memos = [
        {"content": "Wi-Fi at the cabin: cabin-guest / 4417", "title": "Cabin", "tags": ["travel"], "pinned": True},
        {"content": "Ideas for the garden: tomatoes, basil, a small pond.", "tags": ["garden", "ideas"]},
        {"content": "Recipe — pão de queijo: 500 g polvilho, 250 ml milk, 2 eggs, 150 g cheese.", "title": "Pão de queijo"},
        {"content": "Quote: \"The best time to plant a tree was 20 years ago.\""},
    ]
    memo_ids = [must(client.call("POST", "/api/memos", m), 201)["id"] for m in memos]
    must(client.call("PATCH", f"/api/memos/{memo_ids[1]}", {"pinned": True}), 200)

    lines = [
        "remind me to call the plumber tomorrow at 10am",
        "add buy bread to my list",
        "note that the locker code is 2291",
        "what's on my calendar friday",
        "clear my todo list",
    ]
    conversation = None
    for line in lines:
        body = {"content": line} if conversation is None else {"content": line, "conversation_id": conversation}
        conversation = must(client.call("POST", "/api/chat/send", body), 202)["conversation_id"]
        time.sleep(0.3)
    must(client.call("POST", "/api/chat/send", {"content": "what do I have today"}), 202)
    must(client.call("POST", "/api/notifications/register-token", {"token": "ExponentPushToken[fixture-0001]"}), 200, 201, 204)
    must(client.call("POST", "/api/auth/register", {"email": "me@example.com"}), 200, 201, 202)


def wait_settled(db_path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db = harness.open_db(db_path, readonly=True)
        busy = db.execute("SELECT count(*) FROM agent_tasks WHERE status IN ('pending', 'running')").fetchone()[0]
        db.close()
        if busy == 0:
            return
        time.sleep(0.2)
    raise SystemExit("tasks did not settle")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", required=True, help="the release this database stands for, e.g. 0.1.0")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="clawchat-fixture-")
    server = harness.Server(data_dir)
    server.pin = FIXTURE_PIN
    server.start()
    try:
        client = harness.Client(server.base)
        status, body = client.call("POST", "/api/auth/login", {"pin": FIXTURE_PIN})
        client.token = must((status, body), 200)["access_token"]
        # A second login whose refresh token is spent once: a family with history.
        second = must(client.call("POST", "/api/auth/login", {"pin": FIXTURE_PIN}), 200)
        must(client.call("POST", "/api/auth/refresh", {"refresh_token": second["refresh_token"]}), 200)
        fill(client)
        wait_settled(server.db_path)
    finally:
        if server.stop() != 0:
            raise SystemExit(f"the server did not stop cleanly:\n{server.log_tail()}")
    out_dir = os.path.join(harness.ROOT, "server-core", "tests", "fixtures", "releases")
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, f"{args.release}.db")
    shutil.copyfile(server.db_path, out)
    db = harness.open_db(out, readonly=True)
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '%fts%' AND name NOT LIKE 'sqlite_%'")]
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    db.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    print(f"wrote {os.path.relpath(out, harness.ROOT)}: {counts}")


if __name__ == "__main__":
    main()
