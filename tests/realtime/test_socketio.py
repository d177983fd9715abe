"""Socket.IO with python-socketio 5 (the client the AI-assistant protocol's edge clients use),
against the real server: connect with a token, ask, get query-result; run file_read as a
registered host and see the dependent memo; voice without a speech service."""

import base64
import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

import socketio

PIN = "864213579"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.environ.get("CLAWCHAT_BIN", os.path.join(target, "debug", "clawchat-server"))


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="clawchat-pysio-")
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
        self.token = self.call("POST", "/api/auth/login", {"pin": PIN})["access_token"]

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if getattr(self, "token", None):
            req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


def eventually(check, what):
    for _ in range(200):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


class SocketIoClientTest(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.events = queue.Queue()
        self.told = []
        self.sio = socketio.Client(reconnection=False)
        for name in ("query-result", "task:execute", "error"):
            self.sio.on(name, lambda data, name=name: self.events.put((name, data)))
        self.sio.connect(self.server.base, auth={"token": self.server.token}, transports=["websocket"], wait_timeout=10)

    def tearDown(self):
        self.sio.disconnect()
        self.server.stop()

    def next_event(self, wanted):
        """The next `wanted` event; the errors passed over on the way are kept in self.told."""
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                name, data = self.events.get(timeout=deadline - time.time())
            except queue.Empty:
                break
            if name == wanted:
                return data
            if name == "error":
                self.told.append(data)
        raise AssertionError(f"no {wanted} event within 10 s")

    def test_a_text_query_gets_its_query_result_and_the_todo_exists(self):
        self.sio.emit("send-user-text-query", {"query": "add buy milk to my todo list"})
        result = self.next_event("query-result")
        self.assertEqual(result["intent"], "create_todo")
        eventually(lambda: any(t["title"] == "buy milk" for t in self.server.call("GET", "/api/todos")["items"]),
                   "buy milk stored")

    def test_a_registered_host_runs_file_read_and_the_dependent_memo_follows(self):
        # Events are handled concurrently on the server: wait until the registration holds.
        registered = self.sio.call("client:register", {"tools": ["file_read"]}, timeout=10)
        self.assertEqual(registered, {"status": "registered", "tools": ["file_read"]})
        self.sio.emit("send-user-text-query", {"query": "read ~/notes/ideas.txt and save it as a memo"})
        task = self.next_event("task:execute")
        self.assertEqual(task["task"]["tool"], "file_read")
        self.sio.emit("task:result", {"task_id": task["task"]["task_id"],
                                      "result": {"path": "~/notes/ideas.txt", "content": "Buy a kayak."}})
        eventually(lambda: any(m["content"] == "Buy a kayak." for m in self.server.call("GET", "/api/memos")["items"]),
                   "the memo made from the file")

    def test_a_voice_query_without_a_speech_service_is_stt_unavailable(self):
        audio = base64.b64encode(b"RIFF....WAVEfmt fake").decode()
        self.sio.emit("send-user-voice-query", {"audio": audio, "mimeType": "audio/wav"})
        self.assertEqual(self.next_event("error")["code"], "stt_unavailable")
        self.sio.emit("send-user-voice-query", {"audio": "%%% not base64", "mimeType": "audio/wav"})
        self.assertEqual(self.next_event("error")["code"], "bad_audio")
        # The connection is still up.
        self.sio.emit("send-user-text-query", {"query": "add stretch to my todo list"})
        self.assertEqual(self.next_event("query-result")["intent"], "create_todo")

    def test_the_voice_line_keeps_the_words_apostrophes_included(self):
        self.sio.emit("send-user-text-query", {"query": "open firefox"})
        result = self.next_event("query-result")
        self.assertEqual(result["answer"], "I'll open firefox once you approve.")
        self.assertEqual(result["voice"], "I'll open firefox once you approve.")
        self.sio.emit("send-user-text-query", {"query": "add pay the rent to my todo list"})
        result = self.next_event("query-result")
        self.assertIn("'pay the rent'", result["answer"])
        self.assertEqual(result["voice"], result["answer"].replace("'", ""), "quote marks go, not words")

    def test_a_client_that_never_registered_is_told_once_how_to_get_host_tasks(self):
        for query in ("read ~/notes/ideas.txt", "read ~/notes/other.txt", "add stretch to my todo list"):
            self.sio.emit("send-user-text-query", {"query": query})
            self.next_event("query-result")
        # A socket's events arrive in order and the server tells right after the query-result
        # that called for it, so by the last query-result everything it said has arrived.
        self.assertEqual([e["code"] for e in self.told], ["not_registered"])
        self.assertIn("client:register", self.told[0]["detail"])
        self.assertIn("task:execute", self.told[0]["detail"])

    def test_a_registered_client_is_not_told_to_register(self):
        self.sio.call("client:register", {"tools": ["file_read"]}, timeout=10)
        self.sio.emit("send-user-text-query", {"query": "read ~/notes/ideas.txt"})
        task = self.next_event("task:execute")
        self.sio.emit("task:result", {"task_id": task["task"]["task_id"], "result": {"content": "x"}})
        self.sio.emit("send-user-text-query", {"query": "add stretch to my todo list"})
        result = self.next_event("query-result")
        while result["intent"] != "create_todo":
            result = self.next_event("query-result")
        self.assertEqual([e for e in self.told if e["code"] == "not_registered"], [])


if __name__ == "__main__":
    unittest.main()
