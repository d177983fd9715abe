"""API fuzzing from the OpenAPI document, against the real server binary.

Starts the built `clawchat-server` on a fresh data directory and a free loopback port,
logs in for a token, and runs schemathesis against `/api/openapi.json`: the document must
load as valid OpenAPI, no request may get a 500, and every answer must match the document
(status code, content type, headers, body schema). The server's log is kept and printed
when something fails.

The document states the limits the server keeps, so most generated requests are valid and
reach the code behind the checks; voice queries too, which the server hears through a
stand-in speech service (without one, a valid query is refused with 503).

    tests/.venv-api/bin/python tests/api/run_schemathesis.py [--max-examples N] [--binary PATH]

Exits with schemathesis' status (0 when every check passed). An operation that rejects
most of the data generated from the document fails the run too (schemathesis.toml).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = "582046"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def default_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "clawchat-server"


class SpeechService(BaseHTTPRequestHandler):
    """A stand-in for the speech-to-text service: it hears the same words in every recording."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps({"text": "what is on my list today"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def start_speech_service() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SpeechService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def start_server(binary: Path, data_dir: str, stt_url: str):
    args = [
        str(binary),
        "--data-dir", data_dir,
        "--port", "0",
        "--pin", PIN,
        "--ai-provider", "builtin",
        "--enable-scheduler", "false",
        "--stt-base-url", stt_url,
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "RUST_LOG")}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=data_dir)
    log: list[str] = []
    found = threading.Event()
    address: list[str] = []

    def read():
        assert proc.stdout is not None
        for line in proc.stdout:
            log.append(line)
            m = re.search(r"running at http://([^/\s]+)/", line)
            if m and not found.is_set():
                address.append(m.group(1))
                found.set()

    threading.Thread(target=read, daemon=True).start()
    if not found.wait(60):
        proc.kill()
        sys.exit("the server did not start:\n" + "".join(log))
    return proc, address[0], log


def login(base: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/auth/login",
        data=json.dumps({"pin": PIN}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", type=Path, default=default_binary())
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("API_FUZZ_EXAMPLES", "25")))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if not args.binary.exists():
        sys.exit(f"{args.binary} is missing; build it with `cargo build -p clawchat-server`")

    schemathesis = Path(sys.executable).parent / "schemathesis"
    with tempfile.TemporaryDirectory(prefix="clawchat-api-fuzz-") as data_dir:
        speech = start_speech_service()
        stt_url = f"http://127.0.0.1:{speech.server_address[1]}"
        proc, address, log = start_server(args.binary, data_dir, stt_url)
        try:
            base = f"http://{address}"
            token = login(base)
            command = [
                str(schemathesis),
                "--config-file", str(Path(__file__).with_name("schemathesis.toml")),
                "run",
                f"{base}/api/openapi.json",
                "--header", f"Authorization: Bearer {token}",
                "--checks", CHECKS,
                "--max-examples", str(args.max_examples),
                "--workers", "1",
                "--phases", "examples,coverage,fuzzing",
                "--request-timeout", "30",
                "--no-color",
                "--generation-database", "none",
                # Logging out would end the token every later request uses.
                "--exclude-path", "/api/auth/logout",
                # Wrong PINs and codes lock the client out (429, as they should); the
                # lock is tested on its own, and here it would only hide other answers.
                "--exclude-path", "/api/auth/login",
                "--exclude-path", "/api/auth/verify-otp",
                "--exclude-path", "/api/auth/register",
                # Logging a device out may end this very token, like logout.
                "--exclude-path", "/api/devices/{id}",
                # Turning LAN mode on opens a listener on the machine's network address;
                # tests keep to loopback (LAN mode is tested in tests/it/devices.rs).
                "--exclude-path", "/api/lan",
            ]
            if args.seed is not None:
                command += ["--seed", str(args.seed)]
            started = time.monotonic()
            status = subprocess.call(command, cwd=data_dir)
            print(f"schemathesis finished in {time.monotonic() - started:.0f} s with status {status}")
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
            speech.shutdown()
        if status != 0:
            server_log = "".join(log)
            print("---- server log ----\n" + server_log[-20000:])
        return status


if __name__ == "__main__":
    sys.exit(main())
