"""The real clawchat-server for the MCP suites: a fresh data folder, a login, MCP turned on
and a client token; and MCP sessions over Streamable HTTP and over stdio (the
`clawchat-server mcp` bridge a desktop client launches) with the official Python SDK."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import asynccontextmanager

from mcp import ClientSession, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client

PIN = "864213579"


def binary():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "target")
    return os.environ.get("CLAWCHAT_BIN") or os.path.join(target, "debug", "clawchat-server")


class Server:
    def __init__(self, mcp_enabled=True, client_name="Test Assistant"):
        self.dir = tempfile.mkdtemp(prefix="clawchat-mcp-")
        env = dict(os.environ, CLAWCHAT_DATA_DIR=self.dir, PORT="0", HOST="127.0.0.1", PIN=PIN, TZ="UTC",
                   AI_PROVIDER="builtin", ENABLE_SCHEDULER="false")
        env.pop("STT_BASE_URL", None)
        self.proc = subprocess.Popen([binary(), "serve"], env=env, stdout=subprocess.PIPE, text=True)
        for line in self.proc.stdout:
            m = re.search(r"running at (http://[0-9.:]+)/", line)
            if m:
                self.base = m.group(1)
                break
        else:
            raise RuntimeError("the server did not start")
        self.token = None
        self.token = self.call("POST", "/api/auth/login", {"pin": PIN})["access_token"]
        if mcp_enabled:
            self.call("PATCH", "/api/settings", {"mcp_enabled": True})
        self.client = self.call("POST", "/api/mcp/clients", {"name": client_name})
        self.mcp_token = self.client["token"]

    def call(self, method, path, body=None):
        """The JSON answer of a REST call (None for an empty one); an HTTP error raises."""
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read()
            return json.loads(text) if text else None

    def status(self, method, path, body=None, headers=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def todos(self):
        return self.call("GET", "/api/todos?limit=100")["items"]

    def tasks(self, status=None):
        return self.call("GET", "/api/tasks" + (f"?status={status}" if status else ""))["items"]

    def awaiting_approval(self, timeout=10):
        """The first task waiting for the user's yes, once there is one."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            waiting = self.tasks("awaiting_approval")
            if waiting:
                return waiting[0]
            time.sleep(0.05)
        raise AssertionError("no task came to wait for approval")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


@asynccontextmanager
async def http_session(server, token=None, message_handler=None):
    """An initialised MCP session over Streamable HTTP at /mcp."""
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token or server.mcp_token}"})
    async with http:
        async with streamable_http_client(server.base + "/mcp", http_client=http) as (read, write):
            async with ClientSession(read, write, message_handler=message_handler) as session:
                await session.initialize()
                yield session


def bridge_parameters(server=None, token=None, data_dir=None, url=None):
    env = {"PATH": os.environ.get("PATH", ""), "CLAWCHAT_DATA_DIR": data_dir or server.dir,
           "CLAWCHAT_MCP_TOKEN": token if token is not None else server.mcp_token}
    return StdioServerParameters(command=binary(), args=["mcp"] + (["--url", url] if url else []), env=env)


@asynccontextmanager
async def stdio_session(server=None, token=None, data_dir=None, url=None, message_handler=None):
    """An initialised MCP session through `clawchat-server mcp`, launched as a desktop client would."""
    async with stdio_client(bridge_parameters(server, token, data_dir, url)) as (read, write):
        async with ClientSession(read, write, message_handler=message_handler) as session:
            await session.initialize()
            yield session


def mcp_error(raised):
    """The MCPError inside what a session raised (anyio wraps it in exception groups)."""
    pending = [raised]
    while pending:
        e = pending.pop()
        if isinstance(e, MCPError):
            return e
        pending.extend(getattr(e, "exceptions", ()))
    return None


async def refused_start(**kwargs):
    """The MCP error a bridge session's start is refused with; fails if it starts."""
    try:
        async with stdio_session(**kwargs):
            pass
    except BaseException as raised:  # noqa: BLE001 - an exception group, looked into below
        error = mcp_error(raised)
        if error is None:
            raise
        return error
    raise AssertionError("the session started")
