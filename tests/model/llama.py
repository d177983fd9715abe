"""The real model server for the suites in this folder: llama.cpp's OpenAI-compatible server
(llama-cpp-python, built from source by `make model-server`) with Gemma 3 270M (Q4_K_M, the
GGUF that PyPI packages carry in chunks), on a free loopback port.

Where it lives: MODEL_HOME (default ~/.cache/clawchat/model-server), with the virtual
environment in MODEL_HOME/venv and the assembled model next to it."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HOME = os.environ.get("MODEL_HOME", os.path.join(os.path.expanduser("~"), ".cache", "clawchat", "model-server"))
MODEL_FILE = os.path.join(HOME, "gemma-3-270m-q4_k_m.gguf")
# The name the server lists the model under, and the one ClawChat asks for.
MODEL_NAME = "gemma-3-270m"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ModelServer:
    """`python -m llama_cpp.server` on 127.0.0.1. Gemma needs the `gemma` chat format: the
    template in the GGUF answers with nothing."""

    def __init__(self):
        if not os.path.exists(MODEL_FILE):
            raise RuntimeError(f"{MODEL_FILE} is missing: run `make model-server` first")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log", delete=False)
        args = [sys.executable, "-m", "llama_cpp.server", "--model", MODEL_FILE, "--model_alias", MODEL_NAME,
                "--chat_format", "gemma", "--host", "127.0.0.1", "--port", str(self.port),
                "--n_ctx", "8192", "--n_threads", "2", "--seed", "7"]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the model server exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + "/v1/models", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the model server did not answer within 120 s; see {self.log.name}")

    def models(self):
        with urllib.request.urlopen(self.base + "/v1/models", timeout=10) as r:
            return [m["id"] for m in json.loads(r.read())["data"]]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
