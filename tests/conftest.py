"""Shared test setup: an isolated studio home, offscreen Qt, single-threaded math on 2 cores."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no test may download anything
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def studio_home(tmp_path_factory, monkeypatch):
    """Every test gets its own settings/models/projects folders, never the user's."""
    home = tmp_path_factory.mktemp("studio-home")
    monkeypatch.setenv("PERSONA_STUDIO_HOME", str(home))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hf-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))  # a deleted persona's trash
    # nor the user's Hugging Face token (HF_TOKEN or a saved `hf auth login`)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "HF_TOKEN_PATH", str(home / "hf-login-token"))
    return home


@pytest.fixture
def portrait():
    """The public-domain astronaut portrait (NASA) as RGB uint8."""
    import numpy as np
    from PIL import Image

    from studio.core.paths import resources_dir

    return np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
