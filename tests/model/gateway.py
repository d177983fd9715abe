"""A pass-through on loopback between ClawChat and the model server, for what the product
cannot ask of the model itself: it rewrites the chat request (say, forcing a tool call, as
some gateways and tool-tuned models do) and forwards the real server's streamed answer byte
for byte. With MODEL_RECORD set to a folder it also keeps each answer there, as the
stand-in tests replay them."""

import http.client
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    def __init__(self, upstream_port, rewrite=None, record_as=None):
        self.upstream_port = upstream_port
        self.rewrite = rewrite
        self.record_as = record_as
        self.requests = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.forward(None)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = json.loads(body)
                if gateway.rewrite:
                    request = gateway.rewrite(request)
                gateway.requests.append(request)
                self.forward(json.dumps(request).encode())

            def forward(self, body):
                upstream = http.client.HTTPConnection("127.0.0.1", gateway.upstream_port, timeout=600)
                headers = {"Content-Type": "application/json", "Accept": self.headers.get("Accept", "*/*")}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.getheader("Content-Type", "application/json"))
                self.send_header("Connection", "close")
                self.end_headers()
                kept = bytearray()
                try:
                    while True:
                        piece = answer.read1(65536)
                        if not piece:
                            break
                        kept += piece
                        self.wfile.write(piece)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    upstream.close()
                folder = os.environ.get("MODEL_RECORD")
                if folder and gateway.record_as and body is not None:
                    os.makedirs(folder, exist_ok=True)
                    with open(os.path.join(folder, gateway.record_as), "wb") as f:
                        f.write(bytes(kept))
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
