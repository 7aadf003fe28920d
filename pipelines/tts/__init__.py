"""Narration: text to speech in the persona's voice, with word timings for captions and lip-sync.

Engines: Piper (embedded default, any Piper voice in the model store), Kokoro-82M (28 English
voices, downloadable, CPU), Chatterbox (commercial-safe voice clone, optional extra) and Coqui
XTTS-v2 voice cloning (optional extra, non-commercial). `open_narrator` picks one from the
persona's voice settings; `engine_for_voice` tells which engine speaks a voice id.
"""

from __future__ import annotations

from studio.core.errors import BadInput
from studio.core.models import ModelStore

from .types import NarrationRequest, NarrationResult, PhonemeTiming, WordTiming

ENGINES = ("piper", "kokoro", "chatterbox", "xtts")


def engine_for_voice(voice_id: str) -> str:
    """The engine that speaks `voice_id` ('kokoro-af_heart' → kokoro, a Piper voice → piper)."""
    from studio.core.catalog.voice import KOKORO_PREFIX

    if voice_id.startswith(KOKORO_PREFIX):
        return "kokoro"
    if voice_id.startswith("chatterbox"):
        return "chatterbox"
    if voice_id == "xtts-v2":
        return "xtts"
    return "piper"


def open_narrator(store: ModelStore, engine: str, voice_id: str):
    """The narrator for `engine`; errors say how to install what is missing."""
    if engine == "piper":
        from .piper_engine import PiperNarrator

        return PiperNarrator(store, voice_id)
    if engine == "kokoro":
        from .kokoro_engine import KokoroNarrator

        return KokoroNarrator(store, voice_id)
    if engine == "chatterbox":
        from .chatterbox_engine import ChatterboxNarrator

        return ChatterboxNarrator(store, voice_id if voice_id.startswith("chatterbox") else "chatterbox")
    if engine == "xtts":
        from .xtts_engine import XttsNarrator

        return XttsNarrator(store)
    raise BadInput(f"Unknown voice engine '{engine}'; choose one of: {', '.join(ENGINES)}.")


__all__ = ["ENGINES", "NarrationRequest", "NarrationResult", "PhonemeTiming", "WordTiming", "engine_for_voice",
           "open_narrator"]
