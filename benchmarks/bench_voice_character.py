"""The voice character (Praat's change gender) on the embedded Piper voice, measured, not listened to.

Harvard sentences list 1 (public domain, phonetically balanced) said by Piper `joe`, then the
`female` character: median F0 (goal: the typical female range 165–255 Hz), F1/F2 (raised),
loudness (unchanged), PocketSphinx word error rate before and after (goal: no worse than a few
points above the unconverted voice), the words sidecar against a forced alignment of the
converted audio (timings still valid), and how long the conversion takes.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import Result

HARVARD_1 = ("The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background. "
             "It's easy to tell the depth of a well. These days a chicken leg is a rare dish. "
             "Rice is often served in round bowls. The juice of lemons makes fine punch. "
             "The box was thrown beside the parked truck. The hogs were fed chopped corn and garbage. "
             "Four hours of steady work faced us. A large size in stockings is hard to sell.")


def run() -> list[Result]:
    import numpy as np

    from pipelines.speech import SPEECH_RATE
    from pipelines.speech.metrics import timing_error, word_error_rate
    from pipelines.speech.sphinx import SphinxAligner, SphinxRecognizer
    from pipelines.tts.audio_io import resample
    from pipelines.tts.piper_engine import PiperNarrator
    from pipelines.tts.types import NarrationRequest
    from pipelines.tts.voice_character import (
        PRESETS,
        apply_character,
        formant_medians,
        pitch_median,
    )
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    def _rms_db(x: np.ndarray) -> float:
        return 20 * float(np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64)))))

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.models_dir = str(Path(tmp) / "models")
        narrator = PiperNarrator(ModelStore(settings), "piper-en_US-joe-medium")
        narrator.load()
        res = narrator.run(NarrationRequest(text=HARVARD_1))
    audio, rate = res.audio, res.sample_rate
    character = PRESETS["female"]
    t0 = time.perf_counter()
    converted = apply_character(audio, rate, character)
    took = time.perf_counter() - t0
    seconds = len(audio) / rate
    reference = [w.word for w in res.words]
    recogniser, aligner = SphinxRecognizer(), SphinxAligner()

    def wer(x: np.ndarray) -> tuple[float, str]:
        heard = recogniser.recognise(resample(x, rate, SPEECH_RATE))
        return word_error_rate(reference, [w.word for w in heard.words]), heard.text

    (wer0, _), (wer1, heard1) = wer(audio), wer(converted)
    f0a, f0b = pitch_median(audio, rate), pitch_median(converted, rate)
    (f1a, f2a), (f1b, f2b) = formant_medians(audio, rate), formant_medians(converted, rate)
    timing0 = timing_error(res.words, aligner.align(resample(audio, rate, SPEECH_RATE), reference).words)
    timing1 = timing_error(res.words, aligner.align(resample(converted, rate, SPEECH_RATE), reference).words)
    return [
        Result(f"voice character '{character.describe()}': median F0", f0b, "Hz", "165–255 Hz", 165 <= f0b <= 255,
               f"Piper joe {f0a:.0f} Hz"),
        Result("voice character: F1 / F2 ratio", f1b / f1a, "× F1", "> 1", f1b > f1a and f2b > f2a,
               f"F1 {f1a:.0f} → {f1b:.0f} Hz, F2 {f2a:.0f} → {f2b:.0f} Hz ({f2b / f2a:.3f}×)"),
        Result("voice character: loudness change", _rms_db(converted) - _rms_db(audio), "dB RMS", "|Δ| < 0.5",
               abs(_rms_db(converted) - _rms_db(audio)) < 0.5, ""),
        Result("voice character: PocketSphinx WER, converted", wer1 * 100, "%", f"≤ {wer0 * 100 + 5:.1f} (unconverted + 5)",
               wer1 <= wer0 + 0.05, f"unconverted {wer0:.1%}; heard: {heard1!r}"),
        Result("voice character: sidecar words vs forced alignment", timing1.mean_ms, "ms mean", "≤ unconverted + 10",
               timing1.mean_ms <= timing0.mean_ms + 10, f"converted {timing1}; unconverted {timing0}"),
        Result("voice character: conversion speed", took / seconds, "× real time", "", None,
               f"{took:.2f} s for {seconds:.1f} s of speech"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r.line())
