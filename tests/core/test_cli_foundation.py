"""The `studio` command line: new/info/consent/models/jobs, exit codes 0/1/2, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from studio.cli.main import main
from studio.core.project import Project


def run(capsys, *args):
    code = main(list(args))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_help_lists_commands():
    out = subprocess.run([sys.executable, "-m", "studio.cli.main", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for cmd in ("new", "info", "models", "jobs", "consent", "demo"):
        assert cmd in out.stdout


def test_new_info_json(tmp_path, capsys):
    code, out, _ = run(capsys, "new", "Ava", "--dir", str(tmp_path), "--json")
    assert code == 0 and json.loads(out)["path"].endswith("Ava.persona")
    code, out, _ = run(capsys, "info", str(tmp_path / "Ava.persona"), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["persona"]["name"] == "Ava" and doc["jobs"] == []


def test_bad_input_exit_2_and_failure_exit_1(tmp_path, capsys):
    code, _, err = run(capsys, "info", str(tmp_path / "missing.persona"))
    assert code == 2 and "studio new" in err
    (tmp_path / "Broken.persona").mkdir()
    (tmp_path / "Broken.persona" / "project.json").write_text("{nope")
    code, _, err = run(capsys, "info", str(tmp_path / "Broken.persona"))
    assert code == 1 and "corrupt" in err and "Traceback" not in err
    code, _, err = run(capsys, "consent", str(tmp_path / "Broken.persona"), "--subject", "A", "--granted-by", "A", "--date", "yesterday")
    assert code == 2 and "YYYY-MM-DD" in err


def test_consent_turns_persona_real(tmp_path, capsys):
    Project.create(tmp_path, "Real").close()
    code, _, _ = run(capsys, "consent", str(tmp_path / "Real.persona"), "--subject", "Ann", "--granted-by", "Ann", "--date", "2026-03-01")
    assert code == 0
    with Project.open(tmp_path / "Real.persona", read_only=True) as p:
        assert p.persona.kind == "real" and p.persona.consent.date == "2026-03-01"


def test_write_command_on_locked_project_fails_clearly(tmp_path, capsys):
    p = Project.create(tmp_path, "Ava")
    # a lock held by another live process (pid 1 on this host) blocks writers
    import json as _json
    import socket

    (p.path / ".lock").write_text(_json.dumps({"pid": 1, "host": socket.gethostname(), "since": "now"}))
    p._lock.held = False
    code, _, err = run(capsys, "consent", str(p.path), "--subject", "A", "--granted-by", "A", "--date", "2026-01-01")
    assert code == 1 and "open in process 1" in err
    code, out, _ = run(capsys, "info", str(p.path))  # reading still works
    assert code == 0 and "Ava" in out


def test_models_list_json_and_verify(capsys):
    code, out, _ = run(capsys, "models", "list", "--json")
    rows = {r["id"]: r for r in json.loads(out)}
    assert code == 0
    assert rows["dlib-face-models"]["status"] == "present" and rows["dlib-face-models"]["embedded"]
    assert rows["inswapper_128"]["status"] == "missing" and rows["inswapper_128"]["commercial_use"] is False
    code, _, err = run(capsys, "models", "download", "no-such-model")
    assert code == 2 and "studio models list" in err
    code, out, _ = run(capsys, "models", "verify", "inswapper_128")
    assert code == 1 and "studio models download inswapper_128" in out


def test_jobs_list_cancel_resume(tmp_path, capsys):
    from studio.core.jobs import JobQueue

    with Project.create(tmp_path, "Ava") as p:
        q = JobQueue(p.path / "jobs")
        job = q.submit("no-such-kind", {}, "Old job")
    code, out, _ = run(capsys, "jobs", "list", str(tmp_path / "Ava.persona"), "--json")
    assert code == 0 and json.loads(out)[0]["state"] == "queued"
    code, out, _ = run(capsys, "jobs", "cancel", str(tmp_path / "Ava.persona"), job.id)
    assert code == 0 and "cancelled" in out
    code, _, err = run(capsys, "jobs", "resume", str(tmp_path / "Ava.persona"), job.id)
    assert code == 2 and "No action 'no-such-kind'" in err


@pytest.mark.parametrize("args", [["--version"], ["-V"]])
def test_version(capsys, args):
    code, out, _ = run(capsys, *args)
    assert code == 0 and out.startswith("Persona Studio ")


def test_no_display_gives_a_message_not_a_qt_abort(monkeypatch, capsys):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    for args in ([], ["gui"]):
        code, _, err = run(capsys, *args)
        assert code == 1 and "xvfb-run" in err and "studio --help" in err


def test_wrong_ids_say_what_exists(tmp_path, capsys):
    """`studio export P tl-nope` said only "No timeline 'tl-nope'." (and a wrong track or clip the
    same): the message now lists what there is or names the command that does."""
    with Project.create(tmp_path, "Ava") as p:
        from studio.core.timeline import Timeline

        p.put_timeline(Timeline.empty("Main"))
    folder = str(tmp_path / "Ava.persona")
    code, _, err = run(capsys, "timeline", "show", folder, "-t", "nope")
    assert code == 2 and "Main (tl-" in err and "studio timeline new" in err
    code, _, err = run(capsys, "timeline", "add", folder, "--track", "sound", "--text", "hi")
    assert code == 2 and "use one of: video" in err
    code, _, err = run(capsys, "timeline", "move", folder, "clip-nope", "1.0")
    assert code == 2 and "studio timeline show" in err
