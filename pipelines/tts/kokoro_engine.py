"""Narration with Kokoro-82M (Apache-2.0) through kokoro-onnx: 28 English voices on CPU.

The model (`kokoro-82m`, or the smaller `kokoro-82m-int8`) and its voices file
(`kokoro-voices-v1.0`) come from the model store. kokoro-onnx phonemizes with espeak-ng and
feeds the graph `tokens` (int64 [1, n]), `style` (float32 [1, 256]: the voice's row for n
phonemes) and `speed` (float32 [1]); it returns 24 kHz audio. We speak sentence by sentence
(progress, cancel, and a known audio span per sentence). Exports that also output per-phoneme
`duration` give word times directly; the released v1.0 graph does not, so words are timed by
forced alignment of each sentence (PocketSphinx, `aligned_timing`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.core.assets import ModelUse
from studio.core.catalog.voice import KOKORO_PREFIX, KOKORO_VOICES, kokoro_voice_label
from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext, null_context

from . import word_timing as wt
from .aligned_timing import SentenceTake, time_sentences
from .text_normalise import display_words, script_sentences, words_of
from .types import NarrationRequest, NarrationResult, PhonemeTiming, WordTiming

MODEL_IDS = ("kokoro-82m", "kokoro-82m-int8")
VOICES_ID = "kokoro-voices-v1.0"
KOKORO_RATE = 24_000
#: silence between two sentences (kokoro-onnx trims each sentence's own)
SENTENCE_PAUSE_S = 0.25


def voice_language(voice_id: str) -> str:
    """espeak language of a Kokoro voice id ('kokoro-bf_emma' → 'en-gb')."""
    key = voice_id.removeprefix(KOKORO_PREFIX)
    for name, _label, lang, _gender in KOKORO_VOICES:
        if name == key:
            return lang
    raise BadInput(f"'{voice_id}' is not a Kokoro voice. `studio voice list` shows them (e.g. kokoro-af_heart).")


class KokoroNarrator:
    """Speaks a script in one Kokoro voice: `load()`, `run(request, ctx)`, `unload()`."""

    engine_name = "Kokoro-82M"

    def __init__(self, store: ModelStore, voice_id: str):
        self.store = store
        self.voice_id = voice_id
        self.voice = voice_id.removeprefix(KOKORO_PREFIX)
        self.language = voice_language(voice_id)
        self.kokoro = None
        self.model_id: str | None = None
        self.timing_model: str | None = None

    def _model(self) -> tuple[str, Path]:
        for mid in MODEL_IDS:
            p = self.store.find(mid)
            if p is not None:
                return mid, p
        raise ModelMissing(f"Kokoro voices need the Kokoro-82M model. {self.store.how_to_get(MODEL_IDS[0])} "
                           f"(or the smaller {MODEL_IDS[1]}), and `studio models download {VOICES_ID}`.",
                           [MODEL_IDS[0]])

    def load(self, device: str = "cpu") -> None:
        """Open the ONNX session (CUDA when asked and onnxruntime-gpu is installed)."""
        import onnxruntime
        from kokoro_onnx import Kokoro

        self.model_id, model = self._model()
        voices = self.store.require(VOICES_ID, purpose="Kokoro voices")[0]
        providers = ["CPUExecutionProvider"]
        if device.startswith("cuda") and "CUDAExecutionProvider" in onnxruntime.get_available_providers():
            providers.insert(0, "CUDAExecutionProvider")
        session = onnxruntime.InferenceSession(str(model), providers=providers)
        self.kokoro = Kokoro.from_session(session, str(voices))
        if self.voice not in self.kokoro.voices:
            raise ModelMissing(f"The Kokoro voices file {voices.name} has no voice '{self.voice}'. "
                               f"Download it again: `studio models download {VOICES_ID}`.", [VOICES_ID])

    def unload(self) -> None:
        self.kokoro = None

    def model_uses(self) -> list[ModelUse]:
        """The model, its voices and (when used) the aligner, for provenance."""
        uses = [self.store.use(self.model_id or MODEL_IDS[0], "voice"), self.store.use(VOICES_ID, "voice style")]
        if self.timing_model:
            uses.append(self.store.use(self.timing_model, "word timing"))
        return uses

    def model_use(self) -> ModelUse:
        return self.model_uses()[0]

    def run(self, request: NarrationRequest, ctx: TaskContext | None = None) -> NarrationResult:
        """Synthesise the script sentence by sentence; words timed by durations or alignment."""
        ctx = ctx or null_context()
        if self.kokoro is None:
            self.load()
        assert self.kokoro is not None
        if not 0.5 <= request.speed <= 2.0:
            raise BadInput(f"Kokoro speaks at speed 0.5–2.0 (got {request.speed}).")
        sentences = script_sentences(request.text)
        synth = ctx.sub(0.0, 0.8)
        pause = np.zeros(int(SENTENCE_PAUSE_S * KOKORO_RATE), np.float32)
        pieces: list[np.ndarray] = []
        takes: list[SentenceTake] = []
        timed: list[list[WordTiming] | None] = []
        sounds: list[list[PhonemeTiming]] = []
        t = 0.0
        for i, sentence in enumerate(sentences):
            synth.progress(i, len(sentences), f"sentence {i + 1}/{len(sentences)}")
            audio, rate, spoken = self.kokoro.create_timed(sentence, voice=self.voice, speed=request.speed,
                                                           lang=self.language)
            audio = np.asarray(audio, np.float32).reshape(-1)
            if rate != KOKORO_RATE:
                raise RuntimeError(f"kokoro-onnx returned {rate} Hz audio, expected {KOKORO_RATE}")
            takes.append(SentenceTake(sentence, audio, t))
            words, s_sounds = _from_durations(sentence, spoken, t)
            timed.append(words)
            sounds.append(s_sounds)
            pieces.append(audio)
            t += len(audio) / KOKORO_RATE
            if i + 1 < len(sentences):
                pieces.append(pause)
                t += SENTENCE_PAUSE_S
        synth.progress(len(sentences), len(sentences), "spoken")
        if all(w is not None for w in timed):
            words = [w for ws in timed for w in ws or []]
            phonemes = [p for ps in sounds for p in ps]
            method = "kokoro-durations"
        else:
            words, phonemes, method = time_sentences(takes, KOKORO_RATE, self.language, ctx.sub(0.8, 1.0))
            if "forced-alignment" in method:
                self.timing_model = "pocketsphinx-en-us"
        audio = np.concatenate(pieces)
        return NarrationResult(audio, KOKORO_RATE, words, phonemes, sentences, method,
                               f"{self.engine_name} ({kokoro_voice_label(self.voice_id)})")


def _from_durations(sentence: str, spoken, offset: float) -> tuple[list[WordTiming] | None, list[PhonemeTiming]]:  # noqa: ANN001
    """Words from kokoro-onnx's phoneme timings (exports with a `duration` output), or None when
    there are none or espeak's word groups do not match the script's words."""
    if not spoken:
        return None, []
    spans = [(s.phoneme, offset + s.start, offset + s.end) for s in spoken]
    groups = wt.group_words(spans)
    words = words_of(sentence)
    if len(groups) != len(words):
        return None, []
    shown = display_words(sentence)
    names = shown if len(shown) == len(words) else words
    return wt.words_from_groups(names, groups), wt.sound_timings(spans)
