"""The hashes the model store has checked: one record per model in MODELS/hashes.json.

A single-file model records its sha256; a folder model records the sha256 of every file in it
(its manifest) and a digest of that manifest, which is what provenance cites. Each record says
where the hashes came from: the Hugging Face hub (published LFS sha256 / git blob ids, checked
at download), an import (hashed once when the user imported it) or first use (a model found in
a cache or folder we did not fill, hashed the first time `verify` saw it).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .assets import sha256_file
from .atomic import atomic_write_json

HashSource = Literal["catalogue", "hub", "import", "first-use", "download"]


@dataclass(frozen=True)
class HashRecord:
    """What the store knows about a model's bytes."""

    sha256: str  # the file's sha256, or the manifest digest of a folder
    source: HashSource = "first-use"
    files: dict[str, str] = field(default_factory=dict)  # folder: relative path -> sha256

    def to_json(self) -> dict:
        return {"sha256": self.sha256, "source": self.source, **({"files": self.files} if self.files else {})}


def manifest_digest(files: dict[str, str]) -> str:
    """One sha256 for a folder: over its sorted `sha256  path` lines (like `sha256sum` output)."""
    text = "".join(f"{files[p]}  {p}\n" for p in sorted(files))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def git_blob_sha1(path: Path) -> str:
    """The git object id of a file (what the hub publishes for files not stored in LFS)."""
    size = path.stat().st_size
    h = hashlib.sha1(f"blob {size}\0".encode())
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def folder_files(folder: Path) -> list[str]:
    """Every file below `folder` as posix paths relative to it (hidden files and caches skipped)."""
    out = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for n in sorted(names):
            if n.startswith("."):
                continue
            out.append((Path(root) / n).relative_to(folder).as_posix())
    return out


def hash_folder(folder: Path, names: list[str] | None = None) -> dict[str, str]:
    """sha256 of each file (all files, or `names`) in `folder`."""
    return {n: sha256_file(folder / n) for n in (names if names is not None else folder_files(folder))}


class HashBook:
    """Read and write MODELS/hashes.json (older files hold bare digests; they are still read)."""

    def __init__(self, path: Path):
        self.path = path

    def _all(self) -> dict[str, object]:
        try:
            return json.loads(self.path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def get(self, model_id: str) -> HashRecord | None:
        raw = self._all().get(model_id)
        if isinstance(raw, str):
            return HashRecord(raw, "first-use")
        if isinstance(raw, dict) and isinstance(raw.get("sha256"), str):
            return HashRecord(raw["sha256"], raw.get("source", "first-use"), dict(raw.get("files") or {}))
        return None

    def put(self, model_id: str, record: HashRecord) -> None:
        data = self._all()
        data[model_id] = record.to_json()
        atomic_write_json(self.path, data)

    def forget(self, model_id: str) -> None:
        data = self._all()
        if data.pop(model_id, None) is not None:
            atomic_write_json(self.path, data)
