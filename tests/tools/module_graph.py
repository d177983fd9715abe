#!/usr/bin/env python3
"""The server crate's module import graph, at the level of its top-level modules, with
`features` and `infra` split into their modules (`features::todos`, `infra::db`, ...).

It reads every `.rs` file under the crate's `src/` (the binary's `main.rs` aside), with
comments and string literals removed, and takes an edge from each path it names:
`use crate::...`, `crate::x::...`, `super::...`, `self::...`, a child module's name, or a
module brought in by `use`. Inline modules (`mod tests { ... }`) count as their file's.
`lib.rs`, where the app is assembled, is the node `crate`.

Test modules (`#[cfg(test)] mod tests`, inline or in a file of their own) are left out
unless `--with-tests` is given. Prints the nodes, the edges, the two-way pairs and the cycle groups (strongly connected
components of more than one node); exits 1 if there is a cycle group, so it can guard a
build. `--json` prints the same as JSON.

    python3 tests/tools/module_graph.py [server-core/src] [--with-tests] [--json] [--edges]
"""

import json
import re
import sys
from pathlib import Path

SPLIT = ("features", "infra")


def module_of(src: Path, file: Path) -> tuple:
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts == ["lib"]:
        return ()
    if parts[-1] == "mod":
        parts = parts[:-1]
    return tuple(parts)


def strip(code: str) -> str:
    """The code with comments, string and char literals blanked out."""
    out, i, n = [], 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            i = n if j < 0 else j
        elif code.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if code.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif code.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
        elif (m := re.match(r'b?r(#*)"', code[i:])) and (i == 0 or not (code[i - 1].isalnum() or code[i - 1] == "_")):
            end = '"' + m.group(1)
            j = code.find(end, i + m.end())
            i = n if j < 0 else j + len(end)
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and code[i] != '"':
                i += 2 if code[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'" and (m := re.match(r"'(\\.[^']*|[^'\\])'", code[i:])):
            i += m.end()
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def blank_test_modules(code: str) -> str:
    """The code with each `#[cfg(test)] mod name { ... }` blanked out."""
    for m in reversed(list(re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", code))):
        depth, k = 1, m.end()
        while k < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[k], 0)
            k += 1
        code = code[: m.start()] + " " + code[k:]
    return code


def expand_use(tree: str) -> list:
    """`a::{b, c::{d, e as f}}` -> [[a, b], [a, c, d], [a, c, e]]."""
    tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+\w+", "", tree))

    def parse(s, prefix):
        items, depth, start = [], 0, 0
        for k, ch in enumerate(s):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                items.append(s[start:k])
                start = k + 1
        items.append(s[start:])
        paths = []
        for item in filter(None, items):
            if "{" in item:
                head, rest = item.split("{", 1)
                head_segs = [p for p in head.split("::") if p]
                paths += parse(rest[: rest.rfind("}")], prefix + head_segs)
            else:
                segs = [p for p in item.split("::") if p]
                paths.append(prefix + segs)
        return paths

    return parse(tree, [])


class Crate:
    def __init__(self, src: Path):
        self.src = src
        self.files = {}
        for f in sorted(src.rglob("*.rs")):
            if f == src / "main.rs":
                continue
            self.files[f] = module_of(src, f)
        self.modules = set(self.files.values())

    def is_module(self, path: tuple) -> bool:
        return tuple(path) in self.modules

    def node(self, path: tuple):
        if not path:
            return "crate"
        if path[0] in SPLIT and len(path) > 1 and self.is_module(path[:2]):
            return f"{path[0]}::{path[1]}"
        if self.is_module(path[:1]):
            return path[0]
        return None

    def resolve(self, segs: list, here: tuple, aliases: dict):
        """The absolute module path `segs` names from module `here`, or None if outside."""
        first = segs[0]
        if first == "crate":
            base, rest = (), segs[1:]
        elif first in ("super", "self"):
            base, rest = here, segs
            while rest and rest[0] in ("super", "self"):
                if rest[0] == "super":
                    base = base[:-1]
                rest = rest[1:]
        elif first in aliases:
            base, rest = aliases[first], segs[1:]
        elif self.is_module(here + (first,)):
            base, rest = here, segs
        else:
            return None
        path = tuple(base)
        for s in rest:
            if self.is_module(path + (s,)):
                path += (s,)
            else:
                break
        return path

    def test_only(self) -> set:
        """The file modules declared under `#[cfg(test)]` (`#[cfg(test)] mod tests;`)."""
        found = set()
        for file, module in self.files.items():
            for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", strip(file.read_text())):
                found.add(module + (m.group(1),))
        return found

    def edges(self, with_tests: bool = False) -> dict:
        edges = {}
        skip = set() if with_tests else self.test_only()
        for file, module in self.files.items():
            if any(module[: len(t)] == t for t in skip):
                continue
            code = strip(file.read_text())
            if not with_tests:
                code = blank_test_modules(code)
            here_node = self.node(module)
            # Inline modules: the module path at each offset.
            scopes = []  # (start, end, extra segment)
            for m in re.finditer(r"\bmod\s+(\w+)\s*\{", code):
                depth, k = 1, m.end()
                while k < len(code) and depth:
                    depth += {"{": 1, "}": -1}.get(code[k], 0)
                    k += 1
                scopes.append((m.start(), k, m.group(1)))

            def here_at(pos):
                extra = tuple(s for (a, b, s) in scopes if a <= pos < b)
                return module + extra

            aliases = {}
            uses = []
            for m in re.finditer(r"\buse\s+([^;]+);", code):
                here = here_at(m.start())
                for segs in expand_use(m.group(1)):
                    segs = [s for s in segs if s != "*"]
                    if not segs:
                        continue
                    target = self.resolve(segs, here, aliases)
                    if target is None:
                        continue
                    uses.append(target)
                    last = segs[-1]
                    if self.is_module(target) and last not in ("self", "super"):
                        aliases[last] = target
                    elif last == "self" and self.is_module(target):
                        aliases[segs[-2]] = target
            body = re.sub(r"\buse\s+[^;]+;", " ", code)
            targets = list(uses)
            for m in re.finditer(r"(?<![\w:])([A-Za-z_]\w*(?:::[A-Za-z_]\w*)+)", body):
                segs = m.group(1).split("::")
                target = self.resolve(segs, here_at(m.start()), aliases)
                if target is not None:
                    targets.append(target)
            for target in targets:
                there = self.node(target)
                if there and there != here_node:
                    edges.setdefault(here_node, set()).add(there)
        return edges


def sccs(nodes, edges):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            out.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return [g for g in out if len(g) > 1]


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    src = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "server-core" / "src"
    crate = Crate(src)
    with_tests = "--with-tests" in argv
    edges = crate.edges(with_tests)
    nodes = sorted({crate.node(m) for m in crate.modules if crate.node(m)})
    top = sorted({m[0] for m in crate.modules if m})
    pairs = sorted({tuple(sorted((a, b))) for a in edges for b in edges[a] if a in edges.get(b, ())})
    groups = sccs(nodes, edges)
    report = {
        "test_code": with_tests,
        "top_level_modules": len(top),
        "nodes": len(nodes),
        "edges": sum(len(v) for v in edges.values()),
        "two_way_pairs": [list(p) for p in pairs],
        "cycle_groups": groups,
    }
    if "--edges" in argv:
        report["edge_list"] = {a: sorted(b) for a, b in sorted(edges.items())}
    if "--json" in argv:
        print(json.dumps(report, indent=2))
    else:
        print(f"top-level modules: {len(top)} ({', '.join(top)})")
        print(f"nodes (features::X and infra::X split out, lib.rs as crate): {len(nodes)}")
        print(f"edges: {report['edges']} ({'with' if with_tests else 'without'} #[cfg(test)] modules)")
        print(f"two-way pairs: {len(pairs)}")
        for a, b in pairs:
            print(f"  {a} <-> {b}")
        print(f"cycle groups: {len(groups)}")
        for g in groups:
            print(f"  {{{', '.join(g)}}}")
        if "--edges" in argv:
            for a, b in sorted(edges.items()):
                print(f"  {a} -> {', '.join(sorted(b))}")
    return 1 if groups else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
