"""FLUX.2 [klein] and Z-Image stills through the real actions and diffusers pipelines (tiny random
models built in tests/tiny, CPU, no download): generate with the persona's reference photos,
progress and cancel mid-denoise, the model choice, inpaint / outpaint / variations."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.core.jobs import JobState
from studio.core.paths import resources_dir
from studio.core.tasks import TaskContext
from tests.jobs import run_job


@pytest.fixture(scope="module")
def tiny_klein(tmp_path_factory):
    import torch

    from tests.tiny.flux2 import save_tiny_flux2

    torch.set_num_threads(1)
    return save_tiny_flux2(tmp_path_factory.mktemp("klein") / "tiny-klein")


@pytest.fixture(scope="module")
def tiny_zimage(tmp_path_factory):
    import torch

    from tests.tiny.zimage import save_tiny_zimage

    torch.set_num_threads(1)
    return save_tiny_zimage(tmp_path_factory.mktemp("zimage") / "tiny-zimage")


@pytest.fixture(autouse=True)
def _fresh_models():
    from pipelines.dit.loaded import shared_models

    yield
    shared_models().clear()
    shared_models().loads = 0


@pytest.fixture
def persona(tmp_path):
    """A project whose persona has the demo portrait as its reference photo (real dlib identity)."""
    from studio.core.project import Project

    p = Project.create(tmp_path, "Nova")
    job = run_job(p, "faces.add", {"photos": [str(resources_dir() / "demo" / "portrait.jpg")]})
    assert job.state == JobState.done, job.error
    assert len(p.persona.reference_faces) == 1
    yield p
    p.close()


def _params(model, **kw):
    base = {"prompt": "reading in a cafe", "n": 2, "keep": 1, "seed": 7, "size": "64x64", "steps": 2,
            "model": str(model), "max_rerolls": 0, "swap": False}
    base.update(kw)
    return base


def test_klein_generate_uses_the_reference_photos(persona, tiny_klein):
    job = run_job(persona, "generate", _params(tiny_klein))
    assert job.state == JobState.done, job.error
    res = job.result
    assert res["engine"] == "FLUX.2 [klein]" and res["model_choice"] == f"--model {tiny_klein}"
    asset = persona.asset(res["assets"][0])
    prov = asset.provenance
    assert prov.pipeline == "flux2-klein-txt2img"
    assert prov.engine == "FLUX.2 [klein]"
    assert prov.parameters["references"] == 1
    assert prov.parameters["negative_prompt"] is None  # klein has no negative prompt
    assert (prov.parameters["steps"], prov.parameters["cfg"]) == (2, 1.0)  # distilled: guidance off
    assert prov.models[0].role == "image model"
    assert "identity" in prov.scores  # best-of-N by identity still scores every candidate
    img = np.asarray(Image.open(persona.asset_path(asset)))
    assert img.shape == (64, 64, 3) and img.std() > 1

    # the references condition the image: the same seed without them draws something else
    plain = run_job(persona, "generate", _params(tiny_klein, references=False, n=1))
    assert plain.state == JobState.done, plain.error
    other = np.asarray(Image.open(persona.asset_path(persona.asset(plain.result["assets"][0]))))
    assert persona.asset(plain.result["assets"][0]).provenance.parameters["references"] == 0
    seed7 = next(a for a in res["candidates"] if a["seed"] == 7)
    if seed7["kept"]:
        assert not np.array_equal(img, other)


def test_klein_progress_per_step_and_cancel_mid_denoise(persona, tiny_klein):
    ctx = TaskContext()
    labels = []

    def on_progress(job, prog):
        labels.append((prog.label, prog.step, prog.total))
        if prog.label == "candidate 1/2" and prog.step == 1:
            ctx.cancel()  # Cancel pressed after the first denoising step

    job = run_job(persona, "generate", _params(tiny_klein, steps=3), on_progress=on_progress, ctx=ctx)
    assert job.state == JobState.cancelled
    assert ("candidate 1/2", 1, 3) in labels
    assert not any(lbl.startswith("candidate 2") for lbl, _, _ in labels)
    assert persona.assets_of("still") == []
    staging = persona.path / ".staging"
    assert not staging.exists() or not any(staging.iterdir())


def test_zimage_generate_inpaint_and_outpaint(persona, tiny_zimage):
    from pipelines.dit.loaded import shared_models

    job = run_job(persona, "generate", _params(tiny_zimage, n=1))
    assert job.state == JobState.done, job.error
    sid = job.result["assets"][0]
    prov = persona.asset(sid).provenance
    assert (prov.pipeline, prov.engine) == ("z-image-txt2img", "Z-Image-Turbo")
    assert prov.parameters["cfg"] == 0.0 and prov.parameters["negative_prompt"] is None  # Turbo: no CFG
    with_cfg = run_job(persona, "generate", _params(tiny_zimage, n=1, cfg=2.0))
    assert persona.asset(with_cfg.result["assets"][0]).provenance.parameters["negative_prompt"]

    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    mask_path = persona.path / "mask.png"
    Image.fromarray(mask).save(mask_path)
    # no --model: the edit stays with the model that made the still (a folder here)
    job = run_job(persona, "inpaint", {"still": sid, "mask": str(mask_path), "prompt": "red scarf", "seed": 1,
                                       "steps": 2})
    assert job.state == JobState.done, job.error
    edited = persona.asset(job.result["assets"][0])
    assert edited.provenance.pipeline == "z-image-inpaint" and edited.parents == [sid]
    before = np.asarray(Image.open(persona.asset_path(persona.asset(sid))))
    after = np.asarray(Image.open(persona.asset_path(edited)))
    assert np.array_equal(before[:8], after[:8])  # outside the mask: the exact pixels
    assert not np.array_equal(before[28:36, 28:36], after[28:36, 28:36])

    job = run_job(persona, "outpaint", {"still": sid, "to": "9:16", "seed": 1, "steps": 2})
    assert job.state == JobState.done, job.error
    out = persona.asset(job.result["assets"][0])
    w, h = Image.open(persona.asset_path(out)).size
    assert (w, h) == tuple(job.result["size"]) and abs(w / h - 9 / 16) < 0.02
    x0, y0, x1, y1 = job.result["original_box"]
    assert np.array_equal(np.asarray(Image.open(persona.asset_path(out)))[y0:y1, x0:x1], before)
    assert shared_models().loads == 1  # generate, inpaint and outpaint shared one load


def test_klein_inpaint_targets_the_face_with_the_reference(persona, tiny_klein):
    portrait = resources_dir() / "demo" / "portrait.jpg"
    small = persona.path / "small.png"
    Image.open(portrait).convert("RGB").resize((192, 192)).save(small)
    job = run_job(persona, "inpaint", {"still": str(small), "prompt": "smiling", "target_face": True, "seed": 2,
                                       "steps": 2, "model": str(tiny_klein)})
    assert job.state == JobState.done, job.error
    prov = persona.asset(job.result["assets"][0]).provenance
    assert prov.pipeline == "flux2-klein-inpaint"
    assert prov.parameters["face"] == "targeted" and prov.parameters["face_reference"] is True


def test_klein_variations_are_reference_edits(persona, tiny_klein):
    job = run_job(persona, "generate", {"variations": 2, "size": "64x64", "steps": 2, "seed": 3, "swap": False,
                                        "model": str(tiny_klein)})
    assert job.state == JobState.done, job.error
    prov = persona.asset(job.result["assets"][0]).provenance
    assert prov.pipeline == "flux2-klein-face-variation"
    assert prov.engine.startswith("FLUX.2 [klein] reference edit")


def test_sdxl_only_options_are_refused_for_the_new_models(persona, tiny_klein):
    job = run_job(persona, "generate", _params(tiny_klein, ip_adapter="ip-adapter-plus-face-sdxl"))
    assert job.state == JobState.failed and "SDXL only" in job.error


def test_doctor_rows_run_the_transformers_and_report_the_weights(tiny_klein):
    from studio.cli.doctor_dit import check_flux2_klein, check_wan, check_z_image
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    assert "weights missing (`studio models download flux2-klein-4b`)" in check_flux2_klein()
    ModelStore(Settings.load()).import_file("flux2-klein-4b", tiny_klein)
    row = check_flux2_klein()
    assert row.startswith("tiny Flux2Transformer2DModel ok; weights at") and "cpu float32" in row
    assert "tiny ZImageTransformer2DModel ok" in check_z_image()
    assert "prompt cleaning ok ('she turns & smiles')" in check_wan()  # ftfy is installed


def test_zimage_with_its_transformer_stored_in_fp8(tiny_zimage):
    """The fp8 tier of the memory plan: layerwise casting, computed in the plan's dtype."""
    import torch

    from pipelines.device import ModelPlan
    from pipelines.dit.loaded import shared_models
    from pipelines.sdxl.generate import ImageRequest
    from pipelines.zimage.turbo import TXT2IMG, ZImage

    req = ImageRequest("a portrait", "", 64, 64, 2, 0.0, 3)
    images = []
    for fp8 in (False, True):
        plan = ModelPlan("cpu", "float32", "none", False, "test", fp8=fp8)
        z = ZImage(shared_models().get(tiny_zimage, TXT2IMG, plan))
        stored = {p.dtype for p in z.loaded.base.transformer.parameters()}
        assert (torch.float8_e4m3fn in stored) == fp8
        images.append(z.text_to_image(req, TaskContext()).astype(np.float32))
    assert np.abs(images[0] - images[1]).mean() < 8  # the same picture, a little less precise
