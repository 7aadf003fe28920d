"""A process-wide cache of loaded SDXL pipelines, so the second job does not reload the model.

Keyed by (checkpoint path, LoRAs + weights, device, dtype, offload). SDXL weighs ~7 GB, so by
default only the most recent pipeline is kept. img2img and inpaint pipelines are built from the
loaded txt2img components (`Pipeline(**txt2img.components)`): no second copy, no reload.
The GUI and the job worker share `shared_cache()`; `clear()` frees the memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.device import DevicePlan

from .checkpoint import LoRAChoice, ModelFile
from .loader import load_txt2img

CacheKey = tuple[str, tuple[tuple[str, float], ...], str, str, bool]


@dataclass
class LoadedSDXL:
    """One loaded checkpoint and the pipelines derived from its components."""

    checkpoint: ModelFile
    loras: tuple[LoRAChoice, ...]
    plan: DevicePlan
    txt2img: Any
    ip_adapter: str | None = None
    _derived: dict[str, Any] = field(default_factory=dict)

    def _derive(self, name: str, cls_name: str) -> Any:
        if name not in self._derived:
            import diffusers

            cls = getattr(diffusers, cls_name)
            pipe = cls(**self.txt2img.components)
            pipe.set_progress_bar_config(disable=True)
            self._derived[name] = pipe
        return self._derived[name]

    @property
    def img2img(self) -> Any:
        """StableDiffusionXLImg2ImgPipeline sharing the loaded components."""
        return self._derive("img2img", "StableDiffusionXLImg2ImgPipeline")

    @property
    def inpaint(self) -> Any:
        """StableDiffusionXLInpaintPipeline sharing the loaded components."""
        return self._derive("inpaint", "StableDiffusionXLInpaintPipeline")

    @property
    def scheduler_name(self) -> str:
        return type(self.txt2img.scheduler).__name__


class PipelineCache:
    """Loaded pipelines by key; `loads` counts real loads (tests and benchmarks check it)."""

    def __init__(self, max_entries: int = 1):
        self.max_entries = max_entries
        self.loads = 0
        self._entries: OrderedDict[CacheKey, LoadedSDXL] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(ckpt: ModelFile, loras: tuple[LoRAChoice, ...], plan: DevicePlan) -> CacheKey:
        return (
            str(Path(ckpt.path).resolve()),
            tuple((str(lo.model.path), lo.weight) for lo in loras),
            plan.device,
            plan.dtype,
            plan.offload,
        )

    def get(
        self,
        ckpt: ModelFile,
        plan: DevicePlan,
        loras: tuple[LoRAChoice, ...] = (),
        loader: Callable[..., Any] = load_txt2img,
        config_dir: Path | None = None,
    ) -> LoadedSDXL:
        """The loaded pipeline for this key, loading it (and evicting the oldest) if needed."""
        k = self.key(ckpt, loras, plan)
        with self._lock:
            hit = self._entries.get(k)
            if hit is not None:
                self._entries.move_to_end(k)
                return hit
            while len(self._entries) >= self.max_entries:
                self._entries.popitem(last=False)
                _free_gpu()
            pipe = loader(ckpt, plan, list(loras), config_dir)
            self.loads += 1
            loaded = LoadedSDXL(ckpt, tuple(loras), plan, pipe)
            self._entries[k] = loaded
            return loaded

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Drop every loaded pipeline and free GPU memory."""
        with self._lock:
            self._entries.clear()
        _free_gpu()


def _free_gpu() -> None:
    import gc

    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:  # pragma: no cover
        pass


_SHARED = PipelineCache()


def shared_cache() -> PipelineCache:
    """The cache every job in this process uses (CLI run, GUI worker, farm worker)."""
    return _SHARED
