"""Which image model a stills job uses, and one interface over all of them.

`--model` picks a family or model: `flux2-klein` (FLUX.2 [klein] 4B), `z-image-turbo`, `sdxl`
(the persona's checkpoint, or `--checkpoint`), a catalogue id, or a diffusers folder (its
model_index.json says which pipeline it is). Without one, the persona's own choice counts
(`persona.checkpoint` when it is not the SDXL default); otherwise `auto` takes the best installed
model whose licence allows commercial use, in the order FLUX.2 [klein] → Z-Image-Turbo → SDXL,
skipping a model the free GPU memory cannot hold even offloaded, and keeping SDXL when the job
needs what only SDXL has (LoRAs, IP-Adapter). The choice and its reason go into the result.

Every engine offers text_to_image / image_to_image / inpaint with the same arguments, its
defaults (steps, guidance), the sizes it accepts and the provenance of the models it used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.sdxl.generate import ImageRequest
from studio.core.assets import ModelUse
from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext

from .context import JobContext

SDXL_DEFAULT = "sdxl-base-1.0"
#: family of each catalogued new image model, and the names `--model` accepts for it
FAMILIES = {"flux2-klein-4b": "flux2-klein", "z-image-turbo": "z-image"}
ALIASES = {"flux2-klein": "flux2-klein-4b", "flux2": "flux2-klein-4b", "klein": "flux2-klein-4b",
           "z-image": "z-image-turbo", "zimage": "z-image-turbo"}
#: auto's order among the new models (SDXL comes after them)
AUTO_ORDER = ("flux2-klein-4b", "z-image-turbo")
_CLASS_FAMILY = {"Flux2KleinPipeline": "flux2-klein", "Flux2KleinInpaintPipeline": "flux2-klein",
                 "ZImagePipeline": "z-image", "ZImageImg2ImgPipeline": "z-image", "ZImageInpaintPipeline": "z-image"}
MODEL_CHOICES = "flux2-klein, z-image-turbo, sdxl, a model id or a diffusers folder"


@dataclass(frozen=True)
class Choice:
    """The model a job will use: its family, what to load and why it was chosen."""

    family: str  # 'flux2-klein', 'z-image' or 'sdxl'
    ref: str  # catalogue id, file or folder (for sdxl: the checkpoint)
    reason: str


def _family_of_folder(folder: Path) -> str:
    from pipelines.dit.loaded import pipeline_class_of

    cls = pipeline_class_of(folder)
    if cls in _CLASS_FAMILY:
        return _CLASS_FAMILY[cls]
    if cls and cls.startswith("StableDiffusionXL"):
        return "sdxl"
    raise BadInput(f"{folder} holds a {cls or 'non-diffusers'} model; the stills models are {MODEL_CHOICES}.")


def family_of(ref: str, store: ModelStore) -> str:
    """The family of a model id, alias, file or folder (an unknown id is an SDXL checkpoint)."""
    ref = ALIASES.get(ref, ref)
    if ref in FAMILIES:
        return FAMILIES[ref]
    if ref == "sdxl":
        return "sdxl"
    path = Path(ref).expanduser()
    if path.is_dir():
        return _family_of_folder(path)
    if ref in {e.id for e in store.entries()} and store.entry(ref).kind in ("image-model", "video-model"):
        raise BadInput(f"'{ref}' is not a stills model; choose {MODEL_CHOICES}.")
    return "sdxl"


def _needs_sdxl(ctx: JobContext, params: dict[str, Any]) -> str | None:
    if params.get("ip_adapter"):
        return "IP-Adapter guidance is an SDXL feature"
    if params.get("loras") or ctx.project.persona.loras:
        return "the persona's LoRAs are SDXL LoRAs"
    return None


def _free_gb() -> float | None:
    from pipelines.device import free_vram_bytes

    free = free_vram_bytes()
    return None if free is None else free / 1024**3


def choose_model(ctx: JobContext, params: dict[str, Any]) -> Choice:
    """The stills model for this job (see the module docstring for the rules)."""
    store, persona = ctx.store, ctx.project.persona
    asked = params.get("model")
    if asked and asked not in ("auto", "sdxl"):
        ref = ALIASES.get(asked, asked)
        return Choice(family_of(ref, store), ref, f"--model {asked}")
    if asked == "sdxl" or params.get("checkpoint"):
        ref = params.get("checkpoint") or persona.checkpoint
        family = family_of(ref, store)
        return Choice(family, ref, "--checkpoint" if params.get("checkpoint") else "--model sdxl")
    if persona.checkpoint != SDXL_DEFAULT and not asked:
        return Choice(family_of(persona.checkpoint, store), persona.checkpoint, "the persona's model")
    sdxl_only = _needs_sdxl(ctx, params)
    if sdxl_only:
        return Choice("sdxl", persona.checkpoint, f"auto: SDXL, because {sdxl_only}")
    free = _free_gb() if ctx.settings.device != "cpu" else None
    skipped = []
    for mid in sorted(AUTO_ORDER, key=lambda m: not store.entry(m).commercial_use):
        entry = store.entry(mid)
        if store.find(mid) is None:
            skipped.append(f"{mid} not installed")
        elif free is not None and entry.vram_min_gb and free < entry.vram_min_gb:
            skipped.append(f"{mid} needs {entry.vram_min_gb:g} GB, {free:.1f} GB free")
        else:
            return Choice(FAMILIES[mid], mid, f"auto: {entry.name}, the best installed commercial-use model")
    if store.find(persona.checkpoint) is None and not Path(persona.checkpoint).expanduser().exists():
        raise ModelMissing(
            "No image model is installed. Run `studio models download flux2-klein-4b` (FLUX.2 [klein] 4B, "
            "Apache-2.0, the default), or `z-image-turbo`, or `sdxl-base-1.0`.",
            ["flux2-klein-4b", "z-image-turbo", SDXL_DEFAULT],
        )
    return Choice("sdxl", persona.checkpoint, f"auto: SDXL ({'; '.join(skipped)})")


# ---------------------------------------------------------------------- engines


@dataclass
class Engine:
    """The loaded model of a stills job behind one interface."""

    choice: Choice
    store: ModelStore
    impl: Any  # pipelines.flux2.klein.Flux2Klein, pipelines.zimage.turbo.ZImage or an SDXL adapter
    uses: list[ModelUse]
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.choice.family

    @property
    def name(self) -> str:
        return self.impl.name

    def uses_negative(self, cfg: float) -> bool:
        """Whether the model reads a negative prompt at this guidance (klein never; Z-Image above 0)."""
        return self.impl.uses_negative(cfg)

    @property
    def supports_references(self) -> bool:
        return self.impl.supports_references

    def defaults(self) -> tuple[int, float]:
        return self.impl.defaults()

    def size(self, width: int, height: int) -> tuple[int, int]:
        return self.impl.size(width, height)

    @property
    def multiple(self) -> int:
        """Image sizes must be multiples of this."""
        return self.impl.multiple

    def text_to_image(self, req: ImageRequest, ctx: TaskContext, label: str,
                      references: list[np.ndarray] | tuple = ()) -> np.ndarray:
        return self.impl.text_to_image(req, ctx, label, references=references)

    def image_to_image(self, image: np.ndarray, req: ImageRequest, strength: float, ctx: TaskContext,
                       label: str) -> np.ndarray:
        return self.impl.image_to_image(image, req, strength, ctx, label)

    def inpaint(self, image: np.ndarray, mask: np.ndarray, req: ImageRequest, strength: float,
                ctx: TaskContext, label: str, reference: np.ndarray | None = None) -> np.ndarray:
        return self.impl.inpaint(image, mask, req, strength, ctx, label, reference=reference)

    def model_uses(self) -> list[ModelUse]:
        return list(self.uses)

    def prompt_warnings(self, prompt: str, negative: str) -> list[str]:
        """Our one-line notes on prompts longer than the model's text encoder reads."""
        notes = getattr(self.impl, "prompt_warnings", None)
        return notes(prompt, negative) if notes else []

    def base_parameters(self) -> dict[str, Any]:
        return {"model": self.choice.ref, "model_family": self.family, "model_choice": self.choice.reason,
                **self.parameters}


class SDXLAdapter:
    """The SDXL pipelines of a StillsSetup behind the engine interface."""

    family = "sdxl"
    name = "Stable Diffusion XL"
    supports_references = False
    multiple = 8

    @staticmethod
    def uses_negative(cfg: float) -> bool:
        return True  # recorded as before, whatever the guidance

    def __init__(self, setup: Any):
        self.setup = setup

    def defaults(self) -> tuple[int, float]:
        from .stills_setup import DEFAULT_CFG, DEFAULT_STEPS

        return DEFAULT_STEPS, DEFAULT_CFG

    def size(self, width: int, height: int) -> tuple[int, int]:
        from pipelines.sdxl.edit import round_down_to

        return round_down_to((width, height))

    def prompt_warnings(self, prompt: str, negative: str) -> list[str]:
        from pipelines.sdxl.generate import prompt_warnings

        return prompt_warnings(self.setup.loaded.txt2img, prompt, negative)

    def text_to_image(self, req: ImageRequest, ctx: TaskContext, label: str, references: Any = ()) -> np.ndarray:
        from pipelines.sdxl.generate import text_to_image

        return text_to_image(self.setup.loaded.txt2img, req, ctx, label)

    def image_to_image(self, image: np.ndarray, req: ImageRequest, strength: float, ctx: TaskContext,
                       label: str) -> np.ndarray:
        from pipelines.sdxl.generate import image_to_image

        return image_to_image(self.setup.loaded.img2img, image, req, strength, ctx, label)

    def inpaint(self, image: np.ndarray, mask: np.ndarray, req: ImageRequest, strength: float,
                ctx: TaskContext, label: str, reference: np.ndarray | None = None) -> np.ndarray:
        from pipelines.sdxl.generate import inpaint_image

        return inpaint_image(self.setup.loaded.inpaint, image, mask, req, strength, ctx, label)


def open_engine(ctx: JobContext, params: dict[str, Any], ip_adapter: str | None = None,
                edit: bool = False) -> Engine:
    """Choose the model (`choose_model`), load it (cached between jobs) and wrap it. `edit`
    (inpaint/outpaint) lets SDXL use its inpainting model when no checkpoint was asked for."""
    choice = choose_model(ctx, params)
    if choice.family == "sdxl":
        from .stills_setup import open_stills

        setup = open_stills(ctx, {**params, "checkpoint": choice.ref}, ip_adapter, edit=edit,
                            prefer_inpaint=edit and not params.get("checkpoint"))
        return Engine(choice, setup.store, SDXLAdapter(setup), setup.model_uses(), setup.base_parameters())
    if ip_adapter or params.get("loras"):
        raise BadInput(f"--ip-adapter and --lora work with SDXL only; {choice.ref} is a {choice.family} model. "
                       "Use `--model sdxl` for them.")
    return _open_dit(ctx, params, choice)


def _open_dit(ctx: JobContext, params: dict[str, Any], choice: Choice) -> Engine:
    from pipelines.device import plan_model
    from pipelines.dit.loaded import shared_models

    store = ctx.store
    path = Path(choice.ref).expanduser()
    if path.is_dir():
        folder, entry = path, None
        use = store.use(path.name, "image model", outside=True, path=str(path))
    else:
        folder = store.require(choice.ref, purpose=f"{choice.ref} stills")[0]
        entry = store.entry(choice.ref)
        use = store.use(choice.ref, "image model", path=str(folder))
    low = "on" if params.get("low_vram") else ctx.settings.low_vram
    # Z-Image's 6B transformer is its largest part, so storing it in fp8 lowers the offloaded peak
    plan = plan_model(entry.vram_gb if entry else None, ctx.settings.device, low, fp8_tier=choice.family == "z-image")
    if choice.family == "flux2-klein":
        from pipelines.flux2.klein import TXT2IMG, Flux2Klein

        impl: Any = Flux2Klein(shared_models().get(folder, TXT2IMG, plan))
    else:
        from pipelines.zimage.turbo import TXT2IMG, ZImage

        impl = ZImage(shared_models().get(folder, TXT2IMG, plan))
    return Engine(choice, store, impl, [use], {"device": plan.device, "dtype": plan.dtype, "offload": plan.offload,
                                               "fp8": plan.fp8, "memory": plan.reason})
