"""`upscale`: a sharper, larger still or clip — Real-ESRGAN x4plus when its weights are in the
model store, else the classical fallback (Lanczos + adaptive sharpening, named as such); faces on
stills can then be restored by the face engine's restorer (GFPGAN / CodeFormer) when installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.core.assets import Provenance
from studio.core.errors import BadInput
from studio.core.media import IMAGE_SUFFIXES, VIDEO_SUFFIXES

from .context import JobContext
from .registry import Resources, action

ESRGAN_ID = "realesrgan-x4plus"
#: the longest side an upscale may produce (a 4x of a 4K still would not fit in memory or a post)
MAX_SIDE = 8192


def _engine(ctx: JobContext, want: str) -> tuple[str, Path | None, str | None]:
    """(engine, weights, note): esrgan when asked or installed, else classical."""
    weights = ctx.store.find(ESRGAN_ID)
    if want == "esrgan":
        weights = ctx.store.require(ESRGAN_ID, purpose="the Real-ESRGAN upscale")[0]
        return "esrgan", weights, None
    if want == "classical":
        return "classical", None, None
    if want != "auto":
        raise BadInput(f"--engine '{want}': choose auto, esrgan or classical.")
    if weights is None:
        return "classical", None, (f"Real-ESRGAN is not installed, so the classical upscaler was used; "
                                   f"`studio models download {ESRGAN_ID}` gets the model.")
    return "esrgan", weights, None


def _restore_faces(ctx: JobContext, rgb: Any) -> tuple[Any, list[str], str | None]:
    """Faces restored with the face engine's restorer; (image, model ids used, note)."""
    from pipelines.faces import open_analyzer
    from pipelines.faces.restore import FaceRestorer

    restorer = FaceRestorer.open(ctx.store)
    if restorer is None and not ctx.store.permits("gfpgan-1.4"):
        return rgb, [], ("Faces were not restored: no face restorer allows commercial use, and the persona is set "
                         "to commercial-safe.")
    if restorer is None:
        return rgb, [], "No face restorer is installed (`studio models download gfpgan-1.4`); faces were not restored."
    analyzer = open_analyzer(ctx.store, prefer="auto")
    faces = analyzer.detect(rgb, embed=False, landmarks=True, max_side=2048)
    for face in faces:
        rgb = restorer.restore(rgb, face)
    return rgb, [restorer.model_id, *analyzer.models_used()] if faces else [], None


@action("upscale", label="Upscale", inputs=("source",), resources=Resources("upscale", gpus=1), isolate=True)
def upscale(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """params: source (still/clip asset or file), scale (2 or 4, default 2), engine (auto, esrgan,
    classical), sharpen (0..1, classical), restore_faces (stills; default on), tile (px)."""
    project = ctx.project
    path, asset = project.resolve_input(str(params["source"]))
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES and suffix not in VIDEO_SUFFIXES:
        raise BadInput(f"'{path.name}' is neither a still nor a clip; upscale takes a picture or a video.")
    scale = float(params.get("scale") or 2)
    if not 1.0 < scale <= 4.0:
        raise BadInput(f"--scale must be more than 1 and at most 4 (got {scale:g}).")
    sharpen = float(params.get("sharpen") if params.get("sharpen") is not None else 0.6)
    if not 0.0 <= sharpen <= 1.0:
        raise BadInput("--sharpen must be from 0 to 1.")
    engine, weights, note = _engine(ctx, str(params.get("engine") or "auto"))
    from studio.core.media import probe

    info = probe(path)
    if max(info.width or 0, info.height or 0) * scale > MAX_SIDE:
        raise BadInput(f"{path.name} is {info.width}x{info.height}; x{scale:g} would pass {MAX_SIDE} px. Use a smaller --scale.")
    models = [ctx.store.use(ESRGAN_ID, "upscale")] if engine == "esrgan" else []
    notes = [note] if note else []
    is_video = suffix in VIDEO_SUFFIXES and info.duration > 0.05
    upscaler = None
    if engine == "esrgan":
        from pipelines.upscale import Upscaler

        ctx.progress(0, 1, "Loading Real-ESRGAN")
        upscaler = Upscaler(weights, ESRGAN_ID).load(params.get("device") or ctx.settings.device)  # type: ignore[arg-type]
    try:
        if is_video:
            out, size = _clip(ctx, path, info, scale, sharpen, upscaler, params)
            kind, restored = "clip", False
        else:
            out, size, restored, used, more = _still(ctx, path, scale, sharpen, upscaler, params)
            models += [ctx.store.use(m, "face restoration" if i == 0 else "face detection") for i, m in enumerate(used)]
            notes += more
            kind = "still"
    finally:
        if upscaler is not None:
            upscaler.unload()
    from pipelines.upscale import CLASSICAL_ENGINE, ESRGAN_ENGINE

    words = ESRGAN_ENGINE + (f" ({upscaler.loader})" if upscaler else "") if engine == "esrgan" else CLASSICAL_ENGINE
    prov = Provenance(pipeline="upscale", engine=words + (" + face restoration" if restored else ""), models=models,
                      parameters={"source": asset.id if asset else path.name, "scale": scale, "engine": engine,
                                  "sharpen": sharpen if engine == "classical" else None, "size": list(size),
                                  "restore_faces": restored, "notes": notes},
                      scores=dict(asset.provenance.scores) if asset and kind == "still" else {})
    label = f"{(asset.label if asset else path.stem) or 'upscaled'} x{scale:g}"
    new = project.register(out, kind, prov, parents=[asset.id] if asset else [], label=label)
    ctx.progress(1, 1, "Done")
    return {"assets": [new.id], "engine": words, "size": list(size), "notes": notes,
            "path": str(project.asset_path(new))}


def _still(ctx: JobContext, path: Path, scale: float, sharpen: float, upscaler: Any,
           params: dict[str, Any]) -> tuple[Path, tuple[int, int], bool, list[str], list[str]]:
    from PIL import Image

    from pipelines.faces import load_image
    from pipelines.upscale import UpscaleRequest, upscale_classical

    rgb = load_image(path, max_side=None)
    if upscaler is not None:
        big = upscaler.run(UpscaleRequest(rgb, scale, tile=int(params.get("tile") or 256)), ctx.task.sub(0.02, 0.85))
    else:
        big = upscale_classical(rgb, scale, sharpen)
    used: list[str] = []
    notes: list[str] = []
    restored = False
    if params.get("restore_faces", True):
        ctx.progress(0, 1, "Restoring faces")
        big, used, note = _restore_faces(ctx, big)
        restored = bool(used)
        notes += [note] if note else []
    out = ctx.project.stage(".png")
    Image.fromarray(big).save(out)
    return out, (big.shape[1], big.shape[0]), restored, used, notes


def _clip(ctx: JobContext, path: Path, info: Any, scale: float, sharpen: float, upscaler: Any,
          params: dict[str, Any]) -> tuple[Path, tuple[int, int]]:
    from pipelines.upscale import UpscaleRequest, classical_filter
    from pipelines.video_io import VideoWriter, h264_args, read_frames
    from studio.render.ffmpeg import run_ffmpeg

    w, h = round(info.width * scale) // 2 * 2, round(info.height * scale) // 2 * 2
    out = ctx.project.stage(".mp4")
    try:
        if upscaler is None:  # one ffmpeg pass: decode, scale, sharpen, encode; the sound copied
            run_ffmpeg(["-i", str(path), "-map", "0:v:0", "-map", "0:a?", "-vf", classical_filter(w, h, sharpen),
                        *h264_args("veryfast", crf=16), "-c:a", "copy", "-movflags", "+faststart", str(out)],
                       ctx.task, info.duration, "Upscaling (classical)")
            return out, (w, h)
        total = max(1, round(info.duration * (info.fps or 30)))
        with VideoWriter(out, (w, h), info.fps or 30, crf=16, audio=path if info.has_audio else None,
                         audio_codec="copy") as writer:
            for i, frame in enumerate(read_frames(path)):
                ctx.progress(i, total, f"Upscaling frame {i + 1}/{total}")
                big = upscaler.run(UpscaleRequest(frame, scale, tile=int(params.get("tile") or 256)))
                if big.shape[1] != w or big.shape[0] != h:
                    import cv2

                    big = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)
                writer.write(big)
        return out, (w, h)
    except BaseException:
        out.unlink(missing_ok=True)  # a cancel or failure leaves nothing behind
        raise
