"""Progress and cancellation for long work, the same in the CLI, a GUI worker thread or a farm worker.

Pipelines call `ctx.progress(step, total, label)` and `ctx.raise_if_cancelled()`; they never know
who is listening. `ctx.sub(a, b)` hands a sub-step a context whose 0..1 maps onto a..b of ours.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class Cancelled(Exception):
    """Raised inside a task when the user cancelled it. Not an error: no dialog, exit code 130."""


@dataclass(frozen=True)
class Progress:
    """One progress report: overall fraction 0..1 plus the sub-step's own counters."""

    fraction: float
    step: int
    total: int
    label: str
    elapsed: float

    @property
    def eta(self) -> float | None:
        """Seconds left, estimated from the elapsed time (None until there is progress)."""
        if self.fraction <= 0.0 or self.fraction >= 1.0:
            return None
        return self.elapsed * (1.0 - self.fraction) / self.fraction


ProgressCallback = Callable[[Progress], None]


class TaskContext:
    """Progress reporting and cooperative cancellation for one task."""

    def __init__(
        self,
        on_progress: ProgressCallback | None = None,
        cancel_event: threading.Event | None = None,
        cancel_check: Callable[[], bool] | None = None,
        _span: tuple[float, float] = (0.0, 1.0),
        _t0: float | None = None,
    ):
        self._on_progress = on_progress
        self._cancel_event = cancel_event or threading.Event()
        self._cancel_check = cancel_check
        self._span = _span
        self._t0 = time.monotonic() if _t0 is None else _t0
        self.last: Progress | None = None

    # -- progress
    def progress(self, step: int, total: int, label: str = "") -> None:
        """Report `step` of `total` done in the current sub-step; also checks for cancel."""
        total = max(int(total), 1)
        local = min(max(step / total, 0.0), 1.0)
        a, b = self._span
        p = Progress(a + (b - a) * local, int(step), total, label, time.monotonic() - self._t0)
        self.last = p
        if self._on_progress is not None:
            self._on_progress(p)
        self.raise_if_cancelled()

    def sub(self, start: float, end: float) -> TaskContext:
        """A context for a sub-step that covers `start..end` (0..1) of this one."""
        a, b = self._span
        return TaskContext(
            self._on_progress,
            self._cancel_event,
            self._cancel_check,
            (a + (b - a) * start, a + (b - a) * end),
            self._t0,
        )

    # -- cancel
    def cancel(self) -> None:
        self._cancel_event.set()

    @property
    def cancelled(self) -> bool:
        if self._cancel_event.is_set():
            return True
        if self._cancel_check is not None and self._cancel_check():
            self._cancel_event.set()
            return True
        return False

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled("Cancelled by the user.")


def null_context() -> TaskContext:
    """A context nobody listens to (for scripts and tests)."""
    return TaskContext()
