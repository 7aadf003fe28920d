"""Word and phoneme timings from Piper's phoneme alignments (or phoneme counts without them).

Piper 1.8 can report how many audio samples each phoneme took (the duration predictor's
output). espeak marks word boundaries with ' ' phonemes, so one sentence's alignments split
into word groups. When espeak's grouping differs from the script's words (it fuses 'for example'
into one group), words are spread over the sentence's spoken phonemes in proportion to their
own phoneme counts — still on the real phoneme clock. Without alignments at all, the same
proportional split runs over the voiced part of the sentence's audio.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .types import PhonemeTiming, WordTiming

#: Phoneme symbols that are not sounds: sentence bounds, stress, length and punctuation.
SILENT = frozenset("^$_ ")
MODIFIERS = frozenset("ˈˌːˑ")
PUNCTUATION = frozenset(",.!?;:…—-\"'()")


def is_sound(ph: str) -> bool:
    return ph not in SILENT and ph not in MODIFIERS and ph not in PUNCTUATION


def phoneme_spans(aligned: Sequence[tuple[str, int]], offset: float, rate: int) -> list[tuple[str, float, float]]:
    """(phoneme, start, end) seconds for each aligned phoneme, starting at `offset`."""
    out = []
    t = offset
    for ph, n in aligned:
        d = n / rate
        out.append((ph, t, t + d))
        t += d
    return out


def sound_timings(spans: Sequence[tuple[str, float, float]]) -> list[PhonemeTiming]:
    """Sounding phonemes only; a stress mark's time goes to the sound it stresses."""
    out: list[PhonemeTiming] = []
    pending: float | None = None
    for ph, s, e in spans:
        if ph in MODIFIERS:
            if ph == "ː" and out:  # length mark lengthens the previous sound
                out[-1] = PhonemeTiming(out[-1].phoneme, out[-1].start, e)
            elif pending is None:
                pending = s
            continue
        if is_sound(ph):
            out.append(PhonemeTiming(ph, pending if pending is not None else s, e))
        pending = None
    return out


def group_words(spans: Sequence[tuple[str, float, float]]) -> list[tuple[float, float, int]]:
    """espeak word groups as (start, end of last sound, number of sounds)."""
    groups: list[tuple[float, float, int]] = []
    start: float | None = None
    end = 0.0
    count = 0
    for ph, s, e in spans:
        if ph in SILENT or ph in PUNCTUATION:
            if start is not None and count:
                groups.append((start, end, count))
            start, count = None, 0
            continue
        if start is None:
            start = s
        if is_sound(ph):
            end = e
            count += 1
    if start is not None and count:
        groups.append((start, end, count))
    return groups


def words_from_groups(words: Sequence[str], groups: Sequence[tuple[float, float, int]]) -> list[WordTiming]:
    return [WordTiming(w, s, e) for w, (s, e, _) in zip(words, groups, strict=True)]


def words_by_count(
    words: Sequence[str],
    sounds: Sequence[PhonemeTiming],
    count_of: Callable[[str], int],
) -> list[WordTiming]:
    """Spread `words` over the sounding phonemes in proportion to each word's phoneme count."""
    if not words or not sounds:
        return []
    counts = np.array([max(count_of(w), 1) for w in words], dtype=np.float64)
    edges = np.concatenate([[0.0], np.cumsum(counts)]) * (len(sounds) / counts.sum())
    starts = np.array([p.start for p in sounds])
    ends = np.array([p.end for p in sounds])
    # time at fractional phoneme index x: inside phoneme floor(x), linearly
    def at(x: float) -> float:
        i = min(int(x), len(sounds) - 1)
        frac = min(x - i, 1.0)
        return float(starts[i] + frac * (ends[i] - starts[i]))

    out = []
    for i, w in enumerate(words):
        s = at(edges[i])
        e = at(edges[i + 1] - 1e-9) if i + 1 < len(words) else float(ends[-1])
        out.append(WordTiming(w, s, max(e, s + 0.01)))
    return out


def voiced_span(audio: np.ndarray, rate: int, threshold_db: float = -35.0) -> tuple[float, float]:
    """First and last moment the audio is louder than `threshold_db` below its peak (10 ms frames)."""
    hop = max(rate // 100, 1)
    n = len(audio) // hop
    if n == 0:
        return 0.0, len(audio) / rate
    rms = np.sqrt(np.mean(audio[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    loud = np.nonzero(20 * np.log10(rms / (rms.max() + 1e-12)) > threshold_db)[0]
    if loud.size == 0:
        return 0.0, len(audio) / rate
    return loud[0] * hop / rate, (loud[-1] + 1) * hop / rate


def even_sounds(phonemes: Sequence[str], start: float, end: float) -> list[PhonemeTiming]:
    """Sounds spread evenly over [start, end] (no alignments available)."""
    sounds = [p for p in phonemes if is_sound(p)]
    if not sounds:
        return []
    step = (end - start) / len(sounds)
    return [PhonemeTiming(p, start + i * step, start + (i + 1) * step) for i, p in enumerate(sounds)]
