#!/usr/bin/env python3
"""Figures for BENCHMARKS.md with the real model (llama.cpp's server, Gemma 3 270M Q4_K_M):
time to the first streamed chunk and to the finished answer of a greeting, then 20
organiser requests, each on a fresh ClawChat server (AI_PROVIDER=openai) with what it needs
already stored. Each request counts as handled by the model (it called the right tool),
by the built-in parser (the model failed or did nothing, and the parser did it), or as
gone wrong; a wrong change to the store is counted on its own and must stay at zero."""

import argparse
import datetime
import statistics
import sys

from clawchat import Server
from llama import MODEL_NAME, ModelServer

TODAY = datetime.datetime.now(datetime.timezone.utc).date()
TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()


def next_weekday(day):
    ahead = (day - TODAY.weekday()) % 7 or 7
    return (TODAY + datetime.timedelta(days=ahead)).isoformat()


# (request, what is stored first, what must hold afterwards)
CASES = [
    ("add oat milk to my list", {}, {"todo": ("oat milk", None)}),
    ("remind me to call the bank tomorrow at 9am", {}, {"todo": ("call the bank", TOMORROW + "T09:00")}),
    ("I need to renew my passport", {}, {"todo": ("renew my passport", None)}),
    ("add buy stamps to my todo list", {}, {"todo": ("buy stamps", None)}),
    ("remind me to water the plants tomorrow", {}, {"todo": ("water the plants", TOMORROW)}),
    ("todo: pay the electricity bill", {}, {"todo": ("pay the electricity bill", None)}),
    ("put pick up the dry cleaning on my list", {}, {"todo": ("pick up the dry cleaning", None)}),
    ("schedule a dentist appointment on friday at 3pm", {}, {"event": ("dentist", next_weekday(4) + "T15:00")}),
    ("lunch with Ana tomorrow at 12:30", {}, {"event": ("lunch with ana", TOMORROW + "T12:30")}),
    ("team meeting on monday at 10am", {}, {"event": ("team meeting", next_weekday(0) + "T10:00")}),
    ("book yoga class tomorrow at 6pm", {}, {"event": ("yoga", TOMORROW + "T18:00")}),
    ("make a note that the wifi password is hunter2", {}, {"memo": "hunter2"}),
    ("note: the spare key is under the blue pot", {}, {"memo": "blue pot"}),
    ("save a memo: Rui's birthday is on June 3", {}, {"memo": "june 3"}),
    ("mark buy bread as done", {"todos": ["buy bread", "call mum"]}, {"completed": "buy bread"}),
    ("I finished the tax return", {"todos": ["finish the tax return", "walk the dog"]},
     {"completed": "finish the tax return"}),
    ("delete the todo clean the garage", {"todos": ["clean the garage", "feed the cat"]},
     {"deleted": "clean the garage"}),
    ("remove old notes from my list", {"todos": ["old notes", "keep this"]}, {"deleted": "old notes"}),
    ("what's on my todo list?", {"todos": ["buy bread", "call mum"]}, {"listed": "buy bread"}),
    ("what do I have to do today?", {"todos": ["send the invoice"]}, {"listed": "send the invoice"}),
]


def seed(server, what):
    for title in what.get("todos", []):
        status, _ = server.call("POST", "/api/todos", {"title": title})
        assert status == 201, status


def store(server):
    return {
        "todos": server.call("GET", "/api/todos?limit=100")[1]["items"],
        "events": server.call("GET", "/api/events?limit=100")[1]["items"],
        "memos": server.call("GET", "/api/memos?limit=100")[1]["items"],
    }


def judge(before, after, expect, answer):
    """(done, wrong): whether the request was carried out, and whether anything else in
    the store changed (or changed wrongly)."""
    seeded = {t["title"] for t in before["todos"]}
    new_todos = [t for t in after["todos"] if t["title"] not in seeded]
    if "todo" in expect:
        words, due = expect["todo"]
        ok = (len(new_todos) == 1 and words in new_todos[0]["title"].lower()
              and (due is None or (new_todos[0]["due_date"] or "").startswith(due)))
        others = after["events"] or after["memos"] or len(new_todos) > 1
        return ok, bool(others or (new_todos and not ok))
    if "event" in expect:
        words, start = expect["event"]
        ev = after["events"]
        ok = len(ev) == 1 and words in ev[0]["title"].lower() and ev[0]["start_time"].startswith(start)
        return ok, bool(after["todos"] or after["memos"] or len(ev) > 1 or (ev and not ok))
    if "memo" in expect:
        memos = after["memos"]
        ok = len(memos) == 1 and expect["memo"] in (memos[0]["title"] + " " + memos[0]["content"]).lower()
        return ok, bool(after["todos"] or after["events"] or len(memos) > 1 or (memos and not ok))
    changed_others = after["events"] or after["memos"] or new_todos
    if "completed" in expect:
        title = expect["completed"]
        states = {t["title"]: t["status"] for t in after["todos"]}
        ok = states.get(title) == "completed"
        wrong = any(s == "completed" for t, s in states.items() if t != title) or len(states) != len(seeded)
        return ok, bool(wrong or changed_others)
    if "deleted" in expect:
        left = {t["title"] for t in after["todos"]}
        ok = expect["deleted"] not in left
        return ok, bool(left != seeded - {expect["deleted"]} or changed_others)
    # A question: nothing changes, and the answer names what is stored.
    unchanged = [(t["title"], t["status"]) for t in after["todos"]] == [(t["title"], t["status"]) for t in before["todos"]]
    return expect["listed"] in answer.text.lower(), bool(not unchanged or changed_others)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--greetings", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=40)
    args = parser.parse_args()
    model = ModelServer()
    # The packaged model is the pretrained one, which never ends its turn: its answers are
    # held to AI_MAX_TOKENS, as in the suite.
    env = {"AI_PROVIDER": "openai", "AI_BASE_URL": model.base, "AI_MODEL": MODEL_NAME, "AI_TIMEOUT": "120",
           "AI_MAX_TOKENS": str(args.max_tokens)}
    try:
        server = Server(**env)
        firsts, wholes, chunks = [], [], []
        try:
            for _ in range(args.greetings):
                a = server.ask("Hello! How are you today?")
                assert a.provider != "builtin", a.result
                firsts.append(a.first_chunk)
                wholes.append(a.finished)
                chunks.append(len(a.chunks))
        finally:
            server.stop()
        print(f"greeting, {args.greetings} runs, AI_MAX_TOKENS={args.max_tokens}: first chunk median {statistics.median(firsts):.2f} s "
              f"(min {min(firsts):.2f}, max {max(firsts):.2f}); finished answer median {statistics.median(wholes):.2f} s "
              f"(min {min(wholes):.2f}, max {max(wholes):.2f}); {statistics.median(chunks):.0f} chunks")

        tally = {"model": 0, "fallback": 0, "not done": 0, "wrong stored": 0}
        times = []
        print("\n| # | request | answered by | fallback_reason | done | wrong change |")
        print("|---|---|---|---|---|---|")
        for n, (text, what, expect) in enumerate(CASES, 1):
            server = Server(**env)
            try:
                seed(server, what)
                before = store(server)
                answer = server.ask(text)
                after = store(server)
            finally:
                server.stop()
            times.append(answer.finished)
            done, wrong = judge(before, after, expect, answer)
            by = "model" if answer.provider != "builtin" else "fallback"
            if wrong:
                tally["wrong stored"] += 1
            if done and not wrong:
                tally[by] += 1
            else:
                tally["not done"] += 1
            print(f"| {n} | {text} | {answer.provider} | {answer.fallback_reason or ''} | "
                  f"{'yes' if done else 'no'} | {'YES' if wrong else 'no'} |", flush=True)
        print(f"\n20 organiser requests: model {tally['model']}, fallback {tally['fallback']}, "
              f"not done {tally['not done']}, something wrong stored {tally['wrong stored']}; "
              f"answer finished in median {statistics.median(times):.2f} s (max {max(times):.2f})")
        return 1 if tally["wrong stored"] else 0
    finally:
        model.stop()


if __name__ == "__main__":
    sys.exit(main())
