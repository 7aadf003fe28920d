"""Job handlers: `export` (timeline -> social formats) and `captions` (words -> caption track)."""

from __future__ import annotations

import json
from typing import Any

from studio.actions.registry import Resources, action
from studio.core.errors import BadInput
from studio.core.timeline import ReplaceTrackClips, caption_clips

from .context import JobContext


@action("export", label="Export", target=True, resources=Resources("render"), isolate=True)
def export(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """params: target (post or timeline), presets [ids], label, out_dir, size [w, h], cover_time,
    cover_caption, encoder (auto/software/nvenc/qsv/amf/videotoolbox), encode_speed
    (fast/balanced/best: x264's preset at the same bit rate), crop (never fill),
    one_pass (all presets in one ffmpeg run; default on)."""
    project = ctx.project
    project.persona.require_consent("publish posts of them")
    from studio.render.export import ExportOptions, export_post
    from studio.render.presets import encode_speed

    size = params.get("size")
    opts = ExportOptions(
        label=params.get("label", True),
        out_dir=params.get("out_dir"),
        size=tuple(size) if size else None,
        cover_time=params.get("cover_time"),
        cover_caption=params.get("cover_caption", False),
        encoder=str(params.get("encoder") or "auto"),
        speed=encode_speed(params.get("encode_speed")),
        fill_above=None if params.get("crop") else ExportOptions.fill_above,
        one_pass=params.get("one_pass", True),
    )
    assets = export_post(project, params["target"], list(params["presets"]), opts, ctx.task, ctx.settings, ctx.store)
    videos = [a for a in assets if a.provenance.pipeline == "export"]
    verdict = videos[0].provenance.model_extra.get("commercial_use") if videos else None
    return {
        "assets": [a.id for a in assets],
        "files": {a.id: str(project.asset_path(a)) for a in assets},
        "presets": {a.provenance.parameters["preset"]: a.id for a in videos},
        "commercial_use": verdict,
        # a real person's public-domain photo shown without consent (`studio demo`): said with the files
        **({"likeness": project.persona.likeness_line()} if project.persona.demonstration_only else {}),
    }


@action("captions", label="Captions")
def captions(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Build a timeline's caption track from a narration's word timings.

    params: timeline (id or name, optional), narration (asset id); the words are placed at the
    narration clip's start on the timeline when it is there, else at 0.
    """
    project = ctx.project
    tl = project.timeline(params.get("timeline"))
    narration = project.asset(params["narration"])
    side = project.sidecar(narration, ".words.json")
    if not side.is_file():
        raise BadInput(
            f"{narration.id} has no word timings ({side.name}). Re-make the narration with "
            "`studio voice` so it records them, or type captions instead."
        )
    words = json.loads(side.read_text("utf-8"))
    # where the words' audio plays: the narration's clip, or (a transcript of a video or
    # recording) the clip of the asset it was transcribed from
    sources = [narration.id, *narration.parents]
    offset = next(
        (c.start - c.in_point for src in sources for t in tl.tracks if t.kind in ("narration", "video", "music")
         for c in t.clips if c.asset_id == src), 0.0)
    clips = caption_clips(words, offset)
    tl = ReplaceTrackClips.on(tl, "captions", clips, "Captions from narration").apply(tl)
    project.put_timeline(tl)
    ctx.progress(1, 1, "Captions")
    return {"assets": [], "timeline": tl.id, "words": len(clips)}
