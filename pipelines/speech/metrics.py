"""How good a transcript is: word error rate and timing error against a reference."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .types import WordTiming


def _key(word: str) -> str:
    return re.sub(r"[^\w']+", "", word.lower())


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """(substitutions + deletions + insertions) / reference words (Levenshtein over words)."""
    ref = [_key(w) for w in reference if _key(w)]
    hyp = [_key(w) for w in hypothesis if _key(w)]
    if not ref:
        return float(bool(hyp))
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)


@dataclass(frozen=True)
class TimingError:
    """Start/end differences (ms) of the words two timings share."""

    matched: int
    mean_ms: float
    max_ms: float

    def __str__(self) -> str:
        return f"{self.matched} words, mean {self.mean_ms:.0f} ms, max {self.max_ms:.0f} ms"


def timing_error(reference: list[WordTiming], hypothesis: list[WordTiming]) -> TimingError:
    """Mean and max of |start - start'| and |end - end'| over words matched by text."""
    m = difflib.SequenceMatcher(a=[_key(w.word) for w in reference], b=[_key(w.word) for w in hypothesis],
                                autojunk=False)
    diffs: list[float] = []
    for a, b, n in m.get_matching_blocks():
        for k in range(n):
            r, h = reference[a + k], hypothesis[b + k]
            diffs += [abs(r.start - h.start) * 1000, abs(r.end - h.end) * 1000]
    if not diffs:
        return TimingError(0, float("inf"), float("inf"))
    return TimingError(len(diffs) // 2, sum(diffs) / len(diffs), max(diffs))
