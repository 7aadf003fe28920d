"""The camera move rendered straight into yuv420p frames (the fast path for writing H.264).

Colour conversion and warping are both linear, so warping the still's Y, Cb and Cr planes gives
(to within a level of rounding) the same frame as warping RGB and converting each frame — but
the planes are prepared once, a frame is 1.5 bytes per pixel instead of 3, and nothing is
converted per frame. Chroma is warped straight to the half-size planes; if that would shrink it
(a big still), it is first pre-scaled with INTER_AREA like the luma, so nothing aliases.

Parallax composites with premultiplied layers prepared once: person = fg·α and the background's
weight 255·(1-α), both warped with the person's matrix; a frame is then
`bg·w/255 + person`, two integer passes, and only inside the person's box (elsewhere w = 255).

Planes that share a matrix are warped together as one 4-channel image — (Cb, Cr, ·, ·) and
(person Y, weight, ·, ·), (person Cb, person Cr, chroma weight, ·) — because OpenCV's bilinear
warp of four interleaved channels costs less than that of one (its 4-channel path is SIMD, 2 and
3 are not), and each channel comes out as it would alone. They are split into the frame's planes
with cheap `extractChannel` passes, into buffers made once (no page faults per frame).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from pipelines.video_io import YCC_MATRIX, i420_planes

if TYPE_CHECKING:
    from .camera import CameraMotion


def _to3(m: np.ndarray) -> np.ndarray:
    return np.vstack([m, [0.0, 0.0, 1.0]])


def _resize_map(scale: float) -> np.ndarray:
    """Pixel-centre map from an image to its copy resized by `scale` (OpenCV's convention)."""
    return np.array([[scale, 0.0, 0.5 * scale - 0.5], [0.0, scale, 0.5 * scale - 0.5], [0.0, 0.0, 1.0]])


def _pack4(*planes: np.ndarray) -> np.ndarray:
    """Interleave up to four same-size uint8 planes into one (h, w, 4) image (unused ones are 0)."""
    out = np.zeros((*planes[0].shape, 4), np.uint8)
    for i, plane in enumerate(planes):
        out[..., i] = plane
    return out


class PlaneLayer:
    """One image as Y (source size) and Cb/Cr (at `chroma_scale` of it), 0..255 uint8.

    `y` is a plane; `chroma` is (Cb, Cr, extra, 0) interleaved, where `extra` is an optional
    plane (source size) resized like the chroma — the parallax background weight rides along.
    """

    def __init__(self, rgb: np.ndarray, chroma_scale: float, weight: np.ndarray | None = None,
                 extra: np.ndarray | None = None):
        import cv2

        ycc = cv2.transform(rgb, YCC_MATRIX)
        if weight is not None:  # premultiply: values × α (α in 0..1, float32, source size)
            ycc = (ycc.astype(np.float32) * weight[..., None] + 0.5).astype(np.uint8)
        self.y = np.ascontiguousarray(ycc[..., 0])
        h, w = rgb.shape[:2]
        chroma = _pack4(ycc[..., 1], ycc[..., 2], *([] if extra is None else [extra]))
        if chroma_scale < 1.0:
            size = (max(1, round(w * chroma_scale)), max(1, round(h * chroma_scale)))
            chroma = cv2.resize(chroma, size, interpolation=cv2.INTER_AREA)
        self.chroma = chroma
        self.chroma_scale = chroma.shape[1] / w


class PlaneRenderer:
    """Renders a `CameraMotion` plan as yuv420p frames into a ring of reused buffers."""

    def __init__(self, cam: CameraMotion):
        self.cam = cam
        w, h = cam.req.size
        # largest luma magnification from the (pre-scaled) source; chroma planes are half that
        k_max = max(cam.cover * win.zoom for win in cam.plan.fg) / cam.prescale
        if cam.plan.bg is not None:
            k_max = max(k_max, max(cam.cover * win.zoom for win in cam.plan.bg) / cam.prescale)
        cs = min(1.0, k_max / 2)
        self.box = None
        self.person_y: np.ndarray | None = None
        if cam.alpha is None:
            self.fg = PlaneLayer(cam.src, cs)
            self.bg = None
        else:
            assert cam.background is not None
            self.bg = PlaneLayer(cam.background, cs)
            keep = np.clip(255.0 * (1.0 - cam.alpha) + 0.5, 0, 255).astype(np.uint8)  # the background's weight
            self.fg = PlaneLayer(cam.src, cs, weight=cam.alpha, extra=keep)  # premultiplied person
            self.person_y = _pack4(self.fg.y, keep)  # (person Y, weight): one warp for both
            ys, xs = np.nonzero(cam.alpha > 1e-3)
            sh, sw = cam.alpha.shape
            pad = 2  # bilinear footprint
            self.box = (max(0, xs.min() - pad), max(0, ys.min() - pad), min(sw, xs.max() + 1 + pad),
                        min(sh, ys.max() + 1 + pad)) if xs.size else None
        self.size = (w, h)
        # warp outputs, reused every frame (a new 8 MB array each frame would page-fault afresh)
        self._chroma4 = np.empty((h // 2, w // 2, 4), np.uint8)
        self._luma4 = np.empty((h, w, 4), np.uint8) if self.box is not None else None
        self._tmp = [np.empty((h, w), np.uint8), np.empty((h, w), np.uint8)]

    def _maps(self, m: np.ndarray, layer: PlaneLayer) -> tuple[np.ndarray, np.ndarray]:
        """(luma, chroma) 2×3 matrices from the layer's planes to the frame's planes."""
        luma = m
        # chroma source px -> source px -> output luma px -> output chroma px (centres)
        chroma = _resize_map(0.5) @ _to3(m) @ np.linalg.inv(_resize_map(layer.chroma_scale))
        return luma, chroma[:2]

    def frames(self, ring: int) -> Iterator[np.ndarray]:
        """yuv420p frames; a buffer is reused `ring` frames later (see VideoWriter.write_i420)."""
        import cv2

        cam = self.cam
        w, h = self.size
        bufs = [np.empty((h * 3 // 2, w), np.uint8) for _ in range(max(1, ring))]
        for i, win in enumerate(cam.plan.fg):
            buf = bufs[i % len(bufs)]
            planes = i420_planes(buf)
            m = cam.matrix(win, cam.prescale)
            base = self.fg if self.bg is None else self.bg
            bm = m if cam.plan.bg is None else cam.matrix(cam.plan.bg[i], cam.prescale)
            bl, bc = self._maps(bm, base)
            cv2.warpAffine(base.y, bl, (w, h), dst=planes[0], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            cv2.warpAffine(base.chroma, bc, (w // 2, h // 2), dst=self._chroma4, flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REFLECT)
            cv2.extractChannel(self._chroma4, 0, planes[1])
            cv2.extractChannel(self._chroma4, 1, planes[2])
            if self.box is not None:
                self._composite(planes, m)
            yield buf

    def _composite(self, planes: tuple[np.ndarray, np.ndarray, np.ndarray], m: np.ndarray) -> None:
        """Each plane = plane·weight/255 + person inside the person's box (warped with `m`)."""
        import cv2

        assert self.box is not None and self.person_y is not None and self._luma4 is not None
        fl, fc = self._maps(m, self.fg)
        for plane, src, mat, scale, out, channels in (
                (planes[0], self.person_y, fl, 1.0, self._luma4, ((planes[0], 0, 1),)),
                (planes[1], self.fg.chroma, fc, 0.5, self._chroma4, ((planes[1], 0, 2), (planes[2], 1, 2)))):
            win = self._window(plane.shape, m, scale)
            if win is None:
                continue
            px0, py0, px1, py1 = win
            shifted = mat.copy()
            shifted[0, 2] -= px0
            shifted[1, 2] -= py0
            warped = out[:py1 - py0, :px1 - px0]  # a view of the reused buffer: warped in place
            res = cv2.warpAffine(src, shifted, (px1 - px0, py1 - py0), dst=warped, flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 255, 0) if scale < 1
                                 else (0, 255, 0, 0))
            assert res is warped or np.shares_memory(res, out)
            weight, person = self._tmp[0][:py1 - py0, :px1 - px0], self._tmp[1][:py1 - py0, :px1 - px0]
            weight = cv2.extractChannel(warped, channels[0][2], dst=weight)
            for dst_plane, ch, _ in channels:
                person = cv2.extractChannel(warped, ch, dst=person)
                roi = dst_plane[py0:py1, px0:px1]
                cv2.multiply(roi, weight, dst=roi, scale=1 / 255)
                cv2.add(roi, person, dst=roi)

    def _window(self, shape: tuple[int, ...], m: np.ndarray, scale: float) -> tuple[int, int, int, int] | None:
        """The person's box in a plane (source px -> output px -> plane px), padded by a pixel."""
        assert self.box is not None
        x0, y0, x1, y1 = self.box
        ph, pw = shape[:2]
        ox0, oy0 = m[0, 0] * x0 + m[0, 2], m[1, 1] * y0 + m[1, 2]
        ox1, oy1 = m[0, 0] * x1 + m[0, 2], m[1, 1] * y1 + m[1, 2]
        px0, py0 = max(0, int(np.floor(ox0 * scale)) - 1), max(0, int(np.floor(oy0 * scale)) - 1)
        px1, py1 = min(pw, int(np.ceil(ox1 * scale)) + 1), min(ph, int(np.ceil(oy1 * scale)) + 1)
        if px1 <= px0 or py1 <= py0:
            return None
        return px0, py0, px1, py1
