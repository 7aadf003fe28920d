"""The open mouth on a face shown large (a 16:9 close-up): lips intact, soft edge, a shaded row of teeth.

The astronaut portrait is enlarged 4× (a mouth about 160 px wide, as at 1080p with the face
large on screen), posed with an open vowel by the real rig, and measured on the rendered crop
at the posed mesh points.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.lipsync.face_rig import (
    LIPS_OUTER_LOWER,
    LIPS_OUTER_UPPER,
    FaceRig,
    Pose,
    close_mouth,
)

ZOOM = 4.0
OPEN_A = Pose(1.0, 1.0, 0.15)


@pytest.fixture(scope="module")
def rig_and_face():
    from skimage import data

    from pipelines.faces import open_analyzer
    from pipelines.lipsync.talking import FaceAnimator

    img = np.ascontiguousarray(data.astronaut())
    mesh = open_analyzer(None, prefer="dlib").detect(img, embed=False)[0].extra["mesh"]
    neutral, rest = close_mouth(img, mesh)
    rig = FaceRig(rest, (img.shape[1], img.shape[0]))
    return FaceAnimator(rig, None), neutral


def _render(anim, neutral, pose):
    """(crop, posed mesh in crop px, crop box) at ZOOM× the photo's size."""
    to_frame = np.array([[ZOOM, 0, 0], [0, ZOOM, 0]], np.float64)
    eye = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    w, h = neutral.shape[1] * int(ZOOM), neutral.shape[0] * int(ZOOM)
    box, crop, posed = anim.crop(neutral, to_frame, eye, (w, h), pose)
    return crop.astype(np.float32), posed[:, :2] - np.array(box[:2]), box


def _column(img: np.ndarray, x: float, y0: float, y1: float) -> np.ndarray:
    """RGB values down the column at x (bilinear in x) from y0 to y1 (whole px)."""
    xi, f = int(np.floor(x)), x - np.floor(x)
    rows = np.arange(int(round(y0)), int(round(y1)))
    return (1 - f) * img[rows, xi] + f * img[rows, xi + 1]


def _lip_band(img: np.ndarray, p: np.ndarray, outer: int, inner: int, t: float) -> np.ndarray:
    """The inner 70 % of a lip (clear of both its edges) down a column `t` half-widths across."""
    o = p[outer] + t * (p[291] - p[61]) * 0.5
    i = p[inner] + t * (p[308] - p[78]) * 0.5
    lo, hi = sorted((o[1], i[1]))
    return _column(img, (o[0] + i[0]) / 2, lo + 0.15 * (hi - lo), hi - 0.15 * (hi - lo))


def _redness(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] - 0.5 * (rgb[..., 1] + rgb[..., 2])


def test_the_opening_sits_inside_the_lips_which_keep_their_colour(rig_and_face):
    """Both lips stay lip-coloured between their outer edge and the opening (they move with it,
    nothing dark is painted over them), and the opening itself is dark."""
    anim, neutral = rig_and_face
    closed, p0, _ = _render(anim, neutral, Pose())
    opened, p1, _ = _render(anim, neutral, OPEN_A)
    for outer, inner in ((LIPS_OUTER_UPPER[5], 13), (LIPS_OUTER_LOWER[5], 14)):
        for t in (-0.25, 0.0, 0.25):
            before = _lip_band(closed, p0, outer, inner, t)
            after = _lip_band(opened, p1, outer, inner, t)
            assert len(after) >= 3
            # the open lip is as red and as bright as the same lip closed (within a few levels)
            assert abs(_redness(after).mean() - _redness(before).mean()) < 12, (inner, t)
            assert after.mean() > 0.8 * before.mean(), (inner, t, after.mean(), before.mean())
    mid = (p1[13] + p1[14]) / 2
    inside = _column(opened, mid[0], mid[1] - 0.15 * (p1[14, 1] - p1[13, 1]), mid[1] + 0.15 * (p1[14, 1] - p1[13, 1]))
    assert inside.mean() < 0.6 * closed[int(p0[13, 1]) - 3:int(p0[13, 1]) + 3, int(p0[13, 0])].mean()


def test_each_lip_moves_whole_so_its_inner_edge_lands_on_the_mesh(rig_and_face, monkeypatch):
    """The warp samples a coordinate image: just outside the posed inner lip edges, the pixels
    come from the same lip in the photo, right at its edge. (One smooth field over the seam
    would pull the other lip's tissue there and shift the edge by about a grid cell.)"""
    from pipelines.lipsync import talking

    anim, neutral = rig_and_face
    monkeypatch.setattr(talking, "paint_mouth", lambda roi, *a, **k: roi)
    h, w = neutral.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    coords = np.stack([xs, ys, np.zeros_like(xs)], -1)  # each pixel holds where it is in the photo
    sampled, p, _ = _render(anim, coords, OPEN_A)
    rest = anim.rig.points
    _u, v = _axes(p)
    for idx, sign in ((13, -1), (14, 1)):  # upper lip: above its edge; lower lip: below
        for off in (1.0, 2.0, 4.0):
            q = p[idx] + sign * off * v
            src_y = float(sampled[int(round(q[1])), int(round(q[0])), 1])
            want = rest[idx, 1] + sign * off / ZOOM
            assert sign * (src_y - rest[idx, 1]) > -0.1, (idx, off, src_y, rest[idx, 1])  # the right lip
            assert abs(src_y - want) < 0.6, (idx, off, src_y, want)  # its edge, not a cell away


def _synthetic(colour, gap=60.0, width=160.0):
    """A flat lip-coloured patch and inner-lip points of an open mouth (corner → corner)."""
    roi = np.zeros((200, 300, 3), np.uint8)
    roi[:] = colour
    c = np.array([150.0, 100.0])
    t = np.linspace(-1, 1, 11)
    half = gap / 2 * (1 - t * t) ** 0.9
    upper = np.stack([c[0] + t * width / 2, c[1] - 0.44 * half], 1)
    lower = np.stack([c[0] + t * width / 2, c[1] + 1.56 * half], 1)
    return roi, upper, lower


U, V = np.array([1.0, 0.0]), np.array([0.0, 1.0])


def _paint(colour, **kw):
    from pipelines.lipsync.mouth_paint import paint_mouth

    roi, upper, lower = _synthetic(colour)
    out = paint_mouth(roi, upper, lower, U, V, 160.0, 1.0, 0.0, 0.0, **kw).astype(np.float32)
    return roi.astype(np.float32), out, upper, lower


def test_the_mouth_takes_the_faces_colour_and_light():
    """A grey photo gets a grey mouth (no fixed red or ivory), and a face lit half as bright gets
    teeth about half as bright (the old painter kept its own colours, barely scaled)."""
    _roi, grey, _upper, _ = _paint((140, 140, 140))
    assert np.abs(grey - grey.mean(2, keepdims=True)).max() <= 1.0
    _roi, dim, upper, _ = _paint((70, 70, 70))
    _roi, bright, _upper, _ = _paint((150, 150, 150))
    y = int(upper[5, 1] + 6)
    assert dim[y, 150].mean() < 0.6 * bright[y, 150].mean(), (dim[y, 150], bright[y, 150])


def test_teeth_are_a_shaded_row_without_lines_and_the_corners_stay_closed():
    """Across the upper teeth: no pixel-wide dark ticks between teeth, brighter in the middle than
    round the arch; at the corners the lips stay together (nothing painted there)."""
    roi, out, upper, _ = _paint((190, 110, 105))
    y = int(upper[5, 1] + 6)  # a little under the upper lip: the teeth
    row = out[y, 90:211].mean(1)
    ticks = np.abs(row[1:-1] - (row[:-2] + row[2:]) / 2)
    assert ticks.max() < 5, ticks.max()
    assert row[55:66].mean() > row[:8].mean() + 40  # middle vs the sides of the row
    for corner in (upper[0], upper[-1]):
        x, y = np.round(corner).astype(int)
        assert np.abs(out[y - 3:y + 4, x - 3:x + 4] - roi[0, 0]).max() < 60


def test_the_opening_edge_is_feathered_as_softly_as_the_enlarged_photo():
    """Across the opening's lower edge, the alpha goes from opaque to clear over pixels (no
    aliased step, no cut-off outside the polygon), wider when the photo is shown enlarged;
    opaque just inside the lips' edge."""
    from pipelines.lipsync.mouth_paint import opening_alpha

    _roi, upper, lower = _synthetic((190, 110, 105))
    poly = np.concatenate([upper, lower[::-1]])

    def profile(enlarged):
        _cover, alpha = opening_alpha(poly, (0, 0), (200, 300), 160.0, 60.0, enlarged)
        x = 150
        yb = float(np.interp(x, lower[:, 0], lower[:, 1]))
        return alpha[:, x], yb

    for enlarged in (1.0, 4.0):
        a, yb = profile(enlarged)
        assert a[int(yb) - 2] > 0.97  # opaque inside the lips' edge
        steps = np.abs(np.diff(a[int(yb) - 6:int(yb) + 10]))
        assert steps.max() < 0.45, (enlarged, steps.max())
    soft = [int(np.sum((profile(e)[0] > 0.05) & (profile(e)[0] < 0.95))) for e in (1.0, 4.0)]
    assert soft[0] >= 4 and soft[1] >= soft[0] + 2, soft  # both edges of the opening


def test_lips_closed_on_mbp_are_untouched_by_the_painter(rig_and_face):
    """A bilabial pose paints nothing: the closed lips are the warped photo, no dark seam."""
    anim, neutral = rig_and_face
    closed, p, _ = _render(anim, neutral, Pose(0.0, 0.08))
    seam = _column(closed, p[13, 0], p[13, 1] - 2, p[13, 1] + 3)
    lip = _column(closed, p[13, 0], p[LIPS_OUTER_UPPER[5], 1], p[13, 1] - 2)
    assert seam.mean() > 0.75 * lip.mean()


def _axes(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    u = p[308] - p[78]
    u = u / np.hypot(*u)
    v = np.array([-u[1], u[0]])
    return u, (v if np.dot(p[152] - p[13], v) > 0 else -v)
