"""A local Ray cluster for the farm tests (one per module) whose workers see a test studio home.

The workers get PERSONA_STUDIO_HOME through the cluster's runtime_env, so they resolve models
in the same test store the desktop side uses; the tiny SDXL is imported there as `tiny-sdxl`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def farm_home(tmp_path_factory):
    """The studio home (settings, model store) of the desktop side and the farm workers."""
    return tmp_path_factory.mktemp("farm-home")


@pytest.fixture(scope="module")
def farm(farm_home, tmp_path_factory):
    """The address of a 2-CPU local Ray cluster whose store has the tiny SDXL as `tiny-sdxl`."""
    import ray
    import torch

    from studio.core.models import ModelStore
    from studio.core.settings import Settings
    from studio.farm.pool import NAMESPACE, reset_pool
    from tests.tiny.sdxl import save_tiny_sdxl

    torch.set_num_threads(1)
    folder = save_tiny_sdxl(tmp_path_factory.mktemp("tiny-sdxl") / "tiny-sdxl")
    store = ModelStore(Settings(models_dir=str(farm_home / "data" / "models")))
    store.import_file("tiny-sdxl", folder, kind="sdxl-checkpoint")

    env = {"PERSONA_STUDIO_HOME": str(farm_home), "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
           "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(farm_home / "hf-cache")}
    ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE, logging_level="ERROR",
             log_to_driver=False, runtime_env={"env_vars": env})
    yield "auto"
    reset_pool()
    ray.shutdown()


@pytest.fixture
def studio_home(farm_home, monkeypatch):
    """The desktop side shares the farm's studio home, so local runs see the same models."""
    monkeypatch.setenv("PERSONA_STUDIO_HOME", str(farm_home))
    monkeypatch.setenv("HF_HUB_CACHE", str(farm_home / "hf-cache"))
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return farm_home


@pytest.fixture
def project(tmp_path, studio_home):
    from studio.core.project import Project

    p = Project.create(tmp_path, "Mara")
    yield p
    p.close()


@pytest.fixture
def still_params():
    """generate params for the tiny model: one 64 px candidate, 2 steps, no face swap."""
    return {"prompt": "reading in a cafe", "n": 1, "keep": 1, "seed": 7, "size": "64x64", "steps": 2,
            "cfg": 5.0, "checkpoint": "tiny-sdxl", "max_rerolls": 0, "swap": False}
