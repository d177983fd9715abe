"""The pieces every durability script shares: the built `clawchat-server` binary started
as its own process on a data folder, a JSON client with a token, and the checks a
database file must pass.

Only the Python standard library is used, so the scripts run with any `python3`.
"""

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIN = "864213579"
SECRET = "durability-test-secret-0123456789abcdef"
# Tables with a full-text index kept in step by triggers, by index name.
FTS_TABLES = {"todos_fts": "todos", "events_fts": "events", "memos_fts": "memos", "messages_fts": "messages"}


def binary(profile=None):
    """The server binary cargo built (debug unless `profile` or $CLAWCHAT_PROFILE says)."""
    profile = profile or os.environ.get("CLAWCHAT_PROFILE", "debug")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    path = os.path.join(target, profile, "clawchat-server")
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: build it first (cargo build -p clawchat-server)")
    return path


class Server:
    """One `clawchat-server serve` process on `data_dir` (database `clawchat.db` in it)."""

    def __init__(self, data_dir, log_path=None, profile=None, extra_args=(), preexec=None):
        # Given on the command line, the PIN is checked against the stored hash at every
        # start (an Argon2 hash); once stored, later starts may leave it out.
        self.pin = PIN
        self.data_dir = data_dir
        self.db_path = os.path.join(data_dir, "clawchat.db")
        self.log_path = log_path or os.path.join(data_dir, "server.log")
        self.profile = profile
        self.extra_args = list(extra_args)
        self.preexec = preexec
        self.proc = None
        self.base = None

    def start(self, timeout=60):
        """Starts the process and waits for the line that names its address."""
        args = [
            binary(self.profile),
            "--host", "127.0.0.1", "--port", "0",
            "--data-dir", self.data_dir,
            "--database-url", f"sqlite:///{self.db_path}",  # four slashes: absolute
            *(["--pin", self.pin] if self.pin else []),
            "--jwt-secret", SECRET, "--tz", "UTC",
            "--ai-provider", "builtin", "--enable-scheduler", "false",
            *self.extra_args,
            "serve",
        ]
        env = {k: v for k, v in os.environ.items() if k not in ("PIN", "DATABASE_URL", "RUST_LOG")}
        env["RUST_LIB_BACKTRACE"] = "0"  # an error at start is one readable paragraph
        log = open(self.log_path, "a", encoding="utf-8")
        log.write(f"--- start {time.strftime('%H:%M:%S')}\n")
        log.flush()
        self.proc = subprocess.Popen(
            args, cwd=self.data_dir, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
            preexec_fn=self.preexec,
        )
        log.close()
        found = {}
        proc = self.proc

        def read_stdout():
            for line in proc.stdout:
                if "is running at http://" in line and "base" not in found:
                    found["base"] = line.split("is running at ")[1].split("/ ")[0].rstrip("/")
                    ready.set()
            ready.set()
            proc.stdout.close()

        ready = threading.Event()
        threading.Thread(target=read_stdout, daemon=True).start()
        if not ready.wait(timeout) or "base" not in found:
            self.kill()
            raise RuntimeError(f"the server did not start; its log:\n{self.log_tail()}")
        self.base = found["base"]
        return self

    def log_tail(self, chars=4000):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-chars:]

    def kill(self):
        """SIGKILL: no chance to flush, checkpoint or say goodbye."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait(30)

    def stop(self, timeout=30):
        """SIGTERM and wait: the graceful stop."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout)
        return self.proc.returncode if self.proc else None

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def client(self):
        return Client(self.base)


class Client:
    """JSON over HTTP with a bearer token. `call` returns (status, body); a transport
    failure (refused, reset) raises OSError."""

    def __init__(self, base, token=None):
        self.base = base
        self.token = token

    def call(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            raw = e.read()
            status = e.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def login(self):
        status, body = self.call("POST", "/api/auth/login", {"pin": PIN})
        if status != 200:
            raise RuntimeError(f"login answered {status}: {body}")
        self.token = body["access_token"]
        return self


def open_db(path, readonly=False):
    uri = f"file:{path}{'?mode=ro' if readonly else ''}"
    db = sqlite3.connect(uri, uri=True, timeout=30)
    db.row_factory = sqlite3.Row
    return db


def check_store(path):
    """Every structural check on a database file; returns a list of problems (empty = ok).
    The file must not be open for writing by a server while this runs."""
    problems = []
    db = open_db(path)
    try:
        result = [r[0] for r in db.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.append(f"integrity_check: {result[:5]}")
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {len(fk)} rows")
        for fts, table in FTS_TABLES.items():
            try:
                db.execute(f"INSERT INTO {fts}({fts}) VALUES('integrity-check')")
            except sqlite3.DatabaseError as e:
                problems.append(f"{fts} integrity-check: {e}")
            indexed = db.execute(f"SELECT count(*) FROM {fts}_docsize").fetchone()[0]
            rows = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if indexed != rows:
                problems.append(f"{fts} indexes {indexed} rows, {table} has {rows}")
        db.rollback()
    finally:
        db.close()
    return problems


def fts_match_count(db, fts, word):
    return db.execute(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH ?", (word,)).fetchone()[0]
