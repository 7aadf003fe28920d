"""Shared set-up of the stills actions: settings, checkpoint, LoRAs, device, loaded pipeline, provenance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipelines.device import DevicePlan
from pipelines.sdxl.cache import LoadedSDXL, shared_cache
from pipelines.sdxl.checkpoint import (
    LoRAChoice,
    ModelFile,
    parse_lora,
    resolve_loras,
    resolve_model,
)
from pipelines.sdxl.ip_adapter import ensure_ip_adapter
from studio.core.assets import ModelUse
from studio.core.models import ModelStore
from studio.core.persona import Persona
from studio.core.project import Project
from studio.core.settings import Settings

from .context import JobContext

DEFAULT_STEPS = 30
DEFAULT_CFG = 6.0


@dataclass
class StillsSetup:
    """Everything a stills job needs, resolved once."""

    settings: Settings
    store: ModelStore
    checkpoint: ModelFile
    loras: tuple[LoRAChoice, ...]
    plan: DevicePlan
    loaded: LoadedSDXL

    def model_uses(self) -> list[ModelUse]:
        ck = self.checkpoint
        uses = [ModelUse(id=ck.id, sha256=ck.sha256, licence=ck.licence, commercial_use=ck.commercial_use,
                         role="checkpoint", path=str(ck.path), layout=ck.layout)]
        for lo in self.loras:
            m = lo.model
            uses.append(ModelUse(id=m.id, sha256=m.sha256, licence=m.licence, commercial_use=m.commercial_use,
                                 role="lora", weight=lo.weight, path=str(m.path)))
        if self.loaded.ip_adapter:  # identity guidance shaped the picture too, and has its own licence
            entry = self.store.entry(self.loaded.ip_adapter)
            uses.append(ModelUse(id=entry.id, sha256=self.store.expected_sha256(entry.id), licence=entry.licence,
                                 commercial_use=entry.commercial_use, role="ip-adapter",
                                 path=str(self.store.find(entry.id))))
        return uses

    def base_parameters(self) -> dict[str, Any]:
        return {
            "checkpoint": self.checkpoint.id,
            "loras": [{"id": lo.model.id, "weight": lo.weight} for lo in self.loras],
            "scheduler": self.loaded.scheduler_name,
            "device": self.plan.device,
            "dtype": self.plan.dtype,
            "offload": self.plan.offload,
        }


def open_stills(ctx: JobContext, params: dict[str, Any], ip_adapter: str | None = None) -> StillsSetup:
    """Resolve checkpoint/LoRAs/device from params + persona + settings and get the loaded pipeline.

    The cached pipeline is shared between jobs, so the IP-Adapter is set here for every job: loaded
    when `ip_adapter` names one, unloaded otherwise (a pipeline with an adapter but no face image
    fails, e.g. an inpaint right after a `generate --ip-adapter`).
    """
    persona: Persona = ctx.project.persona
    settings, store = ctx.settings, ctx.store
    ckpt = resolve_model(params.get("checkpoint") or persona.checkpoint, store, "checkpoint",
                         settings.allow_pickle_checkpoints)
    specs = [(lo.model, lo.weight) for lo in persona.loras] + [parse_lora(s) for s in params.get("loras") or []]
    loras = tuple(resolve_loras(specs, store, settings.allow_pickle_checkpoints))
    plan = ctx.device_plan("on" if params.get("low_vram") else None)
    loaded = shared_cache().get(ckpt, plan, loras)
    ensure_ip_adapter(loaded, store, ip_adapter)
    return StillsSetup(settings, store, ckpt, loras, plan, loaded)


def new_seed() -> int:
    import secrets

    return secrets.randbelow(2**31 - 1)


def save_png(project: Project, rgb: np.ndarray) -> Any:
    """Write an image to the project's staging folder (registered by the caller on success)."""
    from PIL import Image

    path = project.stage(".png")
    Image.fromarray(rgb).save(path, compress_level=4)
    return path
