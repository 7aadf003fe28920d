"""Z-Image(-Turbo): photoreal stills with diffusers' ZImage pipelines.

As the reference code does (diffusers 0.42, pipeline_z_image*.py):
- Guidance: classifier-free guidance is on whenever `guidance_scale > 0` and mixes as
  `pos + scale·(pos − neg)`, so 0 means off (Turbo's setting: 8 steps, guidance 0); the negative
  prompt is encoded only with guidance on, so with Turbo's defaults it is not used.
- Sizes must be multiples of `vae_scale_factor * 2` (16) or the pipeline raises; we round down.
- img2img (`ZImageImg2ImgPipeline`, `strength`) and inpainting (`ZImageInpaintPipeline`,
  `mask_image` white = repaint) run on the loaded components.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipelines.dit.calls import first_image, fit_size, multiple_of, pil, progress_callback
from pipelines.dit.loaded import LoadedModel
from pipelines.sdxl.generate import ImageRequest, generator_for
from studio.core.errors import BadInput
from studio.core.tasks import TaskContext

TXT2IMG = "ZImagePipeline"
IMG2IMG = "ZImageImg2ImgPipeline"
INPAINT = "ZImageInpaintPipeline"


class ZImage:
    """A loaded Z-Image folder: txt2img, img2img, inpaint."""

    family = "z-image"
    name = "Z-Image-Turbo"
    supports_references = False

    @staticmethod
    def uses_negative(cfg: float) -> bool:
        return cfg > 0  # guidance (and so the negative prompt) is off at 0

    def __init__(self, loaded: LoadedModel):
        self.loaded = loaded

    def defaults(self) -> tuple[int, float]:
        """(steps, guidance) of the Turbo model card: 8 steps, guidance off."""
        return 8, 0.0

    @property
    def multiple(self) -> int:
        return multiple_of(self.loaded.base)

    def size(self, width: int, height: int) -> tuple[int, int]:
        return fit_size(width, height, self.multiple)

    def _common(self, req: ImageRequest, ctx: TaskContext, label: str) -> dict[str, Any]:
        ctx.raise_if_cancelled()
        return {
            "prompt": req.prompt,
            "negative_prompt": (req.negative or None) if req.cfg > 0 else None,
            "num_inference_steps": req.steps,
            "guidance_scale": req.cfg,
            "generator": generator_for(req.seed),
            "callback_on_step_end": progress_callback(ctx, label),
            "output_type": "np",
        }

    def text_to_image(self, req: ImageRequest, ctx: TaskContext, label: str = "drawing",
                      references: Any = ()) -> np.ndarray:
        width, height = self.size(req.width, req.height)
        out = self.loaded.pipeline(TXT2IMG)(width=width, height=height, **self._common(req, ctx, label))
        return first_image(out)

    def image_to_image(self, image: np.ndarray, req: ImageRequest, strength: float, ctx: TaskContext,
                       label: str = "varying") -> np.ndarray:
        h, w = self._check(image)
        out = self.loaded.pipeline(IMG2IMG)(image=pil(image), strength=strength, width=w, height=h,
                                           **self._common(req, ctx, label))
        return first_image(out)

    def inpaint(self, image: np.ndarray, mask: np.ndarray, req: ImageRequest, strength: float,
                ctx: TaskContext, label: str = "painting", reference: np.ndarray | None = None) -> np.ndarray:
        h, w = self._check(image)
        out = self.loaded.pipeline(INPAINT)(image=pil(image), mask_image=pil(mask), strength=strength,
                                           width=w, height=h, **self._common(req, ctx, label))
        return first_image(out)

    def _check(self, image: np.ndarray) -> tuple[int, int]:
        h, w = image.shape[:2]
        if (w, h) != self.size(w, h):
            raise BadInput(f"Z-Image needs sizes in multiples of {self.multiple} (got {w}×{h}).")
        return h, w
