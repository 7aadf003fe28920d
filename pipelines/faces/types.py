"""Data types shared by the face engine and everything that uses it (stills, motion, lip-sync).

This is the contract between `pipelines.faces` and its users. Images are RGB uint8 numpy arrays
of shape (H, W, 3) throughout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Backend = Literal["dlib", "insightface"]
Verdict = Literal["same person", "uncertain", "different"]


@dataclass
class DetectedFace:
    """One face found in an image.

    box: (x0, y0, x1, y1) in image pixels (float).
    kps5: (5, 2) float32 — left eye, right eye, nose tip, left mouth corner, right mouth corner
          (the person's left/right as seen in the image: index 0 is the eye with the smaller x),
          the ArcFace alignment points. Every backend fills it.
    landmarks68: (68, 2) float32 iBUG-68 points when the backend has them (dlib), else None.
    embedding: identity vector of the backend (dlib: 128-d, insightface: 512-d L2-normalised),
          None if not requested.
    """

    box: tuple[float, float, float, float]
    score: float
    kps5: np.ndarray
    backend: Backend
    landmarks68: np.ndarray | None = None
    embedding: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def area(self) -> float:
        return max(self.width, 0.0) * max(self.height, 0.0)

    @property
    def center(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


@dataclass
class FaceScore:
    """Identity score of one face against the persona (0–100, calibrated per backend)."""

    face: DetectedFace
    score: float
    verdict: Verdict
    backend: Backend
