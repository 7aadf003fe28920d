"""Voice cloning with Coqui XTTS-v2 (optional extra `xtts`: the `coqui-tts` package).

XTTS speaks in the voice of a few seconds of reference audio (the persona's voice samples).
Its weights are under the Coqui Public Model License (non-commercial), recorded in provenance.
XTTS gives no phoneme alignments, so English words are timed by forced alignment of each sentence
(PocketSphinx); other languages spread espeak phoneme counts over each sentence's voiced audio.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.core.assets import ModelUse
from studio.core.errors import BadInput, StudioError
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext, null_context

from .aligned_timing import SentenceTake, time_sentences
from .text_normalise import script_sentences
from .types import NarrationRequest, NarrationResult

MODEL_ID = "xtts-v2"
XTTS_RATE = 24_000
#: XTTS languages (its config's `languages`); espeak voice used for timing per language.
ESPEAK_VOICE = {"en": "en-us", "es": "es", "fr": "fr-fr", "de": "de", "it": "it", "pt": "pt", "pl": "pl",
                "tr": "tr", "ru": "ru", "nl": "nl", "cs": "cs", "ar": "ar", "zh-cn": "cmn", "ja": "ja",
                "hu": "hu", "ko": "ko", "hi": "hi"}
INSTALL_HINT = "Install the optional extra with `pip install 'persona-studio[xtts]'` (it adds coqui-tts)."


def xtts_available() -> bool:
    """True when the coqui-tts package can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("TTS") is not None


class XttsNarrator:
    """Clones the persona's voice from reference samples: `load()`, `run(request, ctx)`, `unload()`."""

    engine_name = "XTTS-v2 voice clone"

    def __init__(self, store: ModelStore):
        self.store = store
        self.model = None
        self.folder: Path | None = None

    def load(self, device: str = "cpu") -> None:
        if not xtts_available():
            raise StudioError(f"Voice cloning (XTTS-v2) is not installed. {INSTALL_HINT} Or choose a built-in voice (`--engine piper`).")
        self.folder = self.store.require(MODEL_ID, purpose="Voice cloning with XTTS-v2")[0]
        from TTS.tts.configs.xtts_config import XttsConfig
        from TTS.tts.models.xtts import Xtts

        config = XttsConfig()
        config.load_json(str(self.folder / "config.json"))
        model = Xtts.init_from_config(config)
        model.load_checkpoint(config, checkpoint_dir=str(self.folder), eval=True, use_deepspeed=False)
        if device.startswith("cuda"):
            model.cuda()
        self.model = model

    def unload(self) -> None:
        self.model = None

    def model_use(self) -> ModelUse:
        e = self.store.entry(MODEL_ID)
        return ModelUse(id=e.id, sha256=self.store.expected_sha256(MODEL_ID), licence=e.licence,
                        commercial_use=e.commercial_use, role="voice clone")

    def run(self, request: NarrationRequest, ctx: TaskContext | None = None) -> NarrationResult:
        ctx = ctx or null_context()
        samples = [Path(p) for p in request.reference_samples]
        if not samples:
            raise BadInput("XTTS clones a voice from samples, and this persona has none. Add one with "
                           "`studio voice sample PROJECT FILE` (6–30 s of clean speech), or choose a built-in voice (`--engine piper`).")
        missing = [str(p) for p in samples if not p.is_file()]
        if missing:
            raise BadInput(f"Voice sample(s) not found: {', '.join(missing)}. Add them again with `studio voice sample`.")
        sentences = script_sentences(request.text)
        if self.model is None:
            self.load()
        assert self.model is not None
        ctx.progress(0, len(sentences) + 1, "listening to the voice samples")
        gpt_latent, speaker_emb = self.model.get_conditioning_latents(audio_path=[str(p) for p in samples])
        takes, pieces = [], []
        t = 0.0
        for i, sentence in enumerate(sentences):
            ctx.progress(i + 1, len(sentences) + 1, f"sentence {i + 1}/{len(sentences)}")
            out = self.model.inference(sentence, request.language, gpt_latent, speaker_emb,
                                       temperature=0.7, speed=request.speed, enable_text_splitting=False)
            audio = np.asarray(out["wav"], dtype=np.float32).reshape(-1)
            takes.append(SentenceTake(sentence, audio, t))
            pieces.append(audio)
            t += len(audio) / XTTS_RATE
        # forced alignment for English, espeak phoneme counts for the other languages
        words, sounds, method = time_sentences(takes, XTTS_RATE, ESPEAK_VOICE.get(request.language, "en-us"))
        return NarrationResult(np.concatenate(pieces), XTTS_RATE, words, sounds, sentences, method, self.engine_name)
