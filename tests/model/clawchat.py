"""The built ClawChat server for the model suites, and what a user of /ws sees of an answer."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import websocket

PIN = "864213579"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.environ.get("CLAWCHAT_BIN", os.path.join(target, "debug", "clawchat-server"))


class Server:
    """The server with the AI_* settings given, on a free loopback port, with a fresh data
    directory; logged in, with one /ws connection that asks."""

    def __init__(self, **env):
        self.dir = tempfile.mkdtemp(prefix="clawchat-model-")
        full = dict(os.environ, CLAWCHAT_DATA_DIR=self.dir, PORT="0", HOST="127.0.0.1", PIN=PIN, TZ="UTC",
                    ENABLE_SCHEDULER="false", **env)
        self.proc = subprocess.Popen([binary(), "serve"], env=full, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        for line in self.proc.stdout:
            m = re.search(r"running at (http://[0-9.:]+)/", line)
            if m:
                self.base = m.group(1)
                break
        else:
            raise RuntimeError("the server did not start")
        self.token = None
        self.token = self.call("POST", "/api/auth/login", {"pin": PIN})[1]["access_token"]
        self.ws = websocket.create_connection(self.base.replace("http", "ws", 1) + "/ws", timeout=300)
        self._send("auth", {"token": self.token, "connection_id": "asker"})
        self._send("ping")
        while json.loads(self.ws.recv())["type"] != "pong":
            pass

    def _send(self, kind, data=None):
        self.ws.send(json.dumps({"type": kind} if data is None else {"type": kind, "data": data}))

    def call(self, method, path, body=None, timeout=60):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def ask(self, content):
        """Sends a message as the /ws connection and reads its answer to the end."""
        started = time.monotonic()
        status, delivered = self.call("POST", "/api/chat/send", {"content": content, "connection_id": "asker"})
        if status != 202:
            raise AssertionError(f"chat/send answered {status}: {delivered}")
        return Answer(self.ws, delivered["reply_id"], started)

    def todos(self):
        return self.call("GET", "/api/todos?limit=100")[1]["items"]

    def stop(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc.stdout.close()
            shutil.rmtree(self.dir, ignore_errors=True)


class Answer:
    """One answer as its connection saw it: the chunks (with when each came), the
    query-result, the tasks' updates and the final text."""

    def __init__(self, ws, reply_id, started):
        self.reply_id = reply_id
        self.chunks, self.chunk_times, self.frames = [], [], []
        self.result = None
        while True:
            frame = json.loads(ws.recv())
            self.frames.append(frame)
            data = frame.get("data") or {}
            kind = frame["type"]
            if kind == "stream_chunk" and data.get("message_id") == reply_id:
                self.chunks.append(data["content"])
                self.chunk_times.append(time.monotonic() - started)
            elif kind == "query-result" and data.get("message_id") == reply_id:
                self.result = data
            elif kind == "stream_end" and data.get("message_id") == reply_id:
                self.text = data["full_content"]
                self.finished = time.monotonic() - started
                break
        self.first_chunk = self.chunk_times[0] if self.chunk_times else None

    @property
    def provider(self):
        return self.result["provider"]

    @property
    def fallback_reason(self):
        return self.result["fallback_reason"]

    def task_updates(self):
        return [f["data"] for f in self.frames if f["type"] == "task:update"]
