"""Loaded SDXL pipelines, kept in the process-wide model cache so the second job does not reload.

Keyed by (checkpoint path, LoRAs + weights, device, dtype, offload); how many models stay loaded
is the shared cache's one policy (pipelines/model_cache.py). img2img and inpaint pipelines are
built from the loaded txt2img components (`Pipeline(**txt2img.components)`): no second copy, no
reload. The GUI and the job worker share `shared_cache()`; `clear()` frees the memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.device import DevicePlan
from pipelines.model_cache import FamilyCache

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
            if getattr(self.txt2img, "_all_hooks", None):
                # shared offloaded components: the derived pipeline must offload them again after
                # its call too (diffusers' maybe_free_model_hooks only does that where
                # enable_model_cpu_offload was called)
                pipe._offload_device = self.txt2img._offload_device
                pipe._all_hooks = list(self.txt2img._all_hooks)
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


class PipelineCache(FamilyCache):
    """The SDXL family's view of the process-wide model cache (pipelines/model_cache.py)."""

    family = "sdxl"

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
        """The loaded pipeline for this key, loading it (after the shared cache made room) if needed."""
        k = self.key(ckpt, loras, plan)
        return self._get(k, lambda: LoadedSDXL(ckpt, tuple(loras), plan, loader(ckpt, plan, list(loras), config_dir)))


_SHARED = PipelineCache()


def shared_cache() -> PipelineCache:
    """The SDXL pipelines every job in this process uses (CLI run, GUI worker, farm worker)."""
    return _SHARED
