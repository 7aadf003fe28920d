"""Camera motion: a face-aware camera move over a still, made with OpenCV (the embedded default).

No model weights: a virtual camera looks at the still through a window that moves and zooms.
- push-in: a slow zoom toward the face;
- pan: a sideways drift past the face at a slight zoom;
- parallax: the person (a GrabCut mask seeded by the face box) moves more than the background,
  whose hidden part is filled by inpainting, so the scene has depth.

Every frame is one `cv2.warpAffine` from a pre-scaled source (two and a blend for parallax) at
the export size. Motion follows a smootherstep ease (zero speed and acceleration at both ends).
The window is clamped to stay inside the still (no borders) and to keep the face box inside the
frame on every frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from pipelines.video_io import Codec, VideoWriter, write_video
from studio.core.errors import BadInput
from studio.core.tasks import TaskContext, null_context

Move = Literal["push-in", "pan", "parallax"]
MOVES: tuple[str, ...] = ("push-in", "pan", "parallax")
Box = tuple[float, float, float, float]


def ease(t: float) -> float:
    """Smootherstep: 0→1 with zero velocity and acceleration at both ends."""
    t = min(max(t, 0.0), 1.0)
    return t * t * t * (t * (6 * t - 15) + 10)


@dataclass
class CameraRequest:
    """One camera move. `image` is RGB uint8; `face_box` (x0, y0, x1, y1) in its pixels."""

    image: np.ndarray
    face_box: Box | None = None
    size: tuple[int, int] = (1080, 1920)
    fps: float = 30.0
    seconds: float = 6.0
    move: Move = "push-in"
    strength: float = 1.0  # 1 = the default amount of motion; `--motion 127` maps to 1

    @property
    def frame_count(self) -> int:
        return max(1, int(round(self.seconds * self.fps)))


@dataclass(frozen=True)
class Window:
    """What the camera sees in one frame: centre (source px) and zoom over the cover framing."""

    cx: float
    cy: float
    zoom: float


@dataclass
class CameraPlan:
    """Per-frame windows (and the face box in output pixels) for a request."""

    fg: list[Window]
    bg: list[Window] | None
    face_out: list[Box | None] = field(default_factory=list)


class CameraMotion:
    """The OpenCV camera-motion engine (`load`/`run`/`unload` for symmetry with SVD)."""

    engine = "camera motion (OpenCV)"

    def __init__(self, req: CameraRequest):
        if req.image.ndim != 3 or req.image.shape[2] != 3:
            raise BadInput("The still must be an RGB image.")
        w, h = req.size
        if w % 2 or h % 2 or w < 16 or h < 16:
            raise BadInput(f"Size (--size) {w}x{h}: width and height must be even and at least 16.")
        if req.move not in MOVES:
            raise BadInput(f"Unknown camera move '{req.move}'; choose one of {', '.join(MOVES)}.")
        self.req = req
        src_h, src_w = req.image.shape[:2]
        self.cover = max(w / src_w, h / src_h)  # source px -> output px at zoom 1
        face = req.face_box or _default_face(src_w, src_h)
        self.face = _clip_box(face, src_w, src_h)
        self.max_zoom = self._max_zoom()
        self.plan = self._plan()
        self._prepare_source()

    # ------------------------------------------------------------------ planning
    def _max_zoom(self) -> float:
        """The face may fill at most 55 % of the frame height / 70 % of its width."""
        w, h = self.req.size
        fw = (self.face[2] - self.face[0]) * self.cover
        fh = (self.face[3] - self.face[1]) * self.cover
        return max(1.0, min(0.55 * h / max(fh, 1.0), 0.70 * w / max(fw, 1.0)))

    def _clamp(self, cx: float, cy: float, zoom: float, keep_face: bool) -> Window:
        w, h = self.req.size
        src_h, src_w = self.req.image.shape[:2]
        ww, wh = w / (self.cover * zoom), h / (self.cover * zoom)
        fx0, fy0, fx1, fy1 = self.face
        lo_x, hi_x = ww / 2, src_w - ww / 2
        lo_y, hi_y = wh / 2, src_h - wh / 2
        if keep_face:  # the window must contain the face box (both ranges overlap, see module doc)
            lo_x, hi_x = max(lo_x, fx1 - ww / 2), min(hi_x, fx0 + ww / 2)
            lo_y, hi_y = max(lo_y, fy1 - wh / 2), min(hi_y, fy0 + wh / 2)
        cx = min(max(cx, lo_x), hi_x) if lo_x <= hi_x else (lo_x + hi_x) / 2
        cy = min(max(cy, lo_y), hi_y) if lo_y <= hi_y else (lo_y + hi_y) / 2
        return Window(cx, cy, zoom)

    def _plan(self) -> CameraPlan:
        r = self.req
        n = r.frame_count
        s = max(0.0, r.strength)
        src_h, src_w = r.image.shape[:2]
        w, h = r.size
        fcx = (self.face[0] + self.face[2]) / 2
        fcy = (self.face[1] + self.face[3]) / 2
        # the face sits a little above the frame centre (portrait framing)
        aim_y = fcy + 0.08 * h / self.cover
        z_end = min(1.0 + 0.16 * s, self.max_zoom)
        fg: list[Window] = []
        bg: list[Window] | None = [] if r.move == "parallax" else None
        for i in range(n):
            e = ease(i / max(n - 1, 1))
            if r.move == "push-in":
                z = 1.0 + (z_end - 1.0) * e
                start = (src_w / 2, src_h / 2)
                cx = start[0] + (fcx - start[0]) * e
                cy = start[1] + (aim_y - start[1]) * e
                fg.append(self._clamp(cx, cy, z, True))
            elif r.move == "pan":
                z = min(1.0 + 0.12 * max(s, 0.5), self.max_zoom)
                span = 0.10 * s * w / (self.cover * z)
                fg.append(self._clamp(fcx - span + 2 * span * e, aim_y, z, True))
            else:  # parallax: person moves and grows more than the background
                zf = 1.06 + (min(1.0 + 0.10 * s, self.max_zoom) - 1.0) * e
                span = 0.05 * s * w / (self.cover * zf)
                fg.append(self._clamp(fcx - span + 2 * span * e, aim_y, zf, True))
                zb = 1.06 + 0.03 * s * e
                assert bg is not None
                bg.append(self._clamp(fcx + 0.5 * span - span * e, aim_y, zb, False))
        plan = CameraPlan(fg, bg)
        plan.face_out = [self._face_in_frame(win) for win in fg]
        return plan

    def matrix(self, win: Window, prescale: float = 1.0) -> np.ndarray:
        """2×3 affine from (pre-scaled) source pixels to output pixels for a window."""
        w, h = self.req.size
        k = self.cover * win.zoom
        tx = w / 2 - k * win.cx
        ty = h / 2 - k * win.cy
        return np.array([[k / prescale, 0.0, tx], [0.0, k / prescale, ty]], dtype=np.float64)

    def _face_in_frame(self, win: Window) -> Box:
        m = self.matrix(win)
        x0, y0, x1, y1 = self.face
        return (m[0, 0] * x0 + m[0, 2], m[1, 1] * y0 + m[1, 2], m[0, 0] * x1 + m[0, 2], m[1, 1] * y1 + m[1, 2])

    # ------------------------------------------------------------------ rendering
    def _prepare_source(self) -> None:
        """Pre-scale the still near the largest zoom used, so warps never minify (no aliasing)."""
        import cv2

        zmax = max(win.zoom for win in self.plan.fg)
        scale = min(1.0, self.cover * zmax)
        src = self.req.image
        if scale < 1.0:
            size = (max(2, round(src.shape[1] * scale)), max(2, round(src.shape[0] * scale)))
            src = cv2.resize(src, size, interpolation=cv2.INTER_AREA)
            scale = src.shape[1] / self.req.image.shape[1]
        self.prescale = scale
        self.src = np.ascontiguousarray(src)
        self.alpha: np.ndarray | None = None
        self.background: np.ndarray | None = None
        if self.plan.bg is not None:
            self.alpha, self.background = person_layers(self.src, tuple(v * scale for v in self.face))

    def frames(self) -> Iterator[np.ndarray]:
        """The clip's frames, RGB uint8 at the export size."""
        import cv2

        size = self.req.size
        flags = cv2.INTER_LINEAR
        for i, win in enumerate(self.plan.fg):
            m = self.matrix(win, self.prescale)
            fg = cv2.warpAffine(self.src, m, size, flags=flags, borderMode=cv2.BORDER_REFLECT)
            if self.plan.bg is None:
                yield fg
                continue
            mb = self.matrix(self.plan.bg[i], self.prescale)
            bg = cv2.warpAffine(self.background, mb, size, flags=flags, borderMode=cv2.BORDER_REFLECT)
            a = cv2.warpAffine(self.alpha, m, size, flags=flags, borderMode=cv2.BORDER_CONSTANT)
            yield cv2.blendLinear(fg, bg, a, 1.0 - a)

    def render(self, path: str | Path, ctx: TaskContext | None = None, codec: Codec = "h264", crf: int = 12,
               preset: str = "veryfast") -> int:
        """Write the clip to `path`; returns the frame count.

        H.264 is rendered straight to yuv420p planes (`camera_planes`), which is what the encoder
        takes, so no frame is made in RGB or converted; FFV1 (4:4:4) is written from `frames()`.
        """
        ctx = ctx or null_context()
        if codec == "ffv1":  # 4:4:4: keep full chroma, write RGB frames
            return write_video(path, self.frames(), self.req.fps, self.req.size, total=self.req.frame_count,
                               codec=codec, crf=crf, preset=preset, ctx=ctx, label="Camera move")
        from .camera_planes import PlaneRenderer

        total = self.req.frame_count
        with VideoWriter(path, self.req.size, self.req.fps, codec, crf, preset, i420=True) as out:
            for yuv in PlaneRenderer(self).frames(ring=out.queue_depth + 2):
                out.write_i420(yuv)
                ctx.progress(out.frames, total, "Camera move")
        return out.frames

    def parameters(self) -> dict:
        r = self.req
        return {"move": r.move, "strength": r.strength, "size": list(r.size), "fps": r.fps,
                "seconds": r.seconds, "frames": r.frame_count, "face_box": [round(v, 1) for v in self.face],
                "zoom_end": round(self.plan.fg[-1].zoom, 4)}


def person_layers(rgb: np.ndarray, face: Box, grabcut_side: int = 512, fill_side: int = 256
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(alpha float32 0..1 of the person, background with the person inpainted away).

    GrabCut runs on a ≤`grabcut_side` px copy (most of the set-up time, but a smaller copy moves
    the mask visibly, e.g. around a helmet ring), seeded with a head-and-shoulders rectangle from
    the face box (the face itself is certain foreground). The hole is filled at ≤`fill_side` px: only slivers of it are ever revealed, and
    inpainting is smooth there at any size.
    """
    import cv2

    h, w = rgb.shape[:2]
    s = min(1.0, grabcut_side / max(h, w))
    small = cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    x0, y0, x1, y1 = (v * s for v in face)
    fw, fh = x1 - x0, y1 - y0
    mask = np.full((sh, sw), cv2.GC_BGD, np.uint8)
    rx0, rx1 = int(max(0, x0 - 1.3 * fw)), int(min(sw, x1 + 1.3 * fw))
    ry0, ry1 = int(max(0, y0 - 0.7 * fh)), sh
    mask[ry0:ry1, rx0:rx1] = cv2.GC_PR_FGD
    mask[int(y0):int(y1), int(x0 + 0.15 * fw):int(x1 - 0.15 * fw)] = cv2.GC_FGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    try:
        cv2.grabCut(bgr, mask, None, bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)
    except cv2.error:  # a flat image has no colour model: keep the seeded rectangle
        pass
    person = np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    hole = cv2.dilate(person, np.ones((9, 9), np.uint8))
    f = min(1.0, fill_side / max(sh, sw))
    if f < 1.0:
        fill_size = (max(1, round(sw * f)), max(1, round(sh * f)))
        tiny = cv2.resize(bgr, fill_size, interpolation=cv2.INTER_AREA)
        tiny_hole = (cv2.resize(hole, fill_size, interpolation=cv2.INTER_AREA) > 0).astype(np.uint8) * 255
        filled = cv2.inpaint(tiny, tiny_hole, max(3, round(7 * f)), cv2.INPAINT_TELEA)
    else:
        filled = cv2.inpaint(bgr, hole, 7, cv2.INPAINT_TELEA)
    filled = cv2.cvtColor(cv2.resize(filled, (w, h), interpolation=cv2.INTER_CUBIC), cv2.COLOR_BGR2RGB)
    hole_big = cv2.resize(hole, (w, h), interpolation=cv2.INTER_LINEAR)[..., None] > 0
    background = np.where(hole_big, filled, rgb)
    alpha = cv2.resize(person, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    alpha = cv2.GaussianBlur(alpha, (0, 0), sigmaX=max(1.0, 0.01 * max(w, h)))
    return np.ascontiguousarray(alpha), np.ascontiguousarray(background)


def _default_face(w: int, h: int) -> Box:
    """Without a detected face, aim at the upper middle of the still (where portraits put it)."""
    return (0.35 * w, 0.2 * h, 0.65 * w, 0.5 * h)


def _clip_box(b: Box, w: int, h: int) -> Box:
    x0, y0, x1, y1 = (float(v) for v in b)
    x0, x1 = max(0.0, min(x0, x1)), min(float(w), max(x0, x1))
    y0, y1 = max(0.0, min(y0, y1)), min(float(h), max(y0, y1))
    return (x0, y0, x1, y1)
