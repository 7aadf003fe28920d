"""Corrected words keep their times: a user's edit of a transcript is matched against the timed
words (difflib), so captions stay on the audio without running recognition again.

Unchanged words keep their times; replaced words share the span of the words they replace (in
proportion to their length); inserted words take the pause they sit in, or share the previous
word's span when there is no pause; deleted words go. For a large rewrite, align the new text
to the audio instead (`transcribe` with a script), which is exact.
"""

from __future__ import annotations

import difflib
import re

from .types import WordTiming

#: an inserted word needs at least this much pause of its own; otherwise it shares a neighbour's
MIN_WORD_S = 0.08


def _key(word: str) -> str:
    return re.sub(r"[^\w']+", "", word.lower())


def _spread(words: list[str], start: float, end: float) -> list[WordTiming]:
    weights = [max(len(_key(w)), 1) for w in words]
    total = float(sum(weights))
    out, t = [], start
    for w, n in zip(words, weights, strict=True):
        d = (end - start) * n / total
        out.append(WordTiming(w, t, t + d))
        t += d
    return out


def retime(old: list[WordTiming], text: str, duration: float | None = None) -> list[WordTiming]:
    """The words of `text`, timed from `old` (the words they were edited from)."""
    new = text.split()
    old = list(old)
    if not old:
        return _spread(new, 0.0, duration or 0.3 * len(new)) if new else []
    matcher = difflib.SequenceMatcher(a=[_key(w.word) for w in old], b=[_key(w) for w in new], autojunk=False)
    out: list[WordTiming] = []
    for op, i0, i1, j0, j1 in matcher.get_opcodes():
        if op == "equal":
            out += [WordTiming(new[j0 + k], old[i0 + k].start, old[i0 + k].end) for k in range(i1 - i0)]
        elif op == "replace":
            out += _spread(new[j0:j1], old[i0].start, old[i1 - 1].end)
        elif op == "insert":
            gap_start = old[i0 - 1].end if i0 > 0 else 0.0
            gap_end = old[i0].start if i0 < len(old) else (duration if duration is not None else gap_start + 0.3 * (j1 - j0))
            if gap_end - gap_start >= MIN_WORD_S * (j1 - j0):
                out += _spread(new[j0:j1], gap_start, gap_end)
            elif out:  # no pause to sit in: share the previous word's time
                prev = out.pop()
                out += _spread([prev.word, *new[j0:j1]], prev.start, prev.end)
            else:  # before the first word: share the next one's
                nxt = old[i0]
                out += _spread(new[j0:j1], nxt.start, nxt.start + (nxt.end - nxt.start) / 2)
                old[i0] = WordTiming(nxt.word, nxt.start + (nxt.end - nxt.start) / 2, nxt.end)
        # 'delete': the words are gone
    return out


def retimed_phonemes(old: list[WordTiming], new: list[WordTiming], phonemes: list) -> list:  # noqa: ANN001
    """Phonemes after an edit: those inside words that kept their text and times stay; changed
    and new words get espeak's phonemes spread over their new span."""
    from pipelines.tts import word_timing as wt
    from pipelines.tts.types import PhonemeTiming

    from .phones import espeak

    kept = {(_key(w.word), round(w.start, 3), round(w.end, 3)) for w in old}
    out: list[PhonemeTiming] = []
    for w in new:
        if (_key(w.word), round(w.start, 3), round(w.end, 3)) in kept:
            out += [p for p in phonemes if w.start <= (p.start + p.end) / 2 <= w.end]
        else:
            out += wt.even_sounds(espeak("en-us")(w.word), w.start, w.end)
    return out
