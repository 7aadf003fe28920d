"""Speech recognition with faster-whisper (optional extra `whisper`; weights from the model store).

Any language Whisper knows, word times from its cross-attention alignment
(`word_timestamps=True`), silence skipped by its bundled Silero VAD. Phonemes for lip-sync come
from PocketSphinx aligning the recognised English words (other languages: none).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from studio.core.assets import ModelUse
from studio.core.errors import StudioError
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext, null_context

from .types import SPEECH_RATE, Transcript, WordTiming

#: catalogue ids, best first: the first one installed is used
MODEL_IDS = ("faster-whisper-large-v3-turbo", "faster-whisper-small.en", "faster-whisper-base.en")
INSTALL_HINT = "Install the optional extra with `pip install 'persona-studio[whisper]'` (it adds faster-whisper)."


def whisper_available() -> bool:
    """True when faster-whisper can be imported (without importing it)."""
    return importlib.util.find_spec("faster_whisper") is not None


def installed_model(store: ModelStore) -> str | None:
    """The best faster-whisper model in the store, or None."""
    return next((m for m in MODEL_IDS if store.find(m) is not None), None)


class WhisperRecognizer:
    """faster-whisper with word timestamps: `load(device)`, `recognise(audio, ctx)`, `unload()`."""

    def __init__(self, store: ModelStore, model_id: str | None = None, language: str | None = None):
        self.store = store
        self.model_id = model_id or installed_model(store) or MODEL_IDS[1]
        self.language = language
        self.model = None
        self.engine_name = f"faster-whisper ({self.model_id.removeprefix('faster-whisper-')})"

    def load(self, device: str = "cpu", folder: Path | None = None) -> None:
        """Load the CTranslate2 model (int8 on CPU, float16 on CUDA)."""
        if not whisper_available():
            raise StudioError(f"faster-whisper is not installed. {INSTALL_HINT} Or use `--engine pocketsphinx`.")
        from faster_whisper import WhisperModel

        folder = folder or self.store.require(self.model_id, purpose="Speech recognition with Whisper")[0]
        cuda = device.startswith("cuda")
        index = int(device.split(":")[1]) if cuda and ":" in device else 0
        self.model = WhisperModel(str(folder), device="cuda" if cuda else "cpu", device_index=index,
                                  compute_type="float16" if cuda else "int8")

    def unload(self) -> None:
        self.model = None

    def model_use(self) -> ModelUse:
        return self.store.use(self.model_id, "speech recognition")

    def recognise(self, audio: np.ndarray, ctx: TaskContext | None = None, vad: bool = True) -> Transcript:
        """Words heard in `audio` (16 kHz mono float) with their times."""
        ctx = ctx or null_context()
        if self.model is None:
            self.load()
        assert self.model is not None
        duration = len(audio) / SPEECH_RATE
        segments, info = self.model.transcribe(np.asarray(audio, np.float32), language=self.language,
                                               word_timestamps=True, vad_filter=vad, beam_size=5,
                                               condition_on_previous_text=False)
        words: list[WordTiming] = []
        ctx.progress(0, 1000, "listening")
        for seg in segments:  # a generator: decoding happens as it is read
            for w in seg.words or []:
                text = w.word.strip()
                if text:
                    words.append(WordTiming(text, float(w.start), max(float(w.end), float(w.start) + 0.01)))
            ctx.progress(int(1000 * min(seg.end / max(duration, 1e-6), 1.0)), 1000, "listening")
        return Transcript(words, [], "recognised", self.engine_name, info.language or (self.language or ""), duration)
