"""Narration: text to speech in the persona's voice, with word timings for captions and lip-sync.

Engines: Piper (embedded default, any Piper voice in the model store) and Coqui XTTS-v2 voice
cloning (optional extra). `open_narrator` picks one from the persona's voice settings.
"""

from __future__ import annotations

from studio.core.errors import BadInput
from studio.core.models import ModelStore

from .types import NarrationRequest, NarrationResult, PhonemeTiming, WordTiming

ENGINES = ("piper", "xtts")


def open_narrator(store: ModelStore, engine: str, voice_id: str):
    """The narrator for `engine` ('piper' or 'xtts'); errors say how to install what is missing."""
    if engine == "piper":
        from .piper_engine import PiperNarrator

        return PiperNarrator(store, voice_id)
    if engine == "xtts":
        from .xtts_engine import XttsNarrator

        return XttsNarrator(store)
    raise BadInput(f"Unknown voice engine '{engine}'; choose one of: {', '.join(ENGINES)}.")


__all__ = ["ENGINES", "NarrationRequest", "NarrationResult", "PhonemeTiming", "WordTiming", "open_narrator"]
