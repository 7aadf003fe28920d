"""Which SDXL checkpoint and LoRAs to load: a model-store id, a single file, or a diffusers folder.

Pickle files (`.ckpt`, `.pt`, `.bin`) can run code when loaded, so they are refused unless the
user turned on `allow_pickle_checkpoints` in the settings: single files and diffusers folders
whose weights are pickles alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipelines.loading import refuse_pickles
from studio.core.assets import sha256_file
from studio.core.errors import BadInput, NotFound
from studio.core.models import ModelStore

PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl")
SAFE_SUFFIXES = (".safetensors",)

# sha256 of big files, computed once per process: (path, size, mtime) -> digest
_HASHES: dict[tuple[str, int, float], str] = {}


@dataclass(frozen=True)
class ModelFile:
    """A resolved checkpoint or LoRA, with what provenance needs to know about it."""

    id: str
    path: Path
    layout: str  # 'folder' (diffusers) or 'single-file'
    sha256: str | None = None
    licence: str | None = None
    commercial_use: bool | None = None
    allow_pickle: bool = False  # the user opted in to pickle weights (settings)

    @property
    def pickle(self) -> bool:
        return self.layout == "single-file" and self.path.suffix.lower() in PICKLE_SUFFIXES

    @property
    def inpainting(self) -> bool:
        """An inpainting checkpoint: its UNet takes 9 input channels (latents + mask + masked image)."""
        return unet_in_channels(self.path) == 9


def unet_in_channels(path: Path) -> int | None:
    """The UNet's input channels, read from a diffusers folder's config or a file's tensor header."""
    import json

    if path.is_dir():
        try:
            return int(json.loads((path / "unet" / "config.json").read_text("utf-8"))["in_channels"])
        except (OSError, ValueError, KeyError):
            return None
    if path.suffix.lower() != ".safetensors":
        return None
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="np") as f:
            for key in ("model.diffusion_model.input_blocks.0.0.weight", "conv_in.weight"):
                if key in f.keys():
                    return int(f.get_slice(key).get_shape()[1])
    except (OSError, ValueError, RuntimeError):
        return None
    return None


def file_sha256(path: Path) -> str:
    """sha256 of a file, cached for the process (a 7 GB checkpoint takes ~20 s to hash)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime)
    if key not in _HASHES:
        _HASHES[key] = sha256_file(path)
    return _HASHES[key]


def _check_file(path: Path, what: str, allow_pickle: bool) -> None:
    suffix = path.suffix.lower()
    if suffix in PICKLE_SUFFIXES and not allow_pickle:
        raise BadInput(
            f"{path.name} is a pickle {what} ({suffix}), which can run arbitrary code when loaded. "
            "Use a .safetensors version of it, or if you trust the file, turn on "
            "`allow_pickle_checkpoints` in the settings."
        )
    if suffix not in SAFE_SUFFIXES + PICKLE_SUFFIXES:
        raise BadInput(f"{path.name} is not a model file: give a .safetensors file or a diffusers folder.")


def resolve_model(ref: str, store: ModelStore, what: str = "checkpoint", allow_pickle: bool = False) -> ModelFile:
    """Resolve `ref` (store id, file, or diffusers folder) to a ModelFile, or raise a clear error."""
    entries = {e.id for e in store.entries()}
    if ref in entries:
        entry = store.entry(ref)
        store.check(ref, f"The {what}")  # a commercial-safe persona: refused, not "not installed"
        path = store.find(ref)
        if path is None:
            raise NotFound(f"The {what} '{ref}' ({entry.name}) is not installed. {store.how_to_get(ref)}")
        if path.is_dir():
            refuse_pickles(path, allow_pickle, what)
            return ModelFile(ref, path, "folder", store.expected_sha256(ref), entry.licence, entry.commercial_use,
                             allow_pickle)
        _check_file(path, what, allow_pickle)
        return ModelFile(ref, path, "single-file", store.expected_sha256(ref), entry.licence, entry.commercial_use,
                         allow_pickle)
    path = Path(os.path.expanduser(ref))
    if not path.exists():
        raise NotFound(
            f"No {what} '{ref}': it is neither a model id (`studio models list --kind sdxl-"
            f"{'lora' if what == 'LoRA' else 'checkpoint'}`) nor an existing file or folder."
        )
    if path.is_dir():
        if what == "checkpoint" and not (path / "model_index.json").is_file():
            raise BadInput(f"{path} is a folder but not a diffusers pipeline (it has no model_index.json).")
        refuse_pickles(path, allow_pickle, what)
        return ModelFile(path.name, path.resolve(), "folder", allow_pickle=allow_pickle)
    _check_file(path, what, allow_pickle)
    return ModelFile(path.stem, path.resolve(), "single-file", file_sha256(path), allow_pickle=allow_pickle)


@dataclass(frozen=True)
class LoRAChoice:
    """A LoRA and the weight it is applied with."""

    model: ModelFile
    weight: float

    @property
    def adapter_name(self) -> str:
        # adapter names must be valid module-ish names for peft
        return "lora_" + "".join(c if c.isalnum() else "_" for c in self.model.id)


def parse_lora(spec: str, default_weight: float = 0.8) -> tuple[str, float]:
    """'ID_OR_FILE:WEIGHT' -> (ref, weight); the weight is optional (Windows drive colons are kept)."""
    ref, weight = spec, default_weight
    head, sep, tail = spec.rpartition(":")
    if sep and head:
        try:
            weight = float(tail)
            ref = head
        except ValueError:
            pass
    if not -4.0 <= weight <= 4.0:
        raise BadInput(f"LoRA weight {weight} is out of range (-4 to 4); 0.6-1.0 is usual.")
    return ref, weight


def resolve_loras(specs: list[tuple[str, float]], store: ModelStore, allow_pickle: bool = False) -> list[LoRAChoice]:
    return [LoRAChoice(resolve_model(ref, store, "LoRA", allow_pickle), w) for ref, w in specs]
