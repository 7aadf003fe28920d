"""Narration with Piper (the embedded default voice, and any Piper voice in the model store).

A Piper voice is an `.onnx` model plus its `.onnx.json` config. We load it with piper's own
`PiperVoice.load`, synthesise sentence by sentence (`PiperVoice.synthesize`, one AudioChunk per
espeak sentence) and take word timings from Piper's phoneme alignments. Alignments need the
model's duration tensor exposed as an output; piper can patch that in memory on every load, but
that re-parses the 60 MB graph each time, so we patch once and keep the patched copy in the
model store's cache folder. Loaded sessions come from `voice_cache`, which keeps a fresh one
ready for the next narration in this process (a used one cannot be reused: see there).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from studio.core.assets import ModelUse, sha256_file
from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext, null_context

from . import voice_cache
from . import word_timing as wt
from .text_normalise import display_words, script_sentences, words_of
from .types import NarrationRequest, NarrationResult, PhonemeTiming, WordTiming

#: sha256 of voice models already hashed in this process, by voice id + size + mtime.
_HASHES: dict[str, str] = {}
#: sounding-phoneme counts of words, by (phoneme type + espeak voice, word): espeak is deterministic, and a
#: sentence whose groups do not match its words would otherwise call espeak once per word per job.
_COUNTS: dict[tuple[str, str], int] = {}
_MAX_COUNTS = 20_000
#: said once by every session right after loading (see `_load_voice`); changing it changes every
#: narration's noise, so keep it fixed.
WARMUP_TEXT = "Hi there."


_ARENA_LOCK = threading.Lock()
_ARENA_READY = False


def _shared_arena_options(ort):  # noqa: ANN001, ANN202
    """Session options that allocate from one CPU arena registered once for the process.

    Each narration gets a new session (see voice_cache), and a session's own arena starts empty:
    its first long sentence spent ~10% of the job growing it. The shared arena keeps the memory
    grown by earlier sessions (bounded by the longest sentence said so far). The arena holds no
    state the audio depends on, so narrations stay bit for bit the same."""
    global _ARENA_READY
    with _ARENA_LOCK:
        if not _ARENA_READY:
            info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT)
            ort.create_and_register_allocator(info, ort.OrtArenaCfg(0, -1, -1, -1))
            _ARENA_READY = True
    so = ort.SessionOptions()
    so.add_session_config_entry("session.use_env_allocators", "1")
    return so


def _load_voice(model: Path, config: Path, use_cuda: bool):
    """A new PiperVoice session, its noise generators seeded 0 and advanced by one fixed warm-up
    run (see `PiperNarrator.load`)."""
    import onnxruntime
    from piper import PiperVoice

    # VITS draws its noise with ONNX random ops seeded from onnxruntime's process seed when the
    # session is created; that seed is random per process: fix it so a script narrates the same
    # on any machine (the farm).
    onnxruntime.set_seed(0)
    if use_cuda:
        voice = PiperVoice.load(model, config_path=config, use_cuda=True)
    else:  # piper's own load, but on the process-wide CPU arena (see `_shared_arena_options`)
        from piper.config import PiperConfig

        voice = PiperVoice(
            session=onnxruntime.InferenceSession(str(model), sess_options=_shared_arena_options(onnxruntime),
                                                 providers=["CPUExecutionProvider"]),
            config=PiperConfig.from_dict(json.loads(Path(config).read_text("utf-8"))),
            download_dir=Path.cwd(),
        )
    if WARMUP_TEXT:
        # ONNX Runtime's first run of a session is slower (it sizes its memory arena and plans).
        # Every session, the cold one too, makes this same run, so a job's noise still starts from
        # the same generator state in any process or on any farm worker, and the job no longer
        # pays that first-run cost (spares make it in the background loader).
        for _ in voice.synthesize(WARMUP_TEXT, include_alignments=len(voice.session.get_outputs()) > 1):
            pass
    return voice


@dataclass(frozen=True)
class PiperVoiceFiles:
    """Where one Piper voice's model and config are."""

    voice_id: str
    onnx: Path
    config: Path


def locate_voice(store: ModelStore, voice_id: str) -> PiperVoiceFiles:
    """Find a Piper voice in the store (a package, a downloaded folder or an imported file)."""
    entry = store.entry(voice_id)
    if entry.kind != "tts-voice":
        raise BadInput(f"'{voice_id}' is a {entry.kind} model, not a Piper voice. `studio models list` shows the voices.")
    found = store.find(voice_id)
    if found is None:
        raise ModelMissing(f"The Piper voice {voice_id} is not installed. {store.how_to_get(voice_id)}", [voice_id])
    onnx = found if found.is_file() else next(iter(sorted(found.rglob("*.onnx"))), None)
    if onnx is None:
        raise ModelMissing(f"{found} holds no .onnx voice model. {store.how_to_get(voice_id)}", [voice_id])
    config = onnx.with_name(onnx.name + ".json")
    if not config.is_file():
        raise ModelMissing(
            f"The Piper voice {voice_id} has no config beside it ({config.name}). Put the voice's "
            f".onnx.json next to the .onnx and import again: `studio models import {voice_id} "
            f"VOICE.onnx --kind tts-voice` (the .onnx.json beside it is imported too).",
            [voice_id],
        )
    return PiperVoiceFiles(voice_id, onnx, config)


class PiperNarrator:
    """Speaks a script in one Piper voice: `load()`, `run(request, ctx)`, `unload()`."""

    engine_name = "Piper"

    def __init__(self, store: ModelStore, voice_id: str):
        self.store = store
        self.files = locate_voice(store, voice_id)
        self.voice = None  # piper.PiperVoice once loaded
        self._key: tuple | None = None  # the voice cache's key for the loaded session
        self.has_alignments = False

    # ------------------------------------------------------------------ loading
    def _cache_dir(self) -> Path:
        return self.store.root / "_cache" / "piper"

    def _cache_key(self) -> str:
        st = self.files.onnx.stat()
        return f"{self.files.voice_id}-{st.st_size}-{st.st_mtime_ns}"

    def _aligned_model(self) -> Path | None:
        """The voice with its alignment output exposed (patched once, then cached)."""
        cached = self._cache_dir() / f"{self._cache_key()}.aligned.onnx"
        if cached.is_file():
            return cached
        try:
            import onnx
            from piper.patch_voice_with_alignment import add_alignment_output
        except ImportError:
            return None
        model = onnx.load(str(self.files.onnx))
        try:
            add_alignment_output(model)
        except ValueError:  # already patched, or a graph without a duration tensor
            return self.files.onnx
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.name + ".part")
        onnx.save(model, str(tmp))
        tmp.replace(cached)
        return cached

    def load(self, device: str = "cpu") -> None:
        """Take a loaded, never-run session of this voice (a spare loaded in the background when
        an earlier narration in this process finished; otherwise it is loaded now)."""
        model = self._aligned_model() or self.files.onnx
        config = self.files.config
        use_cuda = device.startswith("cuda")
        st = model.stat()
        self._key = (str(model), st.st_size, st.st_mtime_ns, str(config), use_cuda)
        self.voice = voice_cache.take(self._key, lambda: _load_voice(model, config, use_cuda))
        self.has_alignments = len(self.voice.session.get_outputs()) > 1

    def unload(self) -> None:
        """Hand the used session back: it is dropped, and a fresh spare loads in the background."""
        if self.voice is not None and self._key is not None:
            voice_cache.give_back(self._key, self.voice)
        self.voice = None

    def model_use(self) -> ModelUse:
        """Licence and hash of the voice for provenance (hash cached by size+mtime)."""
        entry = self.store.entry(self.files.voice_id)
        key = self._cache_key()
        digest = _HASHES.get(key)
        if digest is None:
            hash_file = self._cache_dir() / f"{key}.sha256"
            if hash_file.is_file():
                digest = hash_file.read_text().strip()
            else:
                digest = sha256_file(self.files.onnx)
                hash_file.parent.mkdir(parents=True, exist_ok=True)
                hash_file.write_text(digest)
            _HASHES[key] = digest
        return ModelUse(id=entry.id, sha256=digest, licence=entry.licence, commercial_use=entry.commercial_use, role="voice")

    @property
    def sample_rate(self) -> int:
        assert self.voice is not None, "load() first"
        return int(self.voice.config.sample_rate)

    # ------------------------------------------------------------------ synthesis
    def run(self, request: NarrationRequest, ctx: TaskContext | None = None) -> NarrationResult:
        """Synthesise the script; words are timed from alignments (or phoneme counts)."""
        from piper import SynthesisConfig

        ctx = ctx or null_context()
        if self.voice is None:
            self.load()
        sentences = script_sentences(request.text)
        base_length = float(self.voice.config.length_scale or 1.0)
        syn = SynthesisConfig(
            length_scale=base_length / request.speed,
            noise_scale=request.noise_scale,
            noise_w_scale=request.noise_w,
        )
        rate = self.sample_rate
        pieces: list[np.ndarray] = []
        words: list[WordTiming] = []
        sounds: list[PhonemeTiming] = []
        methods: set[str] = set()
        t = 0.0
        for i, sentence in enumerate(sentences):
            ctx.progress(i, len(sentences), f"sentence {i + 1}/{len(sentences)}")
            s_words = words_of(sentence)
            spans: list[tuple[str, float, float]] = []
            s_sounds: list[PhonemeTiming] = []
            aligned = True
            for chunk in self.voice.synthesize(sentence, syn_config=syn, include_alignments=self.has_alignments):
                audio = chunk.audio_float_array
                if chunk.phoneme_alignments:
                    sp = wt.phoneme_spans([(a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments], t, rate)
                    spans += sp
                    s_sounds += wt.sound_timings(sp)
                else:
                    aligned = False
                    v0, v1 = wt.voiced_span(audio, rate)
                    s_sounds += wt.even_sounds(chunk.phonemes, t + v0, t + v1)
                pieces.append(audio)
                t += len(audio) / rate
            groups = wt.group_words(spans) if aligned else []
            if aligned and len(groups) == len(s_words):
                timed = wt.words_from_groups(s_words, groups)
                methods.add("piper-alignments")
            else:
                timed = wt.words_by_count(s_words, s_sounds, self._phoneme_count)
                methods.add("piper-alignments+phoneme-count" if aligned else "phoneme-count")
            # captions show the words as written, with their punctuation ("Hi," "Nova.")
            shown = display_words(sentence)
            if len(shown) == len(timed):
                timed = [replace(w, word=d) for w, d in zip(timed, shown, strict=True)]
            words += timed
            sounds += s_sounds
        ctx.progress(len(sentences), len(sentences), "done")
        audio = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        if audio.size == 0:
            raise BadInput("The script produced no speech; write it in words the voice can say.")
        return NarrationResult(
            audio=audio.astype(np.float32, copy=False),
            sample_rate=rate,
            words=words,
            phonemes=sounds,
            sentences=sentences,
            timing_method=_method_label(methods),
            engine=self.engine_name,
        )

    def _phoneme_count(self, word: str) -> int:
        assert self.voice is not None
        key = (f"{self.voice.config.phoneme_type}:{self.voice.config.espeak_voice}", word)
        n = _COUNTS.get(key)
        if n is None:
            n = sum(wt.is_sound(p) for sent in self.voice.phonemize(word) for p in sent)
            if len(_COUNTS) >= _MAX_COUNTS:
                _COUNTS.clear()
            _COUNTS[key] = n
        return n


def _method_label(methods: set[str]) -> str:
    """'piper-alignments' when every sentence matched; otherwise the weakest method used."""
    for m in ("phoneme-count", "piper-alignments+phoneme-count", "piper-alignments"):
        if m in methods:
            return m
    return "none"


def voice_config(files: PiperVoiceFiles) -> dict:
    """The voice's .onnx.json as a dict (sample rate, language, dataset)."""
    try:
        return json.loads(files.config.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise BadInput(f"{files.config} is not a valid Piper voice config: {e}") from e
