"""The face analyzer contract and how to pick a backend.

Two backends fill the same `DetectedFace`:
- dlib (embedded, always available): HOG detector, 68-point landmarks, 128-d ResNet embedding,
  from the `face_recognition_models` package we ship with.
- insightface models (buffalo_l, downloaded by the user): SCRFD-10G detector and ArcFace
  w600k_r50 512-d embedding, run by our own onnxruntime code (see `scrfd_arcface.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Literal

import numpy as np

from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore

from .types import Backend, DetectedFace

Prefer = Literal["auto", "dlib", "insightface"]
INSIGHTFACE_MODELS = ("buffalo_l-det", "buffalo_l-rec")


class FaceAnalyzer(ABC):
    """Finds faces, their keypoints and identity embeddings in RGB uint8 images."""

    backend: Backend

    @abstractmethod
    def detect(
        self,
        rgb: np.ndarray,
        *,
        embed: bool = True,
        landmarks: bool = True,
        max_side: int | None = None,
    ) -> list[DetectedFace]:
        """All faces in `rgb`, largest first.

        embed: compute the identity embedding of each face. landmarks: fill landmarks68 where
        the backend has them (kps5 is always filled). max_side: longest side of the copy the
        detector runs on (None = the backend's default); boxes are in `rgb`'s pixels.
        """

    @abstractmethod
    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
        """The identity embedding of a face already detected in `rgb`."""

    @abstractmethod
    def models_used(self) -> list[str]:
        """Catalogue ids of the models this analyzer runs (for provenance)."""


def onnx_providers(setting: str = "auto") -> list[str]:
    """onnxruntime execution providers for a settings value: CUDA first when onnxruntime-gpu has it."""
    import onnxruntime as ort

    available = ort.get_available_providers()
    if setting == "cpu":
        return ["CPUExecutionProvider"]
    wanted = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if setting == "cuda" and "CUDAExecutionProvider" not in available:
        raise BadInput(
            "Settings ask for CUDA, but onnxruntime has no CUDA provider. Run `make gpu` to install "
            "onnxruntime-gpu, or set the ONNX provider to 'auto'."
        )
    return [p for p in wanted if p in available] or ["CPUExecutionProvider"]


def open_analyzer(
    store: ModelStore | None,
    prefer: Prefer = "auto",
    providers: list[str] | None = None,
) -> FaceAnalyzer:
    """The best analyzer available: insightface models when installed (or asked for), else dlib.

    prefer="insightface" raises ModelMissing naming the download command when they are absent.
    """
    if prefer not in ("auto", "dlib", "insightface"):
        raise BadInput(f"Unknown face backend '{prefer}': use auto, dlib or insightface.")
    if prefer == "insightface" and store is not None:
        for m in INSIGHTFACE_MODELS:  # a commercial-safe persona: refused, with the embedded backend named
            store.check(m, "The insightface face backend")
    if prefer != "dlib":
        paths = [store.find(m) for m in INSIGHTFACE_MODELS] if store is not None else [None, None]
        if all(paths):
            from .scrfd_arcface import InsightFaceAnalyzer

            if providers is None and store is not None:
                providers = onnx_providers(store.settings.onnx_provider)
            return InsightFaceAnalyzer(paths[0], paths[1], providers=providers)
        if prefer == "insightface":
            missing = [m for m, p in zip(INSIGHTFACE_MODELS, paths, strict=True) if p is None]
            raise ModelMissing(
                f"The insightface face backend needs {', '.join(missing)}. "
                f"Run `studio models download {' '.join(INSIGHTFACE_MODELS)}`, or use --backend dlib.",
                missing,
            )
    from .dlib_backend import DlibAnalyzer

    if store is not None and not store.permits("dlib-landmarks68"):
        return DlibAnalyzer(landmarks="mesh")  # never the non-commercial 68-point fallback
    return DlibAnalyzer()
