"""Inpaint and outpaint with the tiny SDXL components (shared with txt2img, no reload)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from pipelines.sdxl.edit import composite, feather_inside, outpaint_canvas
from studio.core.jobs import JobState
from tests.jobs import run_job


def _still(project, tiny_params):
    job = run_job(project, "generate", tiny_params(n=1, max_rerolls=0))
    assert job.state == JobState.done, job.error
    aid = job.result["assets"][0]
    return aid, np.asarray(Image.open(project.asset_path(aid)).convert("RGB"))


def test_outpaint_to_9_16_keeps_original_pixels(project, tiny_params, tiny_sdxl):
    from pipelines.sdxl.cache import shared_cache

    aid, original = _still(project, tiny_params)
    job = run_job(project, "outpaint", {"still": aid, "to": "9:16", "steps": 2, "seed": 1, "checkpoint": str(tiny_sdxl)})
    assert job.state == JobState.done, job.error
    out_id = job.result["assets"][0]
    out = np.asarray(Image.open(project.asset_path(out_id)).convert("RGB"))
    assert out.shape == (128, 72, 3) and out.shape[1] * 16 == out.shape[0] * 9
    x0, y0, x1, y1 = job.result["original_box"]
    assert np.array_equal(out[y0:y1, x0:x1], original)
    # the new area was painted, not left as the reflected fill
    canvas, new, _ = outpaint_canvas(original, "9:16")
    assert np.abs(out[new].astype(int) - canvas[new].astype(int)).mean() > 1.0
    asset = project.asset(out_id)
    assert asset.parents == [aid] and asset.provenance.pipeline == "sdxl-outpaint"
    assert shared_cache().loads == 1  # inpaint pipeline built from the txt2img components


def test_inpaint_changes_only_the_mask(project, tiny_params, tiny_sdxl, tmp_path):
    aid, original = _still(project, tiny_params)
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 20:44] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    job = run_job(project, "inpaint", {"still": aid, "prompt": "a red hat", "mask": str(tmp_path / "mask.png"),
                                       "steps": 2, "seed": 3, "checkpoint": str(tiny_sdxl)})
    assert job.state == JobState.done, job.error
    out = np.asarray(Image.open(project.asset_path(job.result["assets"][0])).convert("RGB"))
    outside = mask == 0
    assert np.array_equal(out[outside], original[outside])
    assert not np.array_equal(out[~outside], original[~outside])


def test_empty_mask_is_a_clear_error(project, tiny_params, tiny_sdxl, tmp_path):
    aid, _ = _still(project, tiny_params)
    Image.fromarray(np.zeros((64, 64), np.uint8)).save(tmp_path / "m.png")
    job = run_job(project, "inpaint", {"still": aid, "prompt": "x", "mask": str(tmp_path / "m.png"), "checkpoint": str(tiny_sdxl)})
    assert job.state == JobState.failed and "mask is empty" in job.error


def test_composite_is_exact_outside_and_feathered_inside():
    base = np.full((20, 20, 3), 10, np.uint8)
    gen = np.full((20, 20, 3), 200, np.uint8)
    mask = np.zeros((20, 20), bool)
    mask[:, 10:] = True
    alpha = feather_inside(mask, 4.0)
    out = composite(base, gen, alpha)
    assert (out[:, :10] == 10).all()
    assert (out[:, 16:] == 200).all()
    assert 10 < out[0, 11, 0] < 200  # the seam band blends
