"""The `motion.animate` job: a still becomes a registered clip (Wan 2.2, SVD or the camera-motion
default; motion_engine.py chooses), with a per-frame identity check and optional repair."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from studio.actions.registry import Resources, action
from studio.core.assets import ModelUse, Provenance
from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore
from studio.core.settings import Settings
from studio.core.tasks import TaskContext

from .context import JobContext
from .motion_engine import WAN_ENGINE, pick_engine, wan_frames

SVD_IDS = ("svd-xt", "svd")
CAMERA_ENGINE = "camera motion (OpenCV)"
SVD_ENGINE = "Stable Video Diffusion"


def parse_size(text: str | None) -> tuple[int, int] | None:
    """'1080x1920' -> (1080, 1920)."""
    if not text:
        return None
    try:
        w, h = (int(v) for v in str(text).lower().replace("×", "x").split("x"))
    except ValueError:
        raise BadInput(f"Size (--size) '{text}' must look like 1080x1920.") from None
    if w <= 0 or h <= 0:
        raise BadInput(f"Size (--size) '{text}' must be positive.")
    return w, h


def resolve_svd(store: ModelStore, model: str | None) -> tuple[Path, ModelUse] | None:
    """The SVD folder for `--model` (catalogue id or a diffusers folder), or the first installed."""
    if model and Path(model).expanduser().is_dir():
        folder = Path(model).expanduser()
        return folder, store.use(folder.name, "motion", outside=True, path=str(folder))
    for mid in [model] if model else SVD_IDS:
        if mid not in SVD_IDS:
            raise BadInput(f"Motion model (--model) '{model}' is neither svd, svd-xt nor a diffusers folder.")
        path = store.find(mid)
        if path is not None:
            return path, store.use(mid, "motion")
    if model:
        store.require(model, purpose="Stable Video Diffusion")
    return None


def choose_engine(engine: str, svd: tuple[Path, ModelUse] | None, cuda: bool) -> str:
    """auto: SVD when its weights are installed and a CUDA GPU is there, else camera motion."""
    if engine == "camera":
        return "camera"
    if engine == "svd":
        if svd is None:
            raise ModelMissing("Stable Video Diffusion is not installed. Run `studio models download svd-xt` "
                               "(or `svd`), or choose camera motion (`--engine camera`).", ["svd-xt"])
        return "svd"
    if engine != "auto":
        raise BadInput(f"Motion engine (--engine) '{engine}': choose svd, camera or auto.")
    return "svd" if svd is not None and cuda else "camera"


@action("motion.animate", label="Animate", inputs=("still",), resources=Resources("motion", gpus=1),
        isolate=True)
def animate(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Make a clip from a still; see `studio animate --help` for the parameters."""
    project = ctx.project
    project.persona.require_consent("animate their likeness")
    from pipelines.faces import PersonaIdentity, load_image, open_analyzer
    from pipelines.motion.identity_repair import IdentityRepair
    from pipelines.video_io import interpolate, suffix_for, write_video

    settings, store = ctx.settings, ctx.store
    still_path, still_asset = project.resolve_input(str(params["still"]))
    rgb = load_image(still_path, max_side=4096)
    choice = pick_engine(ctx, params)
    engine, svd = choice.engine, choice.svd
    seed = int(params.get("seed") if params.get("seed") is not None else np.random.SeedSequence().entropy % 2**31)
    analyzer = open_analyzer(store, "auto")
    identity = PersonaIdentity(project.persona, analyzer)
    repair_on = params.get("repair")
    repair_on = (engine in ("svd", "wan")) if repair_on is None else bool(repair_on)
    interp = params.get("interpolate")

    staged: list[Path] = []
    try:
        if engine in ("svd", "wan"):
            if engine == "svd":
                assert svd is not None
                fps = float(params.get("fps") or 7)
                frames, info, models = _svd_frames(svd, rgb, params, seed, fps, settings, ctx.sub(0.0, 0.75))
                pipeline, engine_name = "motion.svd", SVD_ENGINE
            else:
                from pipelines.motion.wan import NATIVE_FPS

                still_prompt = still_asset.provenance.parameters.get("user_prompt", "") if still_asset else ""
                frames, info, models = wan_frames(ctx, choice.wan, rgb, params, seed, ctx.sub(0.0, 0.75), still_prompt)
                fps = float(NATIVE_FPS)  # Wan makes 24 fps; another --fps is reached by interpolation
                if params.get("fps") and float(params["fps"]) != fps and not interp:
                    interp = int(round(float(params["fps"])))
                pipeline, engine_name = "motion.wan", WAN_ENGINE
            size = (frames[0].shape[1], frames[0].shape[0])

            def source() -> Iterable[np.ndarray]:
                return iter(frames)
            total = len(frames)
        else:
            cam, info = _camera(rgb, analyzer, params)
            fps, size, total = cam.req.fps, cam.req.size, cam.req.frame_count
            source, models = cam.frames, []
            pipeline, engine_name = "motion.camera", CAMERA_ENGINE

        scores: dict[str, Any] = {"identity_backend": identity.backend}
        out_frames: Callable[[], Iterable[np.ndarray]] = source
        check_ctx, write_ctx = ctx.sub(0.75, 0.85), ctx.sub(0.85, 0.97)
        if engine == "camera":
            check_ctx, write_ctx = ctx.sub(0.0, 0.3), ctx.sub(0.3, 0.95)
        if not identity.available:
            scores["identity_frames"] = {"status": "no identity",
                                         "message": "add reference photos with `studio faces add` to check identity"}
        elif repair_on:
            repair = IdentityRepair.open(identity, store, params.get("repair_with", "swap"),
                                         params.get("swapper") or "auto", fps=fps)
            scan = repair.scan(source(), total, check_ctx)
            report = repair.report(scan)
            if report.status == "to repair":
                bad = set(report.bad_frames)
                fixed: dict[int, np.ndarray] = {}

                def repaired() -> Iterable[np.ndarray]:
                    for i, f in enumerate(repair.apply(source(), scan)):
                        if i in bad:
                            fixed[i] = f
                        yield f
                out_frames = repaired
            scores["identity_frames"] = report
            models += [store.use(m, "identity check") for m in analyzer.models_used()]
            if report.status == "to repair":
                models += [store.use(m, "identity repair") for m in repair.models_used()]
        else:
            best = identity.best(rgb)
            scores["identity_still"] = None if best is None else round(best.score, 1)

        codec = params.get("codec", "h264")
        clip = project.stage(suffix_for(codec))
        staged.append(clip)
        preset = "ultrafast" if engine == "camera" else "veryfast"  # intermediates: speed over size
        if engine == "camera" and out_frames is source and codec == "h264":
            n = cam.render(clip, write_ctx, codec, preset=preset)  # straight to yuv420p, no RGB frames
        else:
            n = write_video(clip, out_frames(), fps, size, total=total, codec=codec, preset=preset, ctx=write_ctx,
                            label="Writing clip")
        report = scores.get("identity_frames")
        if hasattr(report, "status"):
            if report.status == "to repair":
                report = repair.finish(report, fixed)
            scores["identity_frames"] = report.provenance()
            scored = [s for s in report.after if s is not None]
            scores["identity"] = round(min(scored), 1) if scored else None
        out_fps = fps
        if interp:
            smooth = project.stage(suffix_for(codec))
            staged.append(smooth)
            interpolate(clip, smooth, int(interp), codec, ctx.sub(0.97, 1.0))
            clip, out_fps = smooth, float(interp)
        parameters = {k: v for k, v in params.items() if k != "still"}
        parameters.update(info, still=still_asset.id if still_asset else str(still_path), fps_out=out_fps,
                          frames=n, codec=codec, repair=repair_on, engine_choice=choice.reason)
        prov = Provenance(pipeline=pipeline, engine=engine_name, models=models, seed=seed,
                          parameters=parameters, scores=scores)
        asset = project.register(clip, "clip", prov, parents=[still_asset.id] if still_asset else [],
                                 label=params.get("label") or f"{engine_name} clip")
        ctx.progress(1, 1, "Done")
        rep = scores.get("identity_frames", {})
        return {"assets": [asset.id], "engine": engine_name, "engine_choice": choice.reason, "frames": n, "fps": out_fps,
                "size": list(size), "seed": seed, "identity": scores.get("identity"),
                "repair": rep.get("status") if isinstance(rep, dict) else None,
                "repair_message": rep.get("message") if isinstance(rep, dict) else None}
    finally:
        for p in staged:  # a cancel or failure leaves nothing behind (register moved the good one)
            p.unlink(missing_ok=True)


def _svd_frames(svd: tuple[Path, ModelUse], rgb: np.ndarray, params: dict, seed: int, fps: float,
                settings: Settings, ctx: TaskContext) -> tuple[list[np.ndarray], dict, list[ModelUse]]:
    from pipelines.motion.svd import SVDMotion, SVDRequest

    folder, use = svd
    low = params.get("low_vram")
    if low is None and settings.low_vram != "auto":
        low = settings.low_vram == "on"
    motion = SVDMotion(folder, low_vram=low, allow_pickle=settings.allow_pickle_checkpoints)
    motion.load(settings.device, decode_chunk=params.get("decode_chunk"))
    seconds = params.get("seconds")
    total = int(round(float(seconds) * fps)) if seconds else params.get("frames")
    req = SVDRequest(
        image=rgb, seed=seed, frames_per_window=params.get("frames_per_window"),
        total_frames=int(total) if total else None, crossfade=int(params.get("crossfade", 4)),
        steps=int(params.get("steps") or 25), motion_bucket_id=int(params.get("motion") or 127),
        fps=int(round(fps)), noise_aug_strength=float(params.get("noise_aug", 0.02)),
        decode_chunk=params.get("decode_chunk"), canvas=parse_size(params.get("size")),
    )
    if not 1 <= req.motion_bucket_id <= 255:
        raise BadInput("Motion amount (--motion) must be between 1 and 255.")
    result = motion.run(req, ctx)
    return result.frames, result.parameters, [use]


def _camera(rgb: np.ndarray, analyzer: Any, params: dict) -> tuple[Any, dict]:
    from pipelines.motion.camera import CameraMotion, CameraRequest

    faces = analyzer.detect(rgb, embed=False, landmarks=False, max_side=1024)
    box = faces[0].box if faces else None
    fps = float(params.get("fps") or 30)
    seconds = params.get("seconds")
    if seconds is None and params.get("frames"):
        seconds = int(params["frames"]) / fps
    motion = int(params.get("motion") or 127)
    if not 1 <= motion <= 255:
        raise BadInput("Motion amount (--motion) must be between 1 and 255.")
    req = CameraRequest(rgb, box, size=parse_size(params.get("size")) or (1080, 1920), fps=fps,
                        seconds=float(seconds or 6.0), move=params.get("move", "push-in"), strength=motion / 127)
    cam = CameraMotion(req)
    info = cam.parameters()
    info["face_found"] = box is not None
    return cam, info
