"""The inside of an open mouth, painted where the warped lips part — and the lash line of a blink.

The warp moves each lip with its own layer (face_rig.backward_layers), so the red of both lips
stays intact around the opening; we paint what a camera sees between their inner edges:
- the opening: the lips' inner edges resampled smooth, the corners rounded and kept closed for a
  short length (lips meet there), anti-aliased and feathered a little inwards, so it sits inside
  the lips and never cuts into them;
- upper teeth hanging under the upper lip, a curved row: each tooth's width is its arc on a dental
  arch seen from the front (wide incisors, narrower towards the corners), each tooth rounded at its
  tip with a soft embrasure between neighbours (no drawn lines), darker towards the gums, the lip's
  shadow and the corners where the arch turns away, with a small per-tooth irregularity;
- lower teeth rising from the lower lip on wider openings, smaller and in the upper row's shadow;
- a tongue low in the mouth (its tip up between the teeth for TH), moist highlight at the front;
- a cavity, darkest at the back and towards the cheeks — never flat black.
Every colour comes from the face itself: the lips around the opening give the light level and the
tint (a greyscale photo gets a grey mouth, a warm one warm teeth), and the photo's grain is added.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: across the arch: a central incisor, lateral, canine, two premolars (mm of arc, halves of a row)
TOOTH_ARC = (8.6, 6.6, 7.6, 7.0, 6.8)
LOWER_ARC = (5.4, 5.9, 6.8, 7.0)
#: the arch's radius in mm of arc per half mouth width; fraction of the half width the arch spans
ARCH_RADIUS, ARCH_SPAN = 24.0, 0.93


def _curve(points: np.ndarray, n: int = 48) -> np.ndarray:
    """A smooth curve through ordered points (linear resample + one smoothing pass)."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s = np.concatenate([[0], np.cumsum(seg)])
    if s[-1] <= 1e-6:
        return np.repeat(points[:1], n, 0)
    t = np.linspace(0, s[-1], n)
    out = np.stack([np.interp(t, s, points[:, 0]), np.interp(t, s, points[:, 1])], 1)
    for _ in range(3):  # rounds the corners where the lips meet
        out[1:-1] = 0.25 * out[:-2] + 0.5 * out[1:-1] + 0.25 * out[2:]
    return out


def _smooth(y: np.ndarray, passes: int) -> np.ndarray:
    """Binomial smoothing with the ends held (a polyline's kinks rounded off)."""
    y = y.copy()
    for _ in range(passes):
        y[1:-1] = 0.25 * y[:-2] + 0.5 * y[1:-1] + 0.25 * y[2:]
    return y


def _step(x: np.ndarray | float, width: np.ndarray | float) -> np.ndarray:
    """0 → 1 over `width` px around x = 0 (a soft, anti-aliased edge)."""
    t = np.clip(np.asarray(x, np.float32) / np.maximum(width, 1e-3) + 0.5, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def opening_outline(upper: np.ndarray, lower: np.ndarray, u: np.ndarray, v: np.ndarray, mouth_w: float,
                    n: int = 96) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(centre, across px, top px, bottom px): the painted opening in the mouth's own frame.

    `across` samples the line between the corners; `top`/`bottom` are the lips' inner edges
    below/above it (px along `v` from `centre`), smoothed, with rounded, slightly closed corners.
    """
    c = (upper[0] + upper[-1] + lower[0] + lower[-1]) / 4
    ua, ub = (upper - c) @ u, (upper - c) @ v
    la, lb = (lower - c) @ u, (lower - c) @ v
    lo_a, hi_a = max(min(ua.min(), la.min()), -mouth_w), min(max(ua.max(), la.max()), mouth_w)
    across = np.linspace(lo_a, hi_a, n)
    ou, ol = np.argsort(ua), np.argsort(la)
    passes = 6  # ~ the spacing of the mesh's lip points
    top = _smooth(np.interp(across, ua[ou], ub[ou]), passes)
    bottom = _smooth(np.interp(across, la[ol], lb[ol]), passes)
    mid, half = (top + bottom) / 2, np.maximum(bottom - top, 0) / 2
    # the lips stay together for a little at each corner, and the opening ends in a round cap
    end = np.minimum(across - lo_a, hi_a - across) - 0.04 * mouth_w
    r = max(min(0.05 * mouth_w, 0.9 * float(half.max())), 1.0)
    e = np.clip(end, 0, r)
    cap = np.where(end < r, np.sqrt(np.clip(2 * r * e - e * e, 0, None)), np.inf)
    half = np.where(end <= 0, 0.0, np.minimum(half, cap))
    return c, across, mid - half, mid + half


def opening_alpha(poly: np.ndarray, origin: tuple[int, int], shape: tuple[int, int], mouth_w: float, gap: float,
                  enlarged: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(coverage, alpha) of the opening `poly` over a (h, w) box at `origin` (crop px).

    Coverage is the polygon drawn 4× supersampled; alpha feathers it across the lips' inner edge
    (a Gaussian as wide as the photo's own softness when it is shown enlarged, at least ~1 % of
    the mouth), opaque just inside the edge (what the warp left there is the other lip's carried
    rim) and a soft shadow just over it.
    """
    import cv2

    (bh, bw), ss = shape, 4
    cover = np.zeros((bh * ss, bw * ss), np.uint8)
    cv2.fillPoly(cover, [np.round((poly - origin) * ss + (ss - 1) / 2).astype(np.int32)], 255, cv2.LINE_AA)
    cover = cv2.resize(cover, (bw, bh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    feather = float(np.clip(max(0.008 * mouth_w, 0.45 * max(1.0, float(enlarged))), 0.5, max(0.5, 0.2 * gap)))
    soft = cv2.GaussianBlur(cover, (0, 0), feather) if feather > 0.5 else cover
    return cover, np.clip(soft * 1.3, 0, 1)


def _palette(lip: np.ndarray) -> dict[str, np.ndarray]:
    """The mouth's colours from the lips' own colour (RGB float): light level and tint of the face."""
    lum = float(lip @ np.array([0.299, 0.587, 0.114], np.float32))
    lum = max(lum, 8.0)
    tint = lip / lum - 1.0  # the lips' chroma around their brightness (0 on a greyscale photo)
    sat = float(np.clip(np.abs(tint).max() / 0.3, 0, 1))
    teeth_lum = float(np.clip(lum * 1.42, 60.0, 228.0))
    ivory = np.array([0.02, 0.0, -0.07], np.float32) * sat  # warm photos: teeth a little yellow
    red = np.array([0.26, -0.12, -0.07], np.float32) * sat  # the inside of a mouth is redder than lips
    return {
        "teeth": teeth_lum * (1.0 + 0.1 * tint + ivory),
        "tongue": lum * 0.8 * (1.0 + 1.0 * tint + red),
        "front": lum * 0.36 * (1.0 + 1.1 * tint + 0.6 * red),
        "back": lum * 0.16 * (1.0 + 1.0 * tint + 0.6 * red),
    }


def _lip_colour(roi: np.ndarray, poly: np.ndarray, mouth_w: float) -> np.ndarray:
    """Median colour of the lips in a band 2–7 % of the mouth width outside the opening."""
    import cv2

    h, w = roi.shape[:2]
    near, far = max(1, round(0.02 * mouth_w)), max(3, round(0.07 * mouth_w))
    x0, y0 = np.floor(poly.min(0)).astype(int) - far - 1
    x1, y1 = np.ceil(poly.max(0)).astype(int) + far + 2
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    m = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(m, [np.round(poly - [x0, y0]).astype(np.int32)], 1)
    band = cv2.dilate(m, np.ones((2 * far + 1, 2 * far + 1), np.uint8)) - cv2.dilate(m, np.ones((2 * near + 1,) * 2, np.uint8))
    px = roi[y0:y1, x0:x1][band > 0]
    return np.median(px, axis=0).astype(np.float32) if len(px) > 8 else np.array([150, 95, 95], np.float32)


def _tooth_edges(arc: tuple[float, ...]) -> np.ndarray:
    """Tooth boundaries across the row as seen from the front (fractions of the half width)."""
    s = np.concatenate([[0.0], np.cumsum(arc)])
    return ARCH_SPAN * np.sin(np.clip(s / ARCH_RADIUS, 0, np.pi / 2)) / np.sin(s[-1] / ARCH_RADIUS)


def _row(an: np.ndarray, edges: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per pixel of a tooth row: (position within its tooth 0..1, tooth index, the tooth's
    facing (cos of its angle on the arch), its irregularity -1..1)."""
    x = np.clip(np.abs(an), 0, edges[-1] - 1e-4)
    k = np.clip(np.searchsorted(edges, x) - 1, 0, len(edges) - 2)
    frac = (x - edges[k]) / (edges[k + 1] - edges[k])
    facing = np.sqrt(np.clip(1 - (x / (edges[-1] * 1.04)) ** 2, 0, 1))
    rnd = np.random.default_rng(seed).uniform(-1, 1, (2, len(edges)))
    jitter = np.where(an < 0, rnd[0][k], rnd[1][k])
    return frac, k, facing, jitter


@dataclass
class _Inside:
    """Per pixel of the painted box, in the mouth's own frame (see `paint_mouth`)."""

    an: np.ndarray  # across, in half widths from the middle of the teeth (-1 … 1 at the corners)
    ax: np.ndarray  # |an|
    from_top: np.ndarray  # px below the upper lip's inner edge
    from_bot: np.ndarray  # px above the lower lip's inner edge
    span: np.ndarray  # the opening's height here, px
    mouth_w: float
    gap: float  # the opening's largest height, px
    aa: float  # edge width of the shapes inside, px


def paint_mouth(roi: np.ndarray, upper: np.ndarray, lower: np.ndarray, u: np.ndarray, v: np.ndarray,
                mouth_w: float, jaw: float, tongue_tip: float, tuck: float, seed: int = 0,
                enlarged: float = 1.0) -> np.ndarray:
    """Paint the opening between `upper` and `lower` inner-lip points (corner → corner, crop px).

    `enlarged`: output px per pixel of the photo (a still shown larger than it was taken is soft;
    the painted edges and grain are made as soft)."""
    if np.linalg.norm(upper - lower, axis=1).max() < 0.8:
        return roi
    c, across, top_c, bot_c = opening_outline(upper, lower, u, v, mouth_w)
    gap = float((bot_c - top_c).max())
    if gap < 0.6:
        return roi
    poly = np.concatenate([c + across[:, None] * u + top_c[:, None] * v,
                           (c + across[:, None] * u + bot_c[:, None] * v)[::-1]])
    h, w = roi.shape[:2]
    x0, y0 = np.floor(poly.min(0)).astype(int) - 3
    x1, y1 = np.ceil(poly.max(0)).astype(int) + 4
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return roi
    cover, alpha = opening_alpha(poly, (x0, y0), (y1 - y0, x1 - x0), mouth_w, gap, enlarged)
    if alpha.max() <= 0:
        return roi
    blur = max(1.0, float(enlarged))
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    rel_x, rel_y = xs - np.float32(c[0]), ys - np.float32(c[1])
    a = rel_x * np.float32(u[0]) + rel_y * np.float32(u[1])  # across, px
    b = rel_x * np.float32(v[0]) + rel_y * np.float32(v[1])  # down, px
    top = np.interp(a, across, top_c).astype(np.float32)
    bottom = np.interp(a, across, bot_c).astype(np.float32)
    # the middle of the teeth is the inner-lip centre: off-centre on a turned head, where the far
    # half of the row is foreshortened
    mid_a = float(((upper[len(upper) // 2] + lower[len(lower) // 2]) / 2 - c) @ u)
    left, right = mid_a - float(across[0]), float(across[-1]) - mid_a
    an = np.where(a < mid_a, (a - mid_a) / max(left, 1.0), (a - mid_a) / max(right, 1.0)).astype(np.float32)
    px = _Inside(an, np.abs(an), b - top, bottom - b, np.maximum(bottom - top, 1.0), mouth_w, gap,
                 max(0.6, 0.004 * mouth_w, 0.8 * blur))
    pal = _palette(_lip_colour(roi, poly, mouth_w))  # the light: the lips around the opening
    col = _cavity(px, pal)
    col, tongue, t_alpha = _tongue(px, pal, col, jaw, tongue_tip)
    col = _lower_teeth(px, pal, col, tuck, seed + 7)
    col, length = _upper_teeth(px, pal, col, tuck, seed)
    if tongue_tip > 0.05:  # TH: the tip pushes forward under the upper teeth' edge
        tip_a = t_alpha * _step(px.from_top - 0.55 * length, 2 * px.aa) * np.clip((0.45 - px.ax) / 0.2, 0, 1) * tongue_tip
        tip_col = pal["tongue"] * (0.85 - 0.25 * np.clip(px.ax / 0.45, 0, 1))[..., None]
        col = col + (tip_col - col) * tip_a[..., None]
    # the lips shade the inside right under and over their edges
    lip_shadow = 1.0 - 0.3 * np.exp(-np.clip(px.from_top, 0, None) / max(0.025 * mouth_w, 0.8))
    lip_shadow *= 1.0 - 0.2 * np.exp(-np.clip(px.from_bot, 0, None) / max(0.02 * mouth_w, 0.8))
    box = roi[y0:y1, x0:x1].astype(np.float32)
    col = _grain(col * lip_shadow[..., None], box, cover < 0.02, blur, seed + 1)
    out = roi.copy()
    al = alpha[..., None]
    out[y0:y1, x0:x1] = np.clip(box * (1 - al) + col * al + 0.5, 0, 255).astype(np.uint8)
    return out


def _cavity(px: _Inside, pal: dict[str, np.ndarray]) -> np.ndarray:
    """The back of the mouth: lighter just inside the lips, darker towards the cheeks."""
    near = np.minimum(px.from_top, px.from_bot)
    depth = np.clip(near / (0.5 * px.span), 0, 1)
    front = np.exp(-near / max(0.05 * px.mouth_w, 1.0))
    col = pal["back"] + (pal["front"] - pal["back"]) * (0.25 * (1 - depth) + 0.55 * front)[..., None]
    return col * (1.0 - 0.45 * np.clip(px.ax, 0, 1.2) ** 2)[..., None]


def _tongue(px: _Inside, pal: dict[str, np.ndarray], col: np.ndarray, jaw: float,
            tongue_tip: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A rounded mound above the lower lip, lit from the front, falling into the dark towards the
    back of the mouth; higher and narrower when its tip rises for TH. (col, tongue colour, alpha)."""
    open_frac = float(np.clip(px.gap / (0.45 * px.mouth_w), 0, 1))
    tongue_h = (0.24 + 0.12 * open_frac) * px.span + tongue_tip * 0.6 * px.span
    t_width = 0.8 - 0.3 * tongue_tip
    t_top = tongue_h * np.sqrt(np.clip(1 - (px.ax / t_width) ** 2, 0, 1))
    t_alpha = (_step(t_top - px.from_bot, np.maximum(1.5 * px.aa, 0.3 * t_top))
               * float(np.clip(jaw * 2.0 + tongue_tip + 0.2, 0, 1)))
    toward_front = np.clip(1 - px.from_bot / np.maximum(t_top, 1.0), 0, 1)
    t_light = (0.45 + 0.55 * toward_front**0.7) * (1.0 - 0.55 * np.clip(px.ax / t_width, 0, 1) ** 2)
    groove = 1 - 0.12 * np.exp(-(px.an / 0.06) ** 2) * (1 - toward_front)  # the tongue's mid line
    tongue = pal["tongue"] * (t_light * groove * (0.8 + 0.2 * open_frac))[..., None]
    return col + (tongue - col) * t_alpha[..., None], tongue, t_alpha


def _lower_teeth(px: _Inside, pal: dict[str, np.ndarray], col: np.ndarray, tuck: float, seed: int) -> np.ndarray:
    """On wider openings: the lower incisors rising behind the lower lip, in the upper row's shadow."""
    low_vis = float(np.clip((px.gap - 0.26 * px.mouth_w) / (0.2 * px.mouth_w), 0, 1)) * (1 - tuck)
    if low_vis <= 0.02:
        return col
    edges = _tooth_edges(LOWER_ARC) * 0.56
    frac, _k, facing, jit = _row(px.an, edges, seed)
    low_h = (0.012 + 0.024 * low_vis) * px.mouth_w * (1 - 0.5 * (px.ax / edges[-1]) ** 2) * (1 + 0.05 * jit)
    tip = low_h - np.minimum(0.1 * low_h, 0.012 * px.mouth_w) * (2 * frac - 1) ** 6
    la = _step(tip - px.from_bot, px.aa) * np.clip((edges[-1] - px.ax) / 0.25, 0, 1) ** 1.5 * min(1.0, 3 * low_vis)
    shade = 0.85 * (0.3 + 0.7 * facing**2) * (1 + 0.03 * jit)
    shade = shade * (0.85 + 0.15 * np.clip(px.from_bot / np.maximum(low_h, 1.0), 0, 1))
    # shaded teeth go towards the mouth's own dark (warm), not towards grey
    lower = pal["front"] + (pal["teeth"] - pal["front"]) * shade[..., None]
    return col + (lower - col) * la[..., None]


def _upper_teeth(px: _Inside, pal: dict[str, np.ndarray], col: np.ndarray, tuck: float,
                 seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The upper row hanging under the upper lip, tips on a smile curve: (col, tooth length px)."""
    edges = _tooth_edges(TOOTH_ARC)
    frac, k, facing, jit = _row(px.an, edges, seed)
    mw, ax = px.mouth_w, px.ax
    lift = float(np.clip(px.gap / (0.5 * mw), 0, 1))
    tooth_h = min((0.07 + 0.07 * lift + 0.04 * tuck) * mw, 0.92 * px.gap + 0.12 * tuck * mw)
    length = tooth_h * (1 - 0.38 * ax**2) * (1 - 0.1 * (k >= 2)) * (1 + 0.04 * jit)
    tip = length - np.minimum(0.08 * length, 0.018 * mw) * np.abs(2 * frac - 1) ** 4  # rounded tips
    alpha = _step(tip - px.from_top, px.aa) * np.clip((0.92 - ax) / 0.14, 0, 1)
    # between teeth: a soft darkening towards the tips (an embrasure), never a drawn line
    width = (edges[k + 1] - edges[k]) * 0.5 * mw
    embrasure = np.exp(-(np.minimum(frac, 1 - frac) * width / max(0.9 * px.aa, 0.5)) ** 2)
    down = np.clip(px.from_top / np.maximum(length, 1.0), 0, 1)
    shade = (0.12 + 0.88 * facing**2.5) * (1 - 0.12 * embrasure * down)  # the arch turns away
    shade = shade * (0.72 + 0.28 * np.clip(px.from_top / np.maximum(0.35 * length, 1.0), 0, 1))  # gums, lip shadow
    shade = shade * (1 - 0.07 * np.clip((down - 0.82) / 0.18, 0, 1)) * (1 + 0.025 * jit)  # translucent tips
    teeth = pal["front"] + (pal["teeth"] - pal["front"]) * shade[..., None]
    return col + (teeth - col) * alpha[..., None], length


def _grain(col: np.ndarray, box: np.ndarray, outside: np.ndarray, blur: float, seed: int) -> np.ndarray:
    """Photo grain as fine as the photo's own (enlarged with it), so the painted area is not
    smoother than the lips around it."""
    import cv2

    if outside.sum() > 8:
        grain = float(np.std((box - cv2.GaussianBlur(box, (0, 0), 1.2 * blur))[outside]))
    else:
        grain = 2.0
    noise = np.random.default_rng(seed).normal(0, 1, box.shape[:2]).astype(np.float32)
    if blur > 1.2:
        noise = cv2.GaussianBlur(noise, (0, 0), 0.5 * blur)
        noise /= max(float(noise.std()), 1e-3)
    return col + (min(grain, 4.0) * noise)[..., None] * (0.6 + 0.25 * col.mean(-1, keepdims=True) / 128.0)


def paint_lash_line(roi: np.ndarray, line: np.ndarray, amount: float, width: float) -> np.ndarray:
    """Darken along a closing eyelid's edge (`line`: points outer → inner corner, crop px)."""
    import cv2

    if amount <= 0.05 or len(line) < 2:
        return roi
    h, w = roi.shape[:2]
    pts = _curve(line, 24)
    x0, y0 = np.floor(pts.min(0) - 3 * width).astype(int)
    x1, y1 = np.ceil(pts.max(0) + 3 * width).astype(int)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return roi
    ss = 4
    m = np.zeros(((y1 - y0) * ss, (x1 - x0) * ss), np.uint8)
    cv2.polylines(m, [np.round((pts - [x0, y0]) * ss).astype(np.int32)], False, 255,
                  max(1, int(round(width * ss))), cv2.LINE_AA)
    m = cv2.resize(m, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    m = cv2.GaussianBlur(m, (0, 0), max(0.5, width * 0.4))
    a = (m * 0.55 * float(np.clip((amount - 0.05) / 0.6, 0, 1)))[..., None]
    out = roi.copy()
    box = out[y0:y1, x0:x1].astype(np.float32)
    out[y0:y1, x0:x1] = np.clip(box * (1 - a) + box * 0.35 * a, 0, 255).astype(np.uint8)
    return out


def cover_eye(roi: np.ndarray, upper: np.ndarray, lower: np.ndarray, amount: float, lift: float) -> np.ndarray:
    """Cover what is left of the eye between the posed lids with the lid's own skin.

    A closing lid squeezes the eye into a thin dark band (the field is coarse); the band is
    replaced by the skin `lift` px above it (the upper lid), feathered, in proportion to `amount`.
    """
    import cv2

    if amount <= 0.3:
        return roi
    poly = np.concatenate([_curve(upper, 24), _curve(lower, 24)[::-1]])
    h, w = roi.shape[:2]
    pad = int(np.ceil(lift)) + 3
    x0, y0 = np.floor(poly.min(0)).astype(int) - 3
    x1, y1 = np.ceil(poly.max(0)).astype(int) + 3
    x0, y0, x1, y1 = max(0, x0), max(pad, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 3 or y1 - y0 < 2:
        return roi
    ss = 4
    m = np.zeros(((y1 - y0) * ss, (x1 - x0) * ss), np.uint8)
    cv2.fillPoly(m, [np.round((poly - [x0, y0]) * ss).astype(np.int32)], 255, cv2.LINE_AA)
    m = cv2.resize(m, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    m = cv2.dilate(m, np.ones((3, 3), np.uint8))
    m = cv2.GaussianBlur(m, (0, 0), 1.0)
    a = (m * float(np.clip((amount - 0.3) / 0.45, 0, 1)))[..., None]
    shift = np.float32([[1, 0, 0], [0, 1, -lift]])
    above = cv2.warpAffine(roi[y0 - pad:y1, x0:x1], shift, (x1 - x0, y1 - y0 + pad),
                           flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[pad:]
    out = roi.copy()
    box = out[y0:y1, x0:x1].astype(np.float32)
    out[y0:y1, x0:x1] = np.clip(box * (1 - a) + above.astype(np.float32) * a + 0.5, 0, 255).astype(np.uint8)
    return out
