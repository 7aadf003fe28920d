"""IP-Adapter plus-face through `generate --ip-adapter`: a tiny random adapter in the h94 layout,
installed in the model store and loaded by diffusers' own `load_ip_adapter` from that folder."""

from __future__ import annotations

import numpy as np
from PIL import Image

from studio.core.jobs import JobState
from tests.jobs import run_job


def _pixels(project, job):
    assert job.state == JobState.done, job.error
    return np.asarray(Image.open(project.asset_path(job.result["assets"][0])).convert("RGB"))


def test_plus_face_guides_generation_and_is_unloaded_after(project, tiny_params, tiny_sdxl, tmp_path):
    import torch

    from pipelines.sdxl.cache import shared_cache
    from pipelines.sdxl.ip_adapter import PLUS_FACE
    from studio.core.models import ModelStore
    from studio.core.paths import resources_dir
    from studio.core.settings import Settings
    from tests.tiny.sdxl_ip_adapter import save_tiny_plus_face

    torch.set_num_threads(1)
    ModelStore(Settings.load()).import_file(PLUS_FACE, save_tiny_plus_face(tiny_sdxl, tmp_path / "IP-Adapter"))
    params = tiny_params(n=1, max_rerolls=0, swap=False, seed=5)

    failed = run_job(project, "generate", {**params, "ip_adapter": PLUS_FACE})
    assert failed.state == JobState.failed and "needs a reference face" in failed.error
    added = run_job(project, "faces.add", {"photos": [str(resources_dir() / "demo" / "portrait.jpg")]})
    assert added.state == JobState.done and project.persona.reference_faces

    base = _pixels(project, run_job(project, "generate", params))
    job = run_job(project, "generate", {**params, "ip_adapter": PLUS_FACE})
    guided = _pixels(project, job)
    assert np.abs(guided.astype(int) - base.astype(int)).max() > 2  # the face image steers the picture
    prov = project.asset(job.result["assets"][0]).provenance
    assert prov.parameters["ip_adapter"] == PLUS_FACE
    use = next(m for m in prov.models if m.role == "ip-adapter")
    assert use.id == PLUS_FACE and use.licence == "Apache-2.0" and use.commercial_use is True
    loaded = shared_cache().entries()[-1]
    assert loaded.txt2img.image_encoder is not None and loaded.txt2img.unet.encoder_hid_proj is not None

    # the shared pipeline drops the adapter again: the next plain job and an inpaint work as before
    assert np.array_equal(_pixels(project, run_job(project, "generate", params)), base)
    assert loaded.ip_adapter is None and loaded.txt2img.unet.encoder_hid_proj is None
    run_job(project, "generate", {**params, "ip_adapter": PLUS_FACE})
    mask = np.zeros((64, 64), np.uint8)
    mask[8:40, 8:40] = 255
    Image.fromarray(mask).save(tmp_path / "m.png")
    edit = run_job(project, "inpaint", {"still": job.result["assets"][0], "prompt": "a hat", "mask": str(tmp_path / "m.png"),
                                        "steps": 2, "seed": 1, "checkpoint": str(tiny_sdxl)})
    assert edit.state == JobState.done, edit.error
    assert shared_cache().loads == 1  # adapters come and go on the one loaded pipeline
