"""SVD through the real loader and pipeline with a tiny random-weight model (no downloads)."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.motion.svd import SVDMotion, SVDRequest, cache_size, clear_cache, memory_plan
from pipelines.video_io import probe
from studio.core.jobs import JobState
from studio.core.project import Project
from studio.core.tasks import TaskContext
from tests.jobs import run_job

GiB = 1 << 30


@pytest.fixture
def still():
    return np.random.default_rng(1).integers(0, 255, (60, 40, 3), np.uint8)  # portrait aspect


def test_frames_size_chaining_and_seed(tiny_svd_dir, still):
    m = SVDMotion(tiny_svd_dir)
    m.load("cpu")
    req = SVDRequest(still, seed=3, steps=2, canvas=(32, 64), decode_chunk=2)
    one = m.run(req)
    assert len(one.frames) == 3 and one.windows == 1  # the model's own window
    assert one.letterbox.rect == (0, 8, 32, 48)  # 40×60 fitted into the 32×64 portrait canvas
    assert all(f.shape == (48, 32, 3) for f in one.frames)  # cropped back to the still's aspect
    chained = m.run(SVDRequest(still, seed=3, steps=2, canvas=(32, 64), total_frames=7, crossfade=0))
    assert chained.windows == 3 and len(chained.frames) == 7  # 3 + 2 windows × 2 new frames
    again = m.run(SVDRequest(still, seed=3, steps=2, canvas=(32, 64), decode_chunk=2))
    assert all(np.array_equal(a, b) for a, b in zip(one.frames, again.frames, strict=True))
    other = m.run(SVDRequest(still, seed=4, steps=2, canvas=(32, 64), decode_chunk=2))
    assert not np.array_equal(one.frames[-1], other.frames[-1])


def test_pipeline_cache_reuses_the_loaded_pipeline(tiny_svd_dir):
    clear_cache()
    a, b = SVDMotion(tiny_svd_dir), SVDMotion(tiny_svd_dir)
    a.load("cpu")
    b.load("cpu")
    assert a.pipe is b.pipe and cache_size() == 1


def test_memory_plan_from_free_vram():
    assert memory_plan("cuda", 40 * GiB).offload == "none"
    mid = memory_plan("cuda", 16 * GiB)
    assert (mid.offload, mid.forward_chunking, mid.fp16) == ("model", True, True)
    assert memory_plan("cuda", 6 * GiB).offload == "sequential"
    assert memory_plan("cuda", 40 * GiB, low_vram=True).decode_chunk == 1
    assert memory_plan("cpu", None).fp16 is False


def _project(tmp_path, still):
    from PIL import Image

    img = tmp_path / "still.png"
    Image.fromarray(still).save(img)
    return Project.create(tmp_path, "Motion"), img


def test_animate_svd_registers_one_clip(tmp_path, tiny_svd_dir, still):
    p, img = _project(tmp_path, still)
    params = {"still": str(img), "engine": "svd", "model": str(tiny_svd_dir), "steps": 2, "seed": 5,
              "size": "32x64", "seconds": 1.0, "fps": 6, "decode_chunk": 2}
    job = run_job(p, "motion.animate", params)
    assert job.state == JobState.done, job.error
    asset = p.asset(job.result["assets"][0])
    info = probe(p.asset_path(asset), count=True)
    assert (info.frames, info.fps, info.width, info.height) == (6, 6.0, 32, 48)
    assert asset.provenance.engine == "Stable Video Diffusion"
    assert asset.provenance.parameters["windows"] == 4  # 3 + 3×1 new frames (cross-fade capped at n-2)
    assert asset.provenance.scores["identity_frames"]["status"] == "no identity"
    p.close()


def test_cancel_leaves_no_asset(tmp_path, tiny_svd_dir, still):
    p, img = _project(tmp_path, still)
    ctx = TaskContext()
    seen = []

    def on_progress(job, prog):
        seen.append(prog.label)
        if prog.label.startswith("Denoising"):
            ctx.cancel()  # the user presses Cancel during the first denoising step

    params = {"still": str(img), "engine": "svd", "model": str(tiny_svd_dir), "steps": 2, "size": "32x64"}
    job = run_job(p, "motion.animate", params, on_progress=on_progress, ctx=ctx)
    assert job.state == JobState.cancelled
    assert p.assets_of("clip") == []
    staging = p.path / ".staging"
    assert not staging.exists() or not any(staging.iterdir())
    assert not any("Decoding" in s for s in seen)  # raised from the step callback, before decoding
    p.close()
