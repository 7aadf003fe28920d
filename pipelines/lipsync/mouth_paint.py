"""The inside of an open mouth, painted where the warped lips part — and the lash line of a blink.

The warp only stretches lip pixels; where the lips part we paint what a camera sees: upper teeth
hanging from the upper lip (incisors wide, teeth narrowing and darkening round the arch, a soft
shadow under the lip), lower teeth rising from the lower lip once the jaw drops, a tongue low in
the mouth (its tip up between the teeth for TH), and a warm, dark cavity between — graded, never
flat black. Colours are lit like the face: scaled by the brightness and tint of the lips around
the opening. Edges are drawn 4× supersampled, so the lip line stays soft at any size.
"""

from __future__ import annotations

import numpy as np

CAVITY_BACK = np.array([46, 18, 20], np.float32)
CAVITY_FRONT = np.array([112, 52, 50], np.float32)
TEETH = np.array([246, 236, 214], np.float32)  # ivory, not paper white
TONGUE = np.array([168, 80, 82], np.float32)
#: tooth edges across the arch (fractions of the mouth's half-width): incisors wide, then narrower
TOOTH_EDGES = (0.0, 0.21, 0.4, 0.56, 0.7, 1.2)


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


def paint_mouth(roi: np.ndarray, upper: np.ndarray, lower: np.ndarray, u: np.ndarray, v: np.ndarray,
                mouth_w: float, jaw: float, tongue_tip: float, tuck: float) -> np.ndarray:
    """Paint the opening between `upper` and `lower` inner-lip points (corner → corner, crop px)."""
    import cv2

    up, lo = _curve(upper), _curve(lower)
    gap = np.linalg.norm(up - lo, axis=1)
    if gap.max() < 0.8:
        return roi
    poly = np.concatenate([up, lo[::-1]])
    h, w = roi.shape[:2]
    x0, y0 = np.floor(poly.min(0)).astype(int) - 2
    x1, y1 = np.ceil(poly.max(0)).astype(int) + 3
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return roi
    bw, bh = x1 - x0, y1 - y0
    ss = 4
    mask = np.zeros((bh * ss, bw * ss), np.uint8)
    local = (poly - [x0, y0]) * ss
    cv2.fillPoly(mask, [np.round(local).astype(np.int32)], 255, cv2.LINE_AA)
    mask = cv2.resize(mask, (bw, bh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    if mask.max() <= 0:
        return roi
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    centre = (up.mean(0) + lo.mean(0)) / 2
    rel_x, rel_y = xs - centre[0], ys - centre[1]
    a = (rel_x * u[0] + rel_y * u[1]) / (0.5 * mouth_w)  # across, -1..1 at the corners
    b = rel_x * v[0] + rel_y * v[1]  # down, px
    ua = ((up - centre) @ u) / (0.5 * mouth_w)
    order_u, order_l = np.argsort(ua), np.argsort(((lo - centre) @ u) / (0.5 * mouth_w))
    top = np.interp(a, ua[order_u], ((up - centre) @ v)[order_u])
    la = ((lo - centre) @ u) / (0.5 * mouth_w)
    bottom = np.interp(a, la[order_l], ((lo - centre) @ v)[order_l])
    depth_px = b - top  # px below the upper lip
    span = np.maximum(bottom - top, 1.0)
    depth = np.clip(depth_px / span, 0, 1)
    across = np.clip(np.abs(a), 0, 1.2)

    # light: the lips' brightness and tint around the opening, relative to a mid-tone lip
    ring = cv2.dilate((mask > 0.05).astype(np.uint8), np.ones((5, 5), np.uint8)) - (mask > 0.05).astype(np.uint8)
    box = roi[y0:y1, x0:x1].astype(np.float32)
    lip = box[ring > 0].mean(0) if ring.any() else np.array([150, 90, 90], np.float32)
    light = float(np.clip(lip.mean() / 125.0, 0.55, 1.35))
    tint = np.clip(lip / max(lip.mean(), 1.0), 0.85, 1.2)

    # cavity: lighter near the lips, darkest at the back of the mouth, darker to the sides
    front = np.clip(1 - np.minimum(depth, 1 - depth) * 2.4, 0, 1) ** 1.5
    col = CAVITY_BACK + (CAVITY_FRONT - CAVITY_BACK) * (0.35 * front[..., None])
    col = col * np.clip(1.0 - 0.25 * across**2, 0.75, 1)[..., None]
    # tongue: a rounded mound low in the mouth; the tip rises between the teeth for TH
    tongue_top = 0.68 - 0.55 * tongue_tip
    t_shape = np.clip((depth - (tongue_top + 0.45 * across**2)) / 0.15, 0, 1)
    t_amt = np.clip(jaw * 1.6 - 0.15, 0, 1) * 0.9 + tongue_tip
    t_shade = (0.55 + 0.45 * np.clip((depth - tongue_top) / 0.3, 0, 1))[..., None]
    t_alpha = np.clip(t_shape * t_amt, 0, 1)[..., None]
    col = col * (1 - t_alpha) + TONGUE * t_shade * t_alpha
    # upper teeth: a band under the upper lip, tooth by tooth
    tooth_h = min((0.1 + 0.02 * tuck) * mouth_w, (0.85 + 0.15 * tuck) * float(gap.max()))
    # the arch turns away from the camera: teeth fade out well before the corners
    in_teeth = np.clip((tooth_h - depth_px) / 1.2, 0, 1) * np.clip((0.8 - across) / 0.2, 0, 1)
    edges = np.array(TOOTH_EDGES)
    k = np.clip(np.searchsorted(edges, across) - 1, 0, len(edges) - 2)
    frac = (across - edges[k]) / (edges[k + 1] - edges[k])
    gaps = np.exp(-(np.minimum(frac, 1 - frac) * (edges[k + 1] - edges[k]) * 0.5 * mouth_w / 0.8) ** 2)
    gaps *= np.clip(depth_px / max(0.5 * tooth_h, 1.0), 0, 1)  # separations show towards the tips
    tip_round = np.clip((tooth_h - depth_px) / np.maximum(0.25 * tooth_h * (1 - 4 * (frac - 0.5) ** 2 + 0.3), 0.5), 0, 1)
    teeth_alpha = (in_teeth * (0.75 + 0.25 * tip_round))[..., None]
    shade = 0.97 * (1.0 - 0.35 * across**1.6) * (0.8 + 0.2 * np.clip(depth_px / (0.35 * tooth_h), 0, 1)) * (1 - 0.12 * gaps)
    col = col * (1 - teeth_alpha) + TEETH * shade[..., None] * teeth_alpha
    # lower teeth: only when the jaw is well down, partly hidden by the lower lip
    low_h = 0.045 * mouth_w * np.clip((jaw - 0.4) / 0.4, 0, 1)
    if low_h > 0.5:
        from_bottom = (bottom - b)
        low = 0.8 * np.clip((low_h - from_bottom) / 1.2, 0, 1) * np.clip((0.55 - across) / 0.2, 0, 1)
        low_shade = 0.8 * (1.0 - 0.4 * across**1.6)
        col = col * (1 - low[..., None]) + TEETH * low_shade[..., None] * low[..., None]
    # teeth take the scene's brightness; the cavity also its warmth
    is_teeth = teeth_alpha > 0.5
    warm = tint[None, None, :] ** np.where(is_teeth, 0.45, 1.0)
    col = col * np.where(is_teeth, light**0.3, light) * warm
    # the lips shade the inside: darker right under the upper lip and along the lower lip
    lip_shadow = 1.0 - 0.35 * np.exp(-depth_px / max(0.04 * mouth_w, 1.0)) * (1 - is_teeth[..., 0] * 0.6)
    col = col * lip_shadow[..., None]
    # photo grain, so the painted area is not smoother than the skin around it
    grain = float(np.std(box[ring > 0] - cv2.GaussianBlur(box, (0, 0), 1.2)[ring > 0])) if ring.any() else 2.0
    col = col + np.random.default_rng(int(mouth_w * 1000) % 2**31).normal(0, min(grain, 6.0), col.shape[:2])[..., None]
    soft = max(0.6, 0.012 * mouth_w)  # the lip edge is soft at any size
    mask = cv2.GaussianBlur(mask, (0, 0), soft) * np.clip(mask * 4, 0, 1) ** 0.5
    alpha = (mask * np.clip(gap.max() / 2.0, 0, 1))[..., None]
    out = roi.copy()
    out[y0:y1, x0:x1] = np.clip(box * (1 - alpha) + col * alpha + 0.5, 0, 255).astype(np.uint8)
    return out


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
