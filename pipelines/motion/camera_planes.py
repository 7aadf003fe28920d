"""The camera move rendered straight into yuv420p frames (the fast path for writing H.264).

Colour conversion and warping are both linear, so warping the still's Y, Cb and Cr planes gives
(to within a level of rounding) the same frame as warping RGB and converting each frame — but
the planes are prepared once, a frame is 1.5 bytes per pixel instead of 3, and nothing is
converted per frame. Chroma is warped straight to the half-size planes; if that would shrink it
(a big still), it is first pre-scaled with INTER_AREA like the luma, so nothing aliases.

Parallax composites with premultiplied layers prepared once: person = fg·α and the background's
weight 255·(1-α), both warped with the person's matrix; a frame is then
`bg·w/255 + person`, two integer passes, and only inside the person's box (elsewhere w = 255).
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


class PlaneLayer:
    """One image as Y (source size) and Cb/Cr planes (at `chroma_scale` of it) in 0..255 uint8."""

    def __init__(self, rgb: np.ndarray, chroma_scale: float, weight: np.ndarray | None = None,
                 is_ycc: bool = False):
        import cv2

        ycc = rgb if is_ycc else cv2.transform(rgb, YCC_MATRIX)
        if weight is not None:  # premultiply: values × α (α in 0..1, float32, source size)
            ycc = (ycc.astype(np.float32) * weight[..., None] + 0.5).astype(np.uint8)
        self.y = np.ascontiguousarray(ycc[..., 0])
        h, w = rgb.shape[:2]
        if chroma_scale < 1.0:
            size = (max(1, round(w * chroma_scale)), max(1, round(h * chroma_scale)))
            ycc = cv2.resize(ycc, size, interpolation=cv2.INTER_AREA)
        self.cb = np.ascontiguousarray(ycc[..., 1])
        self.cr = np.ascontiguousarray(ycc[..., 2])
        self.chroma_scale = ycc.shape[1] / w


class PlaneRenderer:
    """Renders a `CameraMotion` plan as yuv420p frames into a ring of reused buffers."""

    def __init__(self, cam: CameraMotion):
        import cv2

        self.cam = cam
        w, h = cam.req.size
        # largest luma magnification from the (pre-scaled) source; chroma planes are half that
        k_max = max(cam.cover * win.zoom for win in cam.plan.fg) / cam.prescale
        if cam.plan.bg is not None:
            k_max = max(k_max, max(cam.cover * win.zoom for win in cam.plan.bg) / cam.prescale)
        cs = min(1.0, k_max / 2)
        if cam.alpha is None:
            self.fg = PlaneLayer(cam.src, cs)
            self.bg = self.keep = None
            self.box = None
        else:
            assert cam.background is not None
            self.fg = PlaneLayer(cam.src, cs, weight=cam.alpha)  # premultiplied person
            self.bg = PlaneLayer(cam.background, cs)
            keep = np.clip(255.0 * (1.0 - cam.alpha) + 0.5, 0, 255).astype(np.uint8)
            self.keep = PlaneLayer(cv2.merge([keep] * 3), cs, is_ycc=True)  # the background's weight
            ys, xs = np.nonzero(cam.alpha > 1e-3)
            sh, sw = cam.alpha.shape
            pad = 2  # bilinear footprint
            self.box = (max(0, xs.min() - pad), max(0, ys.min() - pad), min(sw, xs.max() + 1 + pad),
                        min(sh, ys.max() + 1 + pad)) if xs.size else None
        self.size = (w, h)

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
        lin = cv2.INTER_LINEAR
        for i, win in enumerate(cam.plan.fg):
            buf = bufs[i % len(bufs)]
            planes = i420_planes(buf)
            m = cam.matrix(win, cam.prescale)
            if self.bg is None:
                ml, mc = self._maps(m, self.fg)
                cv2.warpAffine(self.fg.y, ml, (w, h), dst=planes[0], flags=lin, borderMode=cv2.BORDER_REFLECT)
                for src, dst in ((self.fg.cb, planes[1]), (self.fg.cr, planes[2])):
                    cv2.warpAffine(src, mc, (w // 2, h // 2), dst=dst, flags=lin, borderMode=cv2.BORDER_REFLECT)
                yield buf
                continue
            assert cam.plan.bg is not None and self.keep is not None
            bl, bc = self._maps(cam.matrix(cam.plan.bg[i], cam.prescale), self.bg)
            fl, fc = self._maps(m, self.fg)
            cv2.warpAffine(self.bg.y, bl, (w, h), dst=planes[0], flags=lin, borderMode=cv2.BORDER_REFLECT)
            for src, dst in ((self.bg.cb, planes[1]), (self.bg.cr, planes[2])):
                cv2.warpAffine(src, bc, (w // 2, h // 2), dst=dst, flags=lin, borderMode=cv2.BORDER_REFLECT)
            if self.box is None:
                yield buf
                continue
            for plane, mat, fg, keep, scale in ((planes[0], fl, self.fg.y, self.keep.y, 1.0),
                                                (planes[1], fc, self.fg.cb, self.keep.cb, 0.5),
                                                (planes[2], fc, self.fg.cr, self.keep.cr, 0.5)):
                self._composite(plane, mat, fg, keep, scale, m)
            yield buf

    def _composite(self, plane: np.ndarray, mat: np.ndarray, fg: np.ndarray, keep: np.ndarray, scale: float,
                   m: np.ndarray) -> None:
        """plane = plane·keep/255 + fg inside the person's box (warped with `mat`)."""
        import cv2

        assert self.box is not None
        x0, y0, x1, y1 = self.box
        ph, pw = plane.shape
        # the box's corners in this plane (source px -> output px -> plane px), padded by a pixel
        ox0, oy0 = m[0, 0] * x0 + m[0, 2], m[1, 1] * y0 + m[1, 2]
        ox1, oy1 = m[0, 0] * x1 + m[0, 2], m[1, 1] * y1 + m[1, 2]
        px0, py0 = max(0, int(np.floor(ox0 * scale)) - 1), max(0, int(np.floor(oy0 * scale)) - 1)
        px1, py1 = min(pw, int(np.ceil(ox1 * scale)) + 1), min(ph, int(np.ceil(oy1 * scale)) + 1)
        if px1 <= px0 or py1 <= py0:
            return
        shifted = mat.copy()
        shifted[0, 2] -= px0
        shifted[1, 2] -= py0
        size = (px1 - px0, py1 - py0)
        person = cv2.warpAffine(fg, shifted, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                borderValue=0)
        weight = cv2.warpAffine(keep, shifted, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                borderValue=255)
        roi = plane[py0:py1, px0:px1]
        cv2.multiply(roi, weight, dst=roi, scale=1 / 255)
        cv2.add(roi, person, dst=roi)
