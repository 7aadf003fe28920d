"""The embedded talking-photo rig: moves lips, jaw, eyelids, brows and head of one face.

The face is described once, in "face space" (the pixels of the picture it was found in), by
MediaPipe's 468 mesh points. For a frame we compute where each mesh point goes (lips part,
close or round, the lower lip and chin follow the jaw, upper lids meet the lower ones, brows
lift) and a head pose (roll, shift, scale about the neck) applied through a feathered head mask
that also carries the hair. Displacements are spread over a coarse grid covering the head with
fixed barycentric weights of a Delaunay triangulation (mesh + a ring of still anchors), so a
frame costs one sparse product and a small remap — never a pass over the whole picture.
`backward_field` returns, for every grid point, where its pixel must be sampled from;
`talking.py` maps that onto the frame's face crop through the frame's face-space → frame affine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.faces.mesh import (
    EYE_LEFT_LOWER,
    EYE_LEFT_UPPER,
    EYE_RIGHT_LOWER,
    EYE_RIGHT_UPPER,
    LIPS_INNER_LOWER,
    LIPS_INNER_UPPER,
)

BROWS = (70, 63, 105, 66, 107, 46, 53, 52, 65, 55, 336, 296, 334, 293, 300, 276, 283, 282, 295, 285)
CHIN = 152
FACE_TOP = 10


@dataclass(frozen=True)
class Pose:
    """One frame's controls (see visemes.MouthTrack and life.Life)."""

    open: float = 0.0
    jaw: float = 0.0
    spread: float = 0.0
    tuck: float = 0.0
    tongue: float = 0.0
    blink: float = 0.0
    brow: float = 0.0
    roll: float = 0.0
    dx: float = 0.0
    dy: float = 0.0
    scale: float = 0.0


class FaceRig:
    """Geometry of one face in face space and the per-frame displacement fields."""

    def __init__(self, mesh: np.ndarray, image_size: tuple[int, int], cells: int = 56):
        from scipy.spatial import Delaunay

        p = np.asarray(mesh, np.float64)[:, :2]
        self.points = p
        w_img, h_img = image_size
        le, re = p[list(EYE_LEFT_UPPER) + list(EYE_LEFT_LOWER)].mean(0), p[list(EYE_RIGHT_UPPER) + list(EYE_RIGHT_LOWER)].mean(0)
        side = re - le
        self.eye_dist = float(np.hypot(*side))
        self.u = side / max(self.eye_dist, 1e-6)
        self.v = np.array([-self.u[1], self.u[0]])
        if np.dot(p[CHIN] - (le + re) / 2, self.v) < 0:
            self.v = -self.v
        self.up = np.array(LIPS_INNER_UPPER)
        self.lo = np.array(LIPS_INNER_LOWER[::-1])  # paired with `up` point for point (corner → corner)
        self.mouth_c = (p[self.up].mean(0) + p[self.lo].mean(0)) / 2
        self.mouth_w = float(np.hypot(*(p[308] - p[78])))
        self.face_w = float(np.ptp(p @ self.u))
        self.face_h = float(np.ptp(p @ self.v))
        # the region animated: head with hair above, neck below, a margin at the sides
        c = p.mean(0)
        half_w, top, bottom = 0.95 * self.face_w, 0.9 * self.face_h, 0.85 * self.face_h
        corners = np.array([c - half_w * self.u - top * self.v, c + half_w * self.u - top * self.v,
                            c + half_w * self.u + bottom * self.v, c - half_w * self.u + bottom * self.v])
        x0, y0 = np.floor(corners.min(0)).astype(int)
        x1, y1 = np.ceil(corners.max(0)).astype(int)
        self.region = (max(0, x0), max(0, y0), min(w_img, x1), min(h_img, y1))
        rx0, ry0, rx1, ry1 = self.region
        self.step = max(1.0, self.face_w / cells)
        gx = np.arange(rx0, rx1 + self.step, self.step)
        gy = np.arange(ry0, ry1 + self.step, self.step)
        self.grid_shape = (len(gy), len(gx))
        gxx, gyy = np.meshgrid(gx, gy)
        self.grid = np.stack([gxx, gyy], -1)  # (gh, gw, 2) face-space positions
        # still anchors: the region's border and a ring around the face oval, so displacements
        # fade to zero before the crop's edge
        border = [(x, y) for x in np.linspace(rx0, rx1, 9) for y in (ry0, ry1)]
        border += [(x, y) for x in (rx0, rx1) for y in np.linspace(ry0, ry1, 9)[1:-1]]
        centre = p.mean(0)
        hull = p[[234, 127, 162, 21, 54, 103, 67, 109, 10, 338, 297, 332, 284, 251, 389, 356, 454]]
        ring = centre + (hull - centre) * 1.25  # temples and forehead stay put (only the head pose moves them)
        jaw = p[[132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361]]
        neck = jaw + 0.45 * self.face_h * self.v  # the neck stretches under a dropping jaw
        anchors = np.concatenate([np.array(border, np.float64), ring, neck])
        self.controls = np.concatenate([p, anchors])
        tri = Delaunay(self.controls)
        flat = self.grid.reshape(-1, 2)
        simplex = tri.find_simplex(flat)
        simplex = np.where(simplex < 0, 0, simplex)
        t = tri.transform[simplex]
        b = np.einsum("nij,nj->ni", t[:, :2], flat - t[:, 2])
        from scipy.sparse import csr_matrix

        idx = tri.simplices[simplex]  # (G, 3)
        wts = np.concatenate([b, 1 - b.sum(1, keepdims=True)], 1)  # (G, 3)
        rows = np.repeat(np.arange(len(flat)), 3)
        self._weights = csr_matrix((wts.reshape(-1), (rows, idx.reshape(-1))), shape=(len(flat), len(self.controls)))
        self._head_mask = self._head_weights()
        self._prepare_regions()

    # ------------------------------------------------------------------ set-up
    def _local(self, q: np.ndarray) -> np.ndarray:
        """(a, b): across the mouth in half-widths, down from the mouth centre in mouth widths."""
        rel = q - self.mouth_c
        return np.stack([rel @ self.u / (0.5 * self.mouth_w), rel @ self.v / self.mouth_w], -1)

    def _prepare_regions(self) -> None:
        p = self.points
        ab = self._local(p)
        a_up, a_lo = ab[self.up, 0], ab[self.lo, 0]
        self._mid_b = (ab[self.up, 1] + ab[self.lo, 1]) / 2  # inner-lip mid line at each pair
        self._pair_a = (a_up + a_lo) / 2
        order = np.argsort(self._pair_a)
        self._pair_a, self._mid_b = self._pair_a[order], self._mid_b[order]
        self._pair_order = order
        mid = np.interp(ab[:, 0], self._pair_a, self._mid_b)
        self._ab = ab
        self._above = ab[:, 1] < mid
        h = np.abs(ab[:, 1] - mid)
        lateral = np.exp(-(np.maximum(np.abs(ab[:, 0]) - 1.0, 0) / 0.7) ** 2)
        self._w_up = np.where(self._above, np.exp(-(h / 0.32) ** 2), 0.0) * lateral
        chin_b = float(ab[CHIN, 1])
        # below the lip line: lower lip fully, chin with the jaw, fading out up the cheeks
        self._w_lo = np.where(~self._above, np.clip(1.0 - 0.15 * h / max(chin_b, 1e-3), 0.6, 1.0), 0.0)
        self._w_lo *= np.exp(-(np.maximum(np.abs(ab[:, 0]) - 0.9, 0) / 1.1) ** 2)
        self._w_lo *= np.clip(1.0 + ab[:, 1] / 0.25, 0, 1)  # nothing above the mouth corners' height
        # the two layers (see `backward_layers`): how far one lip's motion is carried across the
        # line where the lips meet, between the corners only (beyond them both layers agree)
        t_lat = np.clip((1.05 - np.abs(ab[:, 0])) / 0.3, 0, 1)
        self._w_carry = np.exp(-(h / 0.3) ** 2) * (t_lat * t_lat * (3 - 2 * t_lat))
        # lateral motion (spread/round) belongs to the lips and the skin right around them
        self._w_side = np.exp(-(np.maximum(np.abs(ab[:, 1] - mid) - 0.12, 0) / 0.3) ** 2) * lateral
        self._gap0 = np.abs(self._local(p[self.lo])[:, 1] - self._local(p[self.up])[:, 1])
        # eyes: lid curves parameterised outer → inner corner
        self._eyes = []
        for upper, lower in ((EYE_LEFT_UPPER, EYE_LEFT_LOWER), (EYE_RIGHT_UPPER, EYE_RIGHT_LOWER)):
            upper, lower = np.array(upper), np.array(lower)
            e0, e1 = p[upper[0]], p[upper[-1]]
            axis = (e1 - e0) / max(float(np.hypot(*(e1 - e0))), 1e-6)
            length = float(np.hypot(*(e1 - e0)))
            s_up = (p[upper] - e0) @ axis / length
            lower_y = p[lower] @ self.v
            opening = float(np.max(p[upper[1:-1]] @ self.v * -1 + lower_y[1:-1]))
            s_all = (p - e0) @ axis / length
            h_above = np.interp(s_all, s_up, p[upper] @ self.v) - p @ self.v  # >0: above the upper lid
            near = (s_all > -0.15) & (s_all < 1.15)
            w = np.where(near & (h_above > -0.5), np.exp(-(np.maximum(h_above, 0) / max(opening, 1.0)) ** 2), 0.0)
            w[lower] = 0.0
            self._eyes.append((upper, lower, s_up, w, s_all, max(opening, 1.0)))
        # brows: Gaussian around the brow points, nothing from the eyes down
        d = np.linalg.norm(p[:, None, :] - p[np.array(BROWS)][None], axis=2).min(1)
        eye_line = min(float(np.min(p[list(EYE_LEFT_UPPER)] @ self.v)), float(np.min(p[list(EYE_RIGHT_UPPER)] @ self.v)))
        self._w_brow = np.exp(-(d / (0.16 * self.face_w)) ** 2) * (p @ self.v < eye_line - 0.02 * self.face_h)

    def _head_weights(self) -> np.ndarray:
        """1 over head and hair, fading out at the shoulders and the region's edge."""
        g = self.grid
        c = self.points.mean(0) - 0.12 * self.face_h * self.v
        rel = g - c
        a = rel @ self.u / (0.78 * self.face_w)
        b = rel @ self.v / (0.82 * self.face_h)
        r = np.sqrt(a * a + b * b)
        inner = np.clip((1.25 - r) / 0.45, 0, 1)
        neck = np.clip(1.0 - np.maximum(b - 0.6, 0) / 0.6, 0, 1) * np.clip((0.55 - np.abs(a)) / 0.3, 0, 1)
        w = np.maximum(inner, 0.6 * neck)
        rx0, ry0, rx1, ry1 = self.region
        edge = np.minimum.reduce([g[..., 0] - rx0, rx1 - g[..., 0], g[..., 1] - ry0, ry1 - g[..., 1]])
        w *= np.clip(edge / (2.5 * self.step), 0, 1)
        return (w * w * (3 - 2 * w)).astype(np.float64)

    # ------------------------------------------------------------------ per frame
    def point_offsets(self, pose: Pose, layer: str | None = None) -> np.ndarray:
        """(468, 2) face-space displacement of each mesh point for a pose (no head motion).

        `layer` "upper" / "lower": the same motion, except that the lips' seam and the other lip
        near it move with that lip (see `backward_layers`)."""
        p = self.points
        mw = self.mouth_w
        rnd = max(-pose.spread, 0.0)
        width = 1.0 - 0.3 * rnd  # rounded lips open a narrower, rounder hole
        gap_max = 0.5 * mw * pose.open
        a = np.clip(self._pair_a / width, -1, 1)
        gap = gap_max * np.clip(1 - a * a, 0, 1) ** 0.9 * (1.0 + 0.25 * rnd)  # a lens: corners taper
        gap = np.where(np.abs(self._pair_a) > width, 0.0, gap)
        mid = self._mid_b * mw
        up_pts, lo_pts = self.up[self._pair_order], self.lo[self._pair_order]
        cur_up = self._ab[up_pts, 1] * mw
        cur_lo = self._ab[lo_pts, 1] * mw
        tuck = pose.tuck
        lift = 0.22 + 0.1 * tuck
        # the corners drop a little with the jaw: the whole line where the lips meet bends down
        # towards them (a kink at the corner point alone would square the opening's ends)
        mid = mid + 0.125 * gap_max * np.clip(np.abs(self._pair_a), 0, 1) ** 2
        d_up = (mid - lift * gap) - cur_up  # along `v` (mouth-width px)
        d_lo = (mid + (1 - lift) * gap) - cur_lo - tuck * 0.05 * mw
        jaw_extra = 0.06 * mw * pose.jaw
        # spread the pair offsets to every point by its lateral position and side of the line
        a_all = self._ab[:, 0]
        du = np.interp(a_all, self._pair_a, d_up)
        dl = np.interp(a_all, self._pair_a, d_lo) + jaw_extra
        dv = du * self._w_up + dl * self._w_lo
        # exact targets for the inner lips themselves
        dv[up_pts] = d_up
        dv[lo_pts] = d_lo
        if layer is not None:
            upper = layer == "upper"
            seam = np.interp(a_all, self._pair_a, d_up if upper else d_lo)
            w = self._w_carry * (~self._above if upper else self._above)
            dv = dv * (1 - w) + seam * w
            dv[up_pts] = dv[lo_pts] = d_up if upper else d_lo
        k = 0.14 * max(pose.spread, 0.0) - 0.2 * rnd - 0.05 * pose.open
        du_side = a_all * 0.5 * mw * k * self._w_side
        out = dv[:, None] * self.v[None] + du_side[:, None] * self.u[None]
        if pose.blink > 0:
            for upper, lower, s_up, w, s_all, _opening in self._eyes:
                up_y = np.interp(s_all, s_up, p[upper] @ self.v)
                lo_y = np.interp(s_all, s_up, p[lower] @ self.v)
                close_y = lo_y - 0.12 * (lo_y - up_y)
                shift = pose.blink * (close_y - up_y)
                out += (shift * w)[:, None] * self.v[None]
                out[lower[1:-1]] += (pose.blink * -0.12 * (p[lower[1:-1]] @ self.v - up_y[lower[1:-1]]))[:, None] * self.v
        if pose.brow > 0:
            out -= (pose.brow * 0.03 * self.face_w * self._w_brow)[:, None] * self.v[None]
        return out

    def head_matrix(self, pose: Pose) -> np.ndarray:
        """2×3 face-space similarity of the head pose, about a pivot in the neck."""
        pivot = self.points[CHIN] + 0.35 * self.face_h * self.v
        c, s = np.cos(pose.roll), np.sin(pose.roll)
        k = 1.0 + pose.scale
        r = k * np.array([[c, -s], [s, c]])
        t = pivot - r @ pivot + (pose.dx * self.u + pose.dy * self.v) * self.face_w
        return np.hstack([r, t[:, None]])

    def forward_field(self, pose: Pose, layer: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(grid displacement (gh, gw, 2), mesh points after the pose (468, 2))."""
        d = np.zeros_like(self.controls)
        d[:468] = self.point_offsets(pose, layer)
        field = (self._weights @ d).reshape(*self.grid_shape, 2)
        h = self.head_matrix(pose)
        g = self.grid + field
        head = (g @ h[:, :2].T + h[:, 2]) - g
        field = field + head * self._head_mask[..., None]
        moved = self.points + d[:468]
        moved = moved @ h[:, :2].T + h[:, 2]
        return field, moved

    def backward_layers(self, pose: Pose) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(upper layer's backward field, lower layer's, posed mesh points).

        Where the lips part, the motion jumps: the upper lip goes up, the lower lip down. One
        smooth field on a coarse grid smears that jump over a grid cell on each side, which
        stretches the lips' inner edges into the opening and thins the lips. So each lip gets
        its own field, smooth across the seam (the other lip near the seam moves with it); a
        pixel above the posed opening's mid line is sampled through the upper layer, one below
        through the lower layer (`FaceAnimator` composites them per pixel around the mouth).
        Away from the mouth both layers are the same field.
        """
        up, moved = self.backward_field(pose, "upper")
        lo, moved_lo = self.backward_field(pose, "lower")
        below = ~self._above
        below[self.up] = False
        below[self.lo] = True
        moved[below] = moved_lo[below]  # each point where its own layer puts it
        return up, lo, moved

    def below_mid_line(self, moved: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Signed distance (px along the mouth's vertical) of points `q` (..., 2) below the posed
        mid line of the opening (`moved`: posed mesh points in the same coordinates as `q`)."""
        up, lo = moved[self.up], moved[self.lo]
        mid = (up + lo) / 2
        c = mid.mean(0)
        u = moved[308] - moved[78]
        u = u / max(float(np.hypot(*u)), 1e-6)
        v = np.array([-u[1], u[0]])
        if np.dot(moved[CHIN] - c, v) < 0:
            v = -v
        ma, mb = (mid - c) @ u, (mid - c) @ v
        o = np.argsort(ma)
        rel = q - c
        return rel @ v - np.interp(rel @ u, ma[o], mb[o])

    def backward_field(self, pose: Pose, layer: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(where each grid pixel samples from, minus the grid position: (gh, gw, 2) float32,
        posed mesh points). Forward displacement inverted by two fixed-point steps."""
        import cv2

        fwd, moved = self.forward_field(pose, layer)
        f32 = fwd.astype(np.float32)
        back = -f32
        gh, gw = self.grid_shape
        gy, gx = np.mgrid[0:gh, 0:gw].astype(np.float32)
        for _ in range(2):  # b(x) = -D(x + b(x))
            mx = gx + back[..., 0] / self.step
            my = gy + back[..., 1] / self.step
            back = -cv2.remap(f32, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        return back, moved


LIPS_OUTER_UPPER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LIPS_OUTER_LOWER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)


def close_mouth(image: np.ndarray, mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The picture (and mesh) with its lips together, for a photo taken with the mouth open.

    A smiling photo shows teeth; squeezing them into a closed mouth leaves a white line. Once,
    at full resolution, each lip is stretched towards the middle of the opening along the
    mouth's vertical (the upper lip down, the lower lip up, column by column between the
    corners), so every later shape starts from lips that meet and the interior is always drawn.
    """
    import cv2

    p = np.asarray(mesh, np.float64)
    up_in, lo_in = p[list(LIPS_INNER_UPPER), :2], p[list(LIPS_INNER_LOWER[::-1]), :2]
    up_out, lo_out = p[list(LIPS_OUTER_UPPER), :2], p[list(LIPS_OUTER_LOWER), :2]
    u = p[308, :2] - p[78, :2]
    width = float(np.hypot(*u))
    if width < 4:
        return image, mesh
    u = u / width
    v = np.array([-u[1], u[0]])
    if np.dot(p[152, :2] - p[13, :2], v) < 0:
        v = -v
    c = (p[78, :2] + p[308, :2]) / 2

    def coords(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (q - c) @ u, (q - c) @ v

    def profile(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = coords(q)
        o = np.argsort(a)
        return a[o], b[o]

    curves = [profile(q) for q in (up_out, up_in, lo_in, lo_out)]
    gap = np.interp(0.0, *curves[2]) - np.interp(0.0, *curves[1])
    if gap < 1.0:
        return image, mesh
    pts = np.concatenate([up_out, lo_out])
    x0, y0 = np.floor(pts.min(0) - 3).astype(int)
    x1, y1 = np.ceil(pts.max(0) + 4).astype(int)
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    rel = np.stack([xs - c[0], ys - c[1]], -1)
    a, b = rel @ u, rel @ v
    ot, it, ib, ob = (np.interp(a, ca, cb) for ca, cb in curves)
    inside = (np.abs(a) < 0.5 * width) & (ib - it > 0.3)
    # full closing in the middle, none at the corners (no step where the stretch ends)
    taper = np.clip((0.5 * width - np.abs(a)) / (0.15 * width), 0, 1)
    taper = taper * taper * (3 - 2 * taper)
    mid = (it + ib) / 2
    # both sides' samples, blended across a 1-px band at the seam (no staircase when enlarged)
    s_up = ot + (b - ot) * (it - ot) / np.maximum(mid - ot, 1e-3)
    s_lo = ob - (ob - b) * (ob - ib) / np.maximum(ob - mid, 1e-3)
    band = inside & (b >= ot - 1) & (b <= ob + 1)
    out = image.copy()
    region = image[y0:y1, x0:x1].astype(np.float32)
    mixed = np.zeros_like(region)
    for sb, wgt in ((s_up, np.clip(0.5 - (b - mid), 0, 1)), (s_lo, np.clip(0.5 + (b - mid), 0, 1))):
        sb = np.where(band & (b >= ot) & (b <= ob), b + (sb - b) * taper, b)
        src = c + a[..., None] * u + sb[..., None] * v
        mixed += wgt[..., None] * cv2.remap(image, src[..., 0].astype(np.float32), src[..., 1].astype(np.float32),
                                            cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT).astype(np.float32)
    out[y0:y1, x0:x1] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    # the mesh follows: lip points move as their pixels did (inverse of the map above)
    q = p.copy()
    qa, qb = coords(p[:, :2])
    ot, it, ib, ob = (np.interp(qa, ca, cb) for ca, cb in curves)
    mid = (it + ib) / 2
    ins = (np.abs(qa) < 0.5 * width) & (ib - it > 0.3)
    tq = np.clip((0.5 * width - np.abs(qa)) / (0.15 * width), 0, 1)
    tq = tq * tq * (3 - 2 * tq)
    up_m = ins & (qb >= ot) & (qb <= it)
    lo_m = ins & (qb >= ib) & (qb <= ob)
    nb = qb.copy()
    nb[up_m] = (ot + (qb - ot) * (mid - ot) / np.maximum(it - ot, 1e-3))[up_m]
    nb[lo_m] = (ob - (ob - qb) * (ob - mid) / np.maximum(ob - ib, 1e-3))[lo_m]
    nb = qb + (nb - qb) * tq
    q[:, :2] = c + qa[:, None] * u + nb[:, None] * v
    return out, q.astype(np.float32)
