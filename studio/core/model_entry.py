"""What a catalogue entry says about a model (the entries themselves are in studio/core/catalog/)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ModelKind = Literal[
    "sdxl-checkpoint",
    "sdxl-inpaint",
    "sdxl-lora",
    "ip-adapter",
    "svd",
    "face-detector",
    "face-recognizer",
    "face-landmarks",
    "face-swapper",
    "face-restorer",
    "lipsync",
    "tts-voice",
    "tts-clone",
    "tts-model",  # a multi-voice TTS model (Kokoro), its voices in a "tts-voice-pack"
    "tts-voice-pack",
    # newer model families (FLUX.2 klein / Z-Image stills, Wan video, MuseTalk, speech, writing)
    "image-model",
    "video-model",
    "face-embedding-converter",
    "speech-recognizer",
    "upscaler",
    "llm",
]


class ModelSource(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["hf", "url", "import", "package"]
    repo: str | None = None
    revision: str = "main"
    #: files of an hf repo; an entry may be a glob ("transformer/*.safetensors*") for sharded
    #: weights whose shard count the catalogue should not have to know
    files: tuple[str, ...] = ()
    url: str | None = None
    archive_member: str | None = None
    package: str | None = None
    hint: str | None = None


class ModelEntry(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    kind: ModelKind
    layout: Literal["file", "folder"] = "file"
    filename: str | None = Field(default=None, description="Main file name in the store (layout=file)")
    source: ModelSource
    sha256: str | None = None
    size: int | None = Field(default=None, description="Bytes (approximate for folders)")
    licence: str
    commercial_use: bool
    embedded: bool = False
    #: GPU memory (GB) it needs with every component on the GPU at its usual size, and the least
    #: it runs in with the strongest offload; None where it does not use a GPU (or nobody measured)
    vram_gb: float | None = None
    vram_min_gb: float | None = None
    notes: str = ""
