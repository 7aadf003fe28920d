"""The embedded lip-sync renderer: moves lips and jaw on a face by warping its landmarks.

From dlib's 68 points we build a target mouth for a shape (open, spread): the inner lips meet
at rest, then the lower lip and chin drop with `open` (the upper lip lifts a little), corners
move out ('ee') or in ('oo') with `spread`. A piecewise-affine warp over a Delaunay triangulation
of jaw (3–13) + mouth (48–67) points, with the nose and a frame of fixed anchors around the lower
face, moves the pixels. Where the lips part, the inner-mouth polygon is shaded as a dark cavity
with a band of upper teeth (and a hint of lower teeth), lit like the surrounding skin, so an open
mouth reads as an open mouth rather than stretched lips.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

JAW = np.arange(3, 14)
MOUTH = np.arange(48, 68)
NOSE = np.arange(30, 36)
UPPER = np.array([49, 50, 51, 52, 53, 61, 62, 63])
LOWER = np.array([55, 56, 57, 58, 59, 65, 66, 67])
CORNERS = np.array([48, 54, 60, 64])
#: inner upper/lower lip pairs and the outer lip point above/below each
LIP_PAIRS = ((61, 67, 50, 58), (62, 66, 51, 57), (63, 65, 52, 56))
JAW_WEIGHT = np.array([0.03, 0.12, 0.3, 0.55, 0.8, 1.0, 0.8, 0.55, 0.3, 0.12, 0.03])

CAVITY = np.array([38, 12, 14], np.float32)
TONGUE = np.array([128, 56, 58], np.float32)
TEETH = np.array([226, 216, 198], np.float32)
ROOF = np.array([84, 36, 38], np.float32)


@dataclass(frozen=True)
class FaceFrame:
    """The face geometry the warp needs, from one frame's 68 landmarks."""

    points: np.ndarray  # (68, 2) float32
    down: np.ndarray  # unit vector eyes → mouth
    side: np.ndarray  # unit vector image-left eye → right eye
    mouth_width: float

    @classmethod
    def from_landmarks(cls, pts: np.ndarray) -> FaceFrame:
        pts = np.asarray(pts, np.float32)
        le, re = pts[36:42].mean(0), pts[42:48].mean(0)
        side = (re - le) / (np.linalg.norm(re - le) + 1e-6)
        down = np.array([-side[1], side[0]], np.float32)
        if np.dot(pts[48:68].mean(0) - (le + re) / 2, down) < 0:
            down = -down
        return cls(pts, down, side, float(np.linalg.norm(pts[54] - pts[48])))


def target_points(face: FaceFrame, open_: float, spread: float) -> np.ndarray:
    """The 68 points with the mouth in shape (open 0..1, spread -1..1)."""
    p = face.points
    out = p.copy()
    for u, lo, ou, ol in LIP_PAIRS:  # close the lips: inner pairs meet, outer lips follow half-way
        mid = (p[u] + p[lo]) / 2
        du, dl = mid - p[u], mid - p[lo]
        out[u] += du
        out[lo] += dl
        out[ou] += 0.5 * du
        out[ol] += 0.5 * dl
    gap = float(open_) * 0.36 * face.mouth_width
    out[UPPER] -= face.down * 0.18 * gap
    out[LOWER] += face.down * 0.82 * gap
    out[CORNERS] += face.down * 0.3 * gap
    out[JAW] += face.down * (0.6 * gap) * JAW_WEIGHT[:, None]
    centre = out[MOUTH].mean(0)
    k = 0.09 * float(spread) - 0.05 * float(open_)  # an open jaw pulls the corners in a little
    offs = (out[MOUTH] - centre) @ face.side
    out[MOUTH] += face.side[None, :] * (offs * k)[:, None]
    return out


def _anchors(face: FaceFrame, shape: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Fixed points: nose, a band below the jaw, and a frame around the lower face (the ROI)."""
    p = face.points
    w = face.mouth_width
    neck = p[JAW] + face.down * 0.7 * w
    pts = np.concatenate([p[JAW], p[MOUTH], neck])
    x0, y0 = pts.min(0) - 0.25 * w
    x1, y1 = pts.max(0) + 0.25 * w
    h, wd = shape
    x0, y0 = max(0.0, float(x0)), max(0.0, float(y0))
    x1, y1 = min(float(wd - 1), float(x1)), min(float(h - 1), float(y1))
    frame = [(x, y) for x in np.linspace(x0, x1, 4) for y in (y0, y1)]
    frame += [(x, y) for x in (x0, x1) for y in np.linspace(y0, y1, 4)[1:-1]]
    anchors = np.concatenate([p[NOSE], neck, np.array(frame, np.float32)]).astype(np.float32)
    return anchors, (int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)) + 1, int(np.ceil(y1)) + 1)


def _affines(src: np.ndarray, dst: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """(T, 2, 3) affine per triangle mapping dst → src pixel coordinates."""
    d = np.concatenate([dst[tris], np.ones((len(tris), 3, 1), np.float64)], axis=2)  # (T,3,3)
    s = src[tris].astype(np.float64)  # (T,3,2)
    det = np.linalg.det(d)
    ok = np.abs(det) > 1e-6
    out = np.zeros((len(tris), 2, 3))
    out[:, 0, 0] = out[:, 1, 1] = 1.0  # degenerate triangles cover no pixels anyway
    out[ok] = np.linalg.solve(d[ok], s[ok]).transpose(0, 2, 1)
    return out


class MouthWarper:
    """Renders mouth shapes on frames of one face (triangulation reused while points are stable)."""

    def __init__(self) -> None:
        self._tri_key: bytes | None = None
        self._tris: np.ndarray | None = None

    def _triangles(self, pts: np.ndarray) -> np.ndarray:
        key = np.round(pts, 0).tobytes()
        if key != self._tri_key:
            from scipy.spatial import Delaunay

            self._tris = Delaunay(pts).simplices.astype(np.int32)
            self._tri_key = key
        assert self._tris is not None
        return self._tris

    def render(self, rgb: np.ndarray, face: FaceFrame, open_: float, spread: float) -> np.ndarray:
        """A copy of `rgb` with the mouth in shape (open, spread); pixels outside the lower face unchanged."""
        import cv2

        anchors, (x0, y0, x1, y1) = _anchors(face, rgb.shape[:2])
        sel = np.concatenate([JAW, MOUTH])
        src = np.concatenate([face.points[sel], anchors]).astype(np.float32)
        target = target_points(face, open_, spread)
        dst = np.concatenate([target[sel], anchors]).astype(np.float32)
        # triangulate a half-open mouth so the topology is valid for every shape of this face
        topo = np.concatenate([target_points(face, 0.5, 0.0)[sel], anchors])
        tris = self._triangles(topo)
        aff = _affines(src, dst, tris)
        rw, rh = x1 - x0, y1 - y0
        labels = np.zeros((rh, rw), np.int32)
        local = dst - np.array([x0, y0], np.float32)
        for i, t in enumerate(tris):
            cv2.fillConvexPoly(labels, np.round(local[t] * 16).astype(np.int32), i + 1, cv2.LINE_8, 4)
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        idx = labels - 1
        a = aff[np.maximum(idx, 0)]
        inside = idx >= 0
        map_x = np.where(inside, a[..., 0, 0] * xs + a[..., 0, 1] * ys + a[..., 0, 2], xs).astype(np.float32)
        map_y = np.where(inside, a[..., 1, 0] * xs + a[..., 1, 1] * ys + a[..., 1, 2], ys).astype(np.float32)
        out = rgb.copy()
        roi = cv2.remap(rgb, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        roi = shade_inner_mouth(roi, target - np.array([x0, y0], np.float32), face, open_)
        out[y0:y1, x0:x1] = roi
        return out


def chaikin(poly: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Corner-cutting: a smooth closed curve through a polygon's sides (rounded lip line)."""
    p = np.asarray(poly, np.float32)
    for _ in range(rounds):
        q = np.roll(p, -1, axis=0)
        p = np.stack([0.75 * p + 0.25 * q, 0.25 * p + 0.75 * q], axis=1).reshape(-1, 2)
    return p


def shade_inner_mouth(roi: np.ndarray, pts: np.ndarray, face: FaceFrame, open_: float) -> np.ndarray:
    """Paint the parted lips' gap as a mouth: dark cavity, upper teeth band, lower teeth hint."""
    import cv2

    inner = chaikin(pts[60:68], 2)
    gap = float(np.mean([np.linalg.norm(pts[u] - pts[lo]) for u, lo, _, _ in LIP_PAIRS]))
    if gap < 0.8:
        return roi
    h, w = roi.shape[:2]
    scale = 4  # supersampled polygon edge for a smooth lip line
    mask = np.zeros((h * scale, w * scale), np.uint8)
    cv2.fillPoly(mask, [np.round(inner * scale).astype(np.int32)], 255, cv2.LINE_AA)
    mask = cv2.resize(mask, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    centre = inner.mean(0)
    rel = np.stack([xs - centre[0], ys - centre[1]], -1)
    u, v = rel @ face.side, rel @ face.down  # face-aligned coordinates (handles head roll)
    # depth 0 at the upper inner lip curve, 1 at the lower one, column by column
    iu, iv = (inner - centre) @ face.side, (inner - centre) @ face.down
    n = len(inner) // 2  # chaikin keeps 60→64 (upper) as the first half of the curve
    up_order, lo_order = np.argsort(iu[:n + 1]), np.argsort(iu[n:])
    top = np.interp(u, iu[:n + 1][up_order], iv[:n + 1][up_order])
    bottom = np.interp(u, iu[n:][lo_order], iv[n:][lo_order])
    depth = np.clip((v - top) / np.maximum(bottom - top, 1.0), 0.0, 1.0)
    across = np.abs(u / (0.5 * face.mouth_width))
    # exposure of the scene: teeth and cavity are lit like the lips around them
    ring = cv2.dilate((mask > 0.05).astype(np.uint8), np.ones((5, 5), np.uint8)) - (mask > 0.05).astype(np.uint8)
    light = float(roi[ring > 0].mean() / 150.0) if ring.any() else 1.0
    light = float(np.clip(light, 0.7, 1.3))
    teeth_h = min(0.45, 0.16 * face.mouth_width / max(gap, 1e-3))  # fraction of the gap
    upper_teeth = np.clip((teeth_h - depth) / max(teeth_h * 0.35, 1e-3), 0, 1)
    upper_teeth *= np.clip((1.0 - across) / 0.2, 0.0, 1.0)  # no teeth tips in the corners
    lower_teeth = np.clip((depth - (1 - 0.4 * teeth_h)) / max(teeth_h * 0.3, 1e-3), 0, 1) * 0.7
    side_dark = np.clip(1.0 - 0.6 * across**2, 0.3, 1.0)[..., None]
    # cavity: darkest in the middle, a tongue's warmer tone low in a wide-open mouth
    tongue = (np.clip((depth - 0.55) / 0.45, 0, 1) * np.clip(float(open_) - 0.3, 0, 1))[..., None]
    roof = np.clip(1 - depth / 0.6, 0, 1)[..., None]
    cavity = (CAVITY * (1 - roof) + ROOF * roof) * (1 - tongue) + TONGUE * 0.6 * tongue
    # teeth: shaded under the upper lip, fading into the cavity, darker towards the corners
    lip_shadow = np.clip(0.8 + depth / max(teeth_h * 0.6, 1e-3), 0.8, 1.0)[..., None]
    teeth = TEETH * side_dark * lip_shadow
    colour = cavity * (1 - upper_teeth[..., None]) + teeth * upper_teeth[..., None]
    colour = colour * (1 - lower_teeth[..., None]) + TEETH * 0.7 * side_dark * lower_teeth[..., None]
    colour = colour * light
    # the first pixels of a barely-parted mouth blend in: the gap fades in with the opening
    alpha = (mask * np.clip(gap / 2.5, 0.0, 1.0) * 0.95)[..., None]
    out = roi.astype(np.float32) * (1 - alpha) + colour * alpha
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
