"""The insightface-model backend: SCRFD-10G detection and ArcFace w600k_r50 recognition.

We run the buffalo_l ONNX files with our own onnxruntime code instead of depending on the
`insightface` package, which pulls in the GUI build of opencv-python and the CPU onnxruntime,
both of which clash with PySide6 and onnxruntime-gpu.

SCRFD (det_10g.onnx): input 'input.1' [1,3,640,640] RGB, (x - 127.5) / 128, the image resized
to fit 640 keeping its aspect (padded right/bottom). Nine outputs: scores, box distances and
keypoint distances for strides 8, 16, 32, with two anchors per grid cell. A box is its anchor
centre minus/plus the four distances (×stride); keypoints are centre plus offsets (×stride).
ArcFace (w600k_r50.onnx): input [1,3,112,112] RGB, (x - 127.5) / 127.5, on the 5-point
`norm_crop` to 112; output [1,512], which we L2-normalise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .align import align_crop
from .analyzer import FaceAnalyzer
from .types import DetectedFace

STRIDES = (8, 16, 32)
NUM_ANCHORS = 2


def anchor_centers(
    height: int, width: int, stride: int, num_anchors: int = NUM_ANCHORS
) -> np.ndarray:
    """(H/stride · W/stride · anchors, 2) x,y centres in input pixels, row-major like SCRFD's outputs."""
    gh, gw = height // stride, width // stride
    ys, xs = np.mgrid[:gh, :gw]
    centers = (np.stack([xs, ys], axis=-1).reshape(-1, 2) * stride).astype(np.float32)
    return np.repeat(centers, num_anchors, axis=0)


def distance2bbox(points: np.ndarray, dist: np.ndarray) -> np.ndarray:
    return np.stack(
        [
            points[:, 0] - dist[:, 0],
            points[:, 1] - dist[:, 1],
            points[:, 0] + dist[:, 2],
            points[:, 1] + dist[:, 3],
        ],
        axis=-1,
    )


def distance2kps(points: np.ndarray, dist: np.ndarray) -> np.ndarray:
    n = dist.shape[1] // 2
    out = np.empty((dist.shape[0], n, 2), np.float32)
    out[:, :, 0] = points[:, None, 0] + dist[:, 0::2]
    out[:, :, 1] = points[:, None, 1] + dist[:, 1::2]
    return out


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float = 0.4) -> list[int]:
    """Greedy non-maximum suppression; returns kept indices, best first."""
    order = np.argsort(-scores)
    keep: list[int] = []
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        xx0 = np.maximum(boxes[i, 0], boxes[rest, 0])
        yy0 = np.maximum(boxes[i, 1], boxes[rest, 1])
        xx1 = np.minimum(boxes[i, 2], boxes[rest, 2])
        yy1 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.clip(xx1 - xx0, 0, None) * np.clip(yy1 - yy0, 0, None)
        ious = inter / (areas[i] + areas[rest] - inter + 1e-9)
        order = rest[ious <= iou]
    return keep


def _session(path: Path, providers: list[str] | None):  # noqa: ANN202
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(
        str(path), sess_options=opts, providers=providers or ["CPUExecutionProvider"]
    )


class SCRFD:
    """The SCRFD detector (see the module docstring for the tensor layout)."""

    def __init__(
        self,
        path: Path,
        providers: list[str] | None = None,
        input_size: int = 640,
        threshold: float = 0.5,
        nms_iou: float = 0.4,
    ):
        self.session = _session(path, providers)
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [o.name for o in self.session.get_outputs()]
        if len(self.output_names) != 3 * len(STRIDES):
            raise ValueError(
                f"{path} is not an SCRFD detector with keypoints (it has {len(self.output_names)} outputs, not 9)"
            )
        self.input_size = input_size
        self.threshold = threshold
        self.nms_iou = nms_iou
        self._centers = {s: anchor_centers(input_size, input_size, s) for s in STRIDES}

    def __call__(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(boxes (N,4), scores (N,), kps (N,5,2)) in `rgb`'s pixels, best first."""
        import cv2

        size = self.input_size
        h, w = rgb.shape[:2]
        scale = size / max(h, w)
        nh, nw = max(1, int(round(h * scale))), max(1, int(round(w * scale)))
        canvas = np.zeros((size, size, 3), np.uint8)
        canvas[:nh, :nw] = cv2.resize(
            rgb, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        )
        blob = ((canvas.astype(np.float32) - 127.5) / 128.0).transpose(2, 0, 1)[None]
        outs = self.session.run(self.output_names, {self.input_name: blob})
        boxes, scores, kps = [], [], []
        n = len(STRIDES)
        for i, stride in enumerate(STRIDES):
            # Some exports keep a batch axis ([1, N, C]); the buffalo_l one does not ([N, C]).
            sc = outs[i].reshape(-1)
            bb = outs[i + n].reshape(-1, 4) * stride
            kp = outs[i + 2 * n].reshape(-1, 10) * stride
            centers = self._centers[stride]
            sel = np.where(sc >= self.threshold)[0]
            if sel.size == 0:
                continue
            boxes.append(distance2bbox(centers[sel], bb[sel]))
            scores.append(sc[sel])
            kps.append(distance2kps(centers[sel], kp[sel]))
        if not boxes:
            return (
                np.zeros((0, 4), np.float32),
                np.zeros((0,), np.float32),
                np.zeros((0, 5, 2), np.float32),
            )
        b, s, k = np.concatenate(boxes) / scale, np.concatenate(scores), np.concatenate(kps) / scale
        keep = nms(b, s, self.nms_iou)
        return b[keep].astype(np.float32), s[keep].astype(np.float32), k[keep].astype(np.float32)


class ArcFace:
    """The ArcFace recognizer: 112×112 aligned crop -> L2-normalised 512-d embedding."""

    def __init__(self, path: Path, providers: list[str] | None = None):
        self.session = _session(path, providers)
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        self.size = int(inp.shape[2]) if isinstance(inp.shape[2], int) else 112

    def __call__(self, rgb: np.ndarray, kps5: np.ndarray) -> np.ndarray:
        crop, _ = align_crop(rgb, kps5, self.size)
        blob = ((crop.astype(np.float32) - 127.5) / 127.5).transpose(2, 0, 1)[None]
        vec = self.session.run(None, {self.input_name: blob})[0].reshape(-1).astype(np.float32)
        return vec / (np.linalg.norm(vec) + 1e-12)


class InsightFaceAnalyzer(FaceAnalyzer):
    """SCRFD + ArcFace on onnxruntime (CUDA first when available)."""

    backend = "insightface"

    def __init__(self, det_path: Path, rec_path: Path, providers: list[str] | None = None):
        self.providers = providers
        self.detector = SCRFD(Path(det_path), providers)
        self.recognizer = ArcFace(Path(rec_path), providers)

    def models_used(self) -> list[str]:
        return ["buffalo_l-det", "buffalo_l-rec"]

    def detect(self, rgb, *, embed=True, landmarks=True, max_side=None) -> list[DetectedFace]:  # noqa: ANN001
        import cv2

        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        h, w = rgb.shape[:2]
        scale = 1.0
        src = rgb
        if max_side and max(h, w) > max_side:
            scale = max_side / max(h, w)
            src = cv2.resize(
                rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA
            )
        boxes, scores, kps = self.detector(src)
        faces = []
        for b, s, k in zip(boxes / scale, scores, kps / scale, strict=True):
            x0, y0 = max(0.0, float(b[0])), max(0.0, float(b[1]))
            x1, y1 = min(float(w), float(b[2])), min(float(h), float(b[3]))
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            face = DetectedFace(
                box=(x0, y0, x1, y1),
                score=float(s),
                kps5=k.astype(np.float32),
                backend="insightface",
            )
            if embed:
                face.embedding = self.recognizer(rgb, face.kps5)
            faces.append(face)
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
        return self.recognizer(np.ascontiguousarray(rgb, dtype=np.uint8), face.kps5)
