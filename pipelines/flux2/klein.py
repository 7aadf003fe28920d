"""FLUX.2 [klein]: text-to-image with the persona's reference photos as multi-reference input.

Calls diffusers' `Flux2KleinPipeline` and `Flux2KleinInpaintPipeline` the way their reference
code does (diffusers 0.42, pipeline_flux2_klein*.py):
- `image=[PIL, ...]`: reference images; each must be ≥ 64 px a side and ≤ 8:1. The pipeline
  shrinks any over 1 MP and crops it to a multiple of 16; we shrink references to `REF_AREA`
  first, and never above the size being drawn (a face reference needs no more, and every
  reference costs VAE-encoder and transformer tokens).
- No negative prompt: with guidance the pipeline's unconditional branch is always "". The 4B
  model is step-distilled (`is_distilled` in model_index.json): 4 steps, guidance ignored.
- Sizes are multiples of `vae_scale_factor * 2` (16 for the real VAE); we round down first.
- Inpainting: `image` + `mask_image` (white = repaint), `strength`, and `image_reference`, which
  conditions the masked area on a reference (the persona's photo when the face is repainted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pipelines.dit.calls import first_image, fit_size, multiple_of, pil, progress_callback
from pipelines.dit.loaded import LoadedModel
from pipelines.sdxl.generate import ImageRequest, generator_for
from studio.core.errors import BadInput
from studio.core.tasks import TaskContext

TXT2IMG = "Flux2KleinPipeline"
INPAINT = "Flux2KleinInpaintPipeline"
#: reference photos are shrunk to about this many pixels (0.4 MP ≈ 1600 tokens each at 16 px)
REF_AREA = 640 * 640
MIN_REF_SIDE = 64
MAX_REFERENCES = 4
#: how the prompt points at the references (klein reads them as images 1..n of the context)
REFERENCE_PREFIX = "The same person as in the reference photos"


def prepare_reference(rgb: np.ndarray, area: int = REF_AREA) -> Any:
    """A reference photo as the PIL image klein takes: at most `area` pixels, at least 64 px a side."""
    from PIL import Image

    h, w = rgb.shape[:2]
    if max(w / h, h / w) > 8:
        raise BadInput(f"A reference photo of {w}×{h} is too narrow for FLUX.2 (at most 8:1).")
    scale = min(1.0, (area / (w * h)) ** 0.5)
    scale = max(scale, MIN_REF_SIDE / min(w, h))  # tiny photos are enlarged to the model's minimum
    size = (max(MIN_REF_SIDE, round(w * scale)), max(MIN_REF_SIDE, round(h * scale)))
    img = pil(rgb)
    return img if size == img.size else img.resize(size, Image.LANCZOS)


def reference_prompt(prompt: str, n_references: int) -> str:
    """The prompt with a lead that ties the subject to the reference photos (none without them)."""
    return f"{REFERENCE_PREFIX}, {prompt}" if n_references else prompt


class Flux2Klein:
    """A loaded FLUX.2 [klein] folder: txt2img (+ references), reference edits, inpaint."""

    family = "flux2-klein"
    name = "FLUX.2 [klein]"
    supports_references = True

    @staticmethod
    def uses_negative(cfg: float) -> bool:
        return False  # the unconditional branch is always the empty prompt

    def __init__(self, loaded: LoadedModel):
        self.loaded = loaded

    @property
    def distilled(self) -> bool:
        return bool(self.loaded.base.config.get("is_distilled", False))

    def defaults(self) -> tuple[int, float]:
        """(steps, guidance): klein 4B is distilled to 4 steps; the base models use 50 at 4.0."""
        return (4, 1.0) if self.distilled else (50, 4.0)

    @property
    def multiple(self) -> int:
        return multiple_of(self.loaded.base)

    def size(self, width: int, height: int) -> tuple[int, int]:
        return fit_size(width, height, self.multiple)

    def text_to_image(self, req: ImageRequest, ctx: TaskContext, label: str = "drawing",
                      references: Sequence[np.ndarray] = ()) -> np.ndarray:
        """One image as RGB uint8; `references` (RGB arrays) condition it, e.g. the persona's photos."""
        pipe = self.loaded.pipeline(TXT2IMG)
        width, height = self.size(req.width, req.height)
        refs = [prepare_reference(r, min(REF_AREA, width * height)) for r in references[:MAX_REFERENCES]]
        ctx.raise_if_cancelled()
        out = pipe(
            image=refs or None,
            prompt=reference_prompt(req.prompt, len(refs)),
            width=width,
            height=height,
            num_inference_steps=req.steps,
            guidance_scale=req.cfg,
            generator=generator_for(req.seed),
            callback_on_step_end=progress_callback(ctx, label),
            output_type="np",
        )
        return first_image(out)

    def image_to_image(self, image: np.ndarray, req: ImageRequest, strength: float, ctx: TaskContext,
                       label: str = "varying") -> np.ndarray:
        """klein has no img2img: the source becomes the first reference of a reference edit."""
        return self.text_to_image(req, ctx, label, references=[image])

    def inpaint(self, image: np.ndarray, mask: np.ndarray, req: ImageRequest, strength: float,
                ctx: TaskContext, label: str = "painting", reference: np.ndarray | None = None) -> np.ndarray:
        """Repaint where `mask` (uint8, 255 = repaint) is set, at the image's own size (a multiple)."""
        h, w = image.shape[:2]
        if (w, h) != self.size(w, h):
            raise BadInput(f"FLUX.2 inpainting needs sizes in multiples of {self.multiple} (got {w}×{h}).")
        pipe = self.loaded.pipeline(INPAINT, is_distilled=self.distilled)
        ctx.raise_if_cancelled()
        out = pipe(
            prompt=req.prompt,
            image=pil(image),
            mask_image=pil(mask),
            image_reference=prepare_reference(reference, min(REF_AREA, w * h)) if reference is not None else None,
            width=w,
            height=h,
            strength=strength,
            num_inference_steps=req.steps,
            guidance_scale=req.cfg,
            generator=generator_for(req.seed),
            callback_on_step_end=progress_callback(ctx, label),
            output_type="np",
        )
        return first_image(out)
