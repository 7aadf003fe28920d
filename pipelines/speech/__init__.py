"""Speech to timed words: forced alignment of a known script, and speech recognition.

- `SphinxAligner` (PocketSphinx, English model in its wheel, BSD): times a script's words and
  phones in audio — narration engines without their own timings (Kokoro, Chatterbox, XTTS) and
  a user's own recording with its script.
- `SphinxRecognizer`: English recognition with word times, offline, no download.
- `WhisperRecognizer` (faster-whisper, optional extra; weights via the model store): better
  recognition in many languages, `word_timestamps=True`.
- `retime`: a user's corrected transcript keeps the times of the words it was edited from.
"""

from __future__ import annotations

from studio.core.errors import BadInput
from studio.core.models import ModelStore

from .types import SPEECH_RATE, AlignmentFailed, Transcript

RECOGNIZERS = ("auto", "pocketsphinx", "whisper")


def open_recognizer(store: ModelStore, engine: str = "auto", language: str | None = None):
    """A recogniser: 'whisper' (faster-whisper), 'pocketsphinx', or 'auto' — Whisper when it and
    one of its models are installed, else PocketSphinx (English only)."""
    from .whisper import WhisperRecognizer, installed_model, whisper_available

    if engine not in RECOGNIZERS:
        raise BadInput(f"Unknown recognition engine '{engine}'; choose one of: {', '.join(RECOGNIZERS)}.")
    if engine == "whisper" or (engine == "auto" and whisper_available() and installed_model(store)):
        return WhisperRecognizer(store, language=language)
    if language and not language.lower().startswith("en"):
        raise BadInput(f"PocketSphinx only knows English; for '{language}' install faster-whisper and a "
                       "Whisper model (`studio models download faster-whisper-large-v3-turbo`).")
    from .sphinx import SphinxRecognizer

    return SphinxRecognizer()


__all__ = ["RECOGNIZERS", "SPEECH_RATE", "AlignmentFailed", "Transcript", "open_recognizer"]
