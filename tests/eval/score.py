#!/usr/bin/env python3
"""Score the offline parser and date resolver against the shared eval data.

Runs `CMD parse` and `CMD when` once per file (one utterance per stdin line) and
prints a markdown table for BENCHMARKS.md. Definitions follow
shared/eval/README.md:

* handled rate: share of in-domain rows whose intent is in the accepted set;
* false-action rate: share of all other rows turned into a write, delete or
  host-tool action (anything but general_chat, web_search, search, query_*,
  daily_briefing).

Resolver cases assert only the components given in `expected` /
`expected_end` (months 1-based), using each case's `ref` as now, in UTC.
Two readings are reported:

* strict: every given component must equal the value in `start` / `end`;
* grain-aware: components finer than the returned `grain` are skipped (chrono
  fills them with defaults such as 12:00 that the text never said), and for a
  day-or-coarser range the exclusive `end` is compared as its last included
  unit (chrono reports "March 25 to 27" as ending on the 27th).

Cases that assert a timezone offset are counted separately and excluded from
the main rates. Always exits 0.
"""

import argparse
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_EVAL = os.path.join(REPO_ROOT, "..", "shared", "eval")
DEFAULT_NOW = "2026-03-10T12:00:00Z"

READ_ONLY = {"general_chat", "web_search", "search", "query_todos", "query_events",
             "query_memos", "daily_briefing"}
TODO_WRITES = {"create_todo", "update_todo", "complete_todo", "delete_todo"}
EVENT_TODO_WRITES = {"create_event", "update_event", "delete_event"} | TODO_WRITES

ACCEPTED = {
    "calendar_set": {"create_event", "create_todo"},
    "schedule_meeting": {"create_event", "create_todo"},
    "calendar_query": {"query_events", "query_todos", "daily_briefing"},
    "calendar": {"query_events", "query_todos", "daily_briefing"},
    "meeting_schedule": {"query_events", "query_todos", "daily_briefing"},
    "calendar_remove": {"delete_event", "delete_todo"},
    "calendar_update": EVENT_TODO_WRITES,
    "lists_createoradd": TODO_WRITES,
    "shopping_list_update": TODO_WRITES,
    "todo_list_update": TODO_WRITES,
    "reminder_update": TODO_WRITES,
    "lists_query": {"query_todos"},
    "todo_list": {"query_todos"},
    "shopping_list": {"query_todos"},
    "reminder": {"query_todos"},
    "lists_remove": {"delete_todo", "complete_todo"},
    "alarm_set": {"create_todo", "create_event"},
    "alarm": {"create_todo", "create_event"},
    "timer": {"create_todo", "create_event"},
    "alarm_query": {"query_todos", "query_events"},
    "alarm_remove": {"delete_todo", "delete_event"},
}

# chrono's default `parse` is its casual configuration; `chrono.en` is the same
# parser reached through the English module.
CASUAL_PARSERS = {"chrono", "chrono.casual", "chrono.en"}


def run(cmd, sub, lines, now, tz="UTC"):
    proc = subprocess.run(
        cmd + [sub, "--now", now, "--tz", tz],
        input="".join(line.replace("\n", " ") + "\n" for line in lines),
        capture_output=True, text=True, check=False)
    out = proc.stdout.splitlines()
    if proc.returncode != 0 or len(out) != len(lines):
        sys.stderr.write(f"{' '.join(cmd)} {sub}: exit {proc.returncode}, "
                         f"{len(out)} lines for {len(lines)} inputs\n{proc.stderr[-2000:]}\n")
    return [json.loads(o) if o.strip() else {} for o in out] + [{}] * (len(lines) - len(out))


def load(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score_intents(cmd, path, now, show_misses=0):
    rows = load(path)
    results = run(cmd, "parse", [r["text"] for r in rows], now)
    ind_total = ind_ok = other_total = other_bad = 0
    misses = []
    for row, res in zip(rows, results):
        label = row.get("clinc_intent") or row.get("slurp_intent")
        intent = res.get("intent", "?")
        accepted = ACCEPTED.get(label) if row.get("group", "").startswith("in_domain") else None
        if accepted is not None:
            ind_total += 1
            if intent in accepted:
                ind_ok += 1
            else:
                misses.append(("miss", label, intent, row["text"]))
        else:
            other_total += 1
            if intent not in READ_ONLY:
                other_bad += 1
                misses.append(("FALSE", label, intent, row["text"]))
    for m in misses[:show_misses]:
        sys.stderr.write("%s\t%s\t%s\t%s\t%s\n" % ((os.path.basename(path),) + m))
    return ind_ok, ind_total, other_bad, other_total


def param_ok(key, want, params):
    """One expected param of an everyday phrasing against what the parser gave."""
    if key in ("due", "start"):
        names = ("due_date", "start_time") if key == "due" else ("start_time", "due_date")
        got = next((params[n] for n in names if params.get(n)), None)
        return isinstance(got, str) and got.startswith(want)
    got = params.get(key)
    if key == "tags":
        return isinstance(got, list) and [str(t).lower() for t in got] == [str(t).lower() for t in want]
    if key == "priority" and want == "high":
        return got in ("high", "urgent")
    norm = lambda v: str(v).strip().strip(".!?").lower()
    return got is not None and norm(got) == norm(want)


def score_everyday(cmd, path, now, show_misses=0):
    """Everyday phrasings: the intent alone, and the intent with every key param."""
    rows = load(path)
    results = run(cmd, "parse", [r["text"] for r in rows], now)
    kinds = {}
    bad_actions = chats = 0
    misses = []
    for row, res in zip(rows, results):
        intent = res.get("intent", "?")
        params = res.get("params", {})
        k = kinds.setdefault(row["kind"], [0, 0, 0])
        k[2] += 1
        if intent == row["intent"]:
            k[0] += 1
            if all(param_ok(key, want, params) for key, want in row["params"].items()):
                k[1] += 1
            else:
                misses.append(("params", row["text"], row["params"], params))
        else:
            misses.append(("intent", row["text"], row["intent"], intent))
        if row["intent"] in READ_ONLY:
            chats += 1
            bad_actions += intent not in READ_ONLY
    for m in misses[:show_misses]:
        sys.stderr.write("EVERYDAY %s\t%r\twant %s\tgot %s\n" % m)
    return kinds, bad_actions, chats


def parse_out(s):
    if not s:
        return None
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


GRAIN_ORDER = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"]
COMPONENT_GRAIN = {"second": "second", "minute": "minute", "hour": "hour", "day": "day",
                   "month": "month", "year": "year"}


def coarse_enough(component, grain):
    # Is `component` something a value of this grain actually states?
    if grain == "week":
        return component in ("year", "month", "day")
    if grain == "quarter":
        return component in ("year", "month")
    return GRAIN_ORDER.index(COMPONENT_GRAIN[component]) >= GRAIN_ORDER.index(grain)


def last_unit(end, grain):
    if grain in ("day", "week"):
        return end - timedelta(days=1)
    if grain in ("month", "quarter", "year"):
        return (end - timedelta(days=1)).replace(day=1)
    return end


def matches(expected, value, grain, aware):
    if value is None:
        return False
    for comp, want in expected.items():
        if comp not in COMPONENT_GRAIN:
            continue
        if aware and not coarse_enough(comp, grain):
            continue
        if getattr(value, comp) != want:
            return False
    return True


def score_chrono(cmd, path, show_misses=0):
    rows = load(path)
    results = []
    for row in rows:
        ref = row["ref"] + ("" if row["ref"].endswith("Z") else "Z")
        results.append(run(cmd, "when", [row["text"]], ref)[0])
    stats = {}
    misses = []
    for row, res in zip(rows, results):
        casual = row["parser"] in CASUAL_PARSERS
        tzcase = bool(row.get("asserts_timezone"))
        start, end = parse_out(res.get("start")), parse_out(res.get("end"))
        grain = res.get("grain", "second")
        oks = []
        for aware in (False, True):
            ok = matches(row["expected"], start, grain, aware)
            if ok and row.get("expected_end"):
                end_v = last_unit(end, grain) if (aware and end is not None) else end
                ok = matches(row["expected_end"], end_v, grain, aware)
            oks.append(ok)
        if casual and not tzcase and not oks[1]:
            misses.append((row["text"], row["ref"], row["expected"], row.get("expected_end"), res))
        for key in (("casual" if casual else "other") + ("_tz" if tzcase else ""), "all"):
            s = stats.setdefault(key, [0, 0, 0])
            s[0] += oks[0]
            s[1] += oks[1]
            s[2] += 1
    for m in misses[:show_misses]:
        sys.stderr.write("MISS %r ref=%s exp=%s end=%s got=%s\n" % m)
    return stats


def score_negative(cmd, path):
    rows = load(path)
    results = run(cmd, "when", [r["text"] for r in rows], DEFAULT_NOW)
    left_alone = sum(1 for r in results if "error" in r)
    return left_alone, len(rows)


def pct(a, b):
    return "n/a" if b == 0 else f"{100.0 * a / b:.1f}%"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmd", default=os.path.join(REPO_ROOT, "target", "release", "clawparse"),
                    help="parser binary (may include arguments, split on spaces)")
    ap.add_argument("--eval-dir", default=DEFAULT_EVAL)
    ap.add_argument("--now", default=DEFAULT_NOW, help="reference time for `parse`")
    ap.add_argument("--show-misses", type=int, default=0,
                    help="print up to N misses per file to stderr")
    args = ap.parse_args()
    cmd = args.cmd.split()
    ev = os.path.abspath(args.eval_dir)

    print(f"Command: `{' '.join(cmd)}`, eval data: `{ev}`, parse --now {args.now} --tz UTC\n")
    print("| file | rows | handled (in-domain) | false-action (other rows) |")
    print("|---|---:|---:|---:|")
    for name in ("clinc_train", "slurp_devel", "clinc_val"):
        path = os.path.join(ev, name + ".jsonl")
        if not os.path.exists(path):
            continue
        ok, tot, bad, otot = score_intents(cmd, path, args.now, args.show_misses)
        print(f"| {name} | {tot + otot} | {pct(ok, tot)} ({ok}/{tot}) "
              f"| {pct(bad, otot)} ({bad}/{otot}) |")

    path = os.path.join(HERE, "everyday.jsonl")
    if os.path.exists(path):
        kinds, bad, reads = score_everyday(cmd, path, args.now, args.show_misses)
        print("\n| everyday phrasings (tests/eval/everyday.jsonl) | n | intent | intent and params |")
        print("|---|---:|---:|---:|")
        tot = [sum(k[i] for k in kinds.values()) for i in range(3)]
        for kind in sorted(kinds):
            k = kinds[kind]
            print(f"| {kind} | {k[2]} | {pct(k[0], k[2])} | {pct(k[1], k[2])} |")
        print(f"| all | {tot[2]} | {pct(tot[0], tot[2])} ({tot[0]}) | {pct(tot[1], tot[2])} ({tot[1]}) |")
        print(f"\nEveryday reads and chat turned into an action: {bad}/{reads}.")

    path = os.path.join(ev, "chrono_en.jsonl")
    if os.path.exists(path):
        st = score_chrono(cmd, path, args.show_misses)
        print("\n| chrono_en cases | n | strict pass | grain-aware pass |")
        print("|---|---:|---:|---:|")
        labels = [("casual", "casual parser (chrono, chrono.casual, chrono.en), no tz assert"),
                  ("casual_tz", "casual parser, asserts a tz offset"),
                  ("other", "strict / en.GB parsers, no tz assert"),
                  ("other_tz", "strict / en.GB parsers, asserts a tz offset"),
                  ("all", "all cases")]
        for key, label in labels:
            s = st.get(key)
            if s:
                print(f"| {label} | {s[2]} | {pct(s[0], s[2])} ({s[0]}) | {pct(s[1], s[2])} ({s[1]}) |")

    path = os.path.join(ev, "chrono_en_negative.jsonl")
    if os.path.exists(path):
        ok, tot = score_negative(cmd, path)
        print(f"\nchrono_en_negative: {ok}/{tot} texts left alone ({pct(ok, tot)}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
