"""Fixtures for the stills tests: one tiny SDXL folder per session and a persona project."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def tiny_sdxl(tmp_path_factory):
    """A tiny random SDXL pipeline saved as a diffusers folder (what --checkpoint points at)."""
    import torch

    torch.set_num_threads(1)
    from tests.tiny.sdxl import save_tiny_sdxl

    return save_tiny_sdxl(tmp_path_factory.mktemp("tiny-sdxl") / "tiny-sdxl")


@pytest.fixture(autouse=True)
def _fresh_cache():
    from pipelines.sdxl.cache import shared_cache

    yield
    shared_cache().clear()
    shared_cache().loads = 0


@pytest.fixture(scope="session")
def dlib_identity():
    """The dlib identity of the demo portrait (real embedded dlib models)."""
    from PIL import Image

    from pipelines.faces import fuse_identity, open_analyzer
    from studio.core.paths import resources_dir

    rgb = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
    faces = open_analyzer(None, "dlib").detect(rgb, embed=True, landmarks=False)
    return fuse_identity([faces[0].embedding], "dlib").tolist()


@pytest.fixture
def project(tmp_path, dlib_identity):
    from studio.core.persona import IdentityEmbedding
    from studio.core.project import Project

    p = Project.create(tmp_path, "Mara")
    p.update_persona(identity=[IdentityEmbedding(backend="dlib", vector=dlib_identity)])
    yield p
    p.close()


@pytest.fixture
def tiny_params(tiny_sdxl):
    """generate params for the tiny model: 64 px, 2 steps."""

    def make(**kw) -> dict:
        base = {"prompt": "reading in a cafe", "n": 2, "keep": 1, "seed": 7, "size": "64x64", "steps": 2,
                "cfg": 5.0, "checkpoint": str(tiny_sdxl), "max_rerolls": 1}
        base.update(kw)
        return base

    return make
