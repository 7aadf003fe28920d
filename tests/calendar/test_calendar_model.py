"""The content calendar in the project file: states, rules, migration of older projects."""

from __future__ import annotations

import json
from datetime import date

import pytest

from studio.core.calendar import PlanItem, UploadText, check_state, parse_date, week_of
from studio.core.errors import BadInput
from studio.core.project import Project
from studio.core.schema import SCHEMA_VERSION


def test_v2_project_gets_an_empty_calendar_and_keeps_a_backup(tmp_path):
    folder = tmp_path / "Old.persona"
    folder.mkdir()
    v2 = {"schema_version": 2, "persona": {"name": "Old"}, "assets": [], "timelines": [],
          "posts": [{"id": "post-1", "title": "Hi", "script": "Hello there."}]}
    (folder / "project.json").write_text(json.dumps(v2))
    with Project.open(folder) as p:
        assert p.migrated_from[0] == 2  # then through every later migration
        assert p.data.calendar == []
        assert p.post("post-1").script == "Hello there."
    doc = json.loads((folder / "project.json").read_text())
    assert doc["schema_version"] == SCHEMA_VERSION and doc["calendar"] == []
    assert json.loads((folder / "project.v2.json.bak").read_text()) == v2


def test_calendar_round_trips_through_project_json(tmp_path):
    with Project.create(tmp_path, "Ava") as p:
        with p.editing("calendar") as data:
            data.calendar.append(PlanItem(date=date(2025, 3, 4), time="18:30", topic="Morning run",
                                          platforms=["tiktok", "reels"],
                                          upload={"tiktok": UploadText(caption="Up early", hashtags=["run"])}))
    with Project.open(tmp_path / "Ava.persona") as q:
        item = q.data.calendar[0]
        assert item.date == date(2025, 3, 4) and item.time == "18:30" and item.state == "idea"
        assert item.upload["tiktok"].text() == "Up early\n\n#run"
    assert json.loads((tmp_path / "Ava.persona" / "project.json").read_text())["calendar"][0]["date"] == "2025-03-04"


def test_states_move_forward_only_with_what_they_need():
    item = PlanItem(date=date(2025, 1, 6), topic="Coffee", platforms=["tiktok"])
    with pytest.raises(BadInput, match="no script"):
        check_state(item, "scripted")
    item.script = "Coffee time."
    assert check_state(item, "scripted") == "scripted"
    with pytest.raises(BadInput, match="no post"):
        check_state(item, "rendered")
    item.post_id = "post-1"
    item.state = "rendered"
    with pytest.raises(BadInput, match="no exports"):
        check_state(item, "approved", has_exports=False)
    assert check_state(item, "approved", has_exports=True) == "approved"
    item.state = "approved"
    with pytest.raises(BadInput, match="post URL for tiktok"):
        check_state(item, "published", has_exports=True)
    item.published["tiktok"] = "https://www.tiktok.com/@ava/video/1"
    assert check_state(item, "published", has_exports=True) == "published"
    assert check_state(item, "idea") == "idea"  # going back is always allowed
    with pytest.raises(BadInput, match="not a calendar state"):
        check_state(item, "done")


def test_dates_and_weeks():
    assert parse_date("2025-02-28") == date(2025, 2, 28)
    assert (parse_date("+2") - date.today()).days == 2
    with pytest.raises(BadInput, match="YYYY-MM-DD"):
        parse_date("next friday")
    assert week_of(date(2025, 3, 5)) == (date(2025, 3, 3), date(2025, 3, 9))  # Wed -> Mon..Sun
    with pytest.raises(ValueError, match="HH:MM"):
        PlanItem(date=date(2025, 1, 1), topic="x", time="25:00")
