"""Fixtures for the motion tests: a tiny SVD folder, a persona with a dlib identity, bad frames."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def tiny_svd_dir(tmp_path_factory):
    import torch

    from tests.tiny.svd import build_tiny_svd

    torch.set_num_threads(1)
    return build_tiny_svd(tmp_path_factory.mktemp("svd") / "tiny-svd", num_frames=3)


@pytest.fixture(scope="session")
def dlib_analyzer():
    from pipelines.faces import open_analyzer

    return open_analyzer(None, "dlib")


@pytest.fixture
def persona_identity(portrait, dlib_analyzer):
    """PersonaIdentity of the astronaut portrait with the embedded dlib backend."""
    from pipelines.faces import PersonaIdentity, fuse_identity
    from studio.core.persona import IdentityEmbedding, Persona

    face = dlib_analyzer.detect(portrait)[0]
    persona = Persona(name="Astro", identity=[IdentityEmbedding(backend="dlib", vector=fuse_identity([face.embedding]).tolist())])
    return PersonaIdentity(persona, dlib_analyzer)


def other_face_crop(analyzer, k: int = 0) -> np.ndarray:
    """A different real person (scikit-image's LFW subset), aligned to a 256 px ArcFace crop."""
    import cv2
    from skimage import data

    from pipelines.faces import align_crop

    g = (data.lfw_subset()[k] * 255).astype(np.uint8)
    canvas = np.full((400, 400), 128, np.uint8)
    canvas[100:300, 100:300] = cv2.resize(g, (200, 200), interpolation=cv2.INTER_CUBIC)
    rgb = np.dstack([canvas] * 3)
    face = analyzer.detect(rgb)[0]
    return align_crop(rgb, face.kps5, 256)[0]


def put_other_face(frame: np.ndarray, analyzer, crop: np.ndarray) -> np.ndarray:
    """`frame` with its face replaced by another person's (aligned on the 5 keypoints)."""
    from pipelines.faces import align_crop, feather_mask, paste_back

    face = analyzer.detect(frame)[0]
    _, m = align_crop(frame, face.kps5, 256)
    return paste_back(frame, crop, m, feather_mask(256, erode=0.05, blur=0.06))
