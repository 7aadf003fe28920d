"""A loopback HTTP server speaking the OpenAI chat-completions protocol (streamed as server-sent
events), as Ollama, llama.cpp server and LM Studio do. It answers with text a test gives it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatServer:
    """`reply(request_body) -> list of text chunks`; each chunk is one SSE event, `delay` s apart."""

    def __init__(self, reply: Callable[[dict], list[str]], delay: float = 0.0, models: tuple[str, ...] = ("tiny",),
                 api_key: str | None = None):
        self.reply = reply
        self.delay = delay
        self.models = models
        self.api_key = api_key
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.sent: list[int] = []  # chunks written per request (a cancel stops them early)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_a) -> None:  # keep test output clean
                pass

            def _json(self, code: int, obj: dict) -> None:
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self) -> bool:
                if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    self._json(401, {"error": {"message": "invalid api key"}})
                    return False
                return True

            def do_GET(self) -> None:  # noqa: N802
                if not self._authorised():
                    return
                if self.path == "/v1/models":
                    self._json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in server.models]})
                else:
                    self._json(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append(body)
                server.headers.append(dict(self.headers))
                if not self._authorised():
                    return
                if self.path != "/v1/chat/completions":
                    self._json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                if body.get("model") not in server.models:
                    self._json(404, {"error": {"message": f"model '{body.get('model')}' not found"}})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                sent = 0
                try:
                    self.wfile.write(b": keep-alive\n\n")
                    for i, piece in enumerate(server.reply(body)):
                        event = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": int(time.time()),
                                 "model": body["model"],
                                 "choices": [{"index": 0, "delta": ({"role": "assistant"} if i == 0 else {}) | {"content": piece},
                                              "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                        sent += 1
                        if server.delay:
                            time.sleep(server.delay)
                    end = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                    self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (cancel)
                finally:
                    server.sent.append(sent)
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
