"""MediaPipe's short-range face detector (BlazeFace, Apache-2.0), for faces dlib's HOG misses.

HOG is trained on frontal faces; turned heads (three-quarter views) often escape it. BlazeFace
ships in the same wheel as the face mesh (`face_detection/face_detection_short_range.tflite`)
and runs with LiteRT. Pre/post-processing as in mediapipe/modules/face_detection/
face_detection.pbtxt + face_detection_short_range.pbtxt: the image letterboxed into 128×128
(aspect kept, zero border), RGB in [-1, 1]; 896 SSD anchors (strides 8, 16, 16, 16; two
anchors per cell per layer, fixed size, offset 0.5); boxes (x, y, w, h) and six keypoints
scaled by 128 relative to the anchor centre; sigmoid scores (logits clipped to ±100) ≥ 0.5;
weighted non-maximum suppression at IoU 0.3.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

MODEL_FILE = "face_detection/face_detection_short_range.tflite"
SIZE = 128
MIN_SCORE = 0.5


def anchors() -> np.ndarray:
    """(896, 2) anchor centres in 0..1, in the order the model's outputs use."""
    out = []
    strides = (8, 16, 16, 16)
    i = 0
    while i < len(strides):
        j = i
        while j < len(strides) and strides[j] == strides[i]:
            j += 1
        per_cell = 2 * (j - i)  # one aspect ratio + one interpolated scale, per layer
        n = SIZE // strides[i]
        for y in range(n):
            for x in range(n):
                out += [((x + 0.5) / n, (y + 0.5) / n)] * per_cell
        i = j
    return np.array(out, np.float32)


class BlazeFace:
    """`detect(rgb) -> [(box (x0, y0, x1, y1), score, keypoints (6, 2))]` in image pixels."""

    def __init__(self, models_dir: Path | None = None, threads: int = 1):
        from ai_edge_litert.interpreter import Interpreter

        from .mesh import mesh_models_dir

        path = (models_dir or mesh_models_dir()) / MODEL_FILE
        self._it = Interpreter(model_path=str(path), num_threads=threads)
        self._it.allocate_tensors()
        self._in = self._it.get_input_details()[0]["index"]
        outs = {d["name"]: d["index"] for d in self._it.get_output_details()}
        self._reg, self._cls = outs["regressors"], outs["classificators"]
        self._anchors = anchors()

    def detect(self, rgb: np.ndarray) -> list[tuple[tuple[float, float, float, float], float, np.ndarray]]:
        import cv2

        h, w = rgb.shape[:2]
        scale = SIZE / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        pad_x, pad_y = (SIZE - nw) / 2, (SIZE - nh) / 2
        canvas = np.zeros((SIZE, SIZE, 3), np.float32)
        small = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA).astype(np.float32)
        ox, oy = int(pad_x), int(pad_y)
        canvas[oy:oy + nh, ox:ox + nw] = small / 127.5 - 1.0
        self._it.set_tensor(self._in, canvas[None])
        self._it.invoke()
        reg = self._it.get_tensor(self._reg)[0]
        logits = np.clip(self._it.get_tensor(self._cls)[0, :, 0].astype(np.float64), -100, 100)
        score = 1 / (1 + np.exp(-logits))
        keep = np.flatnonzero(score >= MIN_SCORE)
        if not len(keep):
            return []
        a = self._anchors[keep]
        r = reg[keep] / SIZE
        cx, cy = r[:, 0] + a[:, 0], r[:, 1] + a[:, 1]
        bw, bh = r[:, 2], r[:, 3]
        kps = r[:, 4:16].reshape(-1, 6, 2) + a[:, None, :]
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1)
        # letterboxed 0..1 -> image pixels
        boxes = (boxes * SIZE - np.array([ox, oy, ox, oy])) / scale
        kps = (kps * SIZE - np.array([ox, oy])) / scale
        return _weighted_nms(boxes, score[keep], kps)


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ix = np.clip(np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0]), 0, None)
    iy = np.clip(np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1]), 0, None)
    inter = ix * iy
    area = lambda x: (x[..., 2] - x[..., 0]) * (x[..., 3] - x[..., 1])  # noqa: E731
    return inter / np.maximum(area(a) + area(b) - inter, 1e-9)


def _weighted_nms(boxes: np.ndarray, scores: np.ndarray, kps: np.ndarray, thresh: float = 0.3) -> list:
    """MediaPipe's WEIGHTED suppression: overlapping candidates are averaged by score."""
    order = np.argsort(-scores)
    out = []
    while len(order):
        best = order[0]
        overlap = _iou(boxes[best], boxes[order]) > thresh
        group = order[overlap]
        wts = scores[group][:, None]
        box = (boxes[group] * wts).sum(0) / wts.sum()
        kp = (kps[group] * wts[:, :, None]).sum(0) / wts.sum()
        out.append((tuple(float(v) for v in box), float(scores[best]), kp.astype(np.float32)))
        order = order[~overlap]
    return out
