"""Which motion engine an `animate` job uses, and the Wan 2.2 part of it.

`--engine auto` takes, in this order, the first that can run here:
1. Wan 2.2 TI2V-5B (Apache-2.0) when installed and a CUDA GPU has at least its catalogue
   `vram_min_gb` free (it runs offloaded below its full need);
2. Stable Video Diffusion (non-commercial) when installed and a CUDA GPU is there;
3. the camera-motion engine (OpenCV, always there).
The choice and why (what was skipped, and for what) go into the result and the clip's provenance.
`--engine wan|svd|camera` asks for one; `--model` names a catalogue id or a diffusers folder of
either model (its model_index.json tells which).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.assets import ModelUse
from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext

from .context import JobContext

WAN_IDS = ("wan2.2-ti2v-5b",)
WAN_ENGINE = "Wan 2.2 TI2V-5B"
ENGINES = ("auto", "wan", "svd", "camera")


@dataclass(frozen=True)
class MotionChoice:
    engine: str  # 'wan', 'svd' or 'camera'
    reason: str
    wan: tuple[Path, ModelUse, Any] | None = None  # folder, provenance, catalogue entry (None for a folder)
    svd: tuple[Path, ModelUse] | None = None


def _model_kind(model: str | None) -> str | None:
    """'wan' / 'svd' for a --model that is a diffusers folder of one of them."""
    if not model or not Path(model).expanduser().is_dir():
        return None
    from pipelines.dit.loaded import pipeline_class_of

    cls = pipeline_class_of(Path(model).expanduser()) or ""
    return "wan" if cls.startswith("Wan") else "svd" if "VideoDiffusion" in cls else None


def resolve_wan(store: ModelStore, model: str | None) -> tuple[Path, ModelUse, Any] | None:
    """The Wan folder for `--model` (id or folder), or the installed catalogue model, or None."""
    if model and Path(model).expanduser().is_dir():
        folder = Path(model).expanduser()
        return folder, store.use(folder.name, "motion", outside=True, path=str(folder)), None
    for mid in [model] if model else WAN_IDS:
        path = store.find(mid)
        if path is not None:
            return path, store.use(mid, "motion"), store.entry(mid)
    return None


def _cuda_free_gb() -> float | None:
    from pipelines.device import free_vram_bytes

    free = free_vram_bytes()
    return None if free is None else free / 1024**3


def pick_engine(ctx: JobContext, params: dict[str, Any]) -> MotionChoice:
    """The engine for this job (see the module docstring)."""
    from .motion import SVD_IDS, resolve_svd

    engine = params.get("engine") or "auto"
    if engine not in ENGINES:
        raise BadInput(f"--engine '{engine}': choose {', '.join(ENGINES[1:])} or auto.")
    store, model = ctx.store, params.get("model")
    kind = _model_kind(model)
    if model and kind is None and not Path(model).expanduser().is_dir():
        kind = "wan" if model in WAN_IDS else "svd" if model in SVD_IDS else None
        if kind is None:
            raise BadInput(f"--model '{model}' is none of {', '.join(WAN_IDS + SVD_IDS)} nor a Wan/SVD diffusers folder.")
    if engine == "camera":
        return MotionChoice("camera", "--engine camera")
    if engine == "wan" or (engine == "auto" and kind == "wan"):
        wan = resolve_wan(store, model if kind == "wan" else None)
        if wan is None:
            raise ModelMissing("Wan 2.2 TI2V-5B is not installed. Run `studio models download wan2.2-ti2v-5b`, "
                               "or use `--engine svd` / `--engine camera`.", list(WAN_IDS))
        return MotionChoice("wan", "--engine wan" if engine == "wan" else "--model", wan=wan)
    if engine == "svd" or (engine == "auto" and kind == "svd"):
        from .motion import choose_engine

        folder = model if kind == "svd" and Path(model).expanduser().is_dir() else None
        store.check(Path(folder).name if folder else (model if model in SVD_IDS else "svd-xt"),
                    "Motion with Stable Video Diffusion", outside=folder is not None)
        svd = resolve_svd(store, model if kind == "svd" else None)
        choose_engine("svd", svd, True)  # raises ModelMissing with the download command
        return MotionChoice("svd", "--engine svd" if engine == "svd" else "--model", svd=svd)
    # auto
    skipped = []
    free = _cuda_free_gb() if ctx.settings.device != "cpu" else None
    wan = resolve_wan(store, None)
    if wan is None:
        skipped.append("Wan 2.2 not installed")
    elif free is None:
        skipped.append("Wan 2.2 needs a CUDA GPU")
    else:
        need = wan[2].vram_min_gb if wan[2] is not None else None
        if need and free < need:
            skipped.append(f"Wan 2.2 needs {need:g} GB of GPU memory, {free:.1f} GB free")
        else:
            return MotionChoice("wan", f"auto: {WAN_ENGINE} ({free:.1f} GB GPU memory free)", wan=wan)
    svd = resolve_svd(store, None)
    if svd is None and not any(store.permits(m) for m in SVD_IDS):
        skipped.append("SVD is non-commercial and the persona is set to commercial-safe")
    elif svd is None:
        skipped.append("SVD not installed")
    elif free is None:
        skipped.append("SVD needs a CUDA GPU")
    else:
        return MotionChoice("svd", f"auto: Stable Video Diffusion ({'; '.join(skipped)})", svd=svd)
    return MotionChoice("camera", f"auto: camera motion ({'; '.join(skipped)})")


def wan_frames(ctx: JobContext, wan: tuple[Path, ModelUse, Any], rgb: np.ndarray, params: dict[str, Any],
               seed: int, task: TaskContext, still_prompt: str = "") -> tuple[list[np.ndarray], dict, list[ModelUse]]:
    """Run Wan on the still: frames at 24 fps (scaled to --size when given), parameters, models."""
    from pipelines.device import plan_model
    from pipelines.dit.loaded import shared_models
    from pipelines.motion.wan import (
        DEFAULT_CFG,
        DEFAULT_CROSSFADE,
        DEFAULT_PROMPT,
        DEFAULT_STEPS,
        I2V,
        NATIVE_FPS,
        WINDOW_FRAMES,
        WanMotion,
        WanRequest,
        wan_canvas,
    )

    from .motion import parse_size

    folder, use, entry = wan
    low = params.get("low_vram")
    low_vram = ("on" if low else "off") if low is not None else ctx.settings.low_vram
    plan = plan_model(entry.vram_gb if entry is not None else None, ctx.settings.device, low_vram, vae_float32=True)
    motion = WanMotion(shared_models().get(folder, I2V, plan))
    seconds = params.get("seconds")
    total = int(round(float(seconds) * NATIVE_FPS)) if seconds else params.get("frames")
    out_size = parse_size(params.get("size"))
    h, w = rgb.shape[:2]
    # --size is the clip's size: generate at the 720p canvas of its aspect (or --wan-size), then scale
    canvas = parse_size(params.get("wan_size")) or wan_canvas(out_size or (w, h), motion.multiple)
    prompt = str(params.get("prompt") or "").strip() or (f"{still_prompt}, {DEFAULT_PROMPT}" if still_prompt else DEFAULT_PROMPT)
    req = WanRequest(image=rgb, prompt=prompt, seed=seed, total_frames=int(total) if total else None,
                     window=int(params.get("frames_per_window") or WINDOW_FRAMES),
                     crossfade=int(params.get("crossfade", DEFAULT_CROSSFADE)),
                     steps=int(params.get("steps") or DEFAULT_STEPS),
                     cfg=float(params["cfg"]) if params.get("cfg") is not None else DEFAULT_CFG, canvas=canvas)
    if params.get("negative") is not None:
        req.negative = str(params["negative"])
    result = motion.run(req, task)
    frames = result.frames
    if out_size and out_size != result.canvas:
        import cv2

        frames = [cv2.resize(f, out_size, interpolation=cv2.INTER_CUBIC if out_size[0] > result.canvas[0]
                             else cv2.INTER_AREA) for f in frames]
    return frames, result.parameters, [use]
