"""LoRAs through `generate` (CLI `--lora FILE:WEIGHT` and the action): effect, weight, provenance, cache."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from studio.core.jobs import JobState
from tests.jobs import run_job


@pytest.fixture(scope="session")
def tiny_loras(tiny_sdxl, tmp_path_factory):
    """Two random LoRAs in diffusers layout and the first one again in kohya (CivitAI) layout."""
    from tests.tiny.sdxl_lora import save_tiny_lora

    tmp = tmp_path_factory.mktemp("loras")
    return {
        "a": save_tiny_lora(tiny_sdxl, tmp / "lora-a.safetensors", seed=1),
        "b": save_tiny_lora(tiny_sdxl, tmp / "lora-b.safetensors", seed=2),
        "a_kohya": save_tiny_lora(tiny_sdxl, tmp / "lora-a-kohya.safetensors", seed=1, layout="kohya"),
    }


def _pixels(project, job):
    assert job.state == JobState.done, job.error
    return np.asarray(Image.open(project.asset_path(job.result["assets"][0])).convert("RGB"))


def test_lora_changes_the_image_weight_zero_does_not_and_provenance_lists_it(project, tiny_params, tiny_loras, capsys):
    import torch

    from pipelines.sdxl.cache import shared_cache
    from studio.cli.main import main
    from studio.core.project import Project

    torch.set_num_threads(1)
    a = tiny_loras["a"]

    def run(project=project, **kw):
        return run_job(project, "generate", tiny_params(n=1, max_rerolls=0, swap=False, seed=5, **kw))

    base = _pixels(project, run())
    # through the CLI, as users type it (the CLI opens the project itself, so let go of it meanwhile)
    path = project.path
    project.close()
    code = main(["generate", str(path), "reading in a cafe", "-n", "1", "--seed", "5", "--size", "64x64",
                 "--steps", "2", "--cfg", "5", "--checkpoint", tiny_params()["checkpoint"], "--no-swap",
                 "--lora", f"{a}:0.8", "--json"])
    assert code == 0, capsys.readouterr().err
    [lora_id] = json.loads(capsys.readouterr().out)["assets"]
    with Project.open(path) as project:
        _lora_checks(project, run, base, lora_id, tiny_loras)
    assert shared_cache().loads == 4  # base, a@0.8, a@0, kohya: each its own cache key


def _lora_checks(project, run, base, lora_id, tiny_loras):
    from studio.core.assets import sha256_file

    a = tiny_loras["a"]
    with_lora = np.asarray(Image.open(project.asset_path(lora_id)).convert("RGB"))
    assert np.abs(with_lora.astype(int) - base.astype(int)).max() > 2  # the LoRA really acts

    prov = project.asset(lora_id).provenance
    assert [m.role for m in prov.models][:2] == ["checkpoint", "lora"]  # then the identity scorer
    use = prov.models[1]
    assert use.id == "lora-a" and use.weight == 0.8 and use.sha256 == sha256_file(a) and use.path == str(a)
    assert prov.parameters["loras"] == [{"id": "lora-a", "weight": 0.8}]

    assert np.array_equal(_pixels(project, run(project, loras=[f"{a}:0"])), base)  # weight 0 = no LoRA
    # the same weights in kohya-ss naming (SGM block names) give the same picture
    kohya = _pixels(project, run(project, loras=[f"{tiny_loras['a_kohya']}:0.8"]))
    assert np.abs(kohya.astype(int) - with_lora.astype(int)).max() <= 1


def test_switching_loras_does_not_leak_the_previous_one(project, tiny_params, tiny_loras):
    import torch

    from pipelines.sdxl.cache import PipelineCache, shared_cache

    torch.set_num_threads(1)
    a, b = tiny_loras["a"], tiny_loras["b"]

    def run(**kw):
        return _pixels(project, run_job(project, "generate", tiny_params(n=1, max_rerolls=0, swap=False, seed=9, **kw)))

    only_b = run(loras=[f"{b}:0.8"])
    shared_cache().clear()
    with_a = run(loras=[f"{a}:0.8"])
    after_a_b = run(loras=[f"{b}:0.8"])
    assert not np.array_equal(with_a, after_a_b)
    assert np.array_equal(after_a_b, only_b)
    loaded = shared_cache().entries()[-1]
    assert set(loaded.txt2img.unet.peft_config) == {"lora_lora_b"}  # only B is in the UNet
    assert PipelineCache.key(loaded.checkpoint, loaded.loras, loaded.plan)[1] == ((str(b), 0.8),)
    both = run(loras=[f"{a}:0.8", f"{b}:0.8"])
    assert not np.array_equal(both, only_b) and not np.array_equal(both, with_a)
    plain = run()
    assert set(getattr(shared_cache().entries()[-1].txt2img.unet, "peft_config", {})) == set()
    assert not np.array_equal(plain, only_b)


def test_a_lora_for_another_model_is_a_clear_error(project, tiny_params, tmp_path):
    import torch
    from safetensors.torch import save_file

    bad = tmp_path / "sd15-lora.safetensors"
    save_file({"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight": torch.ones(4, 320),
               "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight": torch.ones(320, 4)}, str(bad))
    job = run_job(project, "generate", tiny_params(n=1, max_rerolls=0, swap=False, loras=[f"{bad}:0.8"]))
    assert job.state == JobState.failed
    assert "does not fit this checkpoint" in job.error and "sd15-lora.safetensors" in job.error
