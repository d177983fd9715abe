"""Time of one MCP tool call over each transport, for BENCHMARKS.md: the official Python
SDK calls `query_todos` (a read, 20 open todos in the store) and `create_todo` (a write)
N times in one session, over Streamable HTTP at /mcp and over stdio through
`clawchat-server mcp`, and prints p50 and p99 of the round trip as the client sees it.

    tests/.venv-mcp/bin/python tests/bench/mcp_bench.py [--calls 500]

CLAWCHAT_BIN picks the binary (`make bench-mcp` builds and uses the release build)."""

import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "mcp"))
from clawchat import Server, http_session, stdio_session  # noqa: E402


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def measure(open_session, server, calls):
    figures = {}
    async with open_session(server) as s:
        for _ in range(20):  # warm-up
            await s.call_tool("query_todos", {})
        for tool, args in [("query_todos", lambda i: {}), ("create_todo", lambda i: {"title": f"bench {i}"})]:
            samples = []
            for i in range(calls):
                start = time.perf_counter()
                result = await s.call_tool(tool, args(i))
                samples.append((time.perf_counter() - start) * 1000)
                assert not result.is_error, result
            figures[tool] = samples
    return figures


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    calls = parser.parse_args().calls
    server = Server(client_name="bench")
    try:
        for i in range(20):
            server.call("POST", "/api/todos", {"title": f"open todo {i}"})
        print(f"{calls} calls each, one session, sequential; milliseconds, as the client sees them")
        print(f"{'transport':<18}{'tool':<14}{'p50':>8}{'p99':>8}")
        for name, open_session in [("Streamable HTTP", http_session), ("stdio (bridge)", stdio_session)]:
            figures = await measure(open_session, server, calls)
            for tool, samples in figures.items():
                print(f"{name:<18}{tool:<14}{percentile(samples, 50):8.2f}{percentile(samples, 99):8.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
