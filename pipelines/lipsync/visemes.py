"""What the mouth does on each video frame: visemes from timed phonemes, blended like speech.

A viseme is a target mouth: `open` (gap between the lips, 0..1), `jaw` (jaw drop, 0..1),
`spread` (-1 rounded 'oo' … +1 wide 'ee'), `tuck` (lower lip up against the upper teeth:
F/V) and `tongue` (tongue tip between the teeth: TH). Neighbouring sounds blend by dominance
(Cohen & Massaro's coarticulation model): every phoneme pulls each parameter towards its
target with a weight that peaks at the phoneme's centre and falls off with distance; sounds
that must be reached (lips closed for M/B/P, lip to teeth for F/V, rounding for W/OO) have a
strong, narrow dominance, sounds that take their neighbours' shape (h, k, g) a weak one.
Bilabials are then enforced: the lips meet at the centre of every M/B/P however fast the speech.

Phonemes come from a narration's `.phonemes.json` sidecar ([{"phoneme", "start", "end"}, …],
espeak IPA, what every narration engine writes); without them the audio envelope alone drives
a neutral opening. The envelope also scales the opening (loud syllables open wider) and closes
the mouth in silence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PARAMS = ("open", "jaw", "spread", "tuck", "tongue")


@dataclass(frozen=True)
class Viseme:
    open: float
    jaw: float
    spread: float = 0.0
    tuck: float = 0.0
    tongue: float = 0.0
    dominance: float = 1.0  # how strongly this sound holds its shape against its neighbours
    closes: bool = False  # bilabial: the lips must meet


def _many(chars: str | Sequence[str], v: Viseme) -> dict[str, Viseme]:
    return {c: v for c in chars}


#: espeak IPA → target mouth. Unlisted sounds get `NEUTRAL` with a weak dominance.
VISEMES: dict[str, Viseme] = {
    **_many("mbp", Viseme(0.0, 0.08, 0.0, dominance=1.5, closes=True)),  # closure enforced below
    **_many("fv", Viseme(0.1, 0.12, 0.1, tuck=1.0, dominance=2.0)),
    **_many("θð", Viseme(0.22, 0.18, 0.15, tongue=1.0, dominance=2.0)),
    **_many(["w", "u", "uː", "ʊ"], Viseme(0.3, 0.28, -1.0, dominance=2.5)),
    **_many(["o", "oː", "ɔ", "ɔː", "oʊ"], Viseme(0.6, 0.55, -0.75, dominance=2.4)),
    **_many(["a", "aː", "ɑ", "ɑː", "æ", "ʌ", "ɒ", "aɪ", "aʊ"], Viseme(1.0, 1.0, 0.15, dominance=2.6)),
    **_many(["ɛ", "e", "eɪ", "ə", "ɚ", "ɜ", "ɜː", "ɐ", "ᵻ"], Viseme(0.7, 0.62, 0.35, dominance=2.0)),
    **_many(["i", "iː", "ɪ", "j", "y"], Viseme(0.36, 0.28, 1.0, dominance=2.0)),
    **_many(["ʃ", "ʒ", "tʃ", "dʒ"], Viseme(0.22, 0.15, -0.55, dominance=2.0)),
    **_many(["ɹ", "r", "ɾ"], Viseme(0.25, 0.2, -0.4, dominance=1.0)),
    **_many("szt", Viseme(0.16, 0.1, 0.45, dominance=1.1)),
    **_many("dnl", Viseme(0.25, 0.2, 0.3, dominance=0.6)),
    **_many(["k", "ɡ", "g", "ŋ", "x", "h", "ʔ"], Viseme(0.35, 0.3, 0.1, dominance=0.35)),
}
NEUTRAL = Viseme(0.3, 0.25, 0.1, dominance=0.5)
REST = Viseme(0.0, 0.0, 0.0, dominance=1.5)  # between phrases: lips together, jaw up


def viseme_of(phoneme: str) -> Viseme:
    """The target for an espeak phoneme (diphthongs and long marks fall back to their first sound)."""
    if phoneme in VISEMES:
        return VISEMES[phoneme]
    for cut in (2, 1):
        if phoneme[:cut] in VISEMES:
            return VISEMES[phoneme[:cut]]
    return NEUTRAL


@dataclass(frozen=True)
class MouthTrack:
    """Per-frame mouth parameters and the loudness envelope they came from."""

    open: np.ndarray  # (frames,) 0..1
    jaw: np.ndarray
    spread: np.ndarray  # -1..1
    tuck: np.ndarray
    tongue: np.ndarray
    envelope: np.ndarray  # (frames,) 0..1

    def __len__(self) -> int:
        return len(self.open)


def frame_envelope(audio: np.ndarray, rate: int, fps: float, n_frames: int, gate_db: float = -38.0) -> np.ndarray:
    """Loudness per video frame in 0..1: RMS over each frame's span, gated and compressed."""
    out = np.zeros(n_frames, np.float32)
    if audio.size == 0 or n_frames == 0:
        return out
    edges = np.round(np.arange(n_frames + 1) * rate / fps).astype(np.int64)
    sq = np.concatenate([[0.0], np.cumsum(audio.astype(np.float64) ** 2)])
    e = np.clip(edges, 0, len(audio))
    counts = np.maximum(e[1:] - e[:-1], 1)
    rms = np.sqrt(np.maximum(sq[e[1:]] - sq[e[:-1]], 0.0) / counts)
    ref = np.percentile(rms, 95) if np.any(rms > 0) else 0.0
    if ref <= 1e-6:
        return out
    db = 20 * np.log10(np.maximum(rms, 1e-9) / ref)
    # gate_db..0 dB onto 0..1 (loudness is roughly logarithmic), silence below the gate
    return np.clip((db - gate_db) / -gate_db, 0.0, 1.0).astype(np.float32)


def _with_rests(phonemes: Sequence[dict], pause: float = 0.18) -> list[tuple[Viseme, float, float]]:
    """(viseme, start, end) per phoneme, with a REST target in every gap longer than `pause`."""
    out: list[tuple[Viseme, float, float]] = []
    last = 0.0
    for p in sorted(phonemes, key=lambda p: float(p["start"])):
        s, e = float(p["start"]), float(p["end"])
        if s - last > pause:
            out.append((REST, last, s))
        out.append((viseme_of(str(p["phoneme"])), s, max(e, s + 1e-3)))
        last = max(last, e)
    out.append((REST, last, last + 10.0))
    return out


def coarticulate(phonemes: Sequence[dict], fps: float, n_frames: int) -> dict[str, np.ndarray]:
    """Per-frame parameters blended by dominance (see the module docstring)."""
    t = (np.arange(n_frames) + 0.5) / fps
    num = {k: np.zeros(n_frames) for k in PARAMS}
    den = np.full(n_frames, 1e-6)
    closure = np.zeros(n_frames)
    for v, s, e in _with_rests(phonemes):
        c, half = (s + e) / 2, (e - s) / 2
        # a flat top over the sound, then an exponential-like fall (width grows with duration)
        dist = np.maximum(np.abs(t - c) - 0.5 * half, 0.0)
        w = v.dominance * np.exp(-((dist / (0.045 + 0.35 * half)) ** 1.5))
        for k in PARAMS:
            num[k] += w * getattr(v, k)
        den += w
        if v.closes:  # lips together for at least one frame at the centre of M/B/P
            closure = np.maximum(closure, np.exp(-((np.maximum(np.abs(t - c) - 0.4 * half, 0) / 0.03) ** 2)))
    out = {k: (num[k] / den).astype(np.float32) for k in PARAMS}
    out["open"] = out["open"] * (1.0 - closure).astype(np.float32)
    out["closure"] = closure.astype(np.float32)
    return out


def mouth_track(audio: np.ndarray, rate: int, fps: float, n_frames: int,
                phonemes: Sequence[dict] | None = None, expressiveness: float = 1.0) -> MouthTrack:
    """Mouth parameters for `n_frames` frames of speech (see the module docstring)."""
    env = frame_envelope(audio, rate, fps, n_frames)
    x = float(np.clip(expressiveness, 0.0, 2.0))
    if phonemes:
        p = coarticulate(phonemes, fps, n_frames)
        from scipy.ndimage import maximum_filter1d

        # silence closes the mouth (voiceless sounds inside words do not), loudness widens it
        gate = np.clip(maximum_filter1d(env, max(1, int(round(0.07 * fps)))) / 0.06, 0.0, 1.0)
        loud = (0.15 + 0.85 * env) * gate
        open_ = np.maximum(p["open"] * loud * (0.7 + 0.3 * x), 0.2 * p["tuck"] * gate)
        jaw = p["jaw"] * loud * (0.6 + 0.4 * x)
        spread, tuck, tongue = p["spread"] * (0.6 + 0.4 * x), p["tuck"], p["tongue"]
    else:
        open_ = 0.65 * env * (0.7 + 0.3 * x)
        jaw = 0.6 * env
        spread = tuck = tongue = np.zeros(n_frames, np.float32)
    return MouthTrack(np.clip(open_, 0, 1).astype(np.float32), np.clip(jaw, 0, 1).astype(np.float32),
                      np.clip(spread, -1, 1).astype(np.float32), np.clip(tuck, 0, 1).astype(np.float32),
                      np.clip(tongue, 0, 1).astype(np.float32), env)
