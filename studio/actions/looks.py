"""Looks on posts: import a .cube LUT, set a look on a post or one scene, preview it on a frame.

Shared by `studio look` and the window's Post page. A look is a spec string
(studio/render/looks.py); the post's timeline carries it (the whole picture, or one scene's
clip), so every export after the change has it.
"""

from __future__ import annotations

from pathlib import Path

from studio.core.assets import Asset
from studio.core.errors import BadInput
from studio.core.project import Project
from studio.core.schema import Post
from studio.core.timeline import ReplaceClip

from .scenes import clip_id_for


def import_lut(project: Project, file: str | Path, label: str = "") -> Asset:
    """Check and import a .cube 3D LUT as a `lut` asset; use it as the look `lut:ID`."""
    from studio.render.looks import check_cube

    p = Path(file).expanduser()
    if p.suffix.lower() != ".cube":
        raise BadInput(f"'{p.name}' is not a .cube file; looks take 3D LUTs in the .cube format.")
    size = check_cube(p)
    asset = project.import_file(p, "lut", label=label or p.stem)
    project.update_asset(asset.id, provenance=asset.provenance.model_copy(
        update={"parameters": {**asset.provenance.parameters, "lut_size": size}}))
    return project.asset(asset.id)


def resolve_look(project: Project, spec: str | None) -> str | None:
    """The spec with LUT files imported (`lut:FILE.cube` -> `lut:ASSET_ID`), checked."""
    from studio.render.looks import parse_look

    if not spec or spec.strip() in ("", "none"):
        return None
    parts = []
    for raw in spec.split("+"):
        token = raw.strip()
        if token.lower().startswith("lut:"):
            ref = token[4:].strip()
            if not any(a.id == ref for a in project.data.assets):
                ref = import_lut(project, ref).id
            token = f"lut:{ref}"
        parts.append(token)
    spec = "+".join(parts)
    parse_look(spec)
    return spec


def set_look(project: Project, post_ref: str, spec: str | None, scene: str | int | None = None) -> Post:
    """Give a post (or one of its scenes) a look; returns the post. `spec` None/"none" clears it."""
    spec = resolve_look(project, spec)
    post = project.post(post_ref)
    if post.timeline_id is None:
        raise BadInput(f"Post '{post.title}' has no timeline yet; finish it (resume its job) first.")
    tl = project.timeline(post.timeline_id)
    board = post.storyboard
    if scene is None:
        tl = tl.model_copy(update={"look": spec})
        if board is not None:
            board = board.model_copy(update={"look": spec})
    else:
        if board is None:
            raise BadInput(f"Post '{post.title}' was made before scenes: set its look without --scene.")
        index, sc = board.scene(scene)
        _, before = tl.find_clip(clip_id_for(sc))
        tl = ReplaceClip(before=before, after=before.model_copy(update={"look": spec}),
                         label=f"Look of scene {index + 1}").apply(tl)
        board = board.with_scene(index, sc.model_copy(update={"look": spec}))
    project.put_timeline(tl)
    post = post.model_copy(update={"storyboard": board})
    project.put_post(post)
    return post


def preview_look(project: Project, spec: str | None, out: str | Path, *, post_ref: str | None = None,
                 asset: str | None = None, scene: str | int | None = None, time: float | None = None,
                 width: int = 540) -> Path:
    """A PNG of one frame with `spec` applied: a scene's (or the post's) picture at `time`, or an
    asset's frame. Quick: one frame through the same filters the export uses."""
    from studio.core.media import probe
    from studio.render.looks import preview_frame

    spec = resolve_look(project, spec)
    at = 0.0
    if asset is None:
        if post_ref is None:
            raise BadInput("Preview a look on a post (--post) or an asset (--asset).")
        post = project.post(post_ref)
        board = post.storyboard
        if board is not None:
            _, sc = board.scene(scene if scene is not None else 1)
            if sc.made is None or sc.made.clip is None:
                raise BadInput("That scene has not been made yet.")
            asset = sc.made.clip
            length = sc.made.end - sc.made.start
            at = min(max(time if time is not None else length / 3, 0.0), max(length - 0.05, 0.0))
        else:
            tl = project.timeline(post.timeline_id)
            clip = tl.track("video").clips[0]
            asset, at = clip.asset_id, time if time is not None else clip.duration / 3
    else:
        at = time or 0.0
    path = project.asset_path(asset)  # type: ignore[arg-type]
    info = probe(path)
    if info.duration and at > info.duration:
        at = info.duration / 2
    from studio.render.export import lut_files

    return preview_frame(path, spec, out, at, width, lut_files(project, [spec]))
