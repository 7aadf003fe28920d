"""A loopback HTTP server that speaks enough of the Hugging Face Hub API for huggingface_hub:

- GET  /api/models/REPO/revision/REV   the repo's commit and files with their LFS sha256 / git
                                        blob ids (what `HfApi.model_info(files_metadata=True)` reads)
- HEAD /REPO/resolve/REV/PATH          X-Repo-Commit, ETag / X-Linked-Etag, sizes
- GET  /REPO/resolve/REV/PATH          the bytes (Range honoured)

A repo can be gated: without an Authorization header the hub answers 401, with a token that has
not accepted the licence 403, both with `X-Error-Code: GatedRepo` as the real hub does. A file
can be served with other bytes than the ones published (`tamper`), to test the sha256 check.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

COMMIT = "c0ffee" + "0" * 34


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()


@dataclass
class FakeRepo:
    files: dict[str, bytes]
    lfs: set[str] = field(default_factory=set)  # paths stored in LFS (sha256 published)
    gated: bool = False
    allowed_tokens: set[str] = field(default_factory=set)  # tokens that accepted the licence
    tamper: dict[str, bytes] = field(default_factory=dict)  # served instead of the published bytes


class HubState:
    def __init__(self):
        self.repos: dict[str, FakeRepo] = {}
        self.requests: list[tuple[str, str, str]] = []  # (method, path, authorization)


def _handler(state: HubState) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output clean
            pass

        def _send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None, head: bool = False):
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _json(self, code: int, obj, extra: dict[str, str] | None = None, head: bool = False):
            self._send(code, json.dumps(obj).encode(), {"Content-Type": "application/json", **(extra or {})}, head)

        def _route(self, head: bool):
            path = unquote(urlparse(self.path).path)
            auth = self.headers.get("Authorization", "")
            state.requests.append((self.command, path, auth))
            if path.startswith("/api/models/"):
                repo_id, _, _rev = path[len("/api/models/"):].partition("/revision/")
                repo = state.repos.get(repo_id)
                if repo is None:
                    return self._json(404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"}, head)
                siblings = []
                for p, data in sorted(repo.files.items()):
                    s = {"rfilename": p, "size": len(data), "blobId": git_blob_id(data)}
                    if p in repo.lfs:
                        s["lfs"] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "pointerSize": 134}
                    siblings.append(s)
                return self._json(200, {"id": repo_id, "sha": COMMIT, "siblings": siblings, "gated": repo.gated}, None, head)
            if "/resolve/" in path:
                repo_id, _, rest = path.lstrip("/").partition("/resolve/")
                _rev, _, file_path = rest.partition("/")
                repo = state.repos.get(repo_id)
                if repo is None or file_path not in repo.files:
                    return self._json(404, {"error": "Entry not found"}, {"X-Error-Code": "EntryNotFound",
                                                                          "X-Repo-Commit": COMMIT}, head)
                if repo.gated:
                    token = auth.removeprefix("Bearer ").strip()
                    if not token:
                        return self._json(401, {"error": "gated"}, {
                            "X-Error-Code": "GatedRepo",
                            "X-Error-Message": f"Access to model {repo_id} is restricted. You must have access to it "
                                               "and be authenticated to access it. Please log in."}, head)
                    if token not in repo.allowed_tokens:
                        return self._json(403, {"error": "gated"}, {
                            "X-Error-Code": "GatedRepo",
                            "X-Error-Message": f"Access to model {repo_id} is restricted and you are not in the "
                                               "authorized list."}, head)
                published = repo.files[file_path]
                body = repo.tamper.get(file_path, published)
                headers = {"X-Repo-Commit": COMMIT, "Accept-Ranges": "bytes"}
                if file_path in repo.lfs:
                    etag = hashlib.sha256(published).hexdigest()
                    headers["X-Linked-Etag"] = f'"{etag}"'
                    headers["X-Linked-Size"] = str(len(body))
                else:
                    etag = git_blob_id(published)
                headers["ETag"] = f'"{etag}"'
                start = 0
                rng = self.headers.get("Range")
                if rng and not head:
                    start = int(rng.split("=")[1].split("-")[0])
                    headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
                    return self._send(206, body[start:], headers)
                if head:
                    self.send_response(200)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    return None
                return self._send(200, body, headers)
            return self._json(404, {"error": "not found"}, None, head)

        def do_HEAD(self):  # noqa: N802 - http.server's naming
            self._route(head=True)

        def do_GET(self):  # noqa: N802
            self._route(head=False)

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0) or 0)
            self.rfile.read(length)
            self._route(head=False)

    return Handler


class FakeHub:
    """Start with `with FakeHub() as hub:`; `hub.url` is the endpoint to put in HF_ENDPOINT."""

    def __init__(self):
        self.state = HubState()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def add(self, repo_id: str, repo: FakeRepo) -> FakeRepo:
        self.state.repos[repo_id] = repo
        return repo

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
