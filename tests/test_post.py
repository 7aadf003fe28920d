"""The one-command post (`studio post`) and the offline demo, end to end on the embedded defaults."""

from __future__ import annotations

import json

import pytest

from studio.cli.main import main
from studio.core.project import Project


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory):
    """`studio demo` at small sizes: persona from the portrait, narration, motion, lip-sync, exports."""
    import os

    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("PERSONA_STUDIO_HOME")
    os.environ["PERSONA_STUDIO_HOME"] = str(home)
    folder = tmp_path_factory.mktemp("demo")
    try:
        assert main(["demo", "--dir", str(folder), "--size", "360x640", "--quick"]) == 0
    finally:
        if old is None:
            os.environ.pop("PERSONA_STUDIO_HOME", None)
        else:
            os.environ["PERSONA_STUDIO_HOME"] = old
    return folder / "Demo.persona"


def test_demo_makes_a_captioned_lipsynced_post_in_three_formats(demo_project):
    with Project.open(demo_project, read_only=True) as p:
        (post,) = p.data.posts
        assert set(post.exports) == {"reels", "feed", "square"}
        tl = p.timeline(post.timeline_id)
        kinds = {t.kind: len(t.clips) for t in tl.tracks}
        assert kinds["video"] == 1 and kinds["narration"] == 1 and kinds["music"] == 1 and kinds["captions"] > 10
        talking = p.asset(tl.track("video").clips[0].asset_id)
        assert talking.provenance.pipeline == "lipsync"
        assert talking.provenance.scores["sync_correlation"] >= 0.5
        assert talking.provenance.scores["identity_verdict"] == "same person"
        # the camera move was rendered in the talking-photo pass, straight from the reference photo
        assert talking.provenance.parameters["camera_engine"].startswith("camera motion")
        assert p.asset(talking.parents[0]).kind == "reference"
        assert talking.provenance.scores["blinks_per_min"] > 0
        assert talking.provenance.scores["head_roll_range_deg"] > 0.3
        for preset, asset_id in post.exports.items():
            export = p.asset(asset_id)
            assert export.kind == "export" and export.provenance.parameters["preset"] == preset
            path = p.asset_path(export)
            assert path.stat().st_size > 10_000
            assert path.with_suffix(".srt").read_text().count("-->") >= 3


def test_every_export_verifies_with_manifest_and_licence_verdict(demo_project, capsys):
    with Project.open(demo_project, read_only=True) as p:
        files = [p.asset_path(a) for a in p.assets_of("export") if a.path.endswith(".mp4")]
    assert len(files) == 3
    for f in files:
        assert main(["verify", str(f), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["c2pa"]["state"] == "Valid"
        assert report["c2pa"]["studio"]["ai_generated"] is True
        # embedded engines only (Piper CC0 voice, dlib CC0 detector + embedding, MediaPipe mesh)
        assert report["c2pa"]["studio"]["commercial_use"] == "allowed"


def test_post_refuses_bad_input_before_doing_any_work(tmp_path, capsys):
    Project.create(tmp_path, "Empty").close()
    folder = tmp_path / "Empty.persona"
    script = tmp_path / "script.txt"
    script.write_text("Hello there.")
    assert main(["post", str(folder), "--script", str(script)]) == 2
    assert "studio faces add" in capsys.readouterr().err
    assert main(["post", str(folder), "--script", str(script), "--preset", "myspace"]) == 2
    assert "reels" in capsys.readouterr().err
    (tmp_path / "empty.txt").write_text("   ")
    assert main(["post", str(folder), "--script", str(tmp_path / "empty.txt")]) == 2
    with Project.open(folder, read_only=True) as p:
        assert p.data.assets == [] and p.data.posts == []
