"""Is a photo a good reference face? Size, sharpness and head turn, measured the same way always.

- size: the longer side of the face box in photo pixels. dlib's HOG boxes are tight (brow to
  chin), so MIN_FACE_PX = 80 corresponds to ~100 px in looser detectors' boxes.
- sharpness: variance of the Laplacian of the grey 112×112 aligned face crop (so it does not
  depend on the photo's resolution). The astronaut portrait scores ~680; blurred with a
  Gaussian of sigma 1.5 px ~40, sigma 2.5 px ~14. MIN_SHARPNESS = 30 rejects the latter.
- yaw: a rough head-turn estimate from the five keypoints: the nose tip's horizontal offset from
  the eyes' midpoint relative to the eye distance (0° = frontal); frontality = 1 - |yaw|/90.
"""

from __future__ import annotations

import math

import numpy as np

from .align import align_crop
from .types import DetectedFace

MIN_FACE_PX = 80
MIN_SHARPNESS = 30.0
MAX_YAW = 45.0


def sharpness(rgb: np.ndarray, face: DetectedFace) -> float:
    """Variance of the Laplacian on the aligned grey 112 px face crop (higher = sharper)."""
    import cv2

    crop, _ = align_crop(rgb, face.kps5, 112)
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def yaw_degrees(kps5: np.ndarray) -> float:
    """Rough head turn in degrees from the 5 keypoints (sign: + = nose towards image right)."""
    k = np.asarray(kps5, np.float64).reshape(5, 2)
    eyes_mid = (k[0] + k[1]) / 2
    eye_vec = k[1] - k[0]
    dist = np.linalg.norm(eye_vec)
    if dist < 1e-6:
        return 90.0
    # project the nose offset on the eye line so head roll does not read as yaw
    offset = float(np.dot(k[2] - eyes_mid, eye_vec / dist)) / dist
    return math.degrees(math.asin(max(-1.0, min(1.0, 2.0 * offset))))


def face_quality(rgb: np.ndarray, face: DetectedFace) -> dict[str, float]:
    """{'face_px', 'sharpness', 'yaw', 'frontality', 'det_score'} of one face."""
    yaw = yaw_degrees(face.kps5)
    return {
        "face_px": round(max(face.width, face.height), 1),
        "sharpness": round(sharpness(rgb, face), 1),
        "yaw": round(yaw, 1),
        "frontality": round(1.0 - abs(yaw) / 90.0, 3),
        "det_score": round(float(face.score), 3),
    }


def quality_problem(
    q: dict[str, float], min_px: int = MIN_FACE_PX, min_sharpness: float = MIN_SHARPNESS
) -> str | None:
    """Why a face is not good enough as a reference, or None if it is."""
    if q["face_px"] < min_px:
        return (
            f"the face is only {q['face_px']:.0f} px (minimum {min_px} px); use a closer or "
            "higher-resolution photo"
        )
    if q["sharpness"] < min_sharpness:
        return (
            f"the face is too blurred (sharpness {q['sharpness']:.0f}, minimum {min_sharpness:.0f}); "
            "use a sharper photo"
        )
    if abs(q["yaw"]) > MAX_YAW:
        return f"the head is turned too far ({q['yaw']:.0f}°, at most {MAX_YAW:.0f}°); use a more frontal photo"
    return None


def describe(q: dict[str, float]) -> str:
    """A one-line quality summary for the CLI."""
    return f"face {q['face_px']:.0f} px, sharpness {q['sharpness']:.0f}, yaw {q['yaw']:+.0f}°"
