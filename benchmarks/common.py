"""Shared benchmark helpers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    """One measurement and its goal."""

    name: str
    value: float
    unit: str
    goal: str = ""
    ok: bool | None = None
    detail: str = ""

    def line(self) -> str:
        verdict = "" if self.ok is None else ("  OK" if self.ok else "  BELOW GOAL")
        goal = f"  (goal {self.goal})" if self.goal else ""
        detail = f"  — {self.detail}" if self.detail else ""
        return f"{self.name}: {self.value:.3f} {self.unit}{goal}{verdict}{detail}"


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Fastest wall time of `repeat` runs (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
