"""`post`: the main job in one command — still, motion, narration, lip-sync, captions, export.

Each step is the same action the CLI and window run on their own; this recipe only chains them
in one job, so a cancel anywhere stops the whole post and every finished step stays a reusable
asset (a re-run with `--still` skips the work already done).
"""

from __future__ import annotations

from typing import Any

from studio.actions.registry import Resources, action, handler_for
from studio.core.errors import BadInput
from studio.core.project import Project
from studio.core.schema import Post
from studio.core.text import short_title
from studio.core.timeline import AddClip, Clip, Timeline

from .context import JobContext

#: Share of the post job's progress bar each step takes (rough CPU-time shares).
_SPANS = {"still": (0.0, 0.25), "narrate": (0.25, 0.35), "motion": (0.35, 0.55),
          "lipsync": (0.55, 0.75), "captions": (0.75, 0.76), "export": (0.76, 1.0)}


def pick_still(project: Project) -> str | None:
    """The best existing still: favourites first, then highest identity score, then newest."""
    stills = project.assets_of("still")
    if stills:
        def key(a):  # noqa: ANN001, ANN202
            score = a.provenance.scores.get("identity")
            return (a.favourite, score if isinstance(score, int | float) else -1.0, a.created_at)

        return max(stills, key=key).id
    refs = project.assets_of("reference")
    return refs[0].id if refs else None


def _still(ctx: JobContext, params: dict[str, Any]) -> tuple[str, str]:
    """(asset id, how it was chosen)."""
    project = ctx.project
    if params.get("still"):
        path, asset = project.resolve_input(str(params["still"]))
        return (asset.id if asset else project.import_file(path, "image").id), "given"
    if params.get("prompt"):
        res = handler_for("generate")(ctx, {"prompt": params["prompt"], "n": int(params.get("candidates", 4)),
                                            "keep": 1, "format": "9:16", "seed": params.get("seed")})
        return res["assets"][0], "generated"
    chosen = pick_still(project)
    if chosen is None:
        raise BadInput(
            "This persona has no still and no reference photo to animate. Add a photo with "
            "`studio faces add PROJECT PHOTO`, generate one with `studio generate`, or pass --still FILE."
        )
    return chosen, "best existing still"


@action("post", label="Post", inputs=("still", "music"), resources=Resources("post", gpus=1), isolate=True)
def post(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """params: script, presets, still?, prompt?, music?, engine?, move?, size? [w,h] for motion,
    export_size? [w,h] (previews/tests), label?, out_dir?, title?, seed?"""
    project = ctx.project
    project.persona.require_consent("make posts of them")
    script = str(params.get("script") or "").strip()
    if not script:
        raise BadInput("A post needs a script: pass --script FILE (UTF-8 text) with what the persona says.")
    presets = list(params.get("presets") or project.persona.default_formats)
    from studio.render.presets import get_preset

    for p in presets:  # bad preset names fail before any work starts
        get_preset(p)

    sub = {k: ctx.sub(*v) for k, v in _SPANS.items()}
    still_id, how = _still(sub["still"], params)
    narration = handler_for("narrate")(sub["narrate"], {"text": script})
    narration_id = narration["assets"][0]
    seconds = float(narration["duration"]) + 0.6  # a breath after the last word
    size = params.get("size") or [1080, 1920]
    motion_params = {"still": still_id, "engine": params.get("engine", "auto"), "seconds": seconds, "fps": 30,
                     "size": f"{size[0]}x{size[1]}", "move": params.get("move", "push-in"), "seed": params.get("seed")}
    from .motion_engine import pick_engine

    if pick_engine(ctx, motion_params).engine == "camera":
        # the camera move, the face and the mouth in one frame loop (no intermediate clip)
        talking = handler_for("lipsync")(ctx.sub(_SPANS["motion"][0], _SPANS["lipsync"][1]), {
            "visual": still_id, "narration": narration_id, "fps": 30, "move": motion_params["move"],
            "size": motion_params["size"], "seconds": seconds, "seed": params.get("seed"), "engine": "landmarks"})
        motion = {"engine": "camera motion (OpenCV), in the talking-photo pass"}
        clip_id = talking["assets"][0]
    else:
        motion = handler_for("motion.animate")(sub["motion"], motion_params)
        clip_id = motion["assets"][0]
        talking = handler_for("lipsync")(sub["lipsync"], {"visual": clip_id, "narration": narration_id, "fps": 30})
    talking_id = talking["assets"][0]

    tl = Timeline.empty(name=params.get("title") or "Post", fps=30.0)
    tl = AddClip(track="video", clip=Clip(asset_id=talking_id, start=0.0, out_point=seconds, volume=0.0)).apply(tl)
    tl = AddClip(track="narration", clip=Clip(asset_id=narration_id, start=0.0,
                                               out_point=float(narration["duration"]))).apply(tl)
    music_id = None
    if params.get("music"):
        path, asset = project.resolve_input(str(params["music"]))
        music_id = asset.id if asset else project.import_file(path, "music").id
        tl = AddClip(track="music", clip=Clip(asset_id=music_id, start=0.0, out_point=seconds, volume=0.6)).apply(tl)
    project.put_timeline(tl)
    handler_for("captions")(sub["captions"], {"timeline": tl.id, "narration": narration_id})

    record = Post(title=params.get("title") or short_title(script), timeline_id=tl.id, script=script, presets=presets)
    project.put_post(record)
    exported = handler_for("export")(
        sub["export"],
        {"target": record.id, "presets": presets, "label": params.get("label", True),
         "out_dir": params.get("out_dir"), "size": params.get("export_size")},
    )
    record = record.model_copy(update={"exports": exported["presets"]})
    project.put_post(record)
    return {
        "assets": exported["assets"],
        "post": record.id,
        "timeline": tl.id,
        "still": still_id,
        "still_source": how,
        "narration": narration_id,
        "clip": clip_id,
        "motion_engine": motion.get("engine"),
        "talking_clip": talking_id,
        "lipsync_engine": talking.get("engine"),
        "sync_correlation": talking.get("sync_correlation"),
        "music": music_id,
        "exports": {p: exported["files"][aid] for p, aid in exported["presets"].items()},
        "commercial_use": exported.get("commercial_use"),
    }
