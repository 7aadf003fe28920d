"""SDXL loading defects a review against diffusers' pipelines/stable_diffusion_xl found (issue 15,
items 1, 8, 9, 10), each through the real loader and pipeline with tiny models."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.core.jobs import JobState
from tests.jobs import run_job


@pytest.fixture(scope="module")
def hub_layout_sdxl(tmp_path_factory):
    """The tiny SDXL as the catalogue downloads sdxl-base-1.0: only *.fp16.safetensors weights."""
    from tests.tiny.sdxl import save_tiny_sdxl_hub_layout

    return save_tiny_sdxl_hub_layout(tmp_path_factory.mktemp("hub") / "sdxl-base")


def test_fp16_only_download_loads_on_a_cpu_plan(project, tiny_params, hub_layout_sdxl):
    """Item 1: a float32 (CPU) plan asked for diffusion_pytorch_model.safetensors, which the
    fp16-only download does not have; now it loads the fp16 variant and upcasts."""
    from pipelines.sdxl.cache import shared_cache
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    assert not list(hub_layout_sdxl.glob("unet/diffusion_pytorch_model.safetensors"))
    ModelStore(Settings.load()).import_file("sdxl-base-1.0", hub_layout_sdxl)  # the persona's default
    params = tiny_params(n=1, max_rerolls=0, swap=False)
    del params["checkpoint"]
    job = run_job(project, "generate", params)
    assert job.state == JobState.done, job.error
    [loaded] = shared_cache().entries()
    import torch

    assert loaded.plan.dtype == "float32" and loaded.txt2img.unet.dtype == torch.float32
    image = np.asarray(Image.open(project.asset_path(job.result["assets"][0])))
    assert image.shape == (64, 64, 3) and image.std() > 1
    use = project.asset(job.result["assets"][0]).provenance.models[0]
    assert use.id == "sdxl-base-1.0" and use.sha256  # the folder's manifest digest, recorded at import


def test_a_folder_of_pickles_is_refused_unless_the_user_opts_in(project, tiny_params, tmp_path):
    """Item 8: diffusers falls back to .bin pickles ("Defaulting to unsafe serialization")."""
    from diffusers import StableDiffusionXLPipeline

    from studio.core.settings import Settings
    from tests.tiny.sdxl import tiny_components

    folder = tmp_path / "pickled-sdxl"
    StableDiffusionXLPipeline(**tiny_components()).save_pretrained(folder, safe_serialization=False)
    assert list(folder.glob("unet/*.bin")) and not list(folder.glob("unet/*.safetensors"))
    params = tiny_params(n=1, max_rerolls=0, swap=False, checkpoint=str(folder))
    refused = run_job(project, "generate", params)
    assert refused.state == JobState.failed
    assert "pickle" in refused.error and "allow_pickle_checkpoints" in refused.error and "unet" in refused.error
    opted_in = Settings.load().model_copy(update={"allow_pickle_checkpoints": True})
    ok = run_job(project, "generate", params, settings=opted_in)
    assert ok.state == JobState.done, ok.error


def test_library_noise_is_silenced_and_a_long_prompt_is_noted_once(project, tiny_params, capfd):
    """Item 9: "Loading pipeline components…" bars, the torch_dtype FutureWarning and CLIP's
    truncation warning (once per candidate) printed between our own lines."""
    import warnings

    capfd.readouterr()
    long_prompt = "reading a very long book about mountains " * 6
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        job = run_job(project, "generate", tiny_params(n=2, max_rerolls=0, swap=False, prompt=long_prompt))
    assert job.state == JobState.done, job.error
    err = capfd.readouterr().err
    for noise in ("Loading pipeline components", "Loading weights", "truncated because CLIP", "sequence length"):
        assert noise not in err
    assert not [w for w in caught if "torch_dtype" in str(w.message)]
    notes = [w for w in job.result["warnings"] if w.startswith("The prompt is")]
    assert len(notes) == 1 and "reads the first 77" in notes[0]  # ours, once for two candidates
    # (the tiny tokenizer spells words letter by letter, so the persona's negative prompt is long too)


def test_inpaint_model_is_used_for_edits_and_refused_for_text_to_image(project, tiny_params, tiny_sdxl, tmp_path,
                                                                        hub_layout_sdxl):
    """Item 10: sdxl-inpaint-0.1 (a 9-channel UNet) was never used by inpaint/outpaint, and as
    the checkpoint it broke text-to-image with a tensor-shape error."""
    from studio.core.models import ModelStore
    from studio.core.settings import Settings
    from tests.tiny.sdxl import save_tiny_sdxl_hub_layout

    base = run_job(project, "generate", tiny_params(n=1, max_rerolls=0, swap=False))
    assert base.state == JobState.done, base.error
    store = ModelStore(Settings.load())
    store.import_file("sdxl-base-1.0", hub_layout_sdxl)  # what a user of both SDXL downloads has
    store.import_file("sdxl-inpaint-0.1", save_tiny_sdxl_hub_layout(tmp_path / "inp", 9))

    refused = run_job(project, "generate", tiny_params(n=1, checkpoint="sdxl-inpaint-0.1"))
    assert refused.state == JobState.failed
    assert "inpainting checkpoint" in refused.error and "sdxl-base-1.0" in refused.error

    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    Image.fromarray(mask).save(tmp_path / "m.png")
    still = base.result["assets"][0]
    edit = run_job(project, "inpaint", {"still": still, "prompt": "a hat", "mask": str(tmp_path / "m.png"),
                                        "steps": 2, "seed": 1})
    assert edit.state == JobState.done, edit.error
    prov = project.asset(edit.result["assets"][0]).provenance
    assert prov.models[0].id == "sdxl-inpaint-0.1" and prov.engine == "Stable Diffusion XL inpainting"
    out = run_job(project, "outpaint", {"still": still, "to": "9:16", "steps": 2, "seed": 1})
    assert out.state == JobState.done, out.error
    assert project.asset(out.result["assets"][0]).provenance.models[0].id == "sdxl-inpaint-0.1"
    # an explicit --checkpoint still wins for edits
    mine = run_job(project, "inpaint", {"still": still, "mask": str(tmp_path / "m.png"), "steps": 2, "seed": 1,
                                        "checkpoint": str(tiny_sdxl)})
    assert project.asset(mine.result["assets"][0]).provenance.models[0].id == "tiny-sdxl"
