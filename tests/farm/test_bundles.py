"""Job bundles and result landing without a cluster: what travels, and that damage registers nothing."""

from __future__ import annotations

import json

import pytest

from studio.core.errors import BadInput, StudioError
from studio.farm.bundle import build_bundle, open_bundle
from studio.farm.results import collect_outputs, land_output
from tests.jobs import run_job


@pytest.fixture
def narrated(project):
    job = run_job(project, "narrate", {"text": "Hello there."}, "Narrate")
    return project.asset(job.result["assets"][0])


def test_a_lipsync_bundle_holds_exactly_its_inputs(project, narrated, portrait, tmp_path):
    from PIL import Image

    photo = tmp_path / "face.png"
    Image.fromarray(portrait).save(photo)
    bundle = build_bundle(project, "lipsync", {"visual": str(photo), "narration": narrated.id}, "job-1")
    assert set(bundle.files) == {narrated.path, narrated.path.replace(".wav", ".words.json"),
                                 narrated.path.replace(".wav", ".phonemes.json"), "inputs/visual.png"}
    assert [a["id"] for a in bundle.assets] == [narrated.id]
    mini = open_bundle(bundle, tmp_path / "worker")
    try:
        assert mini.asset(narrated.id).sha256 == narrated.sha256
        assert mini.sidecar(narrated.id, ".phonemes.json").is_file()
        assert bundle.params["visual"] == str(mini.path / "inputs" / "visual.png") and mini.path != project.path
    finally:
        mini.close()


def test_desktop_paths_for_models_and_unfarmable_kinds_are_refused(project, tmp_path):
    (tmp_path / "mine.safetensors").write_bytes(b"x")
    with pytest.raises(BadInput, match="only see their own model store"):
        build_bundle(project, "generate", {"prompt": "x", "checkpoint": str(tmp_path / "mine.safetensors")}, "j")
    with pytest.raises(BadInput, match="run on this machine only"):
        build_bundle(project, "faces.add", {}, "j")


def test_results_land_with_new_ids_and_damage_registers_nothing(project, narrated, tmp_path):
    bundle = build_bundle(project, "narrate", {"text": "Second take."}, "job-2")
    mini = open_bundle(bundle, tmp_path / "worker")
    result = run_job(mini, "narrate", bundle.params, "Narrate").result
    output = collect_outputs(mini, bundle, result, "node-a")
    mini.close()
    assert len(output.assets) == 1 and set(output.assets[0].sidecars) == {".words.json", ".phonemes.json"}

    good = output.assets[0].data
    output.assets[0].data = good[:-1] + bytes([good[-1] ^ 1])
    with pytest.raises(StudioError, match="damaged"):
        land_output(project, output, "job-2", "test")
    assert [a.id for a in project.assets_of("narration")] == [narrated.id]
    assert not (project.path / ".staging").exists() or not list((project.path / ".staging").iterdir())

    output.assets[0].data = good
    landed = land_output(project, output, "job-2", "test")
    new = project.asset(landed["assets"][0])
    assert new.id != output.assets[0].record["id"] and landed["path"] == str(project.asset_path(new))
    assert new.provenance.model_extra["farm"]["node"] == "node-a"
    assert json.loads(project.sidecar(new, ".words.json").read_text("utf-8"))[0]["word"].startswith("Second")


def test_a_storyboards_scene_pictures_travel_with_a_post(project, portrait, tmp_path):
    """`sources` is a list input: each scene's file or asset travels, and the worker's params point
    at its copies (a B-roll photo from the desktop, a still of the project, a scene with none)."""
    from PIL import Image

    from studio.core.storyboard import storyboard_params

    Image.fromarray(portrait).save(tmp_path / "cafe.png")
    Image.fromarray(portrait[::2, ::2]).save(tmp_path / "still.png")
    still = project.import_file(tmp_path / "still.png", "image")
    text = f"--- talking: {still.id}\nHi.\n--- talking\nAgain.\n--- broll: cafe.png\nThe cafe.\n"
    params = {"presets": ["reels"], **storyboard_params(text, "post.txt", str(tmp_path))}
    assert params["sources"] == [still.id, None, str(tmp_path / "cafe.png")]
    bundle = build_bundle(project, "post", params, "job-2")
    assert "inputs/sources.2.png" in bundle.files and still.id in bundle.input_ids()
    mini = open_bundle(bundle, tmp_path / "worker")
    try:
        assert bundle.params["sources"] == [still.id, None, str(mini.path / "inputs" / "sources.2.png")]
        assert mini.asset(still.id).sha256 == still.sha256
    finally:
        mini.close()
