"""Fixtures for the face engine tests: the real dlib analyzer and tiny insightface-shaped models."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def dlib_analyzer():
    from pipelines.faces import open_analyzer

    return open_analyzer(None, prefer="dlib")


@pytest.fixture(scope="session")
def portrait_face(dlib_analyzer):
    """The astronaut portrait and its dlib face (computed once)."""
    import numpy as np
    from PIL import Image

    from studio.core.paths import resources_dir

    rgb = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
    return rgb, dlib_analyzer.detect(rgb)[0]


@pytest.fixture
def tiny_models(tmp_path, portrait_face):
    """Tiny SCRFD/ArcFace/inswapper/GFPGAN ONNX models in the store; SCRFD 'finds' the portrait's face."""
    from tests.tiny.onnx_faces import install_tiny_face_models

    rgb, face = portrait_face
    return install_tiny_face_models(
        tmp_path / "models", faces=[(face.box, face.kps5)], image_size=rgb.shape[:2]
    )
