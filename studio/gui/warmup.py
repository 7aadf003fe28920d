"""Keep the window smooth while jobs run.

Two causes of main-thread stalls, measured with benchmarks/bench_gui.py:

1. A job that imports scipy / onnxruntime / torch / diffusers in the window's process: some
   extension modules initialise in C for 100+ ms while holding the GIL, and the window cannot
   paint meanwhile. Most jobs now run in a child process (studio/farm/local.py), and the window
   warms one up with CHILD_MODULES (`JobController.warm_up_process`), so torch never loads here.
   The kinds still run on a worker thread (face import, inpaint) need the lighter
   HEAVY_MODULES: `WarmUp` imports those once, on a background thread, a moment after the
   window is first shown, one module at a time so each GIL hold is as short as it can be.
2. Compute threads (onnxruntime's and torch's pools, spinning while they wait) take every core
   of a small machine. `lower_thread_priority()` renices the calling worker thread; pools it
   creates inherit that, so the window's thread wins the CPU whenever it has work.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence

#: imported in the window's process: what the jobs still run on its worker threads need first
#: (face import: dlib, OpenCV). torch is left out: importing it here stalled the window ~200 ms.
HEAVY_MODULES: tuple[str, ...] = ("numpy", "PIL.Image", "cv2", "scipy.signal", "dlib")
#: imported by the first job process while the user reads the window (cheap first)
CHILD_MODULES: tuple[str, ...] = (
    "numpy", "PIL.Image", "cv2", "scipy.signal", "onnxruntime", "torch", "transformers", "diffusers",
)

WORKER_NICE = 5


def lower_thread_priority(nice: int = WORKER_NICE) -> None:
    """Lower the calling thread's CPU priority (Linux: per-thread nice). No-op elsewhere or on error."""
    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        if current < nice:
            os.setpriority(os.PRIO_PROCESS, tid, nice)
    except (OSError, AttributeError):
        pass


class WarmUp:
    """Imports `modules` on a daemon thread; `done` is set when finished (failures are skipped:
    a missing optional package is the job's business, with its own message)."""

    def __init__(self, modules: Sequence[str] = HEAVY_MODULES, pause: float = 0.01):
        self.modules = tuple(modules)
        self.pause = pause
        self.done = threading.Event()
        self.imported: list[str] = []
        self.seconds = 0.0
        self._thread: threading.Thread | None = None

    def start(self) -> WarmUp:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="studio-warm-up", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        lower_thread_priority()
        t0 = time.perf_counter()
        try:
            for name in self.modules:
                if name in sys.modules:
                    continue
                try:
                    importlib.import_module(name)
                    self.imported.append(name)
                except Exception:  # noqa: BLE001 - optional backends may be absent
                    continue
                time.sleep(self.pause)  # let the window's thread take the GIL between modules
        finally:
            self.seconds = time.perf_counter() - t0
            self.done.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


def schedule_warm_up(delay_ms: int = 1200, start: Callable[[int, Callable[[], None]], None] | None = None) -> WarmUp:
    """A WarmUp started `delay_ms` after the event loop runs (QTimer.singleShot by default)."""
    warm = WarmUp()
    if start is None:
        from PySide6.QtCore import QTimer  # noqa: PLC0415

        start = QTimer.singleShot
    start(delay_ms, warm.start)
    return warm
