"""The lip-sync job: a still (optionally with a camera move) or a clip + a narration → a talking clip.

Params: visual, narration, engine?, fps?, restore?, seconds? (clip length, ≥ the voice's), and the
talking-photo controls:
expressiveness (0–2, 1 natural), blink_rate (blinks a minute, 0 = none), head_motion (0–2),
seed; with a still, move (push-in | pan | parallax), strength and size "WxH" render the camera
move in the same pass (what the post job uses: no intermediate clip).
"""

from __future__ import annotations

import json
from typing import Any

from studio.core.assets import Provenance
from studio.core.errors import BadInput
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.text import setting_words

from .context import JobContext
from .registry import Resources, action


@action("lipsync", label="Lip-sync", inputs=("visual", "narration"), resources=Resources("lipsync", gpus=1),
        isolate=True)
def lipsync(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Animate the mouth in `params['visual']` to `params['narration']`; registers a clip."""
    project = ctx.project
    project.persona.require_consent("make them say something")
    from pipelines.lipsync.engine import ENGINE_WORDS, LipSyncer, LipSyncRequest
    from pipelines.tts.audio_io import read_wav
    from pipelines.video_io import is_video

    visual_path, visual_asset = project.resolve_input(str(params["visual"]))
    audio_path, audio_asset = project.resolve_input(str(params["narration"]))
    if visual_asset is not None and visual_asset.kind not in ("still", "image", "reference", "clip"):
        raise BadInput(f"{visual_asset.id} is a {visual_asset.kind}; lip-sync needs a still or a clip.")
    if audio_asset is not None and audio_asset.kind not in ("narration", "audio", "music"):
        raise BadInput(f"{audio_asset.id} is a {audio_asset.kind}; lip-sync needs a narration.")
    audio, rate = read_wav(audio_path)
    if params.get("seconds"):  # a longer clip than the voice: the face goes on living in silence
        import numpy as np

        target = int(round(_number(params, "seconds", 0.0, 0.0, 3600.0) * rate))
        audio = np.pad(audio, (0, max(0, target - len(audio))))
    phonemes = None
    if audio_asset is not None:
        side = project.sidecar(audio_asset, ".phonemes.json")
        if side.is_file():
            phonemes = json.loads(side.read_text("utf-8"))
    fps = float(params.get("fps") or 30.0)
    life = life_settings(params)
    camera = camera_params(params, visual_path)
    store = ctx.store
    syncer = LipSyncer(store, params.get("engine") or "auto")
    ctx.progress(0, 1, "loading")
    syncer.load(params.get("device") or ctx.settings.device, restore=bool(params.get("restore")))
    staged = project.stage(".mp4")
    req = LipSyncRequest(visual=visual_path, audio=audio, rate=rate, audio_path=audio_path, phonemes=phonemes,
                         fps=fps, restore=bool(params.get("restore")), life=life, camera=camera)
    if camera is not None and is_video(visual_path):
        raise BadInput("A camera move (--move) needs a still; this visual is already a clip.")
    try:
        result = syncer.run(req, staged, ctx.sub(0.02, 0.97))
    except BaseException:
        staged.unlink(missing_ok=True)  # a cancel or failure leaves nothing behind
        raise
    finally:
        syncer.unload()
    scores = dict(result.scores)
    identity = _identity(project, store, result.sample_frame)
    scores.update(identity)
    models = [store.use(m, "lip-sync") for m in result.models]
    models += [store.use(m, "face tracking") for m in result.face_models]
    prov = Provenance(
        pipeline="lipsync",
        engine=ENGINE_WORDS[result.engine],
        models=models,
        parameters={
            "visual": visual_asset.id if visual_asset else visual_path.name,
            "narration": audio_asset.id if audio_asset else audio_path.name,
            "engine_requested": params.get("engine") or "auto",
            "engine": result.engine,
            "fps": result.fps,
            "frames": result.frames,
            "size": list(result.size),
            "visemes": "phonemes+loudness" if phonemes else "loudness",
            "restore": bool(params.get("restore")),
            "expressiveness": life.expressiveness,
            "blink_rate": life.blink_rate,
            "head_motion": life.head_motion,
            "seed": life.seed,
            **({"camera_move": camera["move"], "camera_strength": camera["strength"],
                "camera_engine": "camera motion (OpenCV)"} if camera else {}),
            "notes": result.notes,
        },
        scores=scores,
    )
    parents = [a.id for a in (visual_asset, audio_asset) if a is not None]
    extra = {}
    if result.face_track:  # where the face is on every frame: the export reframes without decoding
        from studio.render.face_track import FACES_SUFFIX, FaceTrack, write_track

        rows = result.face_track
        extra[FACES_SUFFIX] = write_track(project.stage(FACES_SUFFIX), FaceTrack(
            *result.size, tuple((t, x, y) for t, x, y, _ in rows), tuple(s for *_, s in rows),
            f"{ENGINE_WORDS[result.engine]} (dlib face box carried through the head pose and camera)"))
    asset = project.register(staged, "clip", prov, parents=parents, label="talking clip", extra_files=extra)
    ctx.progress(1, 1, "done")
    return {"assets": [asset.id], "engine": ENGINE_WORDS[result.engine], "frames": result.frames,
            "fps": result.fps, "sync_correlation": scores["sync_correlation"],
            "sync_offset_ms": scores["sync_offset_ms"], "path": str(project.asset_path(asset)), "notes": result.notes,
            "blinks_per_min": scores.get("blinks_per_min"), "head_roll_range_deg": scores.get("head_roll_range_deg"),
            "size": list(result.size)}


def _number(params: dict[str, Any], key: str, default: float, lo: float, hi: float) -> float:
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise BadInput(f"{setting_words(key)} must be a number, not '{raw}'.") from None
    if not lo <= value <= hi:
        raise BadInput(f"{setting_words(key)} must be between {lo:g} and {hi:g} (got {value:g}).")
    return value


def life_settings(params: dict[str, Any]):  # noqa: ANN201 - LifeSettings (pipelines import kept lazy)
    """The talking-photo controls from job params (natural defaults, BadInput when out of range)."""
    from pipelines.lipsync.life import LifeSettings

    seed = params.get("seed")
    return LifeSettings(expressiveness=_number(params, "expressiveness", 1.0, 0.0, 2.0),
                        blink_rate=_number(params, "blink_rate", 15.0, 0.0, 40.0),
                        head_motion=_number(params, "head_motion", 1.0, 0.0, 2.0),
                        seed=int(seed) if seed not in (None, "") else 0)


def camera_params(params: dict[str, Any], visual) -> dict | None:  # noqa: ANN001 - Path
    """{"move", "strength", "size"} when the job asks for a camera move, else None."""
    move = params.get("move")
    if not move or move == "none":
        return None
    from pipelines.motion.camera import MOVES

    if move not in MOVES:
        raise BadInput(f"Unknown camera move '{move}'; choose one of {', '.join(MOVES)} or none.")
    size = params.get("size") or "1080x1920"
    try:
        w, h = (int(v) for v in str(size).lower().split("x"))
    except ValueError:
        raise BadInput(f"--size must look like 1080x1920, not '{size}'.") from None
    if w % 2 or h % 2 or w < 16 or h < 16:
        raise BadInput(f"--size {w}x{h}: width and height must be even and at least 16.")
    return {"move": move, "strength": _number(params, "strength", 1.0, 0.0, 3.0), "size": (w, h)}


def _identity(project: Project, store: ModelStore, frame) -> dict:  # noqa: ANN001 - numpy image
    """The persona identity score of the middle frame, when the persona has a dlib identity."""
    from pipelines.faces import PersonaIdentity, open_analyzer, score_for_provenance

    if project.persona.identity_for("dlib") is None:
        return {}
    return score_for_provenance(PersonaIdentity(project.persona, open_analyzer(store, prefer="dlib")), frame)
