"""How every diffusers folder is loaded: which weight files, which dtype argument, and quiet.

Shared by SDXL, SVD and the newer pipelines (FLUX.2, Z-Image, Wan):

- `pretrained_kwargs(folder, fp16, allow_pickle)`: the keyword arguments for
  `Pipeline.from_pretrained(folder, ...)`. A folder that has only `*.fp16.safetensors` files (what
  the catalogue downloads) is loaded with `variant="fp16"` whatever the plan's dtype; a CPU plan
  asks for float32 and diffusers upcasts the fp16 weights on load. Safetensors only, unless the
  user opted in to pickles: diffusers otherwise falls back to `.bin` files silently.
- `refuse_pickles(folder, allow_pickle)`: a clear error for a folder whose weights are pickles.
- `quiet_libraries()`: diffusers/transformers progress bars and warnings off (our own progress bar
  shows loading; warnings that matter become our own one-line messages, e.g. `prompt_overflow`).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from studio.core.errors import BadInput

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def _weights(folder: Path) -> list[Path]:
    return [p for p in folder.glob("*/*") if p.suffix.lower() in WEIGHT_SUFFIXES and p.is_file()]


def has_fp16_variant(folder: Path) -> bool:
    """Whether the folder holds `*.fp16.*` weight files (diffusers' fp16 variant)."""
    return any(".fp16." in p.name for p in _weights(Path(folder)))


def has_full_precision(folder: Path) -> bool:
    """Whether the folder also holds weights without a variant suffix (e.g. `model.safetensors`)."""
    return any(".fp16." not in p.name for p in _weights(Path(folder)) if p.suffix == ".safetensors")


def pickle_only_parts(folder: Path) -> list[str]:
    """Component folders whose weights exist only as pickles (`.bin` and friends)."""
    parts: dict[str, set[str]] = {}
    for p in _weights(Path(folder)):
        parts.setdefault(p.parent.name, set()).add(p.suffix.lower())
    return sorted(name for name, sfx in parts.items() if ".safetensors" not in sfx and sfx & set(PICKLE_SUFFIXES))


def refuse_pickles(folder: Path, allow_pickle: bool, what: str = "model") -> None:
    """BadInput when a component would load from a pickle and the user has not opted in."""
    pickled = pickle_only_parts(folder)
    if pickled and not allow_pickle:
        raise BadInput(
            f"The {what} {Path(folder).name} has pickle weights only ({', '.join(pickled)}: .bin files), which can "
            "run arbitrary code when loaded. Use a copy with .safetensors files, or if you trust it, turn on "
            "`allow_pickle_checkpoints` in the settings."
        )


def dtype_kwarg() -> str:
    """diffusers renamed `torch_dtype` to `dtype` (the old name warns); older releases know only the first."""
    try:
        from diffusers.utils.deprecation_utils import _TORCH_DTYPE_DEPRECATION_MESSAGE  # noqa: F401
    except ImportError:
        return "torch_dtype"
    return "dtype"


def pretrained_kwargs(folder: Path, dtype: Any, fp16: bool, allow_pickle: bool = False) -> dict[str, Any]:
    """Keyword arguments for `from_pretrained(folder, ...)`, local files only."""
    kwargs: dict[str, Any] = {dtype_kwarg(): dtype, "local_files_only": True}
    if has_fp16_variant(folder) and (fp16 or not has_full_precision(folder)):
        kwargs["variant"] = "fp16"  # the only weights there (or the smaller read for an fp16 plan)
    kwargs["use_safetensors"] = None if allow_pickle else True
    return kwargs


_QUIET = False


def quiet_libraries() -> None:
    """Silence diffusers/transformers/huggingface_hub progress bars and warnings, once per process."""
    global _QUIET
    if _QUIET:
        return
    _QUIET = True
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    for mod in ("diffusers", "transformers", "huggingface_hub", "accelerate", "peft", "torch"):
        warnings.filterwarnings("ignore", category=FutureWarning, module=mod)
        warnings.filterwarnings("ignore", category=UserWarning, module=mod)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=mod)
    try:
        from diffusers.utils import logging as dlog

        dlog.set_verbosity_error()
        dlog.disable_progress_bar()
    except ImportError:  # pragma: no cover - diffusers is a dependency
        pass
    try:
        from transformers.utils import logging as tlog

        tlog.set_verbosity_error()
        tlog.disable_progress_bar()
    except ImportError:  # pragma: no cover
        pass
    try:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    except ImportError:  # pragma: no cover
        pass


def prompt_overflow(tokenizer: Any, text: str | None, what: str = "prompt") -> str | None:
    """Our one-line message when `text` is longer than the text encoder reads (CLIP: 77 tokens)."""
    if not text or tokenizer is None:
        return None
    limit = int(getattr(tokenizer, "model_max_length", 77) or 77)
    if limit > 10_000:  # tokenizers without a real limit report a huge sentinel
        return None
    ids = tokenizer(text, truncation=False).input_ids
    if len(ids) <= limit:
        return None
    dropped = tokenizer.decode(ids[limit - 1 : -1], skip_special_tokens=True).strip()
    shown = dropped if len(dropped) <= 60 else dropped[:57] + "…"
    return (f"The {what} is {len(ids)} tokens long; the text encoder reads the first {limit}, so the end was "
            f"ignored: “{shown}”. Put what matters first, or shorten it.")
