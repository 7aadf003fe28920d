"""`scene.reroll` and `scene.pick`: remake one scene of a post without redoing the others.

A re-roll makes N candidate pictures for the scene — stills generated from its prompt (a new
seed or a new prompt), a photo or video given for it, or else the persona's other stills —
ranks them by the persona's identity, makes the scene's visual from the best (or the one asked
for), replaces that scene's clip on the timeline (every other clip stays exactly as it was) and
re-exports the post from the assets already made. `scene.pick` does the same with a candidate
the user chose in the window.
"""

from __future__ import annotations

from typing import Any

from studio.actions.registry import Resources, action, handler_for
from studio.core.errors import BadInput
from studio.core.project import Project
from studio.core.schema import Post
from studio.core.storyboard import Storyboard
from studio.core.timeline import ReplaceClip

from .context import JobContext
from .scenes import clip_id_for, identity_of, import_source, make_scene, scene_clip


def _post_board(project: Project, ref: str) -> tuple[Post, Storyboard]:
    post = project.post(ref)
    if post.storyboard is None or post.timeline_id is None:
        raise BadInput(f"Post '{post.title}' has no storyboard (it was made before scenes, or is not finished): "
                       "make it again with `studio post`, or resume its job.")
    return post, post.storyboard


def _candidates(ctx: JobContext, board: Storyboard, index: int, params: dict[str, Any]) -> list[str]:
    """Candidate pictures for scene `index`, best identity first."""
    scene = board.scenes[index]
    v = scene.visual
    project = ctx.project
    n = max(1, min(int(params.get("candidates") or 3), 16))
    if params.get("source"):
        return [import_source(project, str(params["source"]))[0]]
    prompt = params.get("prompt") or v.prompt
    if prompt and v.kind != "broll":
        seed = params.get("seed")
        res = handler_for("generate")(ctx, {"prompt": prompt, "n": n, "keep": n, "format": "9:16", "seed": seed})
        return list(res["assets"])
    if v.kind == "broll":
        raise BadInput(f"Scene {index + 1} is B-roll: give the new photo or video (--source FILE).")
    current = scene.made.still if scene.made else None
    others = [a.id for a in project.assets_of("still", "reference") if a.id != current]
    if not others:
        raise BadInput(f"Scene {index + 1} has no prompt and the persona has no other still: give --prompt "
                       "to generate new ones, or --source FILE.")
    scored = [(identity_of(ctx, a)[0], a) for a in others]
    scored.sort(key=lambda sa: -(sa[0] if sa[0] is not None else -1.0))
    return [a for _, a in scored[:n]]


def _remake(ctx: JobContext, post: Post, board: Storyboard, index: int, still: str, candidates: list[str],
            params: dict[str, Any]) -> dict[str, Any]:
    """Make scene `index` from `still`, swap its clip on the timeline, re-export the post."""
    project = ctx.project
    scene = board.scenes[index]
    made = scene.made
    if made is None:
        raise BadInput(f"Scene {index + 1} was never made; resume the post's job first.")
    span = (made.start, made.end)
    size = params.get("size") or _motion_size(project, made.clip)
    new = make_scene(ctx.sub(0.0, 0.7), board, index, span, {**params, "size": size}, still=still,
                     candidates=candidates)
    if len(candidates) > 1 and not new.candidate_scores:
        new = new.model_copy(update={"candidate_scores": {c: identity_of(ctx, c)[0] for c in candidates}})
    board = board.with_scene(index, scene.model_copy(update={"made": new}))
    tl = project.timeline(post.timeline_id)
    _, before = tl.find_clip(clip_id_for(scene))
    after = scene_clip(project, board.scenes[index])
    tl = ReplaceClip(before=before, after=after, label=f"Re-roll scene {index + 1}").apply(tl)
    project.put_timeline(tl)
    post = post.model_copy(update={"storyboard": board, "state": "making"})
    project.put_post(post)
    exported: dict[str, Any] = {"presets": {}, "assets": [], "files": {}}
    if params.get("export", True) and post.presets:
        exported = handler_for("export")(ctx.sub(0.7, 1.0), {
            "target": post.id, "presets": list(post.presets), "label": params.get("label", True),
            "size": params.get("export_size"), "encoder": params.get("encoder", "auto"),
         "encode_speed": params.get("encode_speed")})
    post = project.post(post.id).model_copy(update={"storyboard": board, "state": "ready"})
    project.put_post(post)
    # the new clip is made by this job too: its commercial-use verdict is shown even without an export
    made = [a for a in (new.clip,) if a and a not in exported["assets"]]
    return {"assets": [*made, *exported["assets"]], "post": post.id, "scene": index + 1, "clip": new.clip,
            "still": new.still,
            "candidates": [{"asset": c, "identity": new.candidate_scores.get(c)} for c in candidates],
            "identity": new.identity, "identity_verdict": new.identity_verdict,
            "exports": {p: exported["files"][a] for p, a in exported["presets"].items()}}


def _motion_size(project: Project, clip_id: str | None) -> list[int]:
    """The size the scene's clip was made at, so a re-roll matches its neighbours."""
    if clip_id:
        from studio.core.media import probe

        info = probe(project.asset_path(clip_id))
        if info.width and info.height:
            return [info.width, info.height]
    return [1080, 1920]


@action("scene.reroll", label="Re-roll scene", inputs=("source",), resources=Resources("post", gpus=1),
        isolate=True)
def reroll(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """params: post, scene (number or id), candidates (N), prompt?, seed?, source?, pick? (1-based
    candidate; default the best identity), export (default on), export_size?"""
    project = ctx.project
    project.persona.require_consent("make posts of them")
    post, board = _post_board(project, str(params["post"]))
    index, _ = board.scene(params["scene"])
    cands = _candidates(ctx.sub(0.0, 0.4), board, index, params)
    pick = int(params.get("pick") or 1)
    if not 1 <= pick <= len(cands):
        raise BadInput(f"--pick {pick}: there are {len(cands)} candidates.")
    return _remake(ctx.sub(0.4, 1.0), post, board, index, cands[pick - 1], cands, params)


@action("scene.pick", label="Pick scene candidate", resources=Resources("post", gpus=1), isolate=True)
def pick(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """params: post, scene, candidate (asset id or 1-based number among the scene's candidates)."""
    project = ctx.project
    project.persona.require_consent("make posts of them")
    post, board = _post_board(project, str(params["post"]))
    index, scene = board.scene(params["scene"])
    cands = list(scene.made.candidates) if scene.made else []
    ref = str(params["candidate"])
    if ref.isdigit():
        k = int(ref)
        if not 1 <= k <= len(cands):
            raise BadInput(f"Scene {index + 1} has {len(cands)} candidates; choose 1 to {len(cands)}.")
        ref = cands[k - 1]
    elif ref not in cands:
        raise BadInput(f"{ref} is not a candidate of scene {index + 1} ({', '.join(cands) or 'none'}).")
    return _remake(ctx, post, board, index, ref, cands, params)
