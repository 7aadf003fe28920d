"""MuseTalk's face crop, and its paste-back through a lower-face mask built from our landmarks.

The crop (MuseTalk `musetalk/utils/preprocessing.py` get_landmark_and_bbox, v1.5 in
`scripts/inference.py`): from 68-point landmarks (iBUG layout; the reference takes them from
DWPose, we take them from the MediaPipe mesh mapped to the same points), the box spans the
landmarks side to side; vertically it is centred on point 29 (the middle of the nose ridge):
from 29.y − (max y − 29.y) down to the chin (max y), then v1.5 adds `extra_margin` (10 px) below
the chin so a dropping jaw stays inside. Integer pixels, clipped to the frame. The crop is
resized to 256×256 with Lanczos (cv2.INTER_LANCZOS4); the generated face back to the box with
cv2's default bilinear.

The paste-back replaces the reference's BiSeNet face parsing ('jaw' mode: skin + lips, no nose,
dilated downwards, only inside the box and below the middle of the 1.5× expanded crop, blurred
with a kernel of 5 % of that crop) by a mask from our own landmarks: the jaw contour (points
1–15) pushed out and down a little (room for the jaw to open), cut at the box's middle row,
minus the nose (points 27–35), inside the box, feathered the same 5 %. Only that region changes;
every other pixel of the frame stays bit-identical.
"""

from __future__ import annotations

import numpy as np

FACE = 256
EXTRA_MARGIN = 10
#: the expanded crop the feathering is measured on (the reference's get_crop_box expand=1.5)
EXPAND = 1.5
#: how far the jaw contour is pushed out (fraction of the face height) for the jaw to open into
JAW_ROOM = 0.06


def face_box(lm68: np.ndarray, frame_shape: tuple[int, ...], extra_margin: int = EXTRA_MARGIN) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of MuseTalk 1.5's face crop in the frame (see the module docstring)."""
    h, w = frame_shape[:2]
    lm = np.asarray(lm68, np.float64).astype(np.int32)  # the reference casts to int32 first
    mid = int(lm[29, 1])
    bottom = int(lm[:, 1].max())
    top = max(0, mid - (bottom - mid))
    x0, x1 = int(lm[:, 0].min()), int(lm[:, 0].max())
    y1 = min(bottom + int(extra_margin), h)
    x0, x1 = max(0, x0), min(w, x1)
    if x1 - x0 < 8 or y1 - top < 8:
        raise ValueError(f"face box too small: {(x0, top, x1, y1)}")
    return x0, top, x1, y1


def crop_face(frame: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The 256×256 RGB face crop MuseTalk encodes."""
    import cv2

    x0, y0, x1, y1 = box
    return cv2.resize(frame[y0:y1, x0:x1], (FACE, FACE), interpolation=cv2.INTER_LANCZOS4)


def expanded_box(box: tuple[int, int, int, int], frame_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The square 1.5× crop around the box (the reference's get_crop_box), clipped to the frame."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    s = int(max(x1 - x0, y1 - y0) // 2 * EXPAND)
    h, w = frame_shape[:2]
    return max(0, cx - s), max(0, cy - s), min(w, cx + s), min(h, cy + s)


def lower_face_mask(lm68: np.ndarray, box: tuple[int, int, int, int], region: tuple[int, int, int, int]) -> np.ndarray:
    """Float32 0..1 mask over `region` (frame coordinates): where the generated face is shown."""
    import cv2

    rx0, ry0, rx1, ry1 = region
    x0, y0, x1, y1 = box
    lm = np.asarray(lm68, np.float64) - (rx0, ry0)
    face_h = max(float(lm[8, 1] - lm[27, 1]), 1.0)
    centre = lm[27:36].mean(0)
    jaw = lm[1:16].copy()
    out = jaw - centre
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
    jaw += out * (JAW_ROOM * face_h)
    jaw[:, 1] += 0.5 * JAW_ROOM * face_h  # more room below the chin than at the sides
    mask = np.zeros((ry1 - ry0, rx1 - rx0), np.uint8)
    cv2.fillPoly(mask, [np.round(jaw).astype(np.int32)], 255)
    cv2.fillPoly(mask, [np.round(cv2.convexHull(lm[27:36].astype(np.float32))[:, 0]).astype(np.int32)], 0)
    keep = np.zeros_like(mask)
    mid = (y0 + y1) // 2 - ry0
    keep[max(mid, y0 - ry0):y1 - ry0, x0 - rx0:x1 - rx0] = 255  # inside the box, its lower half
    mask = cv2.bitwise_and(mask, keep)
    k = int(0.05 * (rx1 - rx0) // 2 * 2) + 1
    return cv2.GaussianBlur(mask, (k, k), 0).astype(np.float32) / 255.0


def paste_face(frame: np.ndarray, face256: np.ndarray, box: tuple[int, int, int, int], lm68: np.ndarray,
               mask: np.ndarray | None = None) -> np.ndarray:
    """A copy of `frame` with the generated 256² face shown through the lower-face mask
    (`mask`: `lower_face_mask(lm68, box, expanded_box(box, frame.shape))`, when already made)."""
    import cv2

    x0, y0, x1, y1 = box
    region = expanded_box(box, frame.shape)
    rx0, ry0, rx1, ry1 = region
    mask = (lower_face_mask(lm68, box, region) if mask is None else mask)[..., None]
    base = frame[ry0:ry1, rx0:rx1]
    gen = base.copy()
    gen[y0 - ry0:y1 - ry0, x0 - rx0:x1 - rx0] = cv2.resize(face256, (x1 - x0, y1 - y0))
    out = frame.copy()
    mixed = base.astype(np.float32) * (1.0 - mask) + gen.astype(np.float32) * mask
    out[ry0:ry1, rx0:rx1] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    return out
