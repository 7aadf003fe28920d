"""Request/result types of narration (text-to-speech) engines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class WordTiming:
    """One spoken word and when it is said (seconds from the start of the narration)."""

    word: str
    start: float
    end: float

    def as_dict(self) -> dict:
        return {"word": self.word, "start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass(frozen=True)
class PhonemeTiming:
    """One phoneme (espeak IPA) and when it is said; lip-sync turns these into mouth shapes."""

    phoneme: str
    start: float
    end: float

    def as_dict(self) -> dict:
        return {"phoneme": self.phoneme, "start": round(self.start, 4), "end": round(self.end, 4)}


@dataclass
class NarrationRequest:
    """What to say and how: the persona's voice settings plus the script."""

    text: str
    voice_id: str = "piper-en_US-joe-medium"
    speed: float = 1.0
    noise_scale: float = 0.667
    noise_w: float = 0.8
    language: str = "en"
    reference_samples: list[Path] = field(default_factory=list)
    #: Chatterbox: emotion exaggeration (0.5 neutral) and classifier-free guidance weight (pacing)
    exaggeration: float = 0.5
    cfg_weight: float = 0.5


@dataclass
class NarrationResult:
    """Synthesised speech (mono float32 in [-1, 1]) with word and phoneme timings."""

    audio: np.ndarray
    sample_rate: int
    words: list[WordTiming]
    phonemes: list[PhonemeTiming]
    sentences: list[str]
    timing_method: str
    engine: str

    @property
    def duration(self) -> float:
        return len(self.audio) / float(self.sample_rate)
