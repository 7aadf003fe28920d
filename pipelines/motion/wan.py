"""Wan 2.2 TI2V-5B: a still and a text prompt become a clip (diffusers `WanImageToVideoPipeline`).

The call follows diffusers' reference code and the model card (diffusers 0.42, pipeline_wan_i2v.py;
Wan-AI/Wan2.2-TI2V-5B-Diffusers):
- TI2V-5B is one WanTransformer3DModel with `expand_timesteps=True`: the still is VAE-encoded as
  the first latent frame and kept fixed while the others are denoised (no CLIP image encoder, no
  second transformer). `WanImageToVideoPipeline` takes the image; `WanPipeline` is text-only.
- 720p: the canvas keeps the still's aspect at about 704×1280 pixels of area, in multiples of
  `vae_scale_factor_spatial × patch` (16 × 2 = 32); the still is centre-cropped to that aspect and
  resized (the pipeline would stretch it). Frames come as 4k+1 at 24 fps; 121 frames = 5 s.
- Guidance 5.0 with a negative prompt, 50 steps, the repo's UniPC flow scheduler; bf16
  transformer and text encoder with the VAE in float32 (the Wan authors' advice).
- Longer clips chain windows like SVD's (windows.py): window k+1 starts from frame n−1−c of window
  k (Wan reproduces its first frame), the c frames both show are cross-faded.
- Progress per denoising step of every window; cancel raises `Cancelled` from the step callback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pipelines.dit.calls import pil
from pipelines.dit.loaded import LoadedModel
from pipelines.sdxl.generate import generator_for
from studio.core.errors import BadInput
from studio.core.tasks import TaskContext, null_context

from .windows import chained_frame_count, crossfade_join, next_condition_index, windows_needed

I2V = "WanImageToVideoPipeline"
NATIVE_FPS = 24
MAX_AREA = 704 * 1280
WINDOW_FRAMES = 121
DEFAULT_STEPS = 50
DEFAULT_CFG = 5.0
DEFAULT_CROSSFADE = 8
#: the model card's negative prompt, in English (the card gives it in Chinese)
DEFAULT_NEGATIVE = (
    "vivid colours, overexposed, static, blurred details, subtitles, style, artwork, painting, still image, "
    "overall grey, worst quality, low quality, JPEG artefacts, ugly, deformed, extra fingers, badly drawn "
    "hands, badly drawn face, disfigured, malformed limbs, fused fingers, motionless frame, cluttered "
    "background, three legs, crowded background, walking backwards"
)
DEFAULT_PROMPT = "the person moves naturally: subtle head movement, breathing and blinking, steady camera"


def wan_canvas(still_size: tuple[int, int], multiple: int = 32, max_area: int = MAX_AREA) -> tuple[int, int]:
    """(w, h) of about `max_area` pixels with the still's aspect, in multiples of `multiple`."""
    w, h = still_size
    aspect = h / w
    height = max(multiple, round(math.sqrt(max_area * aspect)) // multiple * multiple)
    width = max(multiple, round(math.sqrt(max_area / aspect)) // multiple * multiple)
    return width, height


def window_frames(total: int, longest: int = WINDOW_FRAMES, temporal: int = 4) -> int:
    """Frames per window: `longest` (a 4k+1 count), or the smallest 4k+1 count ≥ `total` when shorter."""
    if (longest - 1) % temporal:
        raise BadInput(f"A Wan window has 4k+1 frames (e.g. 81 or 121), not {longest}.")
    if total >= longest:
        return longest
    return max(temporal + 1, -(-(total - 1) // temporal) * temporal + 1)


def cover(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`rgb` centre-cropped to the aspect of `size` and resized to it."""
    import cv2

    w, h = size
    ih, iw = rgb.shape[:2]
    scale = max(w / iw, h / ih)
    cw, ch = min(iw, round(w / scale)), min(ih, round(h / scale))
    x, y = (iw - cw) // 2, (ih - ch) // 2
    crop = rgb[y : y + ch, x : x + cw]
    interp = cv2.INTER_AREA if cw > w else cv2.INTER_CUBIC
    return np.ascontiguousarray(cv2.resize(crop, (w, h), interpolation=interp))


@dataclass
class WanRequest:
    """One clip from one still. `image` is RGB uint8."""

    image: np.ndarray
    prompt: str = DEFAULT_PROMPT
    negative: str = DEFAULT_NEGATIVE
    seed: int = 0
    total_frames: int | None = None  # None: one window
    window: int = WINDOW_FRAMES
    crossfade: int = DEFAULT_CROSSFADE
    steps: int = DEFAULT_STEPS
    cfg: float = DEFAULT_CFG
    canvas: tuple[int, int] | None = None  # None: 720p area at the still's aspect


@dataclass
class WanResult:
    frames: list[np.ndarray]  # RGB uint8 at the canvas size
    windows: int
    per_window: int
    canvas: tuple[int, int]
    parameters: dict[str, Any] = field(default_factory=dict)


class WanMotion:
    """A loaded Wan 2.2 TI2V folder (`run`); loading and placement are pipelines/dit/loaded.py's."""

    engine = "Wan 2.2 TI2V-5B"

    def __init__(self, loaded: LoadedModel):
        self.loaded = loaded
        self.pipe = loaded.pipeline(I2V)
        if not self.pipe.config.get("expand_timesteps", False):
            raise BadInput(f"{loaded.folder.name} is not a Wan 2.2 TI2V model (expand_timesteps is off); "
                           "use Wan-AI/Wan2.2-TI2V-5B-Diffusers.")

    @property
    def multiple(self) -> int:
        return int(self.pipe.vae_scale_factor_spatial) * int(self.pipe.transformer.config.patch_size[1])

    @property
    def temporal(self) -> int:
        return int(self.pipe.vae_scale_factor_temporal)

    def run(self, req: WanRequest, ctx: TaskContext | None = None) -> WanResult:
        """Generate the clip; raises Cancelled (and returns nothing) when the user cancels."""
        ctx = ctx or null_context()
        h0, w0 = req.image.shape[:2]
        canvas = req.canvas or wan_canvas((w0, h0), self.multiple)
        if canvas[0] % self.multiple or canvas[1] % self.multiple:
            raise BadInput(f"Wan size {canvas[0]}×{canvas[1]} must be a multiple of {self.multiple}.")
        total = req.total_frames or req.window
        n = window_frames(total, req.window, self.temporal)
        c = max(0, min(req.crossfade, n - 2))
        wins = windows_needed(total, n, c)
        generator = generator_for(req.seed)  # one CPU generator across windows: same seed, same clip
        condition = cover(req.image, canvas)
        clip: list[np.ndarray] = []
        for k in range(wins):
            label = f"Denoising window {k + 1}/{wins}" if wins > 1 else "Denoising"
            wctx = ctx.sub(k / wins, (k + 1) / wins)

            def on_step(pipe: Any, i: int, t: Any, kw: dict, wctx: TaskContext = wctx, label: str = label) -> dict:
                steps = pipe.num_timesteps
                # the last step is followed by the VAE decode inside the pipeline: say so
                wctx.progress(i + 1, steps + 1, label if i + 1 < steps else label.replace("Denoising", "Decoding"))
                return kw

            ctx.raise_if_cancelled()
            out = self.pipe(
                image=pil(condition), prompt=req.prompt, negative_prompt=req.negative or None,
                height=canvas[1], width=canvas[0], num_frames=n, num_inference_steps=req.steps,
                guidance_scale=req.cfg, generator=generator, callback_on_step_end=on_step, output_type="np",
            )
            window = [np.clip(np.rint(f * 255.0), 0, 255).astype(np.uint8) for f in out.frames[0]]
            wctx.progress(1, 1, label.replace("Denoising", "Decoded"))
            clip = crossfade_join(clip, window, c)
            condition = window[next_condition_index(n, c)]
        assert len(clip) == chained_frame_count(n, wins, c)
        params = {"frames_per_window": n, "windows": wins, "crossfade": c, "steps": req.steps, "cfg": req.cfg,
                  "prompt": req.prompt, "negative_prompt": req.negative or None, "canvas": list(canvas),
                  "fps_model": NATIVE_FPS, "memory": self.loaded.plan.reason, "dtype": self.loaded.plan.dtype,
                  "offload": self.loaded.plan.offload}
        return WanResult(clip[:total], wins, n, canvas, params)
