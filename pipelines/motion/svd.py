"""Stable Video Diffusion: a still becomes a short clip (diffusers `StableVideoDiffusionPipeline`).

- Any aspect: the still is letterboxed into the nearest SVD orientation and cropped back
  (see `windows.py`).
- Longer than one window: windows are chained from a frame of the previous one and cross-faded,
  so a 6–10 s clip is one asset (formula in `windows.py`).
- Memory on CUDA: fp16 weights, model CPU offload, UNet forward chunking and small VAE decode
  chunks, chosen from the free VRAM (`memory_plan`) or forced with `low_vram`.
- Progress per denoising step and per decoded chunk: the pipeline returns latents and we decode
  them chunk by chunk ourselves. Cancel raises `Cancelled` from `callback_on_step_end` (SVD has no
  `_interrupt`) or between chunks.
- Loaded pipelines are kept in the process-wide model cache (pipelines/model_cache.py), so a
  second job does not reload them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from pipelines.loading import pretrained_kwargs, quiet_libraries, refuse_pickles
from pipelines.model_cache import shared_models
from studio.core.errors import BadInput
from studio.core.tasks import TaskContext, null_context

from .windows import (
    Letterbox,
    chained_frame_count,
    crop_back,
    crossfade_join,
    fit_rect,
    letterbox,
    next_condition_index,
    svd_canvas,
    windows_needed,
)

Offload = Literal["none", "model", "sequential"]
GiB = 1 << 30


@dataclass(frozen=True)
class MemoryPlan:
    """How SVD is fitted into the device's memory."""

    device: str
    fp16: bool
    offload: Offload
    forward_chunking: bool
    decode_chunk: int
    reason: str


def memory_plan(device: str, free_bytes: int | None, low_vram: bool | None = None, decode_chunk: int | None = None) -> MemoryPlan:
    """Choose precision, offload and chunking from the free VRAM (pure; unit-tested).

    svd-xt in fp16 peaks near 20 GB at 1024×576 without help; model offload + forward chunking
    brings it to ~10 GB, sequential offload to ~4 GB (slowly). `low_vram=None` decides from
    `free_bytes`; True/False forces it.
    """
    if device != "cuda":
        return MemoryPlan(device, False, "none", False, decode_chunk or 4, "CPU: float32, no offload")
    free = free_bytes or 0
    if low_vram is True or (low_vram is None and free < 10 * GiB):
        why = "low-VRAM mode requested" if low_vram else f"{free / GiB:.1f} GB free"
        return MemoryPlan(device, True, "sequential", True, decode_chunk or 1, f"{why}: sequential offload")
    if low_vram is False or free >= 22 * GiB:
        return MemoryPlan(device, True, "none", False, decode_chunk or 8, f"{free / GiB:.1f} GB free: all on GPU")
    return MemoryPlan(device, True, "model", True, decode_chunk or 2,
                      f"{free / GiB:.1f} GB free: model offload + forward chunking")


def pick_device(preference: str = "auto") -> str:
    import torch

    if preference == "cpu":
        return "cpu"
    if torch.cuda.is_available():
        return "cuda"
    if preference == "cuda":
        raise BadInput("A CUDA GPU was requested but none is available; use --device cpu or the camera engine.")
    return "cpu"


@dataclass
class SVDRequest:
    """One motion clip from one still. `image` is RGB uint8."""

    image: np.ndarray
    seed: int = 0
    frames_per_window: int | None = None  # None: the model's own (14 svd, 25 svd-xt)
    total_frames: int | None = None  # None: one window; more chains windows
    crossfade: int = 4
    steps: int = 25
    motion_bucket_id: int = 127
    fps: int = 7  # SVD's fps micro-conditioning (the clip is written at the caller's fps)
    noise_aug_strength: float = 0.02
    min_guidance_scale: float = 1.0
    max_guidance_scale: float = 3.0
    decode_chunk: int | None = None
    canvas: tuple[int, int] | None = None  # None: 1024×576 or 576×1024 by the still's aspect


@dataclass
class SVDResult:
    frames: list[np.ndarray]  # RGB uint8, the still's aspect
    windows: int
    per_window: int
    letterbox: Letterbox
    plan: MemoryPlan
    parameters: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------- loading (cached)


def _cached_pipeline(model_dir: Path, plan: MemoryPlan, allow_pickle: bool = False) -> Any:
    """Load once per (folder, plan), kept in the process-wide model cache (pipelines/model_cache.py)."""
    key = ("svd", str(Path(model_dir).resolve()), plan.device, plan.fp16, plan.offload, plan.forward_chunking)
    return shared_models().get(key, lambda: _load_pipeline(Path(model_dir), plan, allow_pickle))


def clear_cache() -> None:
    """Drop cached SVD pipelines (frees GPU memory)."""
    shared_models().drop("svd")


def cache_size() -> int:
    return len(shared_models().keys("svd"))


def _load_pipeline(model_dir: Path, plan: MemoryPlan, allow_pickle: bool = False) -> Any:
    import torch

    quiet_libraries()
    from diffusers import StableVideoDiffusionPipeline

    dtype = torch.float16 if plan.fp16 else torch.float32
    # the catalogue downloads only the fp16 files: a CPU (float32) plan loads and upcasts them
    kwargs = pretrained_kwargs(model_dir, dtype, plan.fp16, allow_pickle)
    pipe = StableVideoDiffusionPipeline.from_pretrained(str(model_dir), **kwargs)
    if plan.offload == "sequential":
        pipe.enable_sequential_cpu_offload(device=plan.device)
    elif plan.offload == "model":
        pipe.enable_model_cpu_offload(device=plan.device)
    else:
        pipe.to(plan.device)
    if plan.forward_chunking:
        pipe.unet.enable_forward_chunking()
    pipe.set_progress_bar_config(disable=True)
    return pipe


class SVDMotion:
    """Stable Video Diffusion from a diffusers folder (`load(device)`, `run`, `unload`)."""

    engine = "Stable Video Diffusion"

    def __init__(self, model_dir: str | Path, low_vram: bool | None = None, allow_pickle: bool = False):
        self.model_dir = Path(model_dir)
        if not (self.model_dir / "model_index.json").is_file():
            raise BadInput(f"{self.model_dir} is not a diffusers SVD folder (no model_index.json).")
        refuse_pickles(self.model_dir, allow_pickle, "SVD model")
        self.allow_pickle = allow_pickle
        self.low_vram = low_vram
        self.plan: MemoryPlan | None = None
        self.pipe: Any = None

    def load(self, device: str = "auto", decode_chunk: int | None = None) -> MemoryPlan:
        import torch

        dev = pick_device(device)
        free = torch.cuda.mem_get_info()[0] if dev == "cuda" else None
        self.plan = memory_plan(dev, free, self.low_vram, decode_chunk)
        self.pipe = _cached_pipeline(self.model_dir, self.plan, self.allow_pickle)
        return self.plan

    def unload(self) -> None:
        self.pipe = None
        clear_cache()

    @property
    def native_frames(self) -> int:
        return int(self.pipe.unet.config.num_frames)

    def run(self, req: SVDRequest, ctx: TaskContext | None = None) -> SVDResult:
        """Generate the clip; raises Cancelled (and keeps nothing) when the user cancels."""
        import torch

        ctx = ctx or null_context()
        if self.pipe is None:
            self.load(decode_chunk=req.decode_chunk)
        assert self.plan is not None
        n = req.frames_per_window or self.native_frames
        total = req.total_frames or n
        c = min(req.crossfade, n - 2)
        wins = windows_needed(total, n, c)
        h, w = req.image.shape[:2]
        canvas = req.canvas or svd_canvas((w, h))
        if canvas[0] % 8 or canvas[1] % 8:
            raise BadInput(f"SVD size {canvas[0]}×{canvas[1]} must be a multiple of 8.")
        box = fit_rect((w, h), canvas)
        condition = letterbox(req.image, box)
        decode_chunk = max(1, req.decode_chunk or self.plan.decode_chunk)
        # each window: `steps` denoising steps + one tick per decoded chunk
        chunks = -(-n // decode_chunk)
        ticks_per_window = req.steps + chunks
        all_ticks = wins * ticks_per_window
        generator = torch.Generator("cpu").manual_seed(int(req.seed))
        clip: list[np.ndarray] = []
        for k in range(wins):
            base = k * ticks_per_window
            label = f"window {k + 1}/{wins}" if wins > 1 else ""

            def on_step(pipe: Any, i: int, t: Any, kw: dict, base: int = base, label: str = label) -> dict:
                ctx.progress(base + i + 1, all_ticks, f"Denoising {label}".strip())  # raises Cancelled
                return kw

            ctx.raise_if_cancelled()
            out = self.pipe(
                image=_pil(condition), height=canvas[1], width=canvas[0], num_frames=n,
                num_inference_steps=req.steps, fps=req.fps, motion_bucket_id=req.motion_bucket_id,
                noise_aug_strength=req.noise_aug_strength, min_guidance_scale=req.min_guidance_scale,
                max_guidance_scale=req.max_guidance_scale, generator=generator,
                output_type="latent", callback_on_step_end=on_step, return_dict=True,
            )
            window = self._decode(out.frames, n, decode_chunk, ctx, base + req.steps, all_ticks, label)
            clip = crossfade_join(clip, window, c)
            condition = window[next_condition_index(n, c)]
        assert len(clip) == chained_frame_count(n, wins, c)
        frames = [crop_back(f, box) for f in clip[:total]]
        params = {
            "frames_per_window": n, "windows": wins, "crossfade": c, "steps": req.steps,
            "motion_bucket_id": req.motion_bucket_id, "fps_conditioning": req.fps,
            "noise_aug_strength": req.noise_aug_strength, "decode_chunk": decode_chunk,
            "min_guidance_scale": req.min_guidance_scale, "max_guidance_scale": req.max_guidance_scale,
            "canvas": list(canvas), "still_rect": list(box.rect), "memory": self.plan.reason,
        }
        return SVDResult(frames, wins, n, box, self.plan, params)

    def _decode(self, latents: Any, n: int, chunk: int, ctx: TaskContext, base: int, total: int, label: str) -> list[np.ndarray]:
        """VAE-decode `chunk` frames at a time (what diffusers does, with progress and cancel)."""
        import torch

        pipe = self.pipe
        vae = pipe.vae
        lat = latents.flatten(0, 1).to(vae.dtype) / vae.config.scaling_factor
        parts = []
        with torch.no_grad():
            for j, i in enumerate(range(0, lat.shape[0], chunk)):
                part = lat[i : i + chunk]
                parts.append(vae.decode(part, num_frames=part.shape[0]).sample.float().cpu())
                ctx.progress(base + j + 1, total, f"Decoding {label}".strip())
        video = torch.cat(parts).reshape(-1, n, *parts[0].shape[1:]).permute(0, 2, 1, 3, 4)
        arr = pipe.video_processor.postprocess_video(video=video, output_type="np")[0]  # (n, h, w, 3) 0..1
        pipe.maybe_free_model_hooks()
        return [np.clip(f * 255.0 + 0.5, 0, 255).astype(np.uint8) for f in arr]


def _pil(rgb: np.ndarray) -> Any:
    from PIL import Image

    return Image.fromarray(rgb)
