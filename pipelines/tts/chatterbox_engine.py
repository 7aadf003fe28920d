"""Voice cloning with Chatterbox (MIT, Resemble AI) — the commercial-safe clone (extra `chatterbox`).

Two variants from the model store: `chatterbox` (0.5B; `exaggeration` is its emotion control,
`cfg_weight` its pacing) and `chatterbox-turbo` (350M, faster, the one usable on CPU; no emotion
control, knows [laugh]/[chuckle]/[cough] tags). Both clone the persona's first voice sample (Turbo
needs more than 5 s), or speak in the model's built-in voice (`conds.pt`) when the persona has
none. Chatterbox embeds Resemble's Perth watermark in everything it says; provenance notes it.
We load with the package's own `from_local(folder, device)` and call `generate()` sentence by
sentence (seeded, so a script says the same twice); words are timed by forced alignment.

chatterbox-tts 0.1.7 pins torch 2.6, numpy<2, transformers 5.2, diffusers 0.29 and gradio, so it is
installed without its dependencies: `pip install --no-deps chatterbox-tts` plus the few it needs at
run time (see the `chatterbox` extra in pyproject.toml).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from studio.core.assets import ModelUse
from studio.core.errors import BadInput, StudioError
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext, null_context

from .aligned_timing import SentenceTake, time_sentences
from .text_normalise import script_sentences
from .types import NarrationRequest, NarrationResult

MODEL_IDS = ("chatterbox", "chatterbox-turbo")
INSTALL_HINT = ("Install the optional extra: `pip install --no-deps chatterbox-tts==0.1.7` and then "
                "`pip install 'persona-studio[chatterbox]'` (its run-time needs, without the pinned torch).")
#: Turbo refuses shorter references (its own assert)
TURBO_MIN_SAMPLE_S = 5.0
SENTENCE_PAUSE_S = 0.2


def chatterbox_available() -> bool:
    """True when the chatterbox package can be imported (without importing it)."""
    return importlib.util.find_spec("chatterbox") is not None


class ChatterboxNarrator:
    """Clones the persona's voice with Chatterbox: `load(device)`, `run(request, ctx)`, `unload()`."""

    def __init__(self, store: ModelStore, model_id: str = "chatterbox", seed: int = 0):
        if model_id not in MODEL_IDS:
            raise BadInput(f"'{model_id}' is not a Chatterbox model; choose {' or '.join(MODEL_IDS)}.")
        self.store = store
        self.model_id = model_id
        self.turbo = model_id == "chatterbox-turbo"
        self.seed = seed
        self.model = None
        self.device = "cpu"
        self.engine_name = "Chatterbox-Turbo voice clone" if self.turbo else "Chatterbox voice clone"
        self.timing_model: str | None = None

    def load(self, device: str = "cpu", folder: Path | None = None) -> None:
        """Build the model from its folder with the package's own loader."""
        if not chatterbox_available():
            raise StudioError(f"Chatterbox is not installed. {INSTALL_HINT} Or use `--engine kokoro` / `piper`.")
        folder = folder or self.store.require(self.model_id, purpose="Voice cloning with Chatterbox")[0]
        if device.startswith("cuda"):
            import torch

            if not torch.cuda.is_available():
                device = "cpu"
        if self.turbo:
            from chatterbox.tts_turbo import ChatterboxTurboTTS as Model
        else:
            from chatterbox.tts import ChatterboxTTS as Model
        self.model = Model.from_local(folder, device)
        self.device = device

    def unload(self) -> None:
        self.model = None
        if self.device.startswith("cuda"):
            import torch

            torch.cuda.empty_cache()

    def model_uses(self) -> list[ModelUse]:
        uses = [self.store.use(self.model_id, "voice clone")]
        if self.timing_model:
            uses.append(self.store.use(self.timing_model, "word timing"))
        return uses

    def model_use(self) -> ModelUse:
        return self.model_uses()[0]

    def _condition(self, samples: list[Path], exaggeration: float) -> str:
        """Prepare the voice from the first sample; 'sample NAME' or 'built-in voice'."""
        assert self.model is not None
        if not samples:
            if getattr(self.model, "conds", None) is None:
                raise BadInput("This Chatterbox model has no built-in voice; add a voice sample with "
                               "`studio voice sample PROJECT FILE` (10–30 s of clean speech).")
            return "built-in voice"
        sample = samples[0]
        if not sample.is_file():
            raise BadInput(f"Voice sample not found: {sample}. Add it again with `studio voice sample`.")
        if self.turbo:
            from .audio_io import read_wav

            audio, rate = read_wav(sample)
            if len(audio) / rate <= TURBO_MIN_SAMPLE_S:
                raise BadInput(f"Chatterbox-Turbo needs a voice sample longer than {TURBO_MIN_SAMPLE_S:.0f} s; "
                               f"{sample.name} is {len(audio) / rate:.1f} s. Add a longer one, or use `chatterbox`.")
            self.model.prepare_conditionals(str(sample), exaggeration=0.0)
        else:
            self.model.prepare_conditionals(str(sample), exaggeration=exaggeration)
        return f"sample {sample.name}"

    def run(self, request: NarrationRequest, ctx: TaskContext | None = None) -> NarrationResult:
        """Say the script in the cloned voice, sentence by sentence; words timed by alignment."""
        import torch

        ctx = ctx or null_context()
        exaggeration, cfg_weight = request.exaggeration, request.cfg_weight
        if not request.language.lower().startswith("en"):
            raise BadInput("Chatterbox and Chatterbox-Turbo speak English; use XTTS for other languages.")
        sentences = script_sentences(request.text)
        if self.model is None:
            self.load()
        assert self.model is not None
        ctx.progress(0, len(sentences) + 1, "listening to the voice sample")
        self.voice_source = self._condition([Path(p) for p in request.reference_samples], exaggeration)
        rate = int(self.model.sr)
        pause = np.zeros(int(SENTENCE_PAUSE_S * rate), np.float32)
        pieces: list[np.ndarray] = []
        takes: list[SentenceTake] = []
        t = 0.0
        synth = ctx.sub(0.0, 0.85)
        for i, sentence in enumerate(sentences):
            synth.progress(i + 1, len(sentences) + 1, f"sentence {i + 1}/{len(sentences)}")
            torch.manual_seed(self.seed + i)  # sampling is random: seed each sentence
            if self.turbo:
                wav = self.model.generate(sentence)
            else:
                wav = self.model.generate(sentence, exaggeration=exaggeration, cfg_weight=cfg_weight)
            audio = wav.detach().cpu().numpy().astype(np.float32).reshape(-1)
            takes.append(SentenceTake(sentence, audio, t))
            pieces.append(audio)
            t += len(audio) / rate
            if i + 1 < len(sentences):
                pieces.append(pause)
                t += SENTENCE_PAUSE_S
        words, phonemes, method = time_sentences(takes, rate, "en-us", ctx.sub(0.85, 1.0))
        if "forced-alignment" in method:
            self.timing_model = "pocketsphinx-en-us"
        return NarrationResult(np.concatenate(pieces), rate, words, phonemes, sentences, method, self.engine_name)
