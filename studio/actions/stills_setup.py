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
from studio.core.errors import BadInput
from studio.core.models import ModelStore
from studio.core.persona import Persona
from studio.core.project import Project
from studio.core.settings import Settings

from .context import JobContext

DEFAULT_STEPS = 30
DEFAULT_CFG = 6.0
#: used by inpaint/outpaint when installed (catalogue id)
INPAINT_MODEL = "sdxl-inpaint-0.1"


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
        """Provenance of the models that drew the picture, through the store (licence, hash)."""
        ck, store = self.checkpoint, self.store
        uses = [store.use(ck.id, "checkpoint", sha256=ck.sha256, outside=ck.licence is None, path=str(ck.path),
                          layout=ck.layout)]
        for lo in self.loras:
            m = lo.model
            uses.append(store.use(m.id, "lora", sha256=m.sha256, outside=m.licence is None, weight=lo.weight,
                                  path=str(m.path)))
        if self.loaded.ip_adapter:  # identity guidance shaped the picture too, and has its own licence
            mid = self.loaded.ip_adapter
            uses.append(store.use(mid, "ip-adapter", path=str(store.find(mid))))
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


def open_stills(ctx: JobContext, params: dict[str, Any], ip_adapter: str | None = None,
                edit: bool = False, prefer_inpaint: bool | None = None) -> StillsSetup:
    """Resolve checkpoint/LoRAs/device from params + persona + settings and get the loaded pipeline.

    The cached pipeline is shared between jobs, so the IP-Adapter is set here for every job: loaded
    when `ip_adapter` names one, unloaded otherwise (a pipeline with an adapter but no face image
    fails, e.g. an inpaint right after a `generate --ip-adapter`). `edit` (inpaint/outpaint) uses
    the SDXL inpainting model when it is installed and no checkpoint was asked for
    (`prefer_inpaint`, default: no `checkpoint` in params); an inpainting checkpoint is refused for
    drawing from text (its UNet expects a mask and a masked image).
    """
    persona: Persona = ctx.project.persona
    settings, store = ctx.settings, ctx.store
    ref = params.get("checkpoint") or persona.checkpoint
    if prefer_inpaint is None:
        prefer_inpaint = edit and not params.get("checkpoint")
    if prefer_inpaint and store.find(INPAINT_MODEL) is not None:
        ref = INPAINT_MODEL  # the better inpainter: trained on masks
    ckpt = resolve_model(ref, store, "checkpoint", settings.allow_pickle_checkpoints)
    if not edit and ckpt.inpainting:
        raise BadInput(
            f"{ckpt.id} is an inpainting checkpoint: it repaints parts of a still (`studio inpaint`, "
            "`studio outpaint`, where it is used by itself when installed) but cannot draw from text. "
            "Choose a text-to-image checkpoint, e.g. sdxl-base-1.0 (`--checkpoint` or the persona's)."
        )
    specs = [(lo.model, lo.weight) for lo in persona.loras] + [parse_lora(s) for s in params.get("loras") or []]
    loras = tuple(resolve_loras(specs, store, settings.allow_pickle_checkpoints))
    # a commercial-safe persona: refuse a non-commercial (or unknown-licence) file before loading it
    store.check(ckpt.id, "Stills", outside=ckpt.licence is None, kind="sdxl-checkpoint")
    for lo in loras:
        store.check(lo.model.id, "Stills (LoRA)", outside=lo.model.licence is None, kind="sdxl-checkpoint")
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
