"""Single-file (CivitAI-style, original SGM layout) SDXL checkpoints through our loader.

The tiny pipeline is written as ONE original-layout .safetensors file (tests/tiny/sdxl_single_file)
and loaded with a config folder that holds only configs + tokenizers, exactly like resources/sdxl
(the shipped configs are full-size, so the tiny run passes the tiny config folder instead). Every
weight therefore has to come out of the single file through diffusers' conversion.
"""

from __future__ import annotations

import numpy as np
import pytest

COMPONENTS = ("unet", "vae", "text_encoder", "text_encoder_2")


@pytest.fixture(scope="session")
def tiny_single_file(tiny_sdxl, tmp_path_factory):
    """(single .safetensors file, config-only folder) made from the tiny diffusers folder."""
    from tests.tiny.sdxl_single_file import config_folder, save_single_file

    tmp = tmp_path_factory.mktemp("single-file")
    return save_single_file(tiny_sdxl, tmp / "tiny-juggernaut.safetensors"), config_folder(tiny_sdxl, tmp / "config")


def test_single_file_loads_the_same_weights_and_draws_the_same_image(tiny_sdxl, tiny_single_file):
    import torch
    from safetensors import safe_open

    from pipelines.device import plan_device
    from pipelines.sdxl.checkpoint import resolve_model
    from pipelines.sdxl.generate import ImageRequest, text_to_image
    from pipelines.sdxl.loader import load_txt2img
    from studio.core.models import ModelStore
    from studio.core.settings import Settings
    from studio.core.tasks import TaskContext

    torch.set_num_threads(1)
    path, config = tiny_single_file
    with safe_open(str(path), "pt") as f:
        keys = list(f.keys())
    # really the original layout: nothing of the diffusers names is left
    assert {k.split(".")[0] for k in keys} == {"model", "first_stage_model", "conditioner"}
    assert "model.diffusion_model.input_blocks.0.0.weight" in keys
    assert "conditioner.embedders.1.model.transformer.resblocks.1.attn.in_proj_weight" in keys
    assert not any("down_blocks" in k or "resnets" in k for k in keys)
    # CLIP-L keeps Hugging Face names inside SGM files; only the bigG tower is in open_clip naming
    assert not any("q_proj" in k for k in keys if k.startswith("conditioner.embedders.1."))
    assert not any(p.suffix == ".safetensors" for p in config.rglob("*"))  # configs only

    store = ModelStore(Settings.load())
    ckpt = resolve_model(str(path), store)
    assert ckpt.layout == "single-file" and ckpt.id == "tiny-juggernaut" and len(ckpt.sha256) == 64
    plan = plan_device("cpu")
    single = load_txt2img(ckpt, plan, config_dir=config)
    folder = load_txt2img(resolve_model(str(tiny_sdxl), store), plan)
    for name in COMPONENTS:
        a, b = folder.components[name].state_dict(), single.components[name].state_dict()
        assert a.keys() == b.keys(), name
        diff = [k for k in a if not torch.equal(a[k], b[k])]
        assert diff == [], f"{name}: {diff[:3]}"
    assert single.vae.config.scaling_factor == folder.vae.config.scaling_factor

    req = ImageRequest("a portrait in a cafe", "blurry", 64, 64, 2, 5.0, 1234)
    img_single = text_to_image(single, req, TaskContext())
    img_folder = text_to_image(folder, req, TaskContext())
    assert img_single.shape == (64, 64, 3) and img_single.std() > 0
    assert np.array_equal(img_single, img_folder)


def test_shipped_sdxl_configs_fit_from_single_file():
    """resources/sdxl is what users' CivitAI files load with: check it on the meta device.

    The full-size SDXL architecture is built from the shipped configs without weights, written in
    the original layout by the test helper (which so is checked on the real block structure, not
    only the tiny one) and read back by diffusers' own single-file code with `config=` the folder.
    """
    import torch
    from accelerate import init_empty_weights
    from diffusers import AutoencoderKL, StableDiffusionXLPipeline, UNet2DConditionModel
    from diffusers.loaders import single_file_utils as sfu
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    from pipelines.sdxl.loader import sdxl_config_dir
    from tests.tiny.sdxl_single_file import OPEN_CLIP_PREFIX, original_layout

    cfg = str(sdxl_config_dir())
    index = StableDiffusionXLPipeline.load_config(cfg)
    assert index["unet"] == ["diffusers", "UNet2DConditionModel"] and index["text_encoder_2"][1] == "CLIPTextModelWithProjection"
    with init_empty_weights():
        unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(cfg, subfolder="unet"))
        vae = AutoencoderKL.from_config(AutoencoderKL.load_config(cfg, subfolder="vae"))
        te1 = CLIPTextModel(CLIPTextConfig.from_pretrained(cfg, subfolder="text_encoder"))
        te2 = CLIPTextModelWithProjection(CLIPTextConfig.from_pretrained(cfg, subfolder="text_encoder_2"))
    sd = original_layout({"unet": unet, "vae": vae, "text_encoder": te1, "text_encoder_2": te2})
    assert all(v.device.type == "meta" for v in sd.values())
    # diffusers recognises it as SDXL base (it looks for the 10th bigG block)
    assert sfu.infer_diffusers_model_type(sd) == "xl_base"

    def millions(model) -> float:
        return sum(p.numel() for p in model.parameters()) / 1e6

    u = UNet2DConditionModel.from_single_file(sd, config=cfg, subfolder="unet", local_files_only=True, device="meta")
    v = AutoencoderKL.from_single_file(sd, config=cfg, subfolder="vae", local_files_only=True, device="meta")
    assert round(millions(u)) == 2567 and round(millions(v), 1) == 83.7
    assert sfu.convert_ldm_unet_checkpoint(sd, u.config).keys() == unet.state_dict().keys()
    assert sfu.convert_ldm_vae_checkpoint(sd, v.config).keys() == vae.state_dict().keys()
    # the text encoders: which one each part goes to is decided by the position-embedding width
    for cls in (CLIPTextModel, CLIPTextModelWithProjection):
        assert sfu.is_clip_model_in_single_file(cls, sd)
    assert sd[sfu.CHECKPOINT_KEY_NAMES["clip_sdxl"]].shape[-1] == te1.config.hidden_size == 768
    assert sd[sfu.CHECKPOINT_KEY_NAMES["open_clip_sdxl"]].shape[-1] == te2.config.hidden_size == 1280
    clip_l = sfu.convert_ldm_clip_checkpoint(sd)
    assert {k.removeprefix("text_model.") for k in clip_l} == set(te1.state_dict())
    big_g = sfu.convert_open_clip_checkpoint(te2, sd, prefix=OPEN_CLIP_PREFIX)
    assert big_g.keys() == te2.state_dict().keys()
    assert round((millions(te1)), 1) == 123.1 and round(millions(te2), 1) == 694.7
    assert big_g["text_projection.weight"].shape == torch.Size([1280, 1280])
