"""A timeline + preset as ONE ffmpeg command (inputs, filter_complex, encoder options).

Pure: no files are read here. The caller resolves each clip's asset to a `Source` (path and
size) and passes face keyframes per clip; the result is an argument list for `run_ffmpeg`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.errors import BadInput
from studio.core.timeline import Clip, Timeline

from .audio import AudioPart, LoudnessMeasure, audio_graph
from .compose import (
    Canvas,
    Source,
    Streams,
    clip_chains,
    is_sequence,
    layer_chains,
    sequence_chains,
)
from .looks import look_chains
from .presets import DEFAULT_ENCODE_SPEED, ExportPreset, encoder_args
from .reframe import FILL_ABOVE, Keyframe, crop_size

AI_METADATA = "AI-generated with Persona Studio"


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


def _overlay_chain(src: Source, clip: Clip, preset: ExportPreset) -> list[str]:
    """An image overlay scaled to `transform.scale` of the frame width."""
    w = max(2, round(preset.width * clip.transform.scale) // 2 * 2)
    chain = [f"scale={w}:-2", "format=rgba"]
    if clip.transform.opacity < 1.0:
        chain.append(f"colorchannelmixer=aa={clip.transform.opacity:.3f}")
    return chain


@dataclass(frozen=True)
class Output:
    """One file of a (multi-)export: its preset, path, caption script and metadata."""

    preset: ExportPreset
    path: str | Path
    ass_path: str | Path | None = None
    metadata: Mapping[str, str] | None = None


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
    luts: Mapping[str, str] | None = None,
    fill_above: float | None = FILL_ABOVE,
    encoder: str = "libx264",
    speed: str = DEFAULT_ENCODE_SPEED,
) -> list[str]:
    """ffmpeg arguments that render `timeline` for `preset` into `out_path` in one pass."""
    return build_multi_export_args(
        timeline, sources, [Output(preset, out_path, ass_path, metadata)], fontsdir=fontsdir,
        loudness=loudness, face_keys=face_keys, duration=duration, luts=luts, fill_above=fill_above,
        encoder=encoder, speed=speed)


def build_multi_export_args(
    timeline: Timeline,
    sources: Mapping[str, Source],
    outputs: Sequence[Output],
    *,
    fontsdir: str | Path | None = None,
    loudness: LoudnessMeasure | None = None,
    face_keys: Mapping[str, Sequence[Keyframe]] | None = None,
    duration: float | None = None,
    luts: Mapping[str, str] | None = None,
    fill_above: float | None = FILL_ABOVE,
    encoder: str = "libx264",
    speed: str = DEFAULT_ENCODE_SPEED,
) -> list[str]:
    """ONE ffmpeg command rendering `timeline` to every output: inputs are decoded once, the
    picture is composed once per output size (presets of one size share it; only captions and
    the encode differ), the audio is mixed and loudness-normalised once and split."""
    duration = timeline.duration if duration is None else duration
    if duration <= 0:
        raise BadInput("The timeline is empty: add a clip before exporting.")
    if not outputs:
        raise BadInput("Choose at least one preset (--preset reels).")
    face_keys = face_keys or {}
    inputs = _Inputs()
    streams = Streams()
    chains: list[str] = []
    fps = outputs[0].preset.fps

    def src_of(clip: Clip) -> Source:
        if clip.asset_id is None or clip.asset_id not in sources:
            raise BadInput(f"Clip {clip.id} has no media to render (asset {clip.asset_id}).")
        return sources[clip.asset_id]

    images: dict[str, int] = {}

    def image_input(path: str, seconds: float) -> int:
        return inputs.add("-loop", "1", "-framerate", f"{fps:g}", "-t", f"{seconds:.3f}", "-i", path)

    visuals = sorted((c for t in timeline.tracks if t.kind == "video" and not t.muted for c in t.clips),
                     key=lambda c: c.start)
    clip_inputs = []
    for clip in visuals:
        src = src_of(clip)
        # a still is read as ONE frame: the clip's chain reframes it once and repeats the result
        idx = inputs.add("-framerate", f"{fps:g}", "-i", src.path) if src.kind == "image" else inputs.add("-i", src.path)
        clip_inputs.append(idx)
    overlays = [c for t in timeline.tracks if t.kind == "overlay" and not t.muted for c in t.clips if c.asset_id]
    overlay_inputs = [image_input(src_of(c).path, c.end + 0.5) if src_of(c).kind == "image"
                      else inputs.add("-i", src_of(c).path) for c in overlays]

    sizes: dict[tuple[int, int], list[Output]] = {}
    for o in outputs:
        sizes.setdefault((o.preset.width, o.preset.height), []).append(o)
    for idx in clip_inputs + overlay_inputs:
        for _ in sizes:
            streams.want(idx)

    def outpaint_input(path: str) -> str:
        if path not in images:
            images[path] = image_input(path, duration + 0.5)
        return f"{images[path]}:v"

    composed: dict[tuple[int, int], str] = {}
    for g, ((W, H), group) in enumerate(sizes.items()):
        canvas = Canvas(W, H, group[0].preset.fps, fill_above)
        segments = []
        for n, (clip, idx) in enumerate(zip(visuals, clip_inputs, strict=True)):
            label = f"g{g}c{n}"
            chains += clip_chains(streams.take(idx), src_of(clip), clip, canvas, face_keys.get(clip.id, ()),
                                  label, luts, outpaint_input)
            segments.append((label, clip))
        base = f"g{g}base"
        if not segments:
            chains.append(f"color=c=black:s={W}x{H}:r={canvas.fps:g}:d={duration:.3f},format=yuv420p[{base}]")
        elif is_sequence([c for _, c in segments]):
            chains += sequence_chains(segments, canvas, duration, base)
        else:
            chains += layer_chains(segments, canvas, duration, base)
        last = base
        if timeline.look:
            chains += look_chains(timeline.look, last, f"g{g}look", W, H, luts, tag=f"g{g}lk")
            last = f"g{g}look"
        for n, (clip, idx) in enumerate(zip(overlays, overlay_inputs, strict=True)):
            lab = f"g{g}ov{n}"
            chains.append(f"[{streams.take(idx)}]{','.join(_overlay_chain(src_of(clip), clip, group[0].preset))}[{lab}]")
            px, py = clip.transform.position
            chains.append(f"[{last}][{lab}]overlay=x={px * W:.0f}-w/2:y={py * H:.0f}-h/2:"
                          f"enable='between(t,{clip.start:.3f},{clip.end:.3f})'[g{g}ovl{n}]")
            last = f"g{g}ovl{n}"
        composed[(W, H)] = last
    chains = streams.splits() + chains

    vouts: list[str] = []
    for (W, H), group in sizes.items():
        last = composed[(W, H)]
        labels = [f"{last}_{k}" for k in range(len(group))]
        if len(group) > 1:
            chains.append(f"[{last}]split={len(group)}" + "".join(f"[{x}]" for x in labels))
        else:
            labels = [last]
        for o, lab in zip(group, labels, strict=True):
            vout = f"vout{outputs.index(o)}"
            if o.ass_path is not None:
                opts = f"filename={filter_path(o.ass_path)}"
                if fontsdir:
                    opts += f":fontsdir={filter_path(fontsdir)}"
                chains.append(f"[{lab}]ass={opts}[{vout}]")
            else:
                chains.append(f"[{lab}]null[{vout}]")
    vouts = [f"vout{i}" for i in range(len(outputs))]

    def parts(kind: str) -> list[AudioPart]:
        found = []
        for t in timeline.tracks:
            if t.kind == kind and not t.muted:
                for c in t.clips:
                    found.append(AudioPart(inputs.add("-i", src_of(c).path), c))
        return found

    chains += audio_graph(parts("narration"), parts("music") + _broll_sound(visuals, clip_inputs, src_of),
                          duration, loudness, out="amix")
    aouts = [f"aout{i}" for i in range(len(outputs))]
    if len(outputs) > 1:
        chains.append("[amix]asplit=" + str(len(outputs)) + "".join(f"[{a}]" for a in aouts))
    else:
        chains.append(f"[amix]anull[{aouts[0]}]")
    args = [*inputs.args, "-filter_complex", ";".join(chains)]
    for o, vout, aout in zip(outputs, vouts, aouts, strict=True):
        args += ["-map", f"[{vout}]", "-map", f"[{aout}]", *encoder_args(o.preset, encoder, speed), "-t", f"{duration:.3f}"]
        meta = {"comment": AI_METADATA, "description": AI_METADATA, **(o.metadata or {})}
        for k, v in meta.items():
            args += ["-metadata", f"{k}={v}"]
        args.append(str(o.path))
    return args


def _broll_sound(visuals: Sequence[Clip], indices: Sequence[int], src_of: Callable[[Clip], Source]) -> list[AudioPart]:
    """Video clips that play their own sound (B-roll with sound on): mixed like the music bed,
    so the narration ducks them."""
    return [AudioPart(idx, c) for c, idx in zip(visuals, indices, strict=True)
            if c.sound and c.volume > 0 and src_of(c).kind == "video" and src_of(c).audio]


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

    narration, music = parts("narration"), parts("music")
    visuals = [c for t in timeline.tracks if t.kind == "video" and not t.muted for c in t.clips
               if c.asset_id in sources and c.sound and c.volume > 0 and sources[c.asset_id].kind == "video"
               and sources[c.asset_id].audio]
    music += [AudioPart(inputs.add("-i", sources[c.asset_id].path), c) for c in visuals]  # type: ignore[index]
    chains = audio_graph(narration, music, duration, None)
    return [*inputs.args, "-filter_complex", ";".join(chains), "-map", "[aout]", "-f", "null", "-"]


def has_audio(timeline: Timeline, sources: Mapping[str, Source] | None = None) -> bool:
    """True when the timeline has narration or music clips to mix (or B-roll with its sound on)."""
    if any(t.kind in ("narration", "music") and t.clips and not t.muted for t in timeline.tracks):
        return True
    return bool(sources) and any(
        c.sound and c.volume > 0 and c.asset_id in sources and sources[c.asset_id].audio  # type: ignore[operator]
        for t in timeline.tracks if t.kind == "video" and not t.muted for c in t.clips)


__all__ = ["Output", "Source", "build_export_args", "build_loudness_args", "build_multi_export_args", "crop_size",
           "filter_path", "has_audio"]
