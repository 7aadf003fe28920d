"""One scene's visual: the post job and a re-roll make each scene here, from the same steps the
CLI runs alone (generate, motion.animate, lipsync), and lay the scenes on one timeline.

A talking scene is lip-synced to its own part of the narration (`narration_part`), so the mouth
moves only where the persona is on camera; the narration itself stays one clip under every cut.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import numpy as np

from studio.actions.registry import handler_for
from studio.core.assets import Provenance
from studio.core.errors import BadInput
from studio.core.media import IMAGE_SUFFIXES, VIDEO_SUFFIXES, ffmpeg_exe
from studio.core.project import Project
from studio.core.storyboard import Scene, SceneMade, Storyboard
from studio.core.timeline import AddClip, Clip, Timeline, Transform

from .context import JobContext

#: a breath after the last word before the post ends
TAIL_S = 0.6


def clip_id_for(scene: Scene) -> str:
    """The timeline clip that shows `scene` (one per scene; a re-roll replaces only this one)."""
    return f"clip-{scene.id.removeprefix('scene-')}"


def import_source(project: Project, ref: str) -> tuple[str, str]:
    """(asset id, "image" | "video") of a scene's source: an asset id, or a file imported now."""
    path, asset = project.resolve_input(ref)
    suffix = path.suffix.lower()
    if asset is None:
        if suffix in IMAGE_SUFFIXES:
            asset = project.import_file(path, "image", label=path.stem)
        elif suffix in VIDEO_SUFFIXES:
            asset = project.import_file(path, "clip", label=path.stem)
        else:
            raise BadInput(f"'{path.name}' is neither a photo ({', '.join(sorted(IMAGE_SUFFIXES))}) nor a video "
                           f"({', '.join(sorted(VIDEO_SUFFIXES))}), so it cannot be a scene's picture.")
    if asset.kind in ("still", "image", "reference"):
        return asset.id, "image"
    if asset.kind in ("clip", "export"):
        return asset.id, "video"
    raise BadInput(f"{asset.id} is a {asset.kind}; a scene shows a photo, a still or a video.")


def narration_part(ctx: JobContext, narration_id: str, start: float, end: float, label: str) -> str:
    """An audio asset holding the narration from `start` to `end` (silence past its end), with
    its word and phoneme timings shifted to match, for lip-syncing one scene."""
    from pipelines.tts.audio_io import read_wav, write_wav

    project = ctx.project
    narration = project.asset(narration_id)
    audio, rate = read_wav(project.asset_path(narration))
    a, b = round(start * rate), round(end * rate)
    part = np.zeros(max(b - a, 1), np.float32)
    seg = audio[max(a, 0):min(b, len(audio))]
    part[max(-a, 0):max(-a, 0) + len(seg)] = seg
    wav = project.stage(".wav")
    write_wav(wav, part, rate)
    extras = {}
    for suffix, key in ((".words.json", "word"), (".phonemes.json", "phoneme")):
        side = project.sidecar(narration, suffix)
        if not side.is_file():
            continue
        items = [{**w, "start": round(float(w["start"]) - start, 4), "end": round(float(w["end"]) - start, 4)}
                 for w in json.loads(side.read_text("utf-8"))
                 if float(w["end"]) > start and float(w["start"]) < end and key in w]
        f = project.stage(".json")
        f.write_text(json.dumps(items, ensure_ascii=False), "utf-8")
        extras[suffix] = f
    prov = Provenance(pipeline="narration.part", engine="narration cut for a scene",
                      parameters={"narration": narration_id, "start": round(start, 3), "end": round(end, 3)},
                      scores={"duration_s": round(len(part) / rate, 3)})
    return project.register(wav, "audio", prov, parents=[narration_id], label=label, extra_files=extras).id


def middle_frame(project: Project, asset_id: str) -> np.ndarray | None:
    """The middle frame of a clip (or a still itself) as RGB, for the identity check."""
    from pipelines.faces import load_image
    from studio.core.media import probe

    asset = project.asset(asset_id)
    path = project.asset_path(asset)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return load_image(path, max_side=1024)
    info = probe(path)
    if not info.width or not info.height:
        return None
    w = min(info.width, 720) // 2 * 2
    h = round(info.height * w / info.width) // 2 * 2
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{max(info.duration / 2, 0):.3f}", "-i", str(path),
                          "-frames:v", "1", "-vf", f"scale={w}:{h}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(h, w, 3) if len(raw) == w * h * 3 else None


def identity_of(ctx: JobContext, asset_id: str) -> tuple[float | None, str]:
    """(score, verdict) of the persona's identity on an asset: its recorded score when its
    pipeline stored one, else measured on its middle frame."""
    from pipelines.faces import PersonaIdentity, open_analyzer, score_for_provenance

    project = ctx.project
    scores = project.asset(asset_id).provenance.scores
    if scores.get("identity_verdict"):
        return scores.get("identity"), str(scores["identity_verdict"])
    persona_id = PersonaIdentity(project.persona, open_analyzer(ctx.store, prefer="dlib"))
    if not persona_id.available:
        return None, "no identity"
    frame = middle_frame(project, asset_id)
    if frame is None:
        return None, "no picture"
    got = score_for_provenance(persona_id, frame)
    return got.get("identity"), str(got.get("identity_verdict"))


def scene_still(ctx: JobContext, board: Storyboard, scene: Scene, params: dict[str, Any]) -> tuple[str, list[str]]:
    """(still id, candidates best first) for a persona scene: its source, stills generated from
    its prompt (N candidates, ranked by identity), or the post's still."""
    v = scene.visual
    if v.prompt:
        n = int(params.get("candidates") or 4)
        res = handler_for("generate")(ctx, {"prompt": v.prompt, "n": n, "keep": n, "format": "9:16", "seed": v.seed})
        return res["assets"][0], list(res["assets"])
    if v.source:
        aid, kind = import_source(ctx.project, v.source)
        if kind != "image":
            raise BadInput(f"A {v.kind} scene animates a still or photo; '{v.source}' is a video. Make it a "
                           "broll scene to show the video itself.")
        return aid, [aid]
    if board.still is None:
        raise BadInput("This scene has no picture: give the post a still (--still) or the scene a source.")
    return board.still, [board.still]


def make_scene(ctx: JobContext, board: Storyboard, index: int, span: tuple[float, float], params: dict[str, Any],
               still: str | None = None, candidates: list[str] | None = None) -> SceneMade:
    """Make scene `index`'s visual for the timeline span (start, end); `still` overrides the
    scene's own (a re-roll's pick)."""
    from .post import talking_clip

    scene = board.scenes[index]
    v = scene.visual
    start, end = span
    seconds = round(end - start, 3)
    project = ctx.project
    size = params.get("size") or [1080, 1920]
    motion_params = {"fps": 30, "size": f"{size[0]}x{size[1]}", "seed": v.seed, "seconds": seconds,
                     "label": f"scene {index + 1}"}
    if v.kind == "broll":
        if not v.source and not still:
            raise BadInput(f"Scene {index + 1} is B-roll but names no photo or video (source: FILE).")
        aid, kind = import_source(project, still or v.source)  # type: ignore[arg-type]
        clip, engine = aid, "B-roll video" if kind == "video" else "B-roll photo"
        if kind == "image" and v.move != "none":
            clip = handler_for("motion.animate")(ctx, {**motion_params, "still": aid, "engine": "camera",
                                                       "move": v.move})["assets"][0]
            engine = "B-roll photo, camera move"
        score, verdict = identity_of(ctx, clip)
        return SceneMade(clip=clip, still=aid if kind == "image" else None, start=start, end=end,
                         identity=score, identity_verdict=verdict, candidates=candidates or [aid], engine=engine)
    cands = candidates
    if still is None:
        still, cands = scene_still(ctx.sub(0.0, 0.4) if v.prompt else ctx, board, scene, params)
    rest = ctx.sub(0.4, 1.0) if v.prompt else ctx
    audio = None
    if v.kind == "talking":
        whole = board.narration_seconds is not None and start <= 1e-3 and end >= board.narration_seconds
        audio = board.narration if whole else narration_part(
            rest.sub(0.0, 0.05), board.narration, start, end, f"narration, scene {index + 1}")  # type: ignore[arg-type]
        res = talking_clip(rest.sub(0.05, 1.0), still, audio, seconds, v.move, size, v.seed, v.engine)  # type: ignore[arg-type]
        clip, engine = res["talking_clip"], f"{res['motion_engine']} + {res['lipsync_engine']}"
    else:
        engine_req = "camera" if v.kind == "still" else v.engine
        move = {"move": v.move if v.move != "none" else "push-in"}
        res = handler_for("motion.animate")(rest, {**motion_params, "still": still, "engine": engine_req, **move,
                                                   "motion": 1 if v.move == "none" else None})
        clip, engine = res["assets"][0], res.get("engine")
    score, verdict = identity_of(ctx, clip)
    scores = {c: identity_of(ctx, c)[0] for c in (cands or [])} if cands and len(cands) > 1 else {}
    return SceneMade(clip=clip, still=still, audio=audio, start=start, end=end, identity=score,
                     identity_verdict=verdict, candidates=cands or [still], candidate_scores=scores, engine=engine)


def scene_clip(project: Project, scene: Scene) -> Clip:
    """The timeline clip of a made scene: its visual from its start for its length, entering
    by the scene's transition, with the scene's look (and B-roll sound when it is on)."""
    made = scene.made
    if made is None or made.clip is None:
        raise BadInput(f"Scene {scene.id} has not been made yet; resume the post job.")
    length = round(made.end - made.start, 3)
    v = scene.visual
    video = project.asset_path(made.clip).suffix.lower() in VIDEO_SUFFIXES
    broll_video = v.kind == "broll" and made.still is None
    inp = v.in_point if broll_video else 0.0
    return Clip(id=clip_id_for(scene), asset_id=made.clip, start=made.start, in_point=inp,
                out_point=round(inp + length, 3) if video else length, volume=v.volume if broll_video else 0.0,
                sound=broll_video and v.sound, transition=scene.transition, look=scene.look,
                transform=Transform(reframe="face"))


def build_timeline(project: Project, board: Storyboard, title: str, seconds: float,
                   music_id: str | None, timeline_id: str | None = None) -> Timeline:
    """The post's timeline: one video clip per scene, the narration across them, music, the hook."""
    tl = Timeline.empty(name=title, fps=30.0)
    if timeline_id:
        tl = tl.model_copy(update={"id": timeline_id})
    tl = tl.model_copy(update={"look": board.look})
    for scene in board.scenes:
        tl = AddClip(track="video", clip=scene_clip(project, scene)).apply(tl)
    assert board.narration is not None and board.narration_seconds is not None
    tl = AddClip(track="narration", clip=Clip(id="clip-narration", asset_id=board.narration, start=0.0,
                                              out_point=board.narration_seconds)).apply(tl)
    if music_id:
        tl = AddClip(track="music", clip=Clip(id="clip-music", asset_id=music_id, start=0.0, out_point=seconds,
                                              volume=0.6)).apply(tl)
    if board.hook:
        tl = AddClip(track="overlay", clip=Clip(id="clip-hook", start=0.0,
                                                out_point=min(board.hook_seconds, seconds), text=board.hook)).apply(tl)
    return tl
