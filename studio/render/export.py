"""Export a post's timeline to one or more social presets, with captions and provenance.

`export_post` is the entry point for the CLI action and for recipes. Work shared between
presets is done once: media probing, face tracking, caption lines and the loudness measuring
pass. Each preset is then ONE ffmpeg run (video, captions, audio mix, loudnorm, encode), then a
cover still, AI-generated metadata, an invisible watermark on the cover, and a signed C2PA
manifest on both. Nothing is registered until every preset has rendered.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.video_io import ENCODER_WORDS, choose_h264
from studio.core.assets import Asset, ModelUse, Provenance
from studio.core.diskspace import require_render_space
from studio.core.errors import BadInput, StudioError
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.schema import Post
from studio.core.settings import Settings, config_dir
from studio.core.tasks import TaskContext
from studio.core.timeline import Timeline

from . import c2pa_sign as prov
from . import captions as cap
from .audio import LoudnessMeasure
from .certs import load_identity
from .face_track import (
    FACES_SUFFIX,
    STUDIO_DETECTOR,
    Detector,
    default_detector,
    face_keyframes_image,
    face_keyframes_video,
    recorded_track,
    track_cache,
)
from .ffmpeg import probe, run_ffmpeg
from .graph import (
    AI_METADATA,
    Output,
    Source,
    build_loudness_args,
    build_multi_export_args,
    filter_path,
    has_audio,
)
from .licences import asset_chain, commercial_verdict
from .looks import lut_refs
from .presets import DEFAULT_ENCODE_SPEED, ExportPreset, get_preset
from .reframe import FILL_ABOVE, Keyframe
from .watermark import embed, payload_for

_VISUAL = {"clip": "video", "still": "image", "image": "image", "reference": "image", "export": "video"}
_AUDIO = {"narration", "music", "audio"}


@dataclass
class ExportOptions:
    """Choices for one export run."""

    label: bool = True  # visible "AI-generated" line
    captions: bool = True
    sidecars: bool = True  # .srt and .vtt next to the video
    cover: bool = True
    cover_time: float | None = None  # None = a third of the way in
    cover_caption: bool = False  # draw the first caption line on the cover
    sign: bool = True
    out_dir: str | None = None
    size: tuple[int, int] | None = None  # override preset size (tests, previews)
    detector: Detector | None = None  # face detector for reframing (None = the studio's)
    face_sample_fps: float = 4.0
    #: fill (picture over a blurred copy) instead of cropping when a crop would enlarge the
    #: source more than this; None: always crop
    fill_above: float | None = FILL_ABOVE
    #: H.264 encoder: auto (hardware where it works), software, or nvenc/qsv/amf/videotoolbox
    encoder: str = "auto"
    #: x264 speed: fast, balanced or best (presets.ENCODE_SPEEDS); the same bit rate for each
    speed: str = DEFAULT_ENCODE_SPEED
    #: every preset from one ffmpeg run (decode and compose once, encode each)
    one_pass: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def fonts_dir() -> Path | None:
    """A folder with DejaVu Sans for libass: ours in resources/fonts, else the system's."""
    from studio.core.paths import resources_dir

    for d in (resources_dir() / "fonts", Path("/usr/share/fonts/truetype/dejavu"),
              Path("/usr/share/fonts/dejavu"), Path("/usr/share/fonts/TTF")):
        if (d / "DejaVuSans.ttf").is_file() or (d / "DejaVuSans-Bold.ttf").is_file():
            return d
    return None  # libass falls back to fontconfig


def resolve_timeline(project: Project, ref: str | Timeline | Post) -> tuple[Timeline, Post | None]:
    """A post id/title or timeline id/name (or the objects themselves) -> (timeline, post)."""
    if isinstance(ref, Timeline):
        return ref, None
    if isinstance(ref, Post):
        return project.timeline(ref.timeline_id), ref
    try:
        post = project.post(ref)
    except BadInput:
        return project.timeline(ref), None
    return project.timeline(post.timeline_id), post


def _outpaints(project: Project, asset: Any) -> tuple[tuple[float, str], ...]:
    """Outpainted versions of the still behind a visual (the still itself or a clip's parent):
    a fill puts the picture over one of these instead of a blurred copy."""
    stills = {asset.id} | ({p for p in asset.parents} if asset.kind == "clip" else set())
    found = []
    for a in project.data.assets:
        if a.provenance.pipeline == "sdxl-outpaint" and stills & set(a.parents):
            info = probe(project.asset_path(a))
            if info.width and info.height:
                found.append((info.width / info.height, str(project.asset_path(a))))
    return tuple(found)


def _sources(project: Project, tl: Timeline) -> dict[str, Source]:
    out: dict[str, Source] = {}
    for t in tl.tracks:
        for c in t.clips:
            if c.asset_id is None or c.asset_id in out:
                continue
            a = project.asset(c.asset_id)
            path = str(project.asset_path(a))
            if a.kind in _AUDIO:
                out[a.id] = Source(path, "audio")
                continue
            kind = _VISUAL.get(a.kind)
            if kind is None:
                raise BadInput(f"Asset {a.id} is a {a.kind}, which cannot be placed on a timeline.")
            info = probe(path)
            if kind == "video" and info.duration < 0.05:
                kind = "image"
            out[a.id] = Source(path, kind, info.width, info.height, info.duration,
                               audio=bool(info.has_audio) and kind == "video",
                               outpaints=_outpaints(project, a) if t.kind == "video" else ())
    return out


def lut_files(project: Project, specs: list[str | None]) -> dict[str, str]:
    """LUT refs of these looks -> .cube files (a project asset id, or a file)."""
    out = {}
    for spec in specs:
        for ref in lut_refs(spec):
            path, _ = project.resolve_input(ref)
            out[ref] = str(path)
    return out


def _luts(project: Project, tl: Timeline) -> dict[str, str]:
    return lut_files(project, [tl.look] + [c.look for t in tl.tracks for c in t.clips])


def _face_keys(project: Project, tl: Timeline, sources: dict[str, Source], presets: list[ExportPreset],
               opts: ExportOptions, ctx: TaskContext, store: ModelStore) -> dict[str, list[Keyframe]]:
    """Face keyframes for every visual clip whose aspect differs from some preset's: the clip's
    recorded track (a talking clip's `.faces.json`: nothing decoded), else the face-track cache
    (by the file's sha256), else detected now (and cached, when it is the studio's detector)."""
    keys: dict[str, list[Keyframe]] = {}
    detector = opts.detector
    cache = track_cache() if opts.detector is None else None
    clips = [c for t in tl.tracks if t.kind == "video" for c in t.clips
             if c.asset_id and c.transform.reframe == "face" and c.transform.crop is None]
    for n, c in enumerate(clips):
        src = sources[c.asset_id]  # type: ignore[index]
        if not src.width or not src.height:
            continue
        if all(abs(src.width / src.height - p.aspect) <= 0.01 for p in presets):
            continue
        asset = project.asset(c.asset_id)  # type: ignore[arg-type]
        recorded = recorded_track(project.sidecar(asset, FACES_SUFFIX), src.width, src.height)
        if recorded is not None and src.kind == "video":
            keys[c.id] = recorded.between(c.in_point, c.out_point)
            continue
        start, end = (0.0, 0.0) if src.kind == "image" else (c.in_point, c.out_point)
        hit = cache.get(asset.sha256, STUDIO_DETECTOR, opts.face_sample_fps, start, end) if cache else None
        if hit is not None:
            keys[c.id] = hit
            continue
        detector = detector or default_detector(store)
        sub = ctx.sub(n / len(clips), (n + 1) / len(clips))
        if src.kind == "image":
            from PIL import Image

            keys[c.id] = face_keyframes_image(np.asarray(Image.open(src.path).convert("RGB")), detector)
        else:
            keys[c.id] = face_keyframes_video(src.path, detector, c.in_point, c.out_point,
                                              opts.face_sample_fps, ctx=sub)
        if cache is not None:
            cache.put(asset.sha256, STUDIO_DETECTOR, opts.face_sample_fps, start, end, keys[c.id])
    return keys


def _models(project: Project, ids: list[str]) -> list[ModelUse]:
    seen: dict[str, ModelUse] = {}
    for a in asset_chain(project, ids):
        for m in a.provenance.models:
            seen.setdefault(m.id, m)
    return list(seen.values())


def _cover(video: Path, at: float, dest: Path, first_line: str | None, preset: ExportPreset,
           style: Any, fontsdir: Path | None, tmp: Path) -> np.ndarray:
    """Grab the frame at `at` (optionally with a caption line) as RGB."""
    from PIL import Image

    vf = "null"
    if first_line:
        ass = tmp / f"cover-{preset.id}.ass"
        line = cap.CaptionLine((cap.Word(first_line, 0.0, 10.0),), timed=False)
        ass.write_text(cap.build_ass([line], style, preset), "utf-8")
        vf = f"ass=filename={filter_path(ass)}" + (f":fontsdir={filter_path(fontsdir)}" if fontsdir else "")
        vf = f"setpts=PTS-STARTPTS,{vf}"
    png = tmp / f"cover-{preset.id}.png"
    run_ffmpeg(["-ss", f"{at:.3f}", "-i", str(video), "-frames:v", "1", "-vf", vf, str(png)])
    rgb = np.asarray(Image.open(png).convert("RGB"))
    return rgb


def _render(tl: Timeline, sources: dict[str, Source], outs: list[Output], opts: ExportOptions, encoder: str,
            fontsdir: Path | None, loud: LoudnessMeasure | None, keys: dict[str, list[Keyframe]],
            duration: float, luts: dict[str, str], ctx: TaskContext) -> dict[str, tuple[list[str], str]]:
    """Render every output: in one ffmpeg run (`one_pass`) or one run each; a hardware encoder
    that fails (busy, out of sessions) is retried on libx264. Returns preset -> (args, encoder)."""
    groups = [outs] if opts.one_pass else [[o] for o in outs]
    done: dict[str, tuple[list[str], str]] = {}
    for n, group in enumerate(groups):
        sub = ctx.sub(n / len(groups), (n + 1) / len(groups))
        names = ", ".join(o.preset.name for o in group)
        for enc in dict.fromkeys((encoder, "libx264")):
            args = build_multi_export_args(tl, sources, group, fontsdir=fontsdir, loudness=loud, face_keys=keys,
                                           duration=duration, luts=luts, fill_above=opts.fill_above, encoder=enc,
                                           speed=opts.speed)
            try:
                run_ffmpeg(args, sub, duration, f"Rendering {names}")
                break
            except StudioError:
                if enc == "libx264":
                    raise
        for o in group:
            done[o.preset.id] = (args, enc)
    return done


def export_post(
    project: Project,
    post_or_timeline: str | Timeline | Post,
    presets: list[str] | list[ExportPreset],
    options: ExportOptions | None = None,
    ctx: TaskContext | None = None,
    settings: Settings | None = None,
    store: ModelStore | None = None,
) -> list[Asset]:
    """Render, tag, sign and register one export (+ cover) per preset; returns the new assets.

    `settings` give the signing certificate (none: the local development CA); `store` finds the
    face detector used to reframe (none: the embedded dlib models)."""
    from PIL import Image

    from studio import __version__

    opts = options or ExportOptions()
    ctx = ctx or TaskContext()
    tl, post = resolve_timeline(project, post_or_timeline)
    duration = tl.duration
    if duration <= 0:
        raise BadInput(f"Timeline '{tl.name}' is empty: add a clip (`studio timeline add`) first.")
    chosen = [p if isinstance(p, ExportPreset) else get_preset(p) for p in presets]
    if not chosen:
        raise BadInput("Choose at least one preset (--preset reels).")
    for p in chosen:
        p.check_duration(duration)
    if opts.size:
        bw, bh = opts.size  # fit each preset inside the box, keeping its aspect
        chosen = [p.scaled(min(bw, round(bh * p.aspect))) for p in chosen]
    persona = project.persona
    parents = sorted({c.asset_id for t in tl.tracks for c in t.clips if c.asset_id})
    verdict = commercial_verdict(project, parents)
    models = _models(project, parents)
    settings = settings or Settings()
    identity = load_identity(config_dir(), settings.c2pa_cert, settings.c2pa_key) if opts.sign else None
    fontsdir = fonts_dir()

    ctx.progress(0, 1, "Reading media")
    sources = _sources(project, tl)
    keys = _face_keys(project, tl, sources, chosen, opts, ctx.sub(0.0, 0.15), store or ModelStore(settings))
    loud: LoudnessMeasure | None = None
    if has_audio(tl, sources):
        ctx.progress(0, 1, "Measuring loudness")
        loud = LoudnessMeasure.parse(run_ffmpeg(build_loudness_args(tl, sources, duration)))
    lines = cap.lines_from_clips(
        [c for t in tl.tracks if t.kind == "captions" and not t.muted for c in t.clips],
        persona.caption_style.words_per_line,
    ) if opts.captions else []

    # room first: a render that fills the disk at 95 % wastes minutes and leaves partial files
    require_render_space(project.path, sum(p.estimated_bytes(duration) for p in chosen), "the export")
    tmp = Path(tempfile.mkdtemp(prefix="studio-export-"))
    staged: list[tuple[Path, Provenance, str, dict[str, Path], bool]] = []
    try:
        title = post.title if post else tl.name
        meta = {"title": title, "encoder": f"Persona Studio {__version__}"}
        label = cap.AI_LABEL if opts.label else None
        titles = cap.title_lines(c for t in tl.tracks if t.kind == "overlay" and not t.muted for c in t.clips)
        outs = []
        for preset in chosen:
            ass = None
            if lines or label or titles:
                ass = tmp / f"{preset.id}.ass"
                ass.write_text(cap.build_ass(lines, persona.caption_style, preset, label, titles), "utf-8")
            outs.append(Output(preset, tmp / f"{preset.id}-raw.mp4", ass, meta))
        encoder = choose_h264(opts.encoder)
        args_of = _render(tl, sources, outs, opts, encoder, fontsdir, loud, keys, duration,
                          _luts(project, tl), ctx.sub(0.15, 0.8))
        for n, (preset, o) in enumerate(zip(chosen, outs, strict=True)):
            sub = ctx.sub(0.8 + 0.2 * n / len(chosen), 0.8 + 0.2 * (n + 1) / len(chosen))
            raw = Path(o.path)
            args, used = args_of[preset.id]
            wm_payload = payload_for(f"{tl.id}:{preset.id}")
            params = {
                "preset": preset.id, "width": preset.width, "height": preset.height,
                "fps": preset.fps, "duration": round(duration, 3), "timeline": tl.id,
                "post": post.id if post else None, "label": opts.label, "captions": bool(lines),
                "loudness_target": "-14 LUFS / -1 dBTP", "ffmpeg_args": args, "encoder": used,
                "encode_speed": opts.speed,
                "presets_in_run": [x.preset.id for x in outs] if opts.one_pass else [preset.id],
            }
            studio_data = {"ai_generated": True, "persona": persona.name, "preset": preset.id,
                           "commercial_use": verdict["verdict"], "models": verdict["models"],
                           "asset_chain": parents, "watermark": wm_payload.hex()}
            ingredients = [prov.Ingredient(sources[a].path, Path(sources[a].path).name, a)
                           for a in parents if a in sources]
            video = tmp / f"{preset.id}.mp4"
            if identity is not None:
                manifest = prov.manifest_definition(
                    f"{title} ({preset.name})", __version__,
                    [{"action": "c2pa.created"},
                     {"action": "c2pa.edited", "description": f"Timeline composed for {preset.name}: "
                      "reframed, captions burned in, loudness normalised to -14 LUFS"}],
                    {**studio_data, "watermark": None})
                prov.sign(raw, video, identity, manifest, ingredients)
            else:
                raw.replace(video)
            extra: dict[str, Path] = {}
            if opts.sidecars and lines:
                extra[".srt"] = tmp / f"{preset.id}.srt"
                extra[".srt"].write_text(cap.build_srt(lines), "utf-8")
                extra[".vtt"] = tmp / f"{preset.id}.vtt"
                extra[".vtt"].write_text(cap.build_vtt(lines), "utf-8")
            p_video = Provenance(pipeline="export", engine=f"ffmpeg (H.264 by {ENCODER_WORDS[used]} + AAC)", models=models,
                                 parameters=params, scores={"loudness_measured": loud.__dict__ if loud else None},
                                 commercial_use=verdict, c2pa=identity is not None,
                                 signer=identity.source if identity else None, ai_metadata=AI_METADATA)
            staged.append((video, p_video, f"{title} — {preset.name}", extra, False))
            if opts.cover:
                at = min(max(opts.cover_time if opts.cover_time is not None else duration / 3, 0.0),
                         max(duration - 1.0 / preset.fps, 0.0))
                rgb = _cover(video, at, tmp / "c.jpg", lines[0].text if (opts.cover_caption and lines) else None,
                             preset, persona.caption_style, fontsdir, tmp)
                marked = tmp / f"{preset.id}-cover-raw.jpg"
                Image.fromarray(embed(rgb, wm_payload)).save(marked, quality=92)
                prov.tag_still(marked)
                cover = tmp / f"{preset.id}-cover.jpg"
                if identity is not None:
                    manifest = prov.manifest_definition(
                        f"{title} cover ({preset.name})", __version__,
                        [{"action": "c2pa.created"},
                         {"action": "c2pa.edited", "description": "Frame taken from the export; invisible watermark added"}],
                        studio_data)
                    prov.sign(marked, cover, identity, manifest, ingredients[:0])
                else:
                    marked.replace(cover)
                p_cover = Provenance(pipeline="export-cover", engine="ffmpeg + DWT-DCT watermark",
                                     models=models, parameters={"preset": preset.id, "time": at,
                                     "caption": opts.cover_caption}, commercial_use=verdict,
                                     watermark=wm_payload.hex(), c2pa=identity is not None)
                staged.append((cover, p_cover, f"{title} — {preset.name} cover", {}, True))
            sub.progress(1, 1, f"{preset.name} done")
        assets: list[Asset] = []
        video_id: str | None = None
        for path, pv, label, extra, is_cover in staged:
            par = [video_id] if (is_cover and video_id) else parents
            st = project.stage_file(path)  # a full disk: no partial file left in .staging
            ex = {suf: project.stage_file(f, suf) for suf, f in extra.items()}
            asset = project.register(st, "export", pv, parents=par, label=label, extra_files=ex)
            if not is_cover:
                video_id = asset.id
            assets.append(asset)
        if post is not None:
            exports = dict(post.exports)
            for a in assets:
                if a.provenance.pipeline == "export":
                    exports[a.provenance.parameters["preset"]] = a.id
            project.put_post(post.model_copy(update={"exports": exports}))
        if opts.out_dir:
            copy_exports(project, assets, opts.out_dir)
        ctx.progress(1, 1, "Exported")
        return assets
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _safe(name: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._ -]+", "-", name).strip(" -") or "export"


def copy_exports(project: Project, assets: list[Asset] | list[str], out_dir: str | Path) -> list[Path]:
    """`--out DIR` of export/post: copy each export (+ its .srt/.vtt captions) under its label."""
    out = Path(out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    copied = []
    for a in assets:
        a = project.asset(a) if isinstance(a, str) else a
        src = project.asset_path(a)
        dest = out / (_safe(a.label) + src.suffix)
        shutil.copy2(src, dest)
        copied.append(dest)
        for suf in (".srt", ".vtt"):
            side = project.sidecar(a, suf)
            if side.exists():
                shutil.copy2(side, out / (_safe(a.label) + suf))
    return copied
