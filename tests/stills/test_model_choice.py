"""Which image model a stills job takes (`--model`, the persona's, auto) and the memory plan of the
new models from free VRAM — pure logic over the model store, no model runs here."""

from __future__ import annotations

import json

import pytest

from pipelines.device import GiB, choose_offload, plan_model
from studio.actions.context import JobContext
from studio.actions.stills_engine import choose_model, family_of
from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.settings import Settings


def _folder(path, cls):
    path.mkdir(parents=True)
    (path / "model_index.json").write_text(json.dumps({"_class_name": cls}))
    return path


@pytest.fixture
def ctx(tmp_path, monkeypatch):
    from studio.actions import stills_engine

    monkeypatch.setattr(stills_engine, "_free_gb", lambda: None)  # no GPU unless a test says so
    settings = Settings(models_dir=str(tmp_path / "models"))
    p = Project.create(tmp_path, "Choice")
    yield JobContext.for_project(p, settings, ModelStore(settings))
    p.close()


def _install(ctx, tmp_path, mid, cls):
    """A stand-in folder with every file the catalogue lists (globs get one match), as imported."""
    folder = _folder(tmp_path / mid, cls)
    for pattern in ctx.store.entry(mid).source.files:
        f = folder / pattern.replace("*.safetensors*", "model.safetensors").replace("*", "tokenizer.json")
        f.parent.mkdir(parents=True, exist_ok=True)
        if not f.exists():
            f.write_text("{}")
    ctx.store.import_file(mid, folder)


def test_auto_takes_the_best_installed_commercial_model(ctx, tmp_path, monkeypatch):
    from studio.actions import stills_engine

    with pytest.raises(ModelMissing, match="flux2-klein-4b"):
        choose_model(ctx, {})
    _install(ctx, tmp_path, "z-image-turbo", "ZImagePipeline")
    c = choose_model(ctx, {})
    assert (c.family, c.ref) == ("z-image", "z-image-turbo") and c.reason.startswith("auto: Z-Image-Turbo")
    _install(ctx, tmp_path, "flux2-klein-4b", "Flux2KleinPipeline")
    assert choose_model(ctx, {}).ref == "flux2-klein-4b"
    monkeypatch.setattr(stills_engine, "_free_gb", lambda: 7.0)  # klein fits offloaded (6 GB), Z-Image not (8)
    assert choose_model(ctx, {}).ref == "flux2-klein-4b"
    monkeypatch.setattr(stills_engine, "_free_gb", lambda: 4.0)
    with pytest.raises(ModelMissing):  # neither fits and SDXL is not installed
        choose_model(ctx, {})


def test_sdxl_only_needs_and_explicit_choices(ctx, tmp_path):
    _install(ctx, tmp_path, "flux2-klein-4b", "Flux2KleinPipeline")
    assert choose_model(ctx, {"loras": ["x.safetensors"]}).family == "sdxl"
    assert "IP-Adapter" in choose_model(ctx, {"ip_adapter": "ip-adapter-plus-face-sdxl"}).reason
    assert choose_model(ctx, {"model": "sdxl"}).ref == "sdxl-base-1.0"
    assert choose_model(ctx, {"model": "z-image"}).ref == "z-image-turbo"  # aliases
    zfolder = _folder(tmp_path / "my-zimage", "ZImageInpaintPipeline")
    assert choose_model(ctx, {"checkpoint": str(zfolder)}).family == "z-image"  # the folder says what it is
    ctx.project.update_persona(checkpoint="flux2-klein-4b")
    assert choose_model(ctx, {}).reason == "the persona's model"
    with pytest.raises(BadInput, match="not a stills model"):
        family_of("wan2.2-ti2v-5b", ctx.store)
    with pytest.raises(BadInput, match="WanPipeline"):
        family_of(str(_folder(tmp_path / "w", "WanPipeline")), ctx.store)


def test_offload_from_free_vram():
    assert choose_offload(40, 16)[:2] == ("none", False)
    assert choose_offload(12, 16)[:2] == ("model", True)
    assert choose_offload(6, 16)[:2] == ("group", True)
    assert choose_offload(10, 24, fp8_tier=True)[::3] == ("model", True)  # Z-Image: fp8 transformer first
    assert choose_offload(10, 24)[::3] == ("group", False)
    assert choose_offload(80, 16, "on")[0] == "group"
    assert choose_offload(2, 16, "off")[0] == "none"
    plan = plan_model(40.0, "auto", "auto", vae_float32=True, free_bytes=int(30 * GiB), bf16=True)
    assert (plan.device, plan.dtype, plan.offload, plan.vae_dtype) == ("cuda", "bfloat16", "model", "float32")
    assert plan_model(16.0, free_bytes=int(30 * GiB), bf16=False).dtype == "float16"  # pre-Ampere GPUs
    import torch

    assert plan.load_dtype() == {"default": torch.bfloat16, "vae": torch.float32}
    assert plan_model(16.0, "cpu").dtype == "float32"
