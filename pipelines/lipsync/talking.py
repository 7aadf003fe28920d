"""The embedded talking-photo engine's one frame loop: picture (+ camera move) → face → encoder.

Three sources, one loop:
- a still: the face is found once; every frame is the still (at its size, or the `size` asked);
- a still with a camera move (`camera`): the camera engine's plan gives each frame's affine,
  the background is rendered straight to yuv420p planes (camera_planes) and the face rides on
  that affine — no tracking, no intermediate clip, one resampling from the still;
- a clip (camera engine, SVD, anything): each frame is decoded once; the face is tracked by
  refitting the mesh on the last frame's region (a full detection only when it is lost).
In every case only a face-sized crop is animated (face_rig's fields are zero at its border, so
it pastes back without a seam), painted (mouth_paint) and re-measured: the mesh is refitted on
the rendered crop to score lip-sync against the voice, on what the viewer will see.
The loop also knows where it put the face on every frame: `TalkingResult.face_track` holds the
face detector's box centre and size carried through the head pose and the camera, per frame, so
an export can reframe the clip around the face without decoding it to look for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.video_io import (
    VideoWriter,
    even_size,
    i420_planes,
    looped_frames,
    probe,
    rgb_to_i420,
)
from studio.core.errors import BadInput
from studio.core.tasks import TaskContext, null_context

from .face_rig import FaceRig, Pose, close_mouth
from .life import Life, LifeSettings, life_track
from .mouth_paint import cover_eye, paint_lash_line, paint_mouth
from .sync_score import mouth_opening, sync_scores
from .visemes import MouthTrack, mouth_track

#: the source map is computed on a grid this many output pixels apart, then enlarged
MAP_STEP = 4
#: the rendered mouth is re-measured on every this many frames (15 per second at 30 fps)
MEASURE_EVERY = 2


@dataclass
class TalkingRequest:
    visual: Path
    audio: np.ndarray
    rate: int
    audio_path: Path
    phonemes: list[dict] | None = None
    fps: float = 30.0
    life: LifeSettings = field(default_factory=LifeSettings)
    #: a still with a camera move: {"move", "strength", "size": (w, h)}
    camera: dict | None = None
    # an edit clip the export re-encodes: x264 'superfast' halves the encoder's CPU of 'veryfast'
    # (it keeps CABAC and deblocking); CRF 17 keeps it visually lossless
    crf: int = 17
    preset: str = "superfast"


@dataclass
class TalkingResult:
    frames: int
    fps: float
    size: tuple[int, int]
    scores: dict
    sample_frame: np.ndarray
    timings: dict = field(default_factory=dict)
    #: per frame where the face is: (time s, centre x, centre y, size px) in output pixels;
    #: frames where the face was lost are left out
    face_track: list[tuple[float, float, float, float]] = field(default_factory=list)


def poses(track: MouthTrack, life: Life, i: int) -> Pose:
    h = life.head[i]
    return Pose(float(track.open[i]), float(track.jaw[i]), float(track.spread[i]), float(track.tuck[i]),
                float(track.tongue[i]), float(life.blink[i]), float(life.brow[i]),
                float(h[0]), float(h[1]), float(h[2]), float(h[3]))


def _face_at(rig: FaceRig, to_frame: np.ndarray, pose: Pose, centre: np.ndarray, size: float,
             t: float) -> tuple[float, float, float, float]:
    """(t, cx, cy, size) of the detector's face box (`centre`, `size` in face space) on a frame:
    through the head pose (the head mask carries the whole face), then face space → frame."""
    h = rig.head_matrix(pose)
    a = to_frame[:, :2] @ h[:, :2]
    c = a @ centre + to_frame[:, :2] @ h[:, 2] + to_frame[:, 2]
    return (round(t, 4), float(c[0]), float(c[1]), float(size * np.sqrt(abs(np.linalg.det(a)))))


def _box_centre(box: tuple) -> tuple[np.ndarray, float]:  # noqa: ANN001
    x0, y0, x1, y1 = (float(v) for v in box[:4])
    return np.array([(x0 + x1) / 2, (y0 + y1) / 2]), max(x1 - x0, y1 - y0)


def _even_box(x0: float, y0: float, x1: float, y1: float, w: int, h: int) -> tuple[int, int, int, int]:
    ix0, iy0 = max(0, int(np.floor(x0)) & ~1), max(0, int(np.floor(y0)) & ~1)
    ix1, iy1 = min(w, (int(np.ceil(x1)) + 1) & ~1), min(h, (int(np.ceil(y1)) + 1) & ~1)
    return ix0, iy0, ix1, iy1


class FaceAnimator:
    """Renders one posed face crop for a frame, given face space → frame and → source affines."""

    def __init__(self, rig: FaceRig, mesh):  # noqa: ANN001 - FaceMesh
        self.rig = rig
        self.mesh = mesh

    def crop(self, source: np.ndarray, to_frame: np.ndarray, to_source: np.ndarray, frame_size: tuple[int, int],
             pose: Pose) -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray] | None:
        """(box in the frame, RGB crop, posed mesh in frame px) or None if the face is off-frame."""
        import cv2

        rig = self.rig
        w, h = frame_size
        rx0, ry0, rx1, ry1 = rig.region
        corners = np.array([[rx0, ry0], [rx1, ry0], [rx1, ry1], [rx0, ry1]], np.float64)
        fc = corners @ to_frame[:, :2].T + to_frame[:, 2]
        box = _even_box(*fc.min(0), *fc.max(0), w, h)
        x0, y0, x1, y1 = box
        if x1 - x0 < 8 or y1 - y0 < 8:
            return None
        back_up, back_lo, moved = rig.backward_layers(pose)
        # the whole crop: each grid point through the layer of its side of the mouth (smeared at
        # the lips' seam; the mouth box below is composited per pixel)
        below = rig.below_mid_line(moved, rig.grid) > 0
        back = np.where(below[..., None], back_lo, back_up)
        inv = cv2.invertAffineTransform(to_frame.astype(np.float64))
        sw, sh = x1 - x0, y1 - y0
        mx, my = self._source_map(back, inv, to_source, (x0, y0), (0, 0, sw, sh))
        posed = moved @ to_frame[:, :2].T + to_frame[:, 2]
        local = posed - np.array([x0, y0])
        mouth = self._mouth_box(local, rig.step * float(np.sqrt(abs(np.linalg.det(to_frame[:, :2])))), sw, sh)
        if mouth is not None:
            bx0, by0, bx1, by1 = mouth
            ux, uy = self._source_map(back_up, inv, to_source, (x0, y0), mouth)
            lx, ly = self._source_map(back_lo, inv, to_source, (x0, y0), mouth)
            ys, xs = np.mgrid[by0:by1, bx0:bx1].astype(np.float32)
            d = rig.below_mid_line(local, np.stack([xs, ys], -1))
            m = np.clip(d + 0.5, 0, 1).astype(np.float32)  # one pixel of anti-aliasing at the seam
            mx[by0:by1, bx0:bx1] = ux + (lx - ux) * m
            my[by0:by1, bx0:bx1] = uy + (ly - uy) * m
        out = cv2.remap(source, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        a = to_frame[:, :2]
        u = a @ rig.u
        u /= max(float(np.hypot(*u)), 1e-6)
        v = np.array([-u[1], u[0]]) if np.dot(a @ rig.v, [-u[1], u[0]]) > 0 else np.array([u[1], -u[0]])
        scale = float(np.sqrt(abs(np.linalg.det(a))))
        enlarged = scale / max(float(np.sqrt(abs(np.linalg.det(to_source[:, :2])))), 1e-6)
        out = paint_mouth(out, local[rig.up], local[rig.lo], u, v, rig.mouth_w * scale, pose.jaw,
                          pose.tongue, pose.tuck, enlarged=enlarged)
        if pose.blink > 0.05:
            for upper, lower, _s, _w, _sa, opening in rig._eyes:
                out = cover_eye(out, local[upper], local[lower], pose.blink, 0.8 * opening * scale)
                out = paint_lash_line(out, local[upper], pose.blink, max(1.0, 0.012 * rig.face_w * scale))
        return box, out, posed

    def _source_map(self, back: np.ndarray, inv: np.ndarray, to_source: np.ndarray, origin: tuple[int, int],
                    rect: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Source-image sample positions (x, y float32) for the pixels of `rect` (x0, y0, x1, y1 in
        the crop at `origin` of the frame), through the backward grid field `back`."""
        import cv2

        rig = self.rig
        rx0, ry0 = rig.region[:2]
        ox, oy = origin[0] + rect[0], origin[1] + rect[1]
        sw, sh = rect[2] - rect[0], rect[3] - rect[1]
        # output px -> coarse grid index: grid = (face - region origin) / step
        g = inv.copy()
        g[:, 2] += inv[:, :2] @ np.array([ox, oy], np.float64)
        g[:, 2] -= np.array([rx0, ry0])
        g /= rig.step
        # the source map is smooth (an affine plus the coarse field), so it is computed every
        # `k`-th pixel and enlarged: the per-pixel work is one resize per axis and one remap
        k = MAP_STEP
        mw, mh = -(-sw // k), -(-sh // k)
        ys, xs = np.mgrid[0:mh, 0:mw].astype(np.float32)
        xs = xs * k + (k - 1) / 2.0  # centres of the k×k blocks, in crop px (cv2.resize's convention)
        ys = ys * k + (k - 1) / 2.0
        gk = g.copy()
        gk[:, :2] *= k
        gk[:, 2] += g[:, :2] @ np.array([(k - 1) / 2.0, (k - 1) / 2.0])
        field = self._field_at(back, gk, mw, mh)
        fx = inv[0, 0] * (xs + ox) + inv[0, 1] * (ys + oy) + inv[0, 2] + field[..., 0]
        fy = inv[1, 0] * (xs + ox) + inv[1, 1] * (ys + oy) + inv[1, 2] + field[..., 1]
        small_x = (to_source[0, 0] * fx + to_source[0, 1] * fy + to_source[0, 2]).astype(np.float32)
        small_y = (to_source[1, 0] * fx + to_source[1, 1] * fy + to_source[1, 2]).astype(np.float32)
        mx = cv2.resize(small_x, (mw * k, mh * k), interpolation=cv2.INTER_LINEAR)[:sh, :sw]
        my = cv2.resize(small_y, (mw * k, mh * k), interpolation=cv2.INTER_LINEAR)[:sh, :sw]
        return mx, my

    def _mouth_box(self, local: np.ndarray, cell: float, sw: int, sh: int) -> tuple[int, int, int, int] | None:
        """The crop rectangle where the two lip layers are composited: the posed lips plus a
        margin of grid cells (`cell`: one grid step in crop px), or None when the lips touch."""
        rig = self.rig
        from .face_rig import LIPS_OUTER_LOWER, LIPS_OUTER_UPPER

        lips = local[list(LIPS_OUTER_UPPER) + list(LIPS_OUTER_LOWER)]
        gap = np.linalg.norm(local[rig.up] - local[rig.lo], axis=1)
        if gap.max() < 0.3:
            return None
        pad = 3.0 * cell + 2.0
        bx0, by0 = np.floor(lips.min(0) - pad).astype(int)
        bx1, by1 = np.ceil(lips.max(0) + pad).astype(int)
        bx0, by0, bx1, by1 = max(0, bx0), max(0, by0), min(sw, bx1), min(sh, by1)
        return (bx0, by0, bx1, by1) if bx1 - bx0 >= 4 and by1 - by0 >= 4 else None

    @staticmethod
    def _field_at(back: np.ndarray, g: np.ndarray, sw: int, sh: int) -> np.ndarray:
        """The coarse backward field sampled at every crop pixel (grid coords = g · (x, y, 1))."""
        import cv2

        return cv2.warpAffine(back, g, (sw, sh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=0)

    def measure(self, crop: np.ndarray, posed_local: np.ndarray) -> float:
        """Mouth opening re-measured by the mesh on the rendered crop (NaN if it sees no face)."""
        from pipelines.faces.mesh import PRESENCE, Roi, to68

        pts, score = self.mesh.fit(crop, Roi.from_mesh(posed_local))
        return mouth_opening(to68(pts)) if score >= PRESENCE else float("nan")


def _paste_i420(buf: np.ndarray, box: tuple[int, int, int, int], crop: np.ndarray, scratch: dict) -> None:
    """Write an RGB crop (even box) into a yuv420p frame."""
    x0, y0, x1, y1 = box
    key = crop.shape
    if key not in scratch:
        scratch[key] = (np.empty((key[0] * 3 // 2, key[1]), np.uint8), np.empty((key[0] // 2, key[1] // 2, 3), np.uint8))
    small = rgb_to_i420(crop, *scratch[key])
    cy, cu, cv = i420_planes(small)
    y, u, v = i420_planes(buf)
    y[y0:y1, x0:x1] = cy
    u[y0 // 2:y1 // 2, x0 // 2:x1 // 2] = cu
    v[y0 // 2:y1 // 2, x0 // 2:x1 // 2] = cv


class TalkingEngine:
    """`run(request, out_path, ctx)`: the loop described in the module docstring."""

    def __init__(self, analyzer):  # noqa: ANN001 - a DlibAnalyzer with the face mesh
        from pipelines.faces.mesh import FaceMesh

        self.analyzer = analyzer
        self.mesh = getattr(analyzer, "mesh", None) or FaceMesh()  # ModelMissing names the install

    def _face_mesh(self, rgb: np.ndarray, name: str) -> tuple[np.ndarray, tuple]:
        faces = self.analyzer.detect(rgb, embed=False)
        if not faces or faces[0].extra.get("mesh") is None:
            raise BadInput(f"No face found in {name}; use a picture where the face is clearly visible.")
        return faces[0].extra["mesh"], faces[0].box

    def run(self, req: TalkingRequest, out_path: Path, ctx: TaskContext | None = None) -> TalkingResult:
        import time

        from pipelines.video_io import is_video

        ctx = ctx or null_context()
        t0 = time.perf_counter()
        duration = len(req.audio) / float(req.rate)
        if duration <= 0:
            raise BadInput("The narration is empty (0 s of audio).")
        clip = is_video(req.visual)
        fps = probe(req.visual).fps if clip else float(req.fps)
        n = max(1, int(round(duration * fps)))
        track = mouth_track(req.audio, req.rate, fps, n, req.phonemes, req.life.expressiveness)
        life = life_track(track.envelope, fps, req.life)
        opening = np.full(n, np.nan)
        faces: list[tuple[float, float, float, float]] = []
        ctx.progress(0, n, "finding the face")
        if clip:
            frames, size, sample = self._run_clip(req, out_path, fps, n, track, life, opening, faces, ctx)
        else:
            frames, size, sample = self._run_still(req, out_path, fps, n, track, life, opening, faces, ctx)
        scores = sync_scores(opening, track.envelope, fps)
        scores.update(life.stats(fps))
        return TalkingResult(frames, fps, size, scores, sample, {"total_s": time.perf_counter() - t0}, faces)

    # ------------------------------------------------------------------ a still (+ camera)
    def _run_still(self, req, out_path, fps, n, track, life, opening, faces, ctx):  # noqa: ANN001, ANN202
        import cv2

        from pipelines.faces import load_image

        still = np.ascontiguousarray(even_size(load_image(req.visual)))
        rest, box = self._face_mesh(still, req.visual.name)
        centre, face_size = _box_centre(box)
        neutral, rest = close_mouth(still, rest)  # animate from closed lips (see face_rig)
        rig = FaceRig(rest, (still.shape[1], still.shape[0]))
        anim = FaceAnimator(rig, self.mesh)
        eye = np.array([[1.0, 0, 0], [0, 1.0, 0]])
        cam = None
        if req.camera:
            from pipelines.motion.camera import CameraMotion, CameraRequest
            from pipelines.motion.camera_planes import PlaneRenderer

            c = req.camera
            cam = CameraMotion(CameraRequest(image=still, face_box=box, size=tuple(c.get("size") or (1080, 1920)),
                                             fps=fps, seconds=n / fps, move=c.get("move", "push-in"),
                                             strength=float(c.get("strength", 1.0))))
            size = cam.req.size
            source = neutral if cam.prescale >= 1.0 else cv2.resize(neutral, (cam.src.shape[1], cam.src.shape[0]),
                                                                   interpolation=cv2.INTER_AREA)
            to_source = eye * (source.shape[1] / still.shape[1])
        else:
            size = (still.shape[1], still.shape[0])
            source, to_source = neutral, eye
        w, h = size
        scratch: dict = {}
        sample = None
        with VideoWriter(out_path, size, fps, crf=req.crf, preset=req.preset, audio=req.audio_path, i420=True) as out:
            ring = out.queue_depth + 3
            if cam is not None:
                bases: Iterator[np.ndarray] = PlaneRenderer(cam).frames(ring=ring)
            else:
                base = rgb_to_i420(still)
                pool = [np.empty_like(base) for _ in range(ring)]
                bases = (np.copyto(pool[i % ring], base) or pool[i % ring] for i in range(n))
            for i, buf in enumerate(bases):
                to_frame = cam.matrix(cam.plan.fg[i]) if cam is not None else eye
                pose = poses(track, life, i)
                faces.append(_face_at(rig, to_frame, pose, centre, face_size, i / fps))
                got = anim.crop(source, to_frame, to_source, (w, h), pose)
                if got is not None:
                    fbox, crop, posed = got
                    _paste_i420(buf, fbox, crop, scratch)
                    if i % MEASURE_EVERY == 0:
                        opening[i] = anim.measure(crop, posed - np.array(fbox[:2]))
                if i == n // 2:
                    sample = cv2.cvtColor(buf, cv2.COLOR_YUV2RGB_I420)
                out.write_i420(buf)
                if i % 5 == 0:
                    ctx.progress(i, n, f"frame {i + 1}/{n}")
                if i + 1 >= n:
                    break
        return n, (w, h), sample

    # ------------------------------------------------------------------ a clip
    def _run_clip(self, req, out_path, fps, n, track, life, opening, faces, ctx):  # noqa: ANN001, ANN202
        from pipelines.faces.align import similarity_transform
        from pipelines.faces.mesh import PRESENCE, Roi
        from pipelines.faces.tracking import OneEuroFilter

        frames = looped_frames(req.visual, n)
        first = next(frames)
        rest, box = self._face_mesh(first, req.visual.name)
        centre, face_size = _box_centre(box)
        h, w = first.shape[:2]
        rig = FaceRig(rest, (w, h))
        anim = FaceAnimator(rig, self.mesh)
        smooth = OneEuroFilter(rate=fps, min_cutoff=1.0, beta=0.05)
        current: np.ndarray | None = rest
        missed = 0
        sample = None
        with VideoWriter(out_path, (w, h), fps, crf=req.crf, preset=req.preset, audio=req.audio_path, i420=True) as out:
            for i, frame in enumerate(_chain(first, frames)):
                if i > 0:
                    pts, score = (self.mesh.fit(frame, Roi.from_mesh(current)) if current is not None
                                  else (None, 0.0))
                    if score < PRESENCE and (missed % 10 == 0):  # lost: search the whole frame again
                        found = self.analyzer.detect(frame, embed=False)  # not `faces`: the track
                        pts = found[0].extra.get("mesh") if found else None
                        score = 1.0 if pts is not None else 0.0
                    if score >= PRESENCE:
                        current, missed = pts, 0
                    else:
                        current, missed = None, missed + 1
                frame_out = frame
                if current is not None:
                    m = similarity_transform(rest[:, :2], current[:, :2]).astype(np.float64)
                    m = smooth(m.reshape(-1)).reshape(2, 3)
                    pose = poses(track, life, i)
                    faces.append(_face_at(rig, m, pose, centre, face_size, i / fps))
                    got = anim.crop(frame, m, m, (w, h), pose)
                    if got is not None:
                        (x0, y0, x1, y1), crop, posed = got
                        frame_out = frame.copy()
                        frame_out[y0:y1, x0:x1] = crop
                        if i % MEASURE_EVERY == 0:
                            opening[i] = anim.measure(crop, posed - np.array([x0, y0]))
                if i == n // 2:
                    sample = frame_out
                out.write(frame_out)
                if i % 5 == 0:
                    ctx.progress(i, n, f"frame {i + 1}/{n}")
        return n, (w, h), sample if sample is not None else first


def _chain(first: np.ndarray, rest: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    yield first
    yield from rest
