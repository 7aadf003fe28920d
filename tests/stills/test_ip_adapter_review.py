"""IP-Adapter defects a review against diffusers' loaders/ip_adapter.py found (issue 15, items 2-4),
each through the real loader and pipeline with tiny random adapters."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.core.jobs import JobState
from tests.jobs import run_job


def _pixels(project, job):
    assert job.state == JobState.done, job.error
    return np.asarray(Image.open(project.asset_path(job.result["assets"][0])).convert("RGB"))


@pytest.fixture
def faceid_persona(project, tiny_sdxl, tmp_path):
    """The project's persona with an insightface identity and the tiny FaceID adapter installed."""
    from pipelines.sdxl.ip_adapter import FACEID
    from studio.core.models import ModelStore
    from studio.core.persona import IdentityEmbedding
    from studio.core.settings import Settings
    from tests.tiny.sdxl_faceid import ID_DIM, save_tiny_faceid

    ModelStore(Settings.load()).import_file(FACEID, save_tiny_faceid(tiny_sdxl, tmp_path / "ip-adapter-faceid_sdxl.bin"))
    vec = np.random.default_rng(4).normal(size=ID_DIM).astype(np.float32)
    vec /= np.linalg.norm(vec)
    ids = list(project.persona.identity) + [IdentityEmbedding(backend="insightface", vector=vec.tolist())]
    project.update_persona(identity=ids)
    return vec


def test_faceid_keeps_the_persona_loras_on_and_unloading_it_restores_them(project, tiny_params, tiny_sdxl,
                                                                           faceid_persona, tmp_path):
    """Item 2: diffusers activates the FaceID LoRA alone (`set_adapters(["faceid_0"])`) and
    `unload_ip_adapter` leaves it in the UNet, so every later job ran without the persona's LoRAs."""
    import torch

    from pipelines.sdxl.cache import shared_cache
    from pipelines.sdxl.ip_adapter import FACEID
    from tests.tiny.sdxl_lora import save_tiny_lora

    torch.set_num_threads(1)
    lora = save_tiny_lora(tiny_sdxl, tmp_path / "persona-lora.safetensors", seed=1)
    params = tiny_params(n=1, max_rerolls=0, swap=False, seed=9, loras=[f"{lora}:0.8"])
    with_lora = _pixels(project, run_job(project, "generate", params))
    [loaded] = shared_cache().entries()
    pipe = loaded.txt2img

    guided = _pixels(project, run_job(project, "generate", {**params, "ip_adapter": FACEID}))
    assert not np.array_equal(guided, with_lora)
    assert set(pipe.get_active_adapters()) == {"lora_persona_lora", "faceid_0"}  # both, not FaceID alone

    after = _pixels(project, run_job(project, "generate", params))
    assert "faceid_0" not in pipe.unet.peft_config
    assert pipe.get_active_adapters() == ["lora_persona_lora"]
    assert np.array_equal(after, with_lora)  # the same picture as before FaceID was ever loaded
    assert shared_cache().loads == 1


def test_faceid_without_guidance_passes_only_the_identity(project, tiny_params, faceid_persona):
    """Item 4: at cfg <= 1 diffusers does not split [zeros, embedding]; both went into one batch
    row, so the UNet attended 4 zero-derived tokens next to the 4 identity tokens."""
    import torch

    from pipelines.sdxl.cache import shared_cache
    from pipelines.sdxl.generate import ImageRequest, text_to_image
    from pipelines.sdxl.ip_adapter import FACEID
    from studio.core.tasks import TaskContext

    torch.set_num_threads(1)
    job = run_job(project, "generate", tiny_params(n=1, max_rerolls=0, swap=False, seed=3, cfg=1.0,
                                                   ip_adapter=FACEID))
    made = _pixels(project, job)
    p = project.asset(job.result["assets"][0]).provenance.parameters
    [loaded] = shared_cache().entries()
    emb = torch.tensor(faceid_persona).reshape(1, 1, -1)  # what diffusers' docs pass without CFG
    req = ImageRequest(p["prompt"], p["negative_prompt"], 64, 64, 2, 1.0, 3, {"ip_adapter_image_embeds": [emb]})
    reference = text_to_image(loaded.txt2img, req, TaskContext())
    assert np.array_equal(made, reference)

    bad = run_job(project, "generate", tiny_params(n=1, cfg=-1))
    assert bad.state == JobState.failed and "Guidance (--cfg) must be between 0 and 30" in bad.error


def test_plus_face_under_model_offload_joins_the_offload_hooks(tiny_sdxl, tmp_path):
    """Item 3: with model CPU offload enabled before the adapter loads, diffusers created the CLIP
    image encoder with no offload hook (on the CPU while the image goes to the GPU). On this CPU
    stand-in the execution device is the CPU, so the hooks themselves are checked, then a call."""
    import torch

    from pipelines.device import DevicePlan
    from pipelines.sdxl.cache import shared_cache
    from pipelines.sdxl.checkpoint import resolve_model
    from pipelines.sdxl.generate import ImageRequest, text_to_image
    from pipelines.sdxl.ip_adapter import PLUS_FACE, ensure_ip_adapter, ip_adapter_inputs
    from studio.core.models import ModelStore
    from studio.core.settings import Settings
    from studio.core.tasks import TaskContext
    from tests.tiny.sdxl_ip_adapter import save_tiny_plus_face

    torch.set_num_threads(1)
    store = ModelStore(Settings.load())
    store.import_file(PLUS_FACE, save_tiny_plus_face(tiny_sdxl, tmp_path / "IP-Adapter"))
    plan = DevicePlan("cpu", "float32", offload=True, vae_tiling=True, reason="offload stand-in")
    loaded = shared_cache().get(resolve_model(str(tiny_sdxl), store), plan)
    pipe = loaded.txt2img
    assert len(pipe._all_hooks) == 4  # text encoders, unet, vae

    ensure_ip_adapter(loaded, store, PLUS_FACE)
    encoder = pipe.image_encoder
    assert hasattr(encoder, "_hf_hook")
    assert any(h.model is encoder for h in pipe._all_hooks)
    face = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
    req = ImageRequest("a face", "", 64, 64, 2, 5.0, 1, ip_adapter_inputs(loaded, face, None))
    assert text_to_image(pipe, req, TaskContext()).shape == (64, 64, 3)

    ensure_ip_adapter(loaded, store, None)
    assert pipe.image_encoder is None
    assert len(pipe._all_hooks) == 4 and not any(h.model is encoder for h in pipe._all_hooks)
    inpaint = loaded.inpaint  # a derived pipeline offloads the shared components after its call too
    assert inpaint._all_hooks and inpaint._offload_device == pipe._offload_device
