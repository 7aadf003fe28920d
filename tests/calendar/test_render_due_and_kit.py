"""Rendering the week's scripted posts through the batch path, then the publish kit of one."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from studio.actions import plan
from studio.cli.main import main
from studio.core.calendar import week_of
from studio.core.errors import BadInput
from studio.core.project import Project
from studio.core.settings import Settings

SMALL = {"size": [180, 320], "export_size": [240, 426], "engine": "camera"}
#: X is 16:9: inside this box it is 360×202, big enough for the cover's watermark (≥ 200 px)
WIDE = {**SMALL, "export_size": [360, 640]}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A persona with a face and three planned posts this week: two scripted, one idea."""
    import os

    from studio.core.paths import resources_dir
    from studio.farm.calendar import render_due
    from tests.jobs import run_job

    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("PERSONA_STUDIO_HOME")
    os.environ["PERSONA_STUDIO_HOME"] = str(home)
    try:
        root = tmp_path_factory.mktemp("cal")
        monday, sunday = week_of(date.today())
        with Project.create(root, "Nova") as p:
            job = run_job(p, "faces.add", {"photos": [str(resources_dir() / "demo" / "portrait.jpg")]})
            assert job.state.value == "done", job.error
            a = plan.add_item(p, monday, "Monday hello", ["reels", "x"], script="Hi everyone! A brand new week starts today, and I have big plans to share with you.",
                              post_options=WIDE)
            b = plan.add_item(p, sunday, "Sunday recap", ["tiktok"], script="That was the week.",
                              post_options=SMALL)
            c = plan.add_item(p, monday + timedelta(days=2), "Someday idea", ["tiktok"])
            later = plan.add_item(p, sunday + timedelta(days=1), "Next week", ["tiktok"], script="Later.",
                                  post_options=SMALL)
        res = render_due(root / "Nova.persona", monday, sunday, Settings())
        yield root / "Nova.persona", res, (a, b, c, later)
    finally:
        if old is None:
            os.environ.pop("PERSONA_STUDIO_HOME", None)
        else:
            os.environ["PERSONA_STUDIO_HOME"] = old


def test_due_posts_render_and_link_back(rendered):
    folder, res, (a, b, c, later) = rendered
    assert [i.id for i, _ in res.rendered] == [a.id, b.id]
    assert all(o.state == "done" for _, o in res.rendered), [o.error for _, o in res.rendered]
    assert [(i.id, why) for i, why in res.skipped] == [(c.id, "no script yet")]
    with Project.open(folder, read_only=True) as p:
        ia, ib = plan.get_item(p, a.id), plan.get_item(p, b.id)
        assert ia.state == ib.state == "rendered"
        post = p.post(ia.post_id)
        assert set(post.exports) == {"reels", "x"} and post.script.startswith("Hi everyone!")
        assert post.title == "Monday hello"
        assert set(p.post(ib.post_id).exports) == {"tiktok"}
        assert plan.get_item(p, later.id).state == "scripted"  # not due this week
        assert plan.get_item(p, c.id).state == "idea"


def test_kit_needs_approval_and_captions_within_limits(rendered, tmp_path, capsys):
    folder, _res, (a, *_rest) = rendered
    with Project.open(folder) as p:
        with pytest.raises(BadInput, match="approved posts"):
            from studio.actions.publish_kit import make_kit

            make_kit(p, a.id, tmp_path)
        plan.set_state(p, a.id, "approved")
        with pytest.raises(BadInput, match="no reels caption") as e:
            make_kit(p, a.id, tmp_path)
        assert "no x caption" in str(e.value)
        plan.set_upload(p, a.id, "reels", "New week, new goals.", "#monday #goals #Monday")
        plan.set_upload(p, a.id, "x", "a" * 281)
        with pytest.raises(BadInput, match="X .* caption is 281 weighted characters.*at most 280.*Shorten it by 1"):
            make_kit(p, a.id, tmp_path)
        plan.set_upload(p, a.id, "x", "New week! https://example.com/" + "z" * 300)  # a URL counts 23
    assert main(["plan", "kit", str(folder), a.id, "-o", str(tmp_path), "--json"]) == 0
    kit = json.loads(capsys.readouterr().out)
    reels = tmp_path / f"{date.today().isoformat()}"  # noqa: F841 - the folder name starts with the date
    assert set(kit["platforms"]) == {"reels", "x"}
    rf = kit["platforms"]["reels"]
    from pathlib import Path

    files = {f.name for f in Path(rf["folder"]).iterdir()}
    assert {"caption.txt", "checklist.md", "captions.srt", "cover.jpg", "monday-hello-reels.mp4"} <= files
    assert (Path(rf["folder"]) / "caption.txt").read_text() == "New week, new goals.\n\n#monday #goals\n"
    assert (Path(rf["folder"]) / "captions.srt").read_text().count("-->") >= 1
    checklist = (Path(rf["folder"]) / "checklist.md").read_text()
    assert "Duration" in checklist and "File size" in checklist and "aspect" in checklist
    assert "Hashtags 2 / 30" in checklist
    media = [c for c in rf["checks"] if c["check"].startswith(("Duration", "File size", "Frame"))]
    assert len(media) == 3 and all(c["ok"] for c in media), media
    # the verdict of the export's whole provenance chain is on the checklist (embedded models: allowed)
    assert "Commercial use: allowed" in checklist and kit["warnings"] == []
    # marked published by hand with the post URL
    assert main(["plan", "set-state", str(folder), a.id, "published", "--url", "https://www.instagram.com/p/1"]) == 2
    assert "--platform" in capsys.readouterr().err
    assert main(["plan", "set-state", str(folder), a.id, "published", "--url", "https://www.instagram.com/p/1",
                 "-p", "reels"]) == 2  # x still has no URL
    err = capsys.readouterr().err
    assert "Recorded the reels URL" in err and "post URL for x" in err
    assert main(["plan", "set-state", str(folder), a.id, "published", "--url", "https://x.com/nova/status/2",
                 "-p", "x", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["state"] == "published" and set(done["published"]) == {"reels", "x"}
