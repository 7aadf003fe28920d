"""What the mouth does on each video frame: visemes from phonemes, loudness from the audio.

A mouth shape is (open, spread): `open` 0 = lips together … 1 = jaw fully dropped ('ah');
`spread` -1 = rounded ('oo') … +1 = wide ('ee'). Phonemes (espeak IPA from Piper's alignments)
give the shape; the audio's RMS envelope scales the opening, so loud syllables open wider and
silence closes the mouth even inside a word's time span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: espeak IPA sound → (open, spread). Unlisted sounds get a neutral consonant shape.
VISEMES: dict[str, tuple[float, float]] = {
    **{p: (0.0, 0.0) for p in "mbp"},  # lips pressed
    **{p: (0.12, 0.1) for p in "fv"},  # lower lip to upper teeth
    **{p: (0.35, -0.7) for p in "uʊwoɔ"},  # rounded
    **{p: (1.0, 0.1) for p in "aɑæʌɒ"},  # open jaw
    **{p: (0.65, 0.25) for p in "ɛeəɚɜɐ"},  # mid vowels
    **{p: (0.35, 0.7) for p in "iɪjy"},  # spread
    **{p: (0.25, 0.2) for p in "θð"},  # tongue between teeth
    **{p: (0.25, -0.35) for p in "ʃʒɹ"},  # slightly rounded consonants
    **{p: (0.3, 0.25) for p in "tdnlszkɡgŋhɾʔx"},
}
NEUTRAL_CONSONANT = (0.3, 0.1)


@dataclass(frozen=True)
class MouthTrack:
    """Per-frame mouth shapes and the audio envelope they came from."""

    open: np.ndarray  # (frames,) 0..1
    spread: np.ndarray  # (frames,) -1..1
    envelope: np.ndarray  # (frames,) 0..1 loudness per frame

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
    rms = np.sqrt((sq[e[1:]] - sq[e[:-1]]) / counts)
    ref = np.percentile(rms, 95) if np.any(rms > 0) else 0.0
    if ref <= 1e-6:
        return out
    db = 20 * np.log10(np.maximum(rms, 1e-9) / ref)
    # map gate_db..0 dB onto 0..1 (loudness is roughly logarithmic), silence below the gate
    lin = np.clip((db - gate_db) / -gate_db, 0.0, 1.0)
    return lin.astype(np.float32)


def viseme_track(phonemes: Sequence[dict], fps: float, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """(open, spread) per frame from timed phonemes, averaged over each frame's span."""
    open_ = np.zeros(n_frames, np.float32)
    spread = np.zeros(n_frames, np.float32)
    weight = np.zeros(n_frames, np.float32)
    for p in phonemes:
        o, s = VISEMES.get(p["phoneme"], NEUTRAL_CONSONANT)
        f0 = max(int(np.floor(p["start"] * fps)), 0)
        f1 = min(int(np.ceil(p["end"] * fps)), n_frames)
        for f in range(f0, f1):
            overlap = min(p["end"], (f + 1) / fps) - max(p["start"], f / fps)
            if overlap > 0:
                open_[f] += o * overlap
                spread[f] += s * overlap
                weight[f] += overlap
    has = weight > 0
    open_[has] /= weight[has]
    spread[has] /= weight[has]
    return open_, spread


def smooth(x: np.ndarray, fps: float, sigma_s: float = 0.035) -> np.ndarray:
    """Gaussian smoothing over time: coarticulation, and no frame-to-frame jitter."""
    sigma = sigma_s * fps
    if sigma < 0.3 or len(x) < 3:
        return x
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(x.astype(np.float64), sigma, mode="nearest").astype(np.float32)


def mouth_track(audio: np.ndarray, rate: int, fps: float, n_frames: int,
                phonemes: Sequence[dict] | None = None) -> MouthTrack:
    """Mouth shapes for `n_frames` video frames of speech.

    With phonemes the viseme decides the shape and the envelope its size; with audio only the
    envelope drives a neutral 'eh' opening.
    """
    env = frame_envelope(audio, rate, fps, n_frames)
    if phonemes:
        vis_open, spread = viseme_track(phonemes, fps, n_frames)
        open_ = vis_open * (0.35 + 0.65 * env) * (env > 0.05)
    else:
        open_ = 0.7 * env
        spread = np.zeros(n_frames, np.float32)
    return MouthTrack(np.clip(smooth(open_, fps), 0, 1), np.clip(smooth(spread, fps), -1, 1), env)
