"""One-time sign-in codes by e-mail, against a real SMTP server on loopback (aiosmtpd) and
the built server: the code arrives in the mail and logs in; a refused login and an
unreachable server are a clear error, and the code is not lost (it is shown on this
computer, here the console and the Settings card's list, and still logs in); a mailed code
is never listed for Settings; without STARTTLS offered nothing is sent in the clear."""

import json
import os
import queue
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import unittest
import urllib.error
import urllib.request

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
USER, PASSWORD = "clawchat", "right-password"


def binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.environ.get("CLAWCHAT_BIN", os.path.join(target, "debug", "clawchat-server"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """Keeps every message the SMTP server accepted."""

    def __init__(self):
        self.messages = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        self.messages.put((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


class Server:
    """The built server with `env` added, its console read line by line."""

    def __init__(self, env):
        self.dir = tempfile.mkdtemp(prefix="clawchat-mail-")
        full = dict(os.environ, CLAWCHAT_DATA_DIR=self.dir, PORT="0", HOST="127.0.0.1", PIN="864213579",
                    TZ="UTC", AI_PROVIDER="builtin", ENABLE_SCHEDULER="false", **env)
        self.proc = subprocess.Popen([binary(), "serve"], env=full, stdout=subprocess.PIPE, text=True)
        self.console = queue.Queue()
        for line in self.proc.stdout:
            m = re.search(r"running at (http://[0-9.:]+)/", line)
            if m:
                self.base = m.group(1)
                break
        else:
            raise RuntimeError("the server did not start")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.console.put(line)

    def post(self, path, body):
        req = urllib.request.Request(self.base + path, method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def shown_codes(self):
        """The codes Settings shows, as (email, code) pairs, asked for with the owner's PIN."""
        status, pair = self.post("/api/auth/login", {"pin": "864213579"})
        assert status == 200, pair
        req = urllib.request.Request(self.base + "/api/auth/codes",
                                     headers={"Authorization": "Bearer " + pair["access_token"]})
        with urllib.request.urlopen(req, timeout=60) as r:
            return [(c["email"], c["code"]) for c in json.loads(r.read())["items"]]

    def code_on_console(self, email):
        while True:
            line = self.console.get(timeout=10)
            m = re.search(rf"code for {re.escape(email)}: (\d{{6}})", line)
            if m:
                return m.group(1)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


class OtpByMailTest(unittest.TestCase):
    def setUp(self):
        self.inbox = Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                               auth_required=True, auth_require_tls=False)
        self.smtp.start()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.smtp.stop()

    def server(self, **env):
        settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port), "SMTP_USER": USER,
                    "SMTP_PASSWORD": PASSWORD, "SMTP_FROM": "ClawChat <clawchat@example.com>", "SMTP_TLS": "none"}
        settings.update(env)
        s = Server({k: v for k, v in settings.items() if v is not None})
        self.servers.append(s)
        return s

    def assert_logs_in(self, server, email, code):
        status, pair = server.post("/api/auth/verify-otp", {"email": email, "otp": code})
        self.assertEqual(status, 200, pair)
        self.assertIn("access_token", pair)

    def test_the_code_arrives_by_mail_and_logs_in(self):
        server = self.server()
        status, body = server.post("/api/auth/register", {"email": "Ana@Example.com"})
        self.assertEqual((status, body), (201, {"status": "otp_sent"}))
        to, content = self.inbox.messages.get(timeout=10)
        self.assertEqual(to, ["ana@example.com"])
        self.assertIn("From: ClawChat <clawchat@example.com>", content)
        code = re.search(r"sign-in code is (\d{6})", content).group(1)
        self.assertEqual(server.shown_codes(), [], "a mailed code is not shown on this computer")
        self.assert_logs_in(server, "ana@example.com", code)

    def test_a_refused_login_is_a_clear_error_and_the_code_is_not_lost(self):
        server = self.server(SMTP_PASSWORD="wrong-password")
        status, body = server.post("/api/auth/register", {"email": "ana@example.com"})
        self.assertEqual(status, 502, body)
        self.assertEqual(body["code"], "otp_mail_failed")
        self.assertIn("refused the login", body["detail"])
        self.assertNotIn("wrong-password", json.dumps(body))
        self.assertTrue(self.inbox.messages.empty(), "nothing was mailed")
        code = server.code_on_console("ana@example.com")
        self.assertEqual(server.shown_codes(), [("ana@example.com", code)], "Settings shows it too")
        self.assert_logs_in(server, "ana@example.com", code)
        self.assertEqual(server.shown_codes(), [], "used, it is no longer shown")

    def test_an_unreachable_server_is_a_clear_error_and_the_code_is_not_lost(self):
        server = self.server(SMTP_PORT=str(free_port()))
        status, body = server.post("/api/auth/register", {"email": "ana@example.com"})
        self.assertEqual(status, 502, body)
        self.assertEqual(body["code"], "otp_mail_failed")
        self.assertIn("could not be reached", body["detail"])
        self.assert_logs_in(server, "ana@example.com", server.code_on_console("ana@example.com"))

    def test_starttls_is_the_default_and_nothing_goes_in_the_clear_without_it(self):
        server = self.server(SMTP_TLS=None)
        status, body = server.post("/api/auth/register", {"email": "ana@example.com"})
        self.assertEqual(status, 502, body)
        self.assertEqual(body["code"], "otp_mail_failed")
        self.assertTrue(self.inbox.messages.empty(), "the code went out unencrypted")
        self.assert_logs_in(server, "ana@example.com", server.code_on_console("ana@example.com"))


if __name__ == "__main__":
    unittest.main()
