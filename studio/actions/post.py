"""`post`: the main job in one command — a storyboard of scenes under one narration, captions, exports.

Each step is the same action the CLI and window run on their own; this recipe chains them in
one job. The post is recorded (state "making") before any work, and every finished step — the
still, the narration, each scene's visual, the timeline, the captions — is written to it as it
completes. A resumed job (`studio jobs resume`) finds its post by the job's id and goes on from
the first unfinished step, reusing the assets it registered; a job stopped during its export
leaves the post "making", never a post that looks finished without exports.
"""

from __future__ import annotations

from typing import Any

from studio.actions.registry import Resources, action, handler_for
from studio.core.errors import BadInput
from studio.core.project import Project
from studio.core.schema import Post
from studio.core.storyboard import Storyboard, build_storyboard, place_cuts, scene_spans
from studio.core.text import short_title

from .context import JobContext
from .scenes import TAIL_S, build_timeline, make_scene

#: Share of the post job's progress bar each step takes (rough CPU-time shares).
_SPANS = {"still": (0.0, 0.2), "narrate": (0.2, 0.3), "scenes": (0.3, 0.75), "captions": (0.75, 0.76),
          "export": (0.76, 1.0)}


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


def talking_clip(ctx: JobContext, still_id: str, audio_id: str, seconds: float, move: str,
                 size: list[int], seed: int | None = None, engine: str = "auto") -> dict[str, Any]:
    """The persona talking on `still_id`, lip-synced to `audio_id`, for `seconds`.

    With the camera engine the camera move, the face and the mouth are one frame loop in the
    lipsync job (no intermediate clip); SVD/Wan make the motion first, then lip-sync it.
    Returns {"talking_clip", "clip", "motion_engine", "lipsync_engine", "sync_correlation"}."""
    from .motion_engine import pick_engine

    motion_params = {"still": still_id, "engine": engine, "seconds": seconds, "fps": 30,
                     "size": f"{size[0]}x{size[1]}", "move": move if move != "none" else "push-in", "seed": seed}
    if pick_engine(ctx, motion_params).engine == "camera":
        talking = handler_for("lipsync")(ctx, {
            "visual": still_id, "narration": audio_id, "fps": 30, "move": motion_params["move"],
            "size": motion_params["size"], "seconds": seconds, "seed": seed, "engine": "landmarks"})
        motion = {"engine": "camera motion (OpenCV), in the talking-photo pass"}
        clip_id = talking["assets"][0]
    else:
        motion = handler_for("motion.animate")(ctx.sub(0.0, 0.6), motion_params)
        clip_id = motion["assets"][0]
        talking = handler_for("lipsync")(ctx.sub(0.6, 1.0), {"visual": clip_id, "narration": audio_id, "fps": 30})
    return {"talking_clip": talking["assets"][0], "clip": clip_id, "motion_engine": motion.get("engine"),
            "lipsync_engine": talking.get("engine"), "sync_correlation": talking.get("sync_correlation")}


def storyboard_from_params(params: dict[str, Any]) -> Storyboard:
    """The post's storyboard: `storyboard` (a scene-file dict, sources already resolved) or
    `script` split into scenes (`split`: auto, rule, paragraph, none); `move`/`engine` are the
    defaults of scenes that set none."""
    defaults = {"move": params.get("move"), "engine": params.get("engine")}
    if params.get("storyboard"):
        doc = dict(params["storyboard"])
        sources = params.get("sources") or []
        scenes = []
        for i, s in enumerate(doc.get("scenes") or []):
            s = dict(s)
            if i < len(sources) and sources[i]:  # the bundle may have moved the file: use its path
                s["visual"] = {**(s.get("visual") or {}), "source": sources[i]}
            scenes.append(s)
        return build_storyboard({**doc, "scenes": scenes}, defaults=defaults)
    script = str(params.get("script") or "").strip()
    if not script:
        raise BadInput("A post needs a script: pass --script FILE (UTF-8 text) with what the persona says.")
    return build_storyboard(script=script, split=str(params.get("split") or "auto"), defaults=defaults)


def _find_or_start(project: Project, ctx: JobContext, board: Storyboard, params: dict[str, Any],
                   presets: list[str]) -> Post:
    """The post this job is making: the one it started before it was stopped (resume), or a new one."""
    if ctx.job_id:
        for p in project.data.posts:
            if p.job_id == ctx.job_id and p.state == "making" and p.storyboard is not None:
                return p
    title = params.get("title") or (params.get("storyboard") or {}).get("title") or short_title(board.script)
    record = Post(title=title, script=board.script, presets=presets, state="making", job_id=ctx.job_id,
                  storyboard=board)
    project.put_post(record)
    return record


@action("post", label="Post", inputs=("still", "music", "sources"), resources=Resources("post", gpus=1),
        isolate=True)
def post(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """params: script (+ split) or storyboard (+ sources), presets, still?, prompt?, music?,
    engine?, move?, look?, hook?, size? [w,h] for motion, export_size? [w,h] (previews/tests),
    label?, out_dir?, title?, seed?, candidates?, encoder?, encode_speed?"""
    from studio.render.presets import encode_speed

    project = ctx.project
    project.persona.require_consent("make posts of them")
    encode_speed(params.get("encode_speed"))  # refused now, not after the talking clip is made
    board = storyboard_from_params(params)
    for key in ("look", "hook"):
        if params.get(key):
            board = board.model_copy(update={key: params[key]})
    presets = list(params.get("presets") or project.persona.default_formats)
    from studio.render.looks import parse_look
    from studio.render.presets import get_preset

    for p in presets:  # bad preset names and looks fail before any work starts
        get_preset(p)
    for look in [board.look] + [s.look for s in board.scenes]:
        parse_look(look)
    if any(s.visual.engine == "svd" for s in board.scenes):  # commercial-safe: refused before narrating
        ctx.store.check("svd-xt", "Motion with Stable Video Diffusion")

    needs_still = any(s.visual.kind != "broll" and not s.visual.source and not s.visual.prompt for s in board.scenes)
    if needs_still and not params.get("still") and not params.get("prompt") and pick_still(project) is None:
        _still(ctx, params)  # BadInput saying how to add a picture, before anything is recorded
    record = _find_or_start(project, ctx, board, params, presets)
    board = record.storyboard
    assert board is not None

    def save(**changes: Any) -> None:
        nonlocal record
        record = record.model_copy(update={"storyboard": board, **changes})
        project.put_post(record)

    sub = {k: ctx.sub(*v) for k, v in _SPANS.items()}
    how = "recorded"
    if needs_still and board.still is None:
        still_id, how = _still(sub["still"], params)
        board = board.model_copy(update={"still": still_id})
        save()
    if board.narration is None:
        narration = handler_for("narrate")(sub["narrate"], {"text": board.script})
        board = board.model_copy(update={"narration": narration["assets"][0],
                                         "narration_seconds": float(narration["duration"])})
        save()
    from .voice import word_timings

    words = word_timings(project, board.narration)  # type: ignore[arg-type]
    seconds = round(float(board.narration_seconds or 0) + TAIL_S, 3)
    spans = scene_spans(board, place_cuts([s.text for s in board.scenes], words, seconds))
    n = len(board.scenes)
    for i, span in enumerate(spans):
        if board.scenes[i].made is not None and board.scenes[i].made.clip:
            continue  # finished before the job was stopped
        made = make_scene(sub["scenes"].sub(i / n, (i + 1) / n), board, i, span, params)
        board = board.with_scene(i, board.scenes[i].model_copy(update={"made": made}))
        save()

    if record.timeline_id is None:
        music_id = None
        if params.get("music"):
            path, asset = project.resolve_input(str(params["music"]))
            music_id = asset.id if asset else project.import_file(path, "music").id
        tl = build_timeline(project, board, record.title, seconds, music_id)
        project.put_timeline(tl)
        save(timeline_id=tl.id)
    tl = project.timeline(record.timeline_id)
    if not tl.track("captions").clips:  # captions are rebuilt whole, so redoing them is harmless
        handler_for("captions")(sub["captions"], {"timeline": tl.id, "narration": board.narration})
    music_id = next((c.asset_id for c in tl.track("music").clips), None)
    exported = handler_for("export")(
        sub["export"],
        {"target": record.id, "presets": presets, "label": params.get("label", True),
         "out_dir": params.get("out_dir"), "size": params.get("export_size"),
         "encoder": params.get("encoder", "auto"),
         "encode_speed": params.get("encode_speed")},
    )
    record = project.post(record.id)  # the export recorded its files on the post
    save(exports=exported["presets"], state="ready")
    first = next((s.made for s in board.scenes if s.visual.kind == "talking" and s.made), None)
    talking = project.asset(first.clip) if first and first.clip else None
    return {
        "assets": exported["assets"],
        "post": record.id,
        "timeline": record.timeline_id,
        "still": board.still,
        "still_source": how,
        "narration": board.narration,
        "scenes": [{"kind": s.visual.kind, "clip": s.made.clip if s.made else None,
                    "start": s.made.start if s.made else None, "end": s.made.end if s.made else None,
                    "identity": s.made.identity if s.made else None,
                    "identity_verdict": s.made.identity_verdict if s.made else None} for s in board.scenes],
        "clip": talking.parents[0] if talking and talking.parents else None,
        "motion_engine": (first.engine or "").split(" + ")[0] if first else None,
        "talking_clip": talking.id if talking else None,
        "lipsync_engine": talking.provenance.engine if talking else None,
        "sync_correlation": talking.provenance.scores.get("sync_correlation") if talking else None,
        "music": music_id,
        "exports": {p: exported["files"][aid] for p, aid in exported["presets"].items()},
        "commercial_use": exported.get("commercial_use"),
        **({"likeness": exported["likeness"]} if "likeness" in exported else {}),
    }
