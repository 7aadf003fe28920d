"""The picture of a timeline for one output size, as filtergraph chains (pure, no files read).

Each visual clip becomes a frame-sized stream of exactly its duration: trimmed, reframed for
the output's aspect (a face-following crop, or — when a crop would enlarge the source more
than `FILL_ABOVE` times — the picture over a blurred copy of itself), and given its own look.
Clips that follow each other (one per scene) are joined by cuts (`concat`) or transitions
(`xfade`: crossfade, dip to black, push); anything else is composited over black as layers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from studio.core.timeline import Clip

from .looks import look_chains
from .reframe import FILL_ABOVE, Keyframe, crop_upscale, fill_chains, reframe_filter

#: our transition names -> ffmpeg xfade's
XFADE = {"crossfade": "fade", "dip": "fadeblack", "push": "slideleft"}


@dataclass(frozen=True)
class Source:
    """A media file behind an asset: a video, a still image, or audio."""

    path: str
    kind: str  # "video" | "image" | "audio"
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    #: the video has a sound track (B-roll sound)
    audio: bool = False
    #: outpaints of the still behind this visual: (aspect w/h, image path)
    outpaints: tuple[tuple[float, str], ...] = ()


@dataclass(frozen=True)
class Canvas:
    """The output picture: size, frame rate, and how to reframe."""

    width: int
    height: int
    fps: float
    fill_above: float | None = FILL_ABOVE  # None: always crop

    @property
    def aspect(self) -> float:
        return self.width / self.height


@dataclass
class Streams:
    """Hands out input streams: `take(i)` gives a label for input i's video, splitting an input
    that several chains read (ffmpeg lets each stream label be consumed once)."""

    wanted: dict[int, int] = field(default_factory=dict)
    given: dict[int, int] = field(default_factory=dict)

    def want(self, index: int) -> None:
        self.wanted[index] = self.wanted.get(index, 0) + 1

    def take(self, index: int) -> str:
        n = self.given.get(index, 0)
        self.given[index] = n + 1
        return f"{index}:v" if self.wanted.get(index, 1) <= 1 else f"in{index}s{n}"

    def splits(self) -> list[str]:
        out = []
        for i, k in sorted(self.wanted.items()):
            if k > 1:
                out.append(f"[{i}:v]split={k}" + "".join(f"[in{i}s{n}]" for n in range(k)))
        return out


def _outpaint_for(src: Source, aspect: float) -> str | None:
    near = [p for a, p in src.outpaints if abs(a - aspect) <= 0.03]
    return near[0] if near else None


def clip_chains(label: str, src: Source, clip: Clip, canvas: Canvas, keys: Sequence[Keyframe],
                out: str, luts: Mapping[str, str] | None = None,
                extra_input: Callable[[str], str] | None = None) -> list[str]:
    """Chains turning stream `[label]` (one clip's source) into a canvas-sized `[out]` that
    lasts exactly the clip's duration.

    `extra_input(path)` adds an image input (a still's outpaint behind a fill) and returns its
    stream label."""
    W, H, fps = canvas.width, canvas.height, canvas.fps
    tag = out
    pre: list[str] = []
    if src.kind == "video":
        pre += [f"trim=start={clip.in_point:.3f}:end={clip.out_point:.3f}", "setpts=PTS-STARTPTS"]
        if abs(clip.speed - 1.0) > 1e-6:
            pre.append(f"setpts=PTS/{clip.speed:.4f}")
    pre.append(f"fps={fps:g}")
    tf = clip.transform
    sw, sh = src.width or W, src.height or H
    if tf.crop is not None:
        x0, y0, x1, y1 = tf.crop
        pre.append(f"crop={x1 - x0}:{y1 - y0}:{x0}:{y0}")
        sw, sh = x1 - x0, y1 - y0
        keys = [(t, cx - x0, cy - y0) for t, cx, cy in keys]
    chains: list[str] = []
    use = keys if tf.reframe == "face" else ()
    offset = clip.in_point if src.kind == "video" else 0.0
    same_aspect = abs(sw / sh - canvas.aspect) <= 0.01
    if same_aspect:
        chains.append(f"[{label}]{','.join(pre)}[{tag}r]")
    elif tf.reframe == "none":  # letterbox: the whole picture, black bars
        pre.append(f"scale={W}:{H}:force_original_aspect_ratio=decrease,pad={W}:{H}:(ow-iw)/2:(oh-ih)/2")
        chains.append(f"[{label}]{','.join(pre)}[{tag}r]")
    elif canvas.fill_above is not None and crop_upscale(sw, sh, W, H) > canvas.fill_above:
        chains.append(f"[{label}]{','.join(pre)}[{tag}p]")
        outpaint = _outpaint_for(src, canvas.aspect)
        bg = None
        if outpaint is not None and extra_input is not None:
            bg = f"{tag}op"
            chains.append(f"[{extra_input(outpaint)}]fps={fps:g}[{bg}]")
        chains += fill_chains(f"{tag}p", f"{tag}r", sw, sh, W, H, use, offset, tag=tag, background=bg)
    else:
        pre.append(reframe_filter(sw, sh, canvas.aspect, use, time_offset=offset))
        chains.append(f"[{label}]{','.join(pre)}[{tag}r]")
    post = [f"scale={W}:{H}:flags=bicubic", "setsar=1", "format=yuv420p"]
    if src.kind == "image":  # one frame in (see graph.py): made once, then repeated for the clip's length
        post += [f"loop=loop={math.ceil(clip.duration * fps) + 1}:size=1:start=0", f"setpts=N/({fps:g}*TB)"]
    # a clip shorter than its place holds its last frame; every segment is exactly its length
    # concat answers in microseconds: every segment uses that time base so xfade can join any two
    post += [f"tpad=stop_mode=clone:stop_duration={clip.duration:.3f}", f"trim=duration={clip.duration:.3f}",
             "setpts=PTS-STARTPTS", "settb=AVTB"]
    if clip.look:
        chains.append(f"[{tag}r]{','.join(post)}[{tag}s]")
        chains += look_chains(clip.look, f"{tag}s", f"{tag}lo", W, H, luts, tag=f"{tag}l")
        chains.append(f"[{tag}lo]settb=AVTB[{out}]")
    else:
        chains.append(f"[{tag}r]{','.join(post)}[{out}]")
    return chains


def is_sequence(clips: Sequence[Clip]) -> bool:
    """Whether clips (sorted by start) follow one another: each starts after the one before it
    started, ends after it ends, and overlaps it by at most half of either (a transition)."""
    for a, b in zip(clips, clips[1:], strict=False):
        overlap = a.end - b.start
        if b.start < a.start - 1e-6 or b.end < a.end - 1e-6:
            return False
        if overlap > min(a.duration, b.duration) / 2 + 1e-3:
            return False
    return True


def sequence_chains(segments: Sequence[tuple[str, Clip]], canvas: Canvas, duration: float, out: str) -> list[str]:
    """Join frame-sized segments (label, clip) in time order with cuts and transitions into a
    `duration`-long `[out]`; gaps and the end are black."""
    W, H, fps = canvas.width, canvas.height, canvas.fps
    chains: list[str] = []
    label, first = segments[0]
    acc = first.end
    if first.start > 1e-3:
        chains.append(f"[{label}]tpad=start_mode=add:start_duration={first.start:.3f}:color=black[sq0]")
        label = "sq0"
    for n, (nxt, clip) in enumerate(segments[1:], 1):
        joined = f"sq{n}j"
        overlap = acc - clip.start
        if overlap > 0.02 and clip.transition != "cut":
            chains.append(f"[{label}][{nxt}]xfade=transition={XFADE[clip.transition]}:duration={overlap:.3f}:"
                          f"offset={acc - overlap:.3f}[{joined}]")
        else:
            pad = ""
            if overlap > 1e-3:  # overlapping with a cut: the new clip wins from its start
                pad = f"trim=duration={clip.start:.3f},"
            elif clip.start - acc > 1e-3:
                pad = f"tpad=stop_mode=add:stop_duration={clip.start - acc:.3f}:color=black,"
            if pad:
                chains.append(f"[{label}]{pad.rstrip(',')}[sq{n}a]")
                label = f"sq{n}a"
            chains.append(f"[{label}][{nxt}]concat=n=2:v=1:a=0[{joined}]")
        label, acc = joined, clip.end
    tail = max(duration - acc, 0.0)
    end = f"tpad=stop_mode=add:stop_duration={tail:.3f}:color=black," if tail > 1e-3 else ""
    chains.append(f"[{label}]{end}trim=duration={duration:.3f},fps={fps:g},setsar=1[{out}]")
    del W, H
    return chains


def layer_chains(segments: Sequence[tuple[str, Clip]], canvas: Canvas, duration: float, out: str) -> list[str]:
    """Clips that do not follow one another: each laid over a black canvas at its start."""
    W, H, fps = canvas.width, canvas.height, canvas.fps
    chains = [f"color=c=black:s={W}x{H}:r={fps:g}:d={duration:.3f},format=yuv420p[lay0]"]
    last = "lay0"
    for n, (label, clip) in enumerate(segments):
        chains.append(f"[{label}]setpts=PTS+{clip.start:.3f}/TB[lay{n}s]")
        chains.append(f"[{last}][lay{n}s]overlay=eof_action=pass:repeatlast=0[lay{n + 1}]")
        last = f"lay{n + 1}"
    chains.append(f"[{last}]null[{out}]")
    return chains
