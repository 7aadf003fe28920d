"""Wan 2.2 TI2V through the real loader, diffusers' WanImageToVideoPipeline and the animate job,
with a tiny random-weight model (tests/tiny/wan.py, CPU, no download); the engine choice."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.motion.wan import WanMotion, WanRequest, cover, wan_canvas, window_frames
from pipelines.video_io import probe
from studio.core.jobs import JobState
from studio.core.project import Project
from studio.core.tasks import TaskContext
from tests.jobs import run_job


@pytest.fixture(scope="module")
def tiny_wan(tmp_path_factory):
    import torch

    from tests.tiny.wan import save_tiny_wan

    torch.set_num_threads(1)
    return save_tiny_wan(tmp_path_factory.mktemp("wan") / "tiny-wan")


@pytest.fixture(autouse=True)
def _fresh_models():
    from pipelines.dit.loaded import shared_models

    yield
    shared_models().clear()


@pytest.fixture
def still():
    return np.random.default_rng(1).integers(0, 255, (96, 64, 3), np.uint8)  # portrait


def _motion(folder):
    from pipelines.device import plan_model
    from pipelines.dit.loaded import shared_models
    from pipelines.motion.wan import I2V

    return WanMotion(shared_models().get(folder, I2V, plan_model(None, "cpu")))


def test_canvas_window_and_cover_arithmetic():
    assert wan_canvas((1280, 704)) == (1280, 704)  # the model's 720p
    assert wan_canvas((1920, 1080)) == (1248, 704)  # 16:9 at that area, multiples of 32 (as diffusers' example)
    assert wan_canvas((1080, 1920)) == (704, 1248)  # 9:16 at the same area
    assert window_frames(200) == 121 and window_frames(72) == 73 and window_frames(1) == 5
    with pytest.raises(Exception, match="4k"):
        window_frames(50, longest=120)
    src = np.zeros((100, 200, 3), np.uint8)
    src[:, 50:150] = 255  # the centre square
    out = cover(src, (32, 32))
    assert out.shape == (32, 32, 3) and out.min() > 200  # centre-cropped to the square, not squashed


def test_wan_frames_chaining_and_seed(tiny_wan, still):
    m = _motion(tiny_wan)
    one = m.run(WanRequest(still, "dance", seed=3, window=9, steps=2, canvas=(64, 96)))
    assert one.windows == 1 and one.per_window == 9 and len(one.frames) == 9
    assert one.frames[0].shape == (96, 64, 3)
    chained = m.run(WanRequest(still, "dance", seed=3, total_frames=15, window=9, crossfade=2, steps=2,
                               canvas=(64, 96)))
    assert chained.windows == 2 and len(chained.frames) == 15  # 9 + 6 new frames, 2 cross-faded
    again = m.run(WanRequest(still, "dance", seed=3, window=9, steps=2, canvas=(64, 96)))
    assert all(np.array_equal(a, b) for a, b in zip(one.frames, again.frames, strict=True))
    other = m.run(WanRequest(still, "dance", seed=4, window=9, steps=2, canvas=(64, 96)))
    assert not np.array_equal(one.frames[-1], other.frames[-1])
    short = m.run(WanRequest(still, "dance", seed=3, total_frames=4, window=9, steps=2, canvas=(64, 96)))
    assert short.per_window == 5 and len(short.frames) == 4  # the shortest 4k+1 window, trimmed


def _project(tmp_path, still):
    from PIL import Image

    img = tmp_path / "still.png"
    Image.fromarray(still).save(img)
    return Project.create(tmp_path, "Motion"), img


def test_animate_wan_registers_one_clip(tmp_path, tiny_wan, still):
    p, img = _project(tmp_path, still)
    params = {"still": str(img), "engine": "wan", "model": str(tiny_wan), "steps": 2, "seed": 5, "seconds": 0.5,
              "frames_per_window": 9, "crossfade": 2, "wan_size": "64x96", "prompt": "she turns her head and smiles"}
    job = run_job(p, "motion.animate", params)
    assert job.state == JobState.done, job.error
    assert job.result["engine"] == "Wan 2.2 TI2V-5B" and job.result["engine_choice"] == "--engine wan"
    asset = p.asset(job.result["assets"][0])
    info = probe(p.asset_path(asset), count=True)
    assert (info.frames, info.fps, info.width, info.height) == (12, 24.0, 64, 96)  # 0.5 s at Wan's 24 fps
    prov = asset.provenance
    assert prov.pipeline == "motion.wan" and prov.parameters["prompt"] == "she turns her head and smiles"
    assert prov.parameters["windows"] == 2 and prov.parameters["fps_model"] == 24
    assert prov.scores["identity_frames"]["status"] == "no identity"
    assert prov.models[0].role == "motion"
    p.close()


def test_animate_wan_at_another_size_and_fps(tmp_path, tiny_wan, still):
    p, img = _project(tmp_path, still)
    params = {"still": str(img), "engine": "wan", "model": str(tiny_wan), "steps": 2, "seed": 5, "seconds": 0.25,
              "frames_per_window": 9, "wan_size": "64x96", "size": "48x72", "fps": 30, "repair": False}
    job = run_job(p, "motion.animate", params)
    assert job.state == JobState.done, job.error
    info = probe(p.asset_path(p.asset(job.result["assets"][0])), count=True)
    assert (info.fps, info.width, info.height) == (30.0, 48, 72)  # scaled, and re-timed from 24 fps
    p.close()


def test_cancel_mid_denoise_leaves_no_asset(tmp_path, tiny_wan, still):
    p, img = _project(tmp_path, still)
    ctx = TaskContext()
    seen = []

    def on_progress(job, prog):
        seen.append(prog.label)
        if prog.label.startswith("Denoising"):
            ctx.cancel()

    params = {"still": str(img), "engine": "wan", "model": str(tiny_wan), "steps": 3, "frames_per_window": 9,
              "wan_size": "64x96"}
    job = run_job(p, "motion.animate", params, on_progress=on_progress, ctx=ctx)
    assert job.state == JobState.cancelled
    assert p.assets_of("clip") == []
    assert not any(s.startswith("Decod") for s in seen)
    p.close()


def test_auto_picks_wan_then_svd_then_camera(tmp_path, tiny_wan, tiny_svd_dir, monkeypatch):
    from studio.actions import motion_engine
    from studio.actions.context import JobContext
    from studio.core.model_catalog import CATALOG
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    settings = Settings(models_dir=str(tmp_path / "models"))
    # the tiny SVD is saved in float32, not as the catalogue's *.fp16.safetensors files
    catalog = tuple(e.model_copy(update={"source": e.source.model_copy(update={"files": ("model_index.json",)})})
                    if e.id == "svd" else e for e in CATALOG)
    store = ModelStore(settings, catalog=catalog)
    p = Project.create(tmp_path, "Auto")
    ctx = JobContext.for_project(p, settings, store)
    free = {"gb": None}
    monkeypatch.setattr(motion_engine, "_cuda_free_gb", lambda: free["gb"])

    c = motion_engine.pick_engine(ctx, {"engine": "auto"})
    assert c.engine == "camera" and "Wan 2.2 not installed" in c.reason and "SVD not installed" in c.reason
    store.import_file("wan2.2-ti2v-5b", tiny_wan)
    store.import_file("svd", tiny_svd_dir)
    c = motion_engine.pick_engine(ctx, {"engine": "auto"})
    assert c.engine == "camera" and "Wan 2.2 needs a CUDA GPU" in c.reason
    free["gb"] = 24.0
    c = motion_engine.pick_engine(ctx, {"engine": "auto"})
    assert c.engine == "wan" and c.reason.startswith("auto: Wan 2.2 TI2V-5B") and c.wan[1].commercial_use
    free["gb"] = 6.0
    c = motion_engine.pick_engine(ctx, {"engine": "auto"})
    assert c.engine == "svd" and "needs 10 GB" in c.reason
    assert motion_engine.pick_engine(ctx, {"engine": "auto", "model": str(tiny_wan)}).engine == "wan"
    with pytest.raises(Exception, match="none of"):
        motion_engine.pick_engine(ctx, {"engine": "auto", "model": "bogus"})
    p.close()
