"""Following faces through video frames cheaply: detect now and then, track in between.

Every `every` frames (or when a face is lost) the whole frame is searched on a copy downscaled
to `det_side`. In the frames between, each tracked face is searched again only in a region
around its last box (`expand` × its size, itself downscaled so the face is ~120 px), which is a
fraction of the cost. Boxes and keypoints are smoothed with a one-euro filter (Casiez et al.,
CHI 2012): steady when the face is still, no lag when it moves fast — so swaps and lip-sync
mouths do not jitter. Motion's identity repair and lip-sync use this.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .analyzer import FaceAnalyzer
from .types import DetectedFace


class OneEuroFilter:
    """One-euro low-pass filter over a vector of values (units: pixels; rate: frames/s)."""

    def __init__(
        self, rate: float = 25.0, min_cutoff: float = 1.5, beta: float = 0.02, d_cutoff: float = 1.0
    ):
        self.rate, self.min_cutoff, self.beta, self.d_cutoff = rate, min_cutoff, beta, d_cutoff
        self.x: np.ndarray | None = None
        self.dx: np.ndarray | None = None

    def _alpha(self, cutoff: np.ndarray | float) -> np.ndarray | float:
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau * self.rate)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self.x is None:
            self.x, self.dx = x.copy(), np.zeros_like(x)
            return x.copy()
        dx = (x - self.x) * self.rate
        a_d = self._alpha(self.d_cutoff)
        self.dx = a_d * dx + (1 - a_d) * self.dx
        a = self._alpha(self.min_cutoff + self.beta * np.abs(self.dx))
        self.x = a * x + (1 - a) * self.x
        return self.x.copy()


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def shift_face(face: DetectedFace, dx: float, dy: float) -> DetectedFace:
    """A copy of `face` moved by (dx, dy) — for faces found in a crop of the frame."""
    off = np.array([dx, dy], np.float32)
    extra = {k: v for k, v in face.extra.items() if k != "shape"}  # dlib shapes are crop-bound
    if extra.get("mesh") is not None:
        extra["mesh"] = extra["mesh"] + np.array([dx, dy, 0.0], np.float32)
    x0, y0, x1, y1 = face.box
    return replace(
        face,
        box=(x0 + dx, y0 + dy, x1 + dx, y1 + dy),
        kps5=face.kps5 + off,
        landmarks68=None if face.landmarks68 is None else face.landmarks68 + off,
        extra=extra,
    )


@dataclass
class _Track:
    id: int
    face: DetectedFace
    filter: OneEuroFilter
    missed: int = 0
    embedding: np.ndarray | None = None
    embedded_at: int = -(10**9)


class FaceTracker:
    """Detect-and-track over a frame sequence; `update(frame)` returns the smoothed faces."""

    def __init__(
        self,
        analyzer: FaceAnalyzer,
        every: int = 8,
        det_side: int = 640,
        expand: float = 2.0,
        embed: bool = True,
        embed_every: int = 1,
        max_faces: int | None = None,
        rate: float = 25.0,
        smooth: bool = True,
    ):
        self.analyzer = analyzer
        self.every = max(1, int(every))
        self.det_side = det_side
        self.expand = expand
        self.embed = embed
        # Embeddings cost ~80 ms a face on one CPU core; between refreshes a track keeps its
        # last one (extra['embedded_at'] says from which frame).
        self.embed_every = max(1, int(embed_every))
        self.max_faces = max_faces
        self.rate = rate
        self.smooth = smooth
        self.frame_index = -1
        self._tracks: list[_Track] = []
        self._next_id = 0
        self.full_detections = 0

    def reset(self) -> None:
        self._tracks = []
        self.frame_index = -1

    def _full_detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        self.full_detections += 1
        faces = self.analyzer.detect(rgb, embed=False, landmarks=True, max_side=self.det_side)
        return faces[: self.max_faces] if self.max_faces else faces

    def _region_detect(
        self, rgb: np.ndarray, box: tuple[float, float, float, float]
    ) -> DetectedFace | None:
        h, w = rgb.shape[:2]
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        half = max(box[2] - box[0], box[3] - box[1]) * self.expand / 2
        x0, y0 = int(max(0, cx - half)), int(max(0, cy - half))
        x1, y1 = int(min(w, cx + half)), int(min(h, cy + half))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return None
        # The face fills ~1/expand of the region: scale the region so the face is ~120 px.
        side = int(max(160, 120 * self.expand))
        found = self.analyzer.detect(rgb[y0:y1, x0:x1], embed=False, landmarks=True, max_side=side)
        if not found:
            return None
        best = max(found, key=lambda f: _iou(shift_face(f, x0, y0).box, box))
        return shift_face(best, x0, y0)

    def _smoothed(self, track: _Track, face: DetectedFace) -> DetectedFace:
        if not self.smooth:
            return face
        vec = np.concatenate([np.asarray(face.box, np.float64), face.kps5.reshape(-1)])
        out = track.filter(vec)
        return replace(
            face,
            box=tuple(float(v) for v in out[:4]),
            kps5=out[4:].reshape(5, 2).astype(np.float32),
        )

    def update(self, rgb: np.ndarray) -> list[DetectedFace]:
        """Faces in this frame (largest first), each with extra['track_id']."""
        self.frame_index += 1
        full = self.frame_index % self.every == 0 or not self._tracks
        if full:
            found = self._full_detect(rgb)
            matched: set[int] = set()
            new_tracks: list[_Track] = []
            for face in found:
                best = max(
                    (t for t in self._tracks if t.id not in matched),
                    key=lambda t: _iou(t.face.box, face.box),
                    default=None,
                )
                if best is not None and _iou(best.face.box, face.box) > 0.3:
                    matched.add(best.id)
                    best.face, best.missed = face, 0
                    new_tracks.append(best)
                else:
                    t = _Track(self._next_id, face, OneEuroFilter(self.rate))
                    self._next_id += 1
                    new_tracks.append(t)
            self._tracks = new_tracks
        else:
            kept = []
            for t in self._tracks:
                face = self._region_detect(rgb, t.face.box)
                if face is None:
                    t.missed += 1
                    if t.missed <= 1:  # one miss is tolerated; the next full pass re-finds it
                        kept.append(t)
                    continue
                t.face, t.missed = face, 0
                kept.append(t)
            self._tracks = kept
        out = []
        for t in self._tracks:
            if t.missed:
                continue
            if self.embed:
                if t.embedding is None or self.frame_index - t.embedded_at >= self.embed_every:
                    t.embedding = self.analyzer.embed(rgb, t.face)  # from the unsmoothed detection
                    t.embedded_at = self.frame_index
                t.face.embedding = t.embedding
            f = self._smoothed(t, t.face)
            f.extra = {**f.extra, "track_id": t.id, "embedded_at": t.embedded_at}
            out.append(f)
        out.sort(key=lambda f: f.area, reverse=True)
        return out
