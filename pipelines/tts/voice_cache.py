"""A process-wide supply of loaded Piper voices, so a second narration does not wait for a load.

Creating the ONNX Runtime session is most of a short narration's cost (about 1 s on CPU, 2–4 s
on a busy machine). Unlike the SDXL/SVD pipelines, a used Piper session cannot simply be kept:
VITS draws its noise with `RandomNormalLike` kernels that are seeded once, when the session is
created, and advance on every run. A reused session would narrate the same script differently
the second time, and a farm worker would no longer match the desktop bit for bit. So each
narration takes a *never-run* session (seeded 0), and when it is done a replacement is built on
a background thread, off the critical path of the next job. The used session is dropped there
too (tearing one down takes ~0.1 s).

`take(key, load)` returns a fresh voice (waiting for the spare if it is still loading, or loading
in the caller's thread when there is none); `give_back(key, voice)` retires it and schedules the
next spare. At most `MAX_VOICES` voices keep a spare; `clear()` frees them all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

#: Voices that keep a loaded spare session (each is ~100 MB of memory).
MAX_VOICES = 2

_lock = threading.Lock()
_spares: OrderedDict[Hashable, Future] = OrderedDict()
_loaders: dict[Hashable, Callable[[], Any]] = {}
_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        # one worker: spares load one at a time and never compete with each other for the CPU
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="piper-voice-loader")
    return _executor


def take(key: Hashable, load: Callable[[], Any]) -> Any:
    """A loaded voice that has never synthesised (the spare if there is one, else `load()` now)."""
    with _lock:
        spare = _spares.pop(key, None)
        _loaders[key] = load
    if spare is not None:
        try:
            return spare.result()
        except Exception:  # the background load failed (file replaced?): load here and report errors
            pass
    return load()


def give_back(key: Hashable, used: Any | None = None) -> None:
    """Retire a used voice and start loading the next fresh one for `key` in the background."""
    with _lock:
        load = _loaders.get(key)
        if load is None or key in _spares:
            spare = None
        else:
            spare = _pool().submit(_retire_then_load, used, load)
            _spares[key] = spare
            _spares.move_to_end(key)
            while len(_spares) > MAX_VOICES:
                old_key, old = _spares.popitem(last=False)
                _loaders.pop(old_key, None)
                old.cancel()
    if spare is None and used is not None:
        _pool().submit(_retire_then_load, used, None)
    del used  # the last reference now lives in the background task


def _retire_then_load(used: Any | None, load: Callable[[], Any] | None) -> Any:
    del used  # frees the old session on this thread
    return load() if load is not None else None


def wait_idle(timeout: float | None = None) -> None:
    """Block until pending spares are loaded (benchmarks use this to time without background work)."""
    with _lock:
        pending = list(_spares.values())
    for f in pending:
        try:
            f.result(timeout)
        except Exception:  # a failed spare is reloaded by the next take()
            pass


def clear() -> None:
    """Forget every spare voice and wait for loads under way, so their memory is freed on return."""
    with _lock:
        pending = list(_spares.values())
        _spares.clear()
        _loaders.clear()
    for f in pending:
        if not f.cancel():
            try:
                f.result()
            except Exception:  # nothing to free
                pass
