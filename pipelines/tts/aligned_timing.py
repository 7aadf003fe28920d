"""Word and phoneme timings for engines that give none (Kokoro, Chatterbox, XTTS): forced
alignment of each sentence's words against the audio that engine made for it (PocketSphinx).

A sentence the aligner cannot fit (a garbled take, a word it cannot pronounce) falls back to
espeak phoneme counts spread over the sentence's voiced audio, as before; the method label
says which sentences were aligned.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from studio.core.tasks import TaskContext, null_context

from . import word_timing as wt
from .audio_io import resample
from .text_normalise import display_words, words_of
from .types import PhonemeTiming, WordTiming

ALIGNED = "forced-alignment"
FALLBACK = "phoneme-count"


@dataclass
class SentenceTake:
    """One sentence as said: its (normalised) text, its audio and where it starts (seconds)."""

    text: str
    audio: np.ndarray
    start: float


def time_sentences(takes: list[SentenceTake], rate: int, espeak_voice: str = "en-us",
                   ctx: TaskContext | None = None, aligner=None) -> tuple[list[WordTiming], list[PhonemeTiming], str]:  # noqa: ANN001
    """(words as written, phonemes, method) for the sentences, aligned where the language is English."""
    from pipelines.speech.phones import espeak
    from pipelines.speech.types import SPEECH_RATE, AlignmentFailed

    ctx = ctx or null_context()
    english = espeak_voice.startswith("en")
    if english and aligner is None:
        from pipelines.speech.sphinx import SphinxAligner

        aligner = SphinxAligner()
    phonemize = espeak(espeak_voice)
    words: list[WordTiming] = []
    sounds: list[PhonemeTiming] = []
    methods: set[str] = set()
    for i, take in enumerate(takes):
        ctx.progress(i, len(takes), f"timing sentence {i + 1}/{len(takes)}")
        spoken = words_of(take.text)
        timed: list[WordTiming] | None = None
        if english and spoken:
            try:
                tr = aligner.align(resample(take.audio, rate, SPEECH_RATE), spoken, offset=take.start)
                timed, s_sounds = tr.words, tr.phonemes
                methods.add(ALIGNED)
            except AlignmentFailed:
                timed = None
        if timed is None:
            v0, v1 = wt.voiced_span(take.audio, rate)
            s_sounds = wt.even_sounds(phonemize(take.text), take.start + v0, take.start + v1)
            timed = wt.words_by_count(spoken, s_sounds, lambda w: sum(map(wt.is_sound, phonemize(w))))
            methods.add(FALLBACK)
        shown = display_words(take.text)
        if len(shown) == len(timed):
            timed = [replace(w, word=d) for w, d in zip(timed, shown, strict=True)]
        words += timed
        sounds += s_sounds
    ctx.progress(len(takes), len(takes), "timed")
    method = ALIGNED if methods == {ALIGNED} else FALLBACK if methods == {FALLBACK} else f"{ALIGNED}+{FALLBACK}"
    return words, sounds, method
