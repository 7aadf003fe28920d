"""Run the loaded SDXL pipelines: text-to-image, image-to-image and inpainting, one seed each.

Every call reports each denoising step through the TaskContext from `callback_on_step_end`;
a cancel raises `Cancelled` from inside that callback, so the pipeline stops at once and nothing
is decoded or written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.core.tasks import TaskContext


@dataclass(frozen=True)
class ImageRequest:
    """What to draw, for one candidate."""

    prompt: str
    negative: str
    width: int
    height: int
    steps: int
    cfg: float
    seed: int
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. ip_adapter_image_embeds


#: guidance (cfg) users may set: 0-1 turns classifier-free guidance off (Turbo / Lightning / Hyper
#: checkpoints), SDXL base wants 5-8; above 30 nothing sensible comes out
GUIDANCE_RANGE = (0.0, 30.0)


def check_guidance(value: Any, default: float) -> float:
    """`--cfg` as a float in GUIDANCE_RANGE, or BadInput."""
    from studio.core.errors import BadInput

    try:
        cfg = float(default if value is None else value)
    except (TypeError, ValueError):
        raise BadInput(f"Guidance (--cfg) must be a number (got '{value}').") from None
    lo, hi = GUIDANCE_RANGE
    if not lo <= cfg <= hi:
        raise BadInput(f"Guidance (--cfg) must be between {lo:g} and {hi:g} (got {cfg:g}); SDXL wants 5-8, Turbo/Lightning 0-1.")
    return cfg


def prompt_warnings(pipe: Any, prompt: str, negative: str) -> list[str]:
    """Our one-line notes for prompts longer than SDXL's text encoders read (77 tokens)."""
    from pipelines.loading import prompt_overflow

    tok = getattr(pipe, "tokenizer", None)
    notes = [prompt_overflow(tok, prompt, "prompt"), prompt_overflow(tok, negative, "negative prompt")]
    return [n for n in notes if n]


def step_callback(ctx: TaskContext, total: int, label: str) -> Callable[..., dict]:
    """A `callback_on_step_end` that reports progress and raises Cancelled when asked."""

    def on_step_end(pipe: Any, step: int, timestep: Any, callback_kwargs: dict) -> dict:
        ctx.progress(step + 1, total, label)
        return callback_kwargs

    return on_step_end


def generator_for(seed: int) -> Any:
    """A CPU torch.Generator: the same seed gives the same image on CPU and on any GPU."""
    import torch

    return torch.Generator(device="cpu").manual_seed(int(seed))


def _steps_run(steps: int, strength: float | None) -> int:
    # img2img/inpaint only run the last `strength` part of the schedule
    return steps if strength is None else max(1, int(steps * strength))


def text_to_image(pipe: Any, req: ImageRequest, ctx: TaskContext, label: str = "drawing") -> np.ndarray:
    """One txt2img image as RGB uint8."""
    ctx.raise_if_cancelled()
    out = pipe(
        prompt=req.prompt,
        negative_prompt=req.negative or None,
        width=req.width,
        height=req.height,
        num_inference_steps=req.steps,
        guidance_scale=req.cfg,
        generator=generator_for(req.seed),
        callback_on_step_end=step_callback(ctx, req.steps, label),
        output_type="np",
        **req.extra,
    )
    return to_uint8(out.images[0])


def image_to_image(pipe: Any, image: np.ndarray, req: ImageRequest, strength: float, ctx: TaskContext, label: str = "varying") -> np.ndarray:
    """One img2img image (same size as `image`) as RGB uint8."""
    return _edit(pipe, image, req, strength, ctx, label)


def inpaint_image(
    pipe: Any, image: np.ndarray, mask: np.ndarray, req: ImageRequest, strength: float, ctx: TaskContext, label: str = "painting"
) -> np.ndarray:
    """Inpaint where `mask` (uint8, 255 = repaint) is set; returns the raw pipeline output (H, W, 3)."""
    from PIL import Image

    h, w = image.shape[:2]
    return _edit(pipe, image, req, strength, ctx, label, mask_image=Image.fromarray(mask), width=w, height=h)


def _edit(pipe: Any, image: np.ndarray, req: ImageRequest, strength: float, ctx: TaskContext, label: str,
          **images: Any) -> np.ndarray:
    """The call img2img and inpainting share: `strength` of the steps run, from `image`."""
    from PIL import Image

    ctx.raise_if_cancelled()
    out = pipe(
        prompt=req.prompt,
        negative_prompt=req.negative or None,
        image=Image.fromarray(image),
        **images,
        strength=strength,
        num_inference_steps=req.steps,
        guidance_scale=req.cfg,
        generator=generator_for(req.seed),
        callback_on_step_end=step_callback(ctx, _steps_run(req.steps, strength), label),
        output_type="np",
        **req.extra,
    )
    return to_uint8(out.images[0])


def to_uint8(img: np.ndarray) -> np.ndarray:
    """Pipeline float output (0..1) to RGB uint8."""
    return np.clip(np.rint(np.asarray(img, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)
