"""Face-aware reframing as a pure function: face keyframes -> an ffmpeg crop filter.

When the source's aspect differs from the preset's, a fixed-size window is cut from the source
and its position follows the (smoothed) face centre, moving linearly between keyframes. The
window never leaves the frame, so the result is always full-frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Keyframe = tuple[float, float, float]  # (time s, cx px, cy px) in source pixels


def crop_size(src_w: int, src_h: int, aspect: float) -> tuple[int, int]:
    """Largest even (w, h) of `aspect` (w/h) that fits in the source."""
    if src_w / src_h > aspect:
        h = src_h
        w = min(src_w, round(h * aspect))
    else:
        w = src_w
        h = min(src_h, round(w / aspect))
    return max(2, w - w % 2), max(2, h - h % 2)


def smooth_keyframes(keys: Sequence[Keyframe], window: float = 0.5) -> list[Keyframe]:
    """Centred moving average over `window` seconds: detector jitter must not shake the crop.

    Keys must be sorted by time. Running sums make it linear in the number of keys (a talking
    clip's recorded track has one per frame)."""
    if len(keys) < 3 or window <= 0:
        return list(keys)
    a = np.asarray(keys, np.float64)
    t = a[:, 0]
    half = window / 2
    # the window is |tt - t| <= half, exactly as written: search a hair wider, then drop the
    # neighbours that float rounding let in (a key never leaves its own window)
    lo = np.searchsorted(t, t - half - 1e-9, "left")
    hi = np.searchsorted(t, t + half + 1e-9, "right")
    while (out := np.abs(t[lo] - t) > half).any():
        lo += out
    while (out := np.abs(t[hi - 1] - t) > half).any():
        hi -= out
    sums = np.vstack([np.zeros((1, 2)), np.cumsum(a[:, 1:], axis=0)])
    mean = (sums[hi] - sums[lo]) / (hi - lo)[:, None]
    return [(float(tt), float(x), float(y)) for tt, (x, y) in zip(t, mean, strict=True)]


def thin_keyframes(keys: Sequence[Keyframe], max_keys: int = 64) -> list[Keyframe]:
    """At most `max_keys` evenly spaced keyframes (first and last kept): keeps the expression small."""
    if len(keys) <= max_keys:
        return list(keys)
    step = (len(keys) - 1) / (max_keys - 1)
    return [keys[round(i * step)] for i in range(max_keys)]


def _piecewise(points: Sequence[tuple[float, float]]) -> str:
    """ffmpeg expression in `t` that interpolates linearly through (time, value) points."""
    if len(points) == 1:
        return f"{points[0][1]:.1f}"
    expr = f"{points[-1][1]:.1f}"
    for (t0, v0), (t1, v1) in reversed(list(zip(points, points[1:], strict=False))):
        if t1 - t0 <= 1e-6:
            seg = f"{v1:.1f}"
        else:
            slope = (v1 - v0) / (t1 - t0)
            seg = f"{v0:.1f}+({slope:.4f})*(t-{t0:.3f})"
        expr = f"if(lt(t,{t1:.3f}),{seg},{expr})"
    t0, v0 = points[0]
    return f"if(lt(t,{t0:.3f}),{v0:.1f},{expr})"


def window_positions(
    src_w: int, src_h: int, crop_w: int, crop_h: int, keys: Sequence[Keyframe]
) -> list[tuple[float, float, float]]:
    """(time, x, y) of the window's top-left for each keyframe, clamped inside the frame."""
    out = []
    for t, cx, cy in keys:
        x = min(max(cx - crop_w / 2, 0.0), src_w - crop_w)
        y = min(max(cy - crop_h / 2, 0.0), src_h - crop_h)
        out.append((t, x, y))
    return out


def reframe_filter(
    src_w: int,
    src_h: int,
    aspect: float,
    keys: Sequence[Keyframe] = (),
    time_offset: float = 0.0,
    smooth: float = 0.5,
) -> str:
    """A `crop=` filter cutting `aspect` from a src_w×src_h source, following `keys`.

    `keys` are face centres in source pixels at source times; `time_offset` (the clip's in
    point) is subtracted because the filter sees clip-local time. No keys = centre crop.
    """
    w, h = crop_size(src_w, src_h, aspect)
    if not keys:
        return f"crop={w}:{h}:{(src_w - w) // 2}:{(src_h - h) // 2}"
    keys = thin_keyframes(smooth_keyframes(sorted(keys), smooth))
    pos = window_positions(src_w, src_h, w, h, [(t - time_offset, cx, cy) for t, cx, cy in keys])
    x = _piecewise([(t, px) for t, px, _ in pos])
    y = _piecewise([(t, py) for t, _, py in pos])
    # commas inside expressions must be escaped inside a filtergraph
    return f"crop={w}:{h}:x='{x}':y='{y}'".replace(",", "\\,")


#: crop when the cut-out needs at most this much upscaling to fill the frame; fill above it
FILL_ABOVE = 1.5


def crop_upscale(src_w: int, src_h: int, out_w: int, out_h: int) -> float:
    """How much a crop of the output's aspect must be enlarged to fill an out_w×out_h frame."""
    cw, _ = crop_size(src_w, src_h, out_w / out_h)
    return out_w / cw


def fill_layout(src_w: int, src_h: int, out_w: int, out_h: int, max_up: float = 1.0) -> tuple[int, int, int, int]:
    """(region w, region h, shown w, shown h) of the sharp picture in a fill.

    The picture is zoomed from "whole frame fits" toward "fills the frame", but never beyond
    `max_up` times its own pixels: a 1080×1920 talking clip in a 1920×1080 frame shows a
    1080×1080 region (around the face) at its own resolution, over a blurred copy of itself.
    """
    fit = min(out_w / src_w, out_h / src_h)
    cover = max(out_w / src_w, out_h / src_h)
    s = max(fit, min(max_up, cover))
    rw, rh = min(src_w, out_w / s), min(src_h, out_h / s)
    rw, rh = max(2, int(rw) // 2 * 2), max(2, int(rh) // 2 * 2)
    fw, fh = min(out_w, round(rw * s)) // 2 * 2, min(out_h, round(rh * s)) // 2 * 2
    return rw, rh, max(2, fw), max(2, fh)


def fill_chains(inp: str, out: str, src_w: int, src_h: int, out_w: int, out_h: int,
                keys: Sequence[Keyframe] = (), time_offset: float = 0.0, tag: str = "f",
                background: str | None = None, dim: float = 0.35) -> list[str]:
    """Filter chains placing `[inp]` sharp over a blurred, dimmed copy of itself, into `[out]`.

    The sharp part is a face-following window (`reframe_filter` of the region's aspect).
    `background` is the label of another stream to use behind it instead (a still's outpaint).
    """
    rw, rh, fw, fh = fill_layout(src_w, src_h, out_w, out_h)
    window = reframe_filter(src_w, src_h, rw / rh, keys, time_offset) if (rw, rh) != (src_w, src_h) else "null"
    # blur at 1/8 size: a large gaussian on the full frame costs more than the encode
    sw, sh = max(2, out_w // 8 // 2 * 2), max(2, out_h // 8 // 2 * 2)
    chains = []
    if background is None:
        # the blurred copy is of the same window as the sharp picture, so its colours run on from
        # the picture's edges (the whole frame's middle could be a dark jumper beside a face)
        chains.append(f"[{inp}]{window},split[{tag}fgw][{tag}bgsrc]")
        bg_in, fg = f"{tag}bgsrc", f"[{tag}fgw]null"
    else:
        chains.append(f"[{inp}]null[{tag}fg]")
        bg_in, fg = background, f"[{tag}fg]{window}"
    chains.append(
        f"[{bg_in}]scale={sw}:{sh}:force_original_aspect_ratio=increase,crop={sw}:{sh},"
        f"gblur=sigma={max(2.0, sw / 24):.1f},eq=brightness={-dim * 0.4:.3f}:saturation={1 - dim * 0.6:.3f},"
        f"scale={out_w}:{out_h}:flags=bilinear,setsar=1[{tag}bg]"
    )
    chains.append(f"{fg},scale={fw}:{fh}:flags=bicubic,setsar=1[{tag}sharp]")
    chains.append(f"[{tag}bg][{tag}sharp]overlay=x=(W-w)/2:y=(H-h)/2:shortest=1[{out}]")
    return chains
