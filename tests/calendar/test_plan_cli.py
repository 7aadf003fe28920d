"""`studio plan`: add, list, move, set-state, captions with platform limits, .ics parsed back."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from studio.cli.main import main
from studio.core.project import Project


@pytest.fixture
def folder(tmp_path):
    Project.create(tmp_path, "Mara").close()
    return str(tmp_path / "Mara.persona")


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_add_list_move_and_states(folder, capsys):
    assert main(["plan", "add", folder, "2025-03-04", "Morning run", "-p", "tiktok", "-p", "Reels",
                 "--time", "07:30", "--json"]) == 0
    item = _json(capsys)
    assert item["state"] == "idea" and item["platforms"] == ["tiktok", "reels"] and item["time"] == "07:30"
    assert main(["plan", "add", folder, "2025-03-02", "Coffee", "--text", "Coffee first.", "--json"]) == 0
    coffee = _json(capsys)
    assert coffee["state"] == "scripted" and coffee["platforms"] == ["reels", "feed", "square"]  # persona defaults
    assert main(["plan", "list", folder, "--json"]) == 0
    assert [i["topic"] for i in _json(capsys)] == ["Coffee", "Morning run"]  # by date
    assert main(["plan", "move", folder, item["id"], "2025-03-01", "--json"]) == 0
    assert _json(capsys)["date"] == "2025-03-01"
    assert main(["plan", "list", folder, "--from", "2025-03-02", "--json"]) == 0
    assert [i["topic"] for i in _json(capsys)] == ["Coffee"]
    assert main(["plan", "list", folder, "--state", "idea", "--json"]) == 0
    assert [i["topic"] for i in _json(capsys)] == ["Morning run"]
    # forward needs what the state means; the message says what to do
    assert main(["plan", "set-state", folder, item["id"], "scripted"]) == 2
    assert "no script" in capsys.readouterr().err
    assert main(["plan", "edit", folder, "Morning run", "--text", "Five k before sunrise.", "--json"]) == 0
    assert _json(capsys)["state"] == "scripted"  # a script makes an idea scripted
    assert main(["plan", "set-state", folder, item["id"], "rendered"]) == 2
    assert "Render it" in capsys.readouterr().err
    assert main(["plan", "set-state", folder, item["id"], "idea", "--json"]) == 0
    assert _json(capsys)["state"] == "idea"
    assert main(["plan", "set-state", folder, item["id"], "finished"]) == 2
    assert main(["plan", "move", folder, "nope", "2025-03-01"]) == 2
    assert "studio plan list" in capsys.readouterr().err
    assert main(["plan", "add", folder, "someday", "x"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["plan", "add", folder, "today", "x", "-p", "myspace"]) == 2
    assert "tiktok" in capsys.readouterr().err
    assert main(["plan", "remove", folder, coffee["id"]]) == 0
    with Project.open(folder, read_only=True) as p:
        assert [i.topic for i in p.data.calendar] == ["Morning run"]


def test_captions_warn_over_the_platform_limit(folder, capsys):
    assert main(["plan", "add", folder, "today", "Trip", "-p", "x", "-p", "reels", "--json"]) == 0
    item = _json(capsys)["id"]
    assert main(["plan", "caption", folder, item, "-p", "x", "--text", "日本" * 100, "--json"]) == 0
    res = _json(capsys)
    assert res["problems"] and "400 weighted characters" in res["problems"][0]  # CJK counts 2 on X
    tags = " ".join(f"#tag{i}" for i in range(31))
    assert main(["plan", "caption", folder, item, "-p", "reels", "--text", "Hello", "--hashtags", tags, "--json"]) == 0
    res = _json(capsys)
    assert len(res["hashtags"]) == 31 and "at most 30" in res["problems"][0]


def test_ics_export_parses_back_with_icalendar(folder, tmp_path, capsys):
    from icalendar import Calendar

    assert main(["plan", "add", folder, "2025-05-01", "Launch day", "-p", "tiktok", "--time", "18:30",
                 "--text", "Big news today.", "--json"]) == 0
    a = _json(capsys)["id"]
    assert main(["plan", "add", folder, "2025-05-03", "Q&A, part 2; \"quotes\"", "--notes", "line1\nline2"]) == 0
    out = tmp_path / "mara.ics"
    assert main(["plan", "ics", folder, str(out)]) == 0
    raw = out.read_bytes()
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))  # RFC 5545 folding
    cal = Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 2 and str(cal["X-WR-CALNAME"]).startswith("Mara")
    first = next(e for e in events if str(e["UID"]).startswith(a))
    assert first.decoded("DTSTART").isoformat() == "2025-05-01T18:30:00"
    assert first.decoded("DTEND") - first.decoded("DTSTART") == timedelta(minutes=30)
    assert "Big news today." in str(first["DESCRIPTION"]) and str(first["STATUS"]) == "TENTATIVE"
    second = next(e for e in events if e is not first)
    assert second.decoded("DTSTART") == date(2025, 5, 3)  # all-day
    assert "Q&A, part 2; \"quotes\"" in str(second["SUMMARY"])
    assert "line1\nline2" in str(second["DESCRIPTION"])
    # stable UIDs: exporting again gives the same events
    assert main(["plan", "ics", folder, str(out)]) == 0
    assert {str(e["UID"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")} == {
        str(e["UID"]) for e in events}


def test_render_with_nothing_due_says_what_it_skipped(folder, capsys):
    assert main(["plan", "add", folder, "today", "Only an idea"]) == 0
    capsys.readouterr()
    assert main(["plan", "render", folder, "--json"]) == 0
    res = _json(capsys)
    assert res["rendered"] == [] and [s["reason"] for s in res["skipped"]] == ["no script yet"]
    assert main(["plan", "render", folder, "--from", "2025-03-09", "--to", "2025-03-01"]) == 2
    assert "before --from" in capsys.readouterr().err
