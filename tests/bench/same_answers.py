#!/usr/bin/env python3
"""Do two builds give the same answers? Byte for byte, on the same data.

    python3 tests/bench/same_answers.py <build A> <build B> <seed folder> [<seed folder for B>]

Starts each build on its own copy of a folder saved by `http_bench.py --save-seed` (B on
a second folder when given, such as a copy whose search indexes were merged), sends the
same requests (searches with paging, `types`, prefixes, two words, no match, a word with
more matches than the ranked window; Today; lists) and compares the bodies.
"""

import json
import os
import shutil
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_bench as hb  # noqa: E402

PATHS = [
    "/api/search?q=garden", "/api/search?q=garden&limit=100", "/api/search?q=garden&page=2",
    "/api/search?q=garden&page=5&limit=25", "/api/search?q=garden&types=memos",
    "/api/search?q=garden&types=todos,events", "/api/search?q=gar", "/api/search?q=coffee",
    "/api/search?q=coffee&page=3&limit=100", "/api/search?q=coffee%20tea", "/api/search?q=coffee&types=todos",
    "/api/search?q=nothingatall", "/api/search?q=garden&page=99", "/api/search?q=river&limit=7&page=2",
    "/api/search?q=the", "/api/search?q=kitchen%20garden",
    "/api/today", "/api/todos?limit=50", "/api/todos?limit=50&page=3", "/api/todos?status=pending&limit=20",
    "/api/events?limit=50", "/api/memos?limit=20",
]


def answers(binary, seed):
    with open(os.path.join(seed, hb.SEED_NOTE)) as f:
        pin = json.load(f)["pin"]
    with tempfile.TemporaryDirectory() as work:
        data = os.path.join(work, "data")
        shutil.copytree(seed, data)
        os.environ["CLAWCHAT_BIN"] = binary
        port = hb.free_port()
        proc, _ = hb.start(data, port)
        token = hb.request(port, "POST", "/api/auth/login", body={"pin": pin})["access_token"]
        out = {}
        for path in PATHS:
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(req) as r:
                out[path] = r.read()
        proc.terminate()
        proc.wait()
    return out


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    build_a, build_b, seed = sys.argv[1:4]
    a = answers(build_a, seed)
    b = answers(build_b, sys.argv[4] if len(sys.argv) == 5 else seed)
    differ = [p for p in PATHS if a[p] != b[p]]
    for path in differ:
        print(f"DIFFERENT {path}\n  A: {a[path][:300]!r}\n  B: {b[path][:300]!r}")
    print(f"{len(PATHS) - len(differ)} of {len(PATHS)} answers identical byte for byte")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
