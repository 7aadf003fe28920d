"""Assets: every file the studio makes or imports, with where it came from."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .persona import utcnow

AssetKind = Literal[
    "reference",  # an imported reference photo
    "still",  # a generated or edited image
    "clip",  # a video clip (motion, lip-sync)
    "narration",  # synthesised speech
    "music",  # an imported music bed
    "audio",  # other audio
    "export",  # a finished post file
    "image",  # an imported image (overlay, etc.)
    "document",  # e.g. a signed consent release
    "lut",  # a colour look-up table (.cube) imported for looks
]

#: The project sub-folder each asset kind lives in.
KIND_FOLDER: dict[str, str] = {
    "reference": "refs",
    "still": "stills",
    "image": "stills",
    "clip": "clips",
    "narration": "audio",
    "music": "audio",
    "audio": "audio",
    "export": "exports",
    "document": "refs",
    "lut": "looks",
}


class ModelUse(BaseModel):
    """A model that took part in making an asset."""

    model_config = ConfigDict(extra="allow")

    id: str
    sha256: str | None = None
    licence: str | None = None
    commercial_use: bool | None = None
    role: str | None = None


class Provenance(BaseModel):
    """How an asset was made: pipeline, models, seed, every parameter, and scores."""

    model_config = ConfigDict(extra="allow")

    pipeline: str
    engine: str | None = Field(default=None, description="Which backend made it, in user words")
    models: list[ModelUse] = Field(default_factory=list)
    seed: int | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    scores: dict[str, Any] = Field(default_factory=dict)
    created_at: str = Field(default_factory=utcnow)
    studio_version: str | None = None


class Asset(BaseModel):
    """One file in the project, content-addressed by sha256."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: AssetKind
    path: str = Field(description="Project-relative POSIX path")
    sha256: str
    size: int = 0
    parents: list[str] = Field(default_factory=list)
    provenance: Provenance
    label: str = ""
    favourite: bool = False
    created_at: str = Field(default_factory=utcnow)


def new_id(prefix: str) -> str:
    """A short unique id such as `still-3f9a0c12`."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """sha256 hex digest of a file, read in chunks (works for multi-GB checkpoints)."""
    h = hashlib.sha256()
    with open(Path(path), "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
