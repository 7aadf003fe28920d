"""The whole `generate` chain on tiny SDXL: prompt, seeds, face pass, best-of-N, registration."""

from __future__ import annotations

import numpy as np
from PIL import Image

from studio.core.jobs import JobState
from studio.core.tasks import TaskContext
from tests.jobs import run_job


def _pixels(project, asset_id):
    return np.asarray(Image.open(project.asset_path(asset_id)).convert("RGB"))


def test_generate_registers_best_still_with_full_provenance(project, tiny_params):
    job = run_job(project, "generate", tiny_params(style="golden-hour"))
    assert job.state == JobState.done, job.error
    res = job.result
    # 2 candidates, none passes (noise has no face), so exactly max_rerolls=1 re-roll
    assert [c["seed"] for c in res["candidates"]] == [7, 8, 9]
    assert all(c["score"] == 0.0 and c["verdict"] == "no face found" for c in res["candidates"])
    assert sum(c["kept"] for c in res["candidates"]) == 1
    assert any("swap skipped" in w and "studio models download inswapper_128" in w for w in res["warnings"])
    [aid] = res["assets"]
    asset = project.asset(aid)
    assert asset.kind == "still" and _pixels(project, aid).shape == (64, 64, 3)
    prov = asset.provenance
    persona = project.persona
    p = prov.parameters
    assert prov.seed == 7  # ties keep the lowest seed
    assert p["prompt"].startswith(persona.style_prompt) and "reading in a cafe" in p["prompt"]
    assert "golden hour" in p["prompt"] and "harsh flash" in p["negative_prompt"]
    assert p["negative_prompt"].startswith(persona.negative_prompt)
    assert (p["steps"], p["cfg"], p["width"], p["height"]) == (2, 5.0, 64, 64)
    assert p["scheduler"] == "EulerDiscreteScheduler" and p["swap"] == "skipped"
    assert prov.models[0].role == "checkpoint" and prov.models[0].id == "tiny-sdxl"
    assert prov.scores["identity_verdict"] == "no face found" and prov.scores["identity_backend"] == "dlib"


def test_same_seed_same_image_and_second_job_does_not_reload(project, tiny_params):
    from pipelines.sdxl.cache import shared_cache

    a = run_job(project, "generate", tiny_params(n=1, max_rerolls=0, seed=42))
    b = run_job(project, "generate", tiny_params(n=1, max_rerolls=0, seed=42))
    c = run_job(project, "generate", tiny_params(n=1, max_rerolls=0, seed=43))
    pa, pb, pc = (_pixels(project, j.result["assets"][0]) for j in (a, b, c))
    assert np.array_equal(pa, pb)
    assert not np.array_equal(pa, pc)
    assert shared_cache().loads == 1


def test_cancel_mid_run_leaves_no_asset(project, tiny_params):
    steps = []

    def on_progress(p):
        steps.append(p.label)
        if len(steps) == 3:  # inside the first candidate's denoising loop
            ctx.cancel()

    ctx = TaskContext(on_progress)
    job = run_job(project, "generate", tiny_params(), ctx=ctx)
    assert job.state == JobState.cancelled
    assert project.assets_of() == []
    assert not list((project.path / "stills").iterdir())
    assert any("candidate 1/2" in s for s in steps)


def test_no_identity_still_generates_and_says_so(tmp_path, tiny_params):
    from studio.core.project import Project

    with Project.create(tmp_path, "Blank") as p:
        job = run_job(p, "generate", tiny_params(n=2, keep=2))
        assert job.state == JobState.done, job.error
        assert len(job.result["assets"]) == 2 and len(job.result["candidates"]) == 2  # no re-rolls
        assert any("no identity" in w for w in job.result["warnings"])


def test_swap_with_tiny_face_models_changes_the_face_and_records_it(project, tiny_params, tmp_path):
    """The tiny SCRFD/ArcFace/inswapper ONNX graphs run through the real swap + scoring code."""
    from studio.core.persona import IdentityEmbedding
    from tests.tiny.onnx_faces import install_tiny_face_models

    plain = run_job(project, "generate", tiny_params(n=1, max_rerolls=0, seed=11, swap=False))
    face = ((12.0, 10.0, 52.0, 58.0), [(24, 28), (40, 28), (32, 38), (26, 48), (38, 48)])
    install_tiny_face_models(tmp_path / "faces", faces=[face], image_size=(64, 64), restorer=False)
    vec = np.random.default_rng(0).standard_normal(512).astype(np.float32)
    vec /= np.linalg.norm(vec)
    project.update_persona(identity=[*project.persona.identity,
                                     IdentityEmbedding(backend="insightface", vector=vec.tolist())])
    job = run_job(project, "generate", tiny_params(n=2, keep=1, seed=11, max_rerolls=0))
    assert job.state == JobState.done, job.error
    assert job.result["warnings"] == [] or all("swap skipped" not in w for w in job.result["warnings"])
    assert all(c["swap"] == "done" for c in job.result["candidates"])
    prov = project.asset(job.result["assets"][0]).provenance
    assert prov.parameters["swap"] == "inswapper_128" and prov.scores["identity_backend"] == "insightface"
    assert isinstance(prov.scores["identity"], float)
    swap_use = next(m for m in prov.models if m.id == "inswapper_128")
    assert swap_use.commercial_use is False and "non-commercial" in swap_use.licence
    if prov.seed == 11:
        before = _pixels(project, plain.result["assets"][0])
        after = _pixels(project, job.result["assets"][0])
        assert not np.array_equal(before, after)


def test_reference_candidates_pick_and_variations(project, tiny_params, tmp_path):
    job = run_job(project, "generate", tiny_params(as_reference="a woman in her twenties with red hair", n=2))
    assert job.state == JobState.done, job.error
    assert len(job.result["assets"]) == 2 and "--pick" in job.result["hint"]
    prov = project.asset(job.result["assets"][0]).provenance
    assert prov.pipeline == "sdxl-reference-candidate" and "close-up portrait photo of a woman" in prov.parameters["prompt"]
    # noise from a tiny model has no face: the pick is reported as rejected, not a crash
    picked = run_job(project, "pick-references", {"pick": "2"})
    assert picked.state == JobState.done, picked.error
    assert picked.result["assets"] == [] and picked.result["rejected"]
    # variations of a real face (the demo portrait), img2img with shared components
    from studio.core.paths import resources_dir

    var = run_job(project, "generate", tiny_params(variations=2, **{"from": str(resources_dir() / "demo" / "portrait.jpg")}))
    assert var.state == JobState.done, var.error
    assert len(var.result["assets"]) == 2
    vp = project.asset(var.result["assets"][1]).provenance
    assert vp.pipeline == "sdxl-face-variation" and "three-quarter view facing right" in vp.parameters["prompt"]
