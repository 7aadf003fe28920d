"""A timeline + preset as ONE ffmpeg command (inputs, filter_complex, encoder options).

Pure: no files are read here. The caller resolves each clip's asset to a `Source` (path and
size) and passes face keyframes per clip; the result is an argument list for `run_ffmpeg`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.errors import BadInput
from studio.core.timeline import Clip, Timeline

from .audio import AudioPart, LoudnessMeasure, audio_graph
from .presets import ExportPreset, encoder_args
from .reframe import Keyframe, crop_size, reframe_filter

AI_METADATA = "AI-generated with Persona Studio"


@dataclass(frozen=True)
class Source:
    """A media file behind an asset: a video, a still image, or audio."""

    path: str
    kind: str  # "video" | "image" | "audio"
    width: int | None = None
    height: int | None = None
    duration: float | None = None


@dataclass
class _Inputs:
    args: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, *args: str) -> int:
        self.args += list(args)
        self.count += 1
        return self.count - 1


def filter_path(path: str | Path) -> str:
    """Quote a file path for use as a filter option value inside filter_complex."""
    p = str(path).replace("\\", "/")
    # level 1: option value quoting; level 2: filtergraph escaping of the quote marks themselves
    return "'" + p.replace("'", "'\\\\\\''").replace(":", "\\:") + "'"


def _visual_chain(src: Source, clip: Clip, preset: ExportPreset, keys: Sequence[Keyframe]) -> list[str]:
    """Filters turning one source into a preset-sized, clip-timed picture."""
    chain: list[str] = []
    if src.kind == "video":
        chain += [f"trim=start={clip.in_point:.3f}:end={clip.out_point:.3f}", "setpts=PTS-STARTPTS"]
    tf = clip.transform
    sw, sh = src.width or preset.width, src.height or preset.height
    if tf.crop is not None:
        x0, y0, x1, y1 = tf.crop
        chain.append(f"crop={x1 - x0}:{y1 - y0}:{x0}:{y0}")
        sw, sh = x1 - x0, y1 - y0
        keys = [(t, cx - x0, cy - y0) for t, cx, cy in keys]
    if abs(sw / sh - preset.aspect) > 0.01 and tf.reframe != "none":
        use = keys if tf.reframe == "face" else ()
        chain.append(reframe_filter(sw, sh, preset.aspect, use, time_offset=clip.in_point))
    elif tf.reframe == "none" and abs(sw / sh - preset.aspect) > 0.01:
        # letterbox: whole picture inside the frame, black bars
        chain.append(
            f"scale={preset.width}:{preset.height}:force_original_aspect_ratio=decrease,"
            f"pad={preset.width}:{preset.height}:(ow-iw)/2:(oh-ih)/2"
        )
    if src.kind == "video" and abs(clip.speed - 1.0) > 1e-6:
        chain.append(f"setpts=PTS/{clip.speed:.4f}")
    chain += [
        f"fps={preset.fps:g}",
        f"scale={preset.width}:{preset.height}:flags=bicubic",
        "setsar=1",
        "format=yuv420p",
    ]
    if src.kind == "image":
        chain.append(f"trim=duration={clip.duration:.3f}")
    return chain


def _overlay_chain(src: Source, clip: Clip, preset: ExportPreset) -> list[str]:
    """An image overlay scaled to `transform.scale` of the frame width."""
    w = max(2, round(preset.width * clip.transform.scale) // 2 * 2)
    chain = [f"scale={w}:-2", "format=rgba"]
    if clip.transform.opacity < 1.0:
        chain.append(f"colorchannelmixer=aa={clip.transform.opacity:.3f}")
    return chain


def build_export_args(
    timeline: Timeline,
    sources: Mapping[str, Source],
    preset: ExportPreset,
    out_path: str | Path,
    *,
    ass_path: str | Path | None = None,
    fontsdir: str | Path | None = None,
    loudness: LoudnessMeasure | None = None,
    face_keys: Mapping[str, Sequence[Keyframe]] | None = None,
    metadata: Mapping[str, str] | None = None,
    duration: float | None = None,
) -> list[str]:
    """ffmpeg arguments that render `timeline` for `preset` into `out_path` in one pass."""
    duration = timeline.duration if duration is None else duration
    if duration <= 0:
        raise BadInput("The timeline is empty: add a clip before exporting.")
    face_keys = face_keys or {}
    inputs = _Inputs()
    chains: list[str] = []
    W, H, fps = preset.width, preset.height, preset.fps

    def src_of(clip: Clip) -> Source:
        if clip.asset_id is None or clip.asset_id not in sources:
            raise BadInput(f"Clip {clip.id} has no media to render (asset {clip.asset_id}).")
        return sources[clip.asset_id]

    def add_input(src: Source, clip: Clip) -> int:
        if src.kind == "image":
            return inputs.add("-loop", "1", "-framerate", f"{fps:g}", "-t", f"{clip.duration + 0.5:.3f}", "-i", src.path)
        return inputs.add("-i", src.path)

    visuals = [c for t in timeline.tracks if t.kind == "video" and not t.muted for c in t.clips]
    visuals.sort(key=lambda c: c.start)
    single = len(visuals) == 1 and visuals[0].start <= 1e-3 and visuals[0].end >= duration - 1e-3
    if single:
        # the common case: one clip fills the post; no black canvas to composite onto
        clip = visuals[0]
        src = src_of(clip)
        idx = add_input(src, clip)
        chain = _visual_chain(src, clip, preset, face_keys.get(clip.id, ()))
        chains.append(f"[{idx}:v]{','.join(chain)},trim=duration={duration:.3f}[base0]")
        last = "base0"
    else:
        chains.append(f"color=c=black:s={W}x{H}:r={fps:g}:d={duration:.3f},format=yuv420p[base0]")
        last = "base0"
        for n, clip in enumerate(visuals):
            src = src_of(clip)
            idx = add_input(src, clip)
            chain = _visual_chain(src, clip, preset, face_keys.get(clip.id, ()))
            chain.append(f"setpts=PTS+{clip.start:.3f}/TB")
            chains.append(f"[{idx}:v]{','.join(chain)}[v{n}]")
            chains.append(f"[{last}][v{n}]overlay=eof_action=pass:repeatlast=0[base{n + 1}]")
            last = f"base{n + 1}"
    overlays = [c for t in timeline.tracks if t.kind == "overlay" and not t.muted for c in t.clips if c.asset_id]
    for n, clip in enumerate(overlays):
        src = src_of(clip)
        idx = add_input(src, clip)
        chains.append(f"[{idx}:v]{','.join(_overlay_chain(src, clip, preset))}[ov{n}]")
        px, py = clip.transform.position
        chains.append(
            f"[{last}][ov{n}]overlay=x={px * W:.0f}-w/2:y={py * H:.0f}-h/2:"
            f"enable='between(t,{clip.start:.3f},{clip.end:.3f})'[ovl{n}]"
        )
        last = f"ovl{n}"
    if ass_path is not None:
        opts = f"filename={filter_path(ass_path)}"
        if fontsdir:
            opts += f":fontsdir={filter_path(fontsdir)}"
        chains.append(f"[{last}]ass={opts}[vout]")
    else:
        chains.append(f"[{last}]null[vout]")

    def parts(kind: str) -> list[AudioPart]:
        found = []
        for t in timeline.tracks:
            if t.kind == kind and not t.muted:
                for c in t.clips:
                    found.append(AudioPart(inputs.add("-i", src_of(c).path), c))
        return found

    chains += audio_graph(parts("narration"), parts("music"), duration, loudness)
    args = [*inputs.args, "-filter_complex", ";".join(chains), "-map", "[vout]", "-map", "[aout]"]
    args += encoder_args(preset)
    args += ["-t", f"{duration:.3f}"]
    meta = {"comment": AI_METADATA, "description": AI_METADATA, **(metadata or {})}
    for k, v in meta.items():
        args += ["-metadata", f"{k}={v}"]
    args.append(str(out_path))
    return args


def build_loudness_args(timeline: Timeline, sources: Mapping[str, Source], duration: float | None = None) -> list[str]:
    """ffmpeg arguments for loudnorm's measuring pass over the timeline's audio mix only."""
    duration = timeline.duration if duration is None else duration
    inputs = _Inputs()

    def parts(kind: str) -> list[AudioPart]:
        return [
            AudioPart(inputs.add("-i", sources[c.asset_id].path), c)
            for t in timeline.tracks if t.kind == kind and not t.muted
            for c in t.clips if c.asset_id in sources
        ]

    chains = audio_graph(parts("narration"), parts("music"), duration, None)
    return [*inputs.args, "-filter_complex", ";".join(chains), "-map", "[aout]", "-f", "null", "-"]


def has_audio(timeline: Timeline) -> bool:
    """True when the timeline has narration or music clips to mix."""
    return any(t.kind in ("narration", "music") and t.clips and not t.muted for t in timeline.tracks)


__all__ = ["Source", "build_export_args", "build_loudness_args", "crop_size", "filter_path", "has_audio"]
