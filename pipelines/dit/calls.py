"""Running a diffusers pipeline with our progress and cancel, and sizing images for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from studio.core.tasks import TaskContext


def progress_callback(ctx: TaskContext, label: str, total: int | None = None) -> Callable[..., dict]:
    """A `callback_on_step_end` reporting step i+1 of the pipeline's own step count.

    The count comes from `pipe.num_timesteps` (set before the loop), so img2img/inpaint runs that
    skip part of the schedule by `strength` still end at 100 %. `ctx.progress` raises Cancelled
    when the user cancels: the pipeline stops inside the step loop, nothing is decoded.
    """

    def on_step_end(pipe: Any, step: int, timestep: Any, callback_kwargs: dict) -> dict:
        n = total or getattr(pipe, "num_timesteps", None) or step + 1
        ctx.progress(step + 1, n, label)
        return callback_kwargs

    return on_step_end


def multiple_of(pipe: Any) -> int:
    """The pixel multiple the pipeline's latents need (VAE factor × 2 for the 2×2 patches)."""
    return int(pipe.vae_scale_factor) * 2


def fit_size(width: int, height: int, multiple: int) -> tuple[int, int]:
    """`width`×`height` rounded down to `multiple` (never below one multiple)."""
    return max(multiple, width // multiple * multiple), max(multiple, height // multiple * multiple)


def pil(rgb: np.ndarray) -> Any:
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(rgb))


def first_image(out: Any) -> np.ndarray:
    """The first image of a pipeline output (output_type='np', floats 0..1) as RGB uint8."""
    from pipelines.sdxl.generate import to_uint8

    return to_uint8(out.images[0])
