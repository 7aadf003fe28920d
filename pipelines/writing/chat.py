"""Chat models the writing assistant streams from: a local GGUF model through llama-cpp-python, or
an OpenAI-compatible endpoint the user runs (Ollama, llama.cpp server, LM Studio).

Both stream text deltas, report progress as tokens out of `max_tokens` and stop at once on cancel
(the local generator is closed; the HTTP response is closed from a watcher thread, so a cancel does
not wait for the server's next chunk). Nothing here knows about personas or platforms.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from studio.core.assets import ModelUse
from studio.core.errors import BadInput, StudioError
from studio.core.tasks import Cancelled, TaskContext

# (no square brackets: the CLI prints messages through rich, which would take them for markup)
INSTALL_HINT = ("Install it with `pip install llama-cpp-python` (the optional extra 'writing'; it compiles "
                "llama.cpp where no wheel fits), or use a model you already run: Settings ▸ Writing "
                "assistant ▸ OpenAI-compatible endpoint (Ollama, llama.cpp server, LM Studio).")


class WriterUnavailable(StudioError):
    """The chosen writing backend cannot run (library missing, endpoint unreachable or refusing)."""


@dataclass
class ChatRequest:
    """One chat completion: the messages and how long / how random the answer may be."""

    messages: list[dict[str, str]]
    max_tokens: int
    temperature: float = 0.8
    top_p: float = 0.95
    seed: int | None = None
    stop: tuple[str, ...] = ()
    label: str = "Writing"


@dataclass
class StreamStats:
    """What the last stream did: chunks received, tokens generated (local models) and why it
    ended ('stop', 'length', ...)."""

    chunks: int = 0
    finish_reason: str | None = None
    tokens: int = 0


class ChatBackend(Protocol):
    #: in user words, e.g. "Qwen2.5 1.5B Instruct (local)"
    name: str
    stats: StreamStats

    def stream(self, request: ChatRequest, ctx: TaskContext) -> Iterator[str]: ...

    def model_use(self) -> ModelUse: ...

    def unload(self) -> None: ...


# ---------------------------------------------------------------------- llama-cpp-python
def llama_cpp_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


_LOADED: dict[tuple[str, int, int], Any] = {}
_LOCKS: dict[tuple[str, int, int], threading.Lock] = {}
_CACHE_LOCK = threading.Lock()


class LlamaCppChat:
    """A GGUF instruct model run in this process by llama.cpp; its chat template comes from the
    file's metadata. Loaded models stay cached (keyed by file, context and GPU layers)."""

    def __init__(self, model_path: str | os.PathLike[str], use: ModelUse, name: str, n_ctx: int = 4096,
                 n_gpu_layers: int = 0, n_threads: int | None = None):
        self.path = Path(model_path)
        self.use = use
        self.name = name
        self.n_ctx = n_ctx
        self.n_gpu_layers = n_gpu_layers
        self.n_threads = n_threads
        self.stats = StreamStats()

    @property
    def _key(self) -> tuple[str, int, int]:
        return (str(self.path.resolve()), self.n_ctx, self.n_gpu_layers)

    def load(self) -> Any:
        """The llama_cpp.Llama for this file (loaded once per process)."""
        if not llama_cpp_available():
            raise WriterUnavailable(f"The local writing assistant needs llama-cpp-python. {INSTALL_HINT}")
        if not self.path.is_file():
            raise BadInput(f"No GGUF model at {self.path}. Choose another in Settings ▸ Writing assistant.")
        with _CACHE_LOCK:
            if self._key not in _LOADED:
                from llama_cpp import Llama

                try:
                    _LOADED[self._key] = Llama(model_path=str(self.path), n_ctx=self.n_ctx,
                                               n_gpu_layers=self.n_gpu_layers, n_threads=self.n_threads,
                                               verbose=False)
                except (ValueError, RuntimeError) as e:  # llama.cpp refused the file
                    raise WriterUnavailable(f"llama.cpp cannot load {self.path.name}: {e}. The file may be "
                                            "incomplete or of an architecture this llama-cpp-python does "
                                            "not know; download it again or update llama-cpp-python.") from e
                _LOCKS[self._key] = threading.Lock()
            return _LOADED[self._key]

    def count_tokens(self, text: str) -> int:
        return len(self.load().tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(self, request: ChatRequest, ctx: TaskContext) -> Iterator[str]:
        from llama_cpp import LogitsProcessorList

        llm = self.load()
        self.stats = StreamStats()
        stats = self.stats

        eos = llm.token_eos()

        def each_token(_ids: Any, scores: Any) -> Any:
            # Called before every token is sampled: progress by tokens, and a cancel that works even
            # while llama-cpp-python holds text back (an unfinished UTF-8 sequence, a possible stop
            # word). It runs as a ctypes callback, where an exception would be swallowed, so a
            # cancel makes end-of-text the only choice instead; the stream then raises Cancelled.
            stats.tokens += 1
            try:
                ctx.progress(min(stats.tokens, request.max_tokens), request.max_tokens, request.label)
            except Cancelled:
                scores[:] = -float("inf")
                scores[eos] = 0.0
            return scores

        with _LOCKS[self._key]:  # one generation at a time per loaded model
            kw: dict[str, Any] = {"messages": request.messages, "max_tokens": request.max_tokens,
                                  "temperature": request.temperature, "top_p": request.top_p, "stream": True,
                                  "logits_processor": LogitsProcessorList([each_token])}
            if request.seed is not None:
                kw["seed"] = request.seed
            if request.stop:
                kw["stop"] = list(request.stop)
            chunks = llm.create_chat_completion(**kw)
            try:
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    delta = (choice.get("delta") or {}).get("content") or ""
                    if choice.get("finish_reason"):
                        self.stats.finish_reason = choice["finish_reason"]
                    if delta:
                        self.stats.chunks += 1
                        ctx.raise_if_cancelled()
                        yield delta
            finally:
                chunks.close()  # stops llama.cpp generating (also on cancel or an error downstream)
        ctx.raise_if_cancelled()

    def model_use(self) -> ModelUse:
        return self.use

    def unload(self) -> None:
        """Models stay cached for the next draft; `forget_models()` frees them."""


def forget_models() -> None:
    """Free every cached local model (tests, low memory)."""
    with _CACHE_LOCK:
        for llm in _LOADED.values():
            close = getattr(llm, "close", None)
            if close is not None:
                close()
        _LOADED.clear()
        _LOCKS.clear()


# ---------------------------------------------------------------------- OpenAI-compatible HTTP
def _shutdown(resp: Any) -> None:
    """Wake a reader thread blocked on `resp`'s socket (shutdown, not close: closing the buffered
    file would wait for the reader's own lock). Best effort: urllib3 keeps the socket private."""
    import socket

    if resp is None:
        return
    sock = getattr(getattr(getattr(getattr(getattr(resp, "raw", None), "_fp", None), "fp", None), "raw", None),
                   "_sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def check_endpoint_url(url: str | None) -> str:
    """The base URL without a trailing slash, or BadInput when it is not an http(s) address."""
    from urllib.parse import urlparse

    u = (url or "").strip().rstrip("/")
    parsed = urlparse(u)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise BadInput(f"'{url}' is not an endpoint address. Give its base URL, e.g. http://127.0.0.1:11434/v1 "
                       "(Ollama), http://127.0.0.1:8080/v1 (llama.cpp server) or http://127.0.0.1:1234/v1 (LM Studio).")
    return u


@dataclass
class OpenAIChat:
    """Any server speaking the OpenAI chat-completions protocol, streamed as server-sent events."""

    base_url: str
    model: str
    api_key: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 120.0
    stats: StreamStats = field(default_factory=StreamStats)

    def __post_init__(self) -> None:
        self.base_url = check_endpoint_url(self.base_url)
        if not self.model.strip():
            raise BadInput("Name the model the endpoint should use (Settings ▸ Writing assistant ▸ Model name, "
                           "e.g. qwen2.5:1.5b-instruct for Ollama); `studio write models` lists what it serves.")

    @property
    def name(self) -> str:
        return f"{self.model} at {self.base_url}"

    def _headers(self) -> dict[str, str]:
        h = {"Accept": "text/event-stream", "Content-Type": "application/json"}
        if self.api_key:
            h["Authorization"] = f"Bearer {self.api_key}"
        return h

    def _refused(self, status: int, body: str) -> WriterUnavailable:
        detail = body.strip().replace("\n", " ")[:300]
        try:
            err = json.loads(body).get("error")
            detail = (err.get("message") if isinstance(err, dict) else str(err)) or detail
        except (ValueError, AttributeError):
            pass
        if status in (401, 403):
            hint = "It wants an API key: set it in Settings ▸ Writing assistant."
        elif status == 404:
            hint = (f"Check the model name '{self.model}' and that the base URL ends where the API starts"
                    + ("" if self.base_url.endswith("/v1") else f" (try {self.base_url}/v1)") + ".")
        else:
            hint = "Check the server's log."
        return WriterUnavailable(f"The writing endpoint {self.base_url} answered HTTP {status}: {detail}. {hint}")

    def list_models(self) -> list[str]:
        """The model ids the endpoint serves (GET /models)."""
        import requests

        try:
            r = requests.get(f"{self.base_url}/models", headers=self._headers(), timeout=self.connect_timeout)
        except requests.RequestException as e:
            raise self._unreachable(e) from None
        if r.status_code != 200:
            raise self._refused(r.status_code, r.text)
        return [m.get("id", "") for m in (r.json().get("data") or []) if isinstance(m, dict)]

    def _unreachable(self, e: Exception) -> WriterUnavailable:
        return WriterUnavailable(f"Cannot reach the writing endpoint {self.base_url} ({type(e).__name__}). "
                                 "Is the server (Ollama, llama.cpp server, LM Studio) running there?")

    def stream(self, request: ChatRequest, ctx: TaskContext) -> Iterator[str]:
        """Stream the answer. The HTTP exchange runs on a reader thread that hands events over a
        queue, so a cancel returns at once even while the server is still loading its model or
        thinking before the first token (a blocked socket read cannot be interrupted otherwise);
        the connection is then closed and the reader ends with it."""
        import queue

        self.stats = StreamStats()
        body: dict[str, Any] = {"model": self.model, "messages": request.messages, "stream": True,
                                "max_tokens": request.max_tokens, "temperature": request.temperature,
                                "top_p": request.top_p}
        if request.seed is not None:
            body["seed"] = request.seed
        if request.stop:
            body["stop"] = list(request.stop)
        ctx.raise_if_cancelled()
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()
        holder: dict[str, Any] = {}
        reader = threading.Thread(target=self._read, args=(body, events, stop, holder), name="writer-http",
                                  daemon=True)
        reader.start()
        try:
            while True:
                try:
                    kind, value = events.get(timeout=0.05)
                except queue.Empty:
                    ctx.raise_if_cancelled()
                    continue
                if kind == "end":
                    break
                if kind == "error":
                    raise value
                if kind == "finish":
                    self.stats.finish_reason = value
                    continue
                self.stats.chunks += 1
                ctx.progress(min(self.stats.chunks, request.max_tokens), request.max_tokens, request.label)
                yield value
        finally:
            stop.set()
            _shutdown(holder.get("resp"))
        ctx.raise_if_cancelled()

    def _read(self, body: dict[str, Any], events: Any, stop: threading.Event, holder: dict[str, Any]) -> None:
        """The reader thread: POST, then parse the server-sent events into the queue."""
        import requests

        try:
            resp = requests.post(f"{self.base_url}/chat/completions", json=body, headers=self._headers(),
                                 stream=True, timeout=(self.connect_timeout, self.read_timeout))
        except requests.RequestException as e:
            events.put(("error", self._unreachable(e)))
            return
        holder["resp"] = resp
        if stop.is_set():  # cancelled while the server was still sending its headers
            resp.close()
            return
        try:
            if resp.status_code != 200:
                events.put(("error", self._refused(resp.status_code, resp.text)))
                return
            for raw in resp.iter_lines(decode_unicode=False):
                if stop.is_set():
                    return
                line = raw.decode("utf-8", "replace").strip() if isinstance(raw, bytes) else str(raw).strip()
                if not line or line.startswith(":") or not line.startswith("data:"):
                    continue  # keep-alive comments, event names
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    event = json.loads(data)
                except ValueError as e:
                    events.put(("error", WriterUnavailable(
                        f"The writing endpoint {self.base_url} sent something that is not an OpenAI "
                        f"chat-completions stream: {e}")))
                    return
                if isinstance(event, dict) and event.get("error"):
                    err = event["error"]
                    events.put(("error", WriterUnavailable("The writing endpoint reported an error: "
                                                           f"{err.get('message') if isinstance(err, dict) else err}")))
                    return
                for choice in (event.get("choices") or [])[:1]:
                    delta = (choice.get("delta") or {}).get("content") or ""
                    if delta:
                        events.put(("delta", delta))
                    if choice.get("finish_reason"):
                        events.put(("finish", choice["finish_reason"]))
            events.put(("end", None))
        except (requests.RequestException, OSError, AttributeError) as e:
            if not stop.is_set():
                events.put(("error", WriterUnavailable(f"The writing endpoint {self.base_url} stopped answering: {e}")))
        finally:
            resp.close()

    def model_use(self) -> ModelUse:
        return ModelUse(id=f"endpoint:{self.model}", licence="unknown (a model served by the user's endpoint)",
                        commercial_use=None, role="writing")

    def unload(self) -> None:
        """Nothing to free: the server keeps its own models."""
