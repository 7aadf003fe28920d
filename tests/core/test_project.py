"""Persona project files: round trip, migration, corrupt files, locking, crash safety."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from studio.core.assets import Provenance
from studio.core.errors import (
    BadInput,
    NotFound,
    ProjectCorrupt,
    ProjectLocked,
    ReadOnlyProject,
    SchemaTooNew,
)
from studio.core.persona import ConsentRecord, Persona
from studio.core.project import Project
from studio.core.schema import SCHEMA_VERSION
from studio.core.timeline import AddClip, Clip, Timeline


def test_create_makes_folders_and_round_trips(tmp_path):
    persona = Persona(name="Ava", kind="real", description="Travel creator",
                      consent=ConsentRecord(subject_name="Ava R.", granted_by="Ava R.", date="2026-01-02"))
    with Project.create(tmp_path, "Ava", persona) as p:
        for sub in ("refs", "stills", "clips", "audio", "exports", "jobs"):
            assert (p.path / sub).is_dir()
        staged = p.stage(".png")
        staged.write_bytes(b"png-bytes")
        asset = p.register(staged, "still", Provenance(pipeline="sdxl", seed=7, parameters={"prompt": "beach"},
                                                        scores={"identity": 81.5}))
        tl = AddClip(track="video", clip=Clip(asset_id=asset.id, start=0, out_point=3)).apply(Timeline.empty())
        p.put_timeline(tl)
    with Project.open(tmp_path / "Ava.persona") as q:
        assert q.persona.consent.subject_name == "Ava R."
        a = q.asset(asset.id)
        assert a.provenance.seed == 7 and a.provenance.scores["identity"] == 81.5
        assert (q.path / a.path).read_bytes() == b"png-bytes"
        assert a.sha256 == hashlib.sha256(b"png-bytes").hexdigest() and a.size == 9
        assert q.timeline().tracks[0].clips[0].asset_id == asset.id
        assert q.data.schema_version == SCHEMA_VERSION


def test_bad_names_and_existing_folder(tmp_path):
    with pytest.raises(BadInput, match="cannot be a project name"):
        Project.create(tmp_path, "a/b")
    Project.create(tmp_path, "Ava").close()
    with pytest.raises(BadInput, match="already exists"):
        Project.create(tmp_path, "Ava")


def test_open_by_name_and_missing(tmp_path):
    Project.create(tmp_path, "Ava").close()
    with Project.open(tmp_path / "Ava") as p:  # suffix optional
        assert p.name == "Ava"
    with pytest.raises(NotFound, match="studio new"):
        Project.open(tmp_path / "Nobody")


def test_migrates_v1_and_keeps_backup(tmp_path):
    folder = tmp_path / "Old.persona"
    folder.mkdir()
    v1 = {
        "schema_version": 1,
        "persona": {"name": "Old", "voice": "piper-en_US-joe-medium", "real_person": False},
        "assets": {"still-1": {"kind": "still", "path": "stills/still-1.png", "sha256": "0" * 64,
                               "provenance": {"pipeline": "sdxl"}}},
    }
    (folder / "project.json").write_text(json.dumps(v1))
    with Project.open(folder) as p:
        assert p.migrated_from[0] == 1  # then through every later migration
        assert p.persona.voice.voice_id == "piper-en_US-joe-medium"
        assert p.persona.kind == "synthetic"
        assert p.asset("still-1").kind == "still"
    assert json.loads((folder / "project.json").read_text())["schema_version"] == SCHEMA_VERSION
    assert json.loads((folder / "project.v1.json.bak").read_text()) == v1


@pytest.mark.parametrize(
    "content, error, message",
    [
        ('{"schema_version": 2, "persona": {"name": ', ProjectCorrupt, "line 1"),
        ("[1, 2]", ProjectCorrupt, "JSON object"),
        ('{"persona": {"name": "x"}}', ProjectCorrupt, "schema_version"),
        ('{"schema_version": 99, "persona": {"name": "x"}}', SchemaTooNew, "newer Persona Studio"),
        ('{"schema_version": 2, "persona": {"name": ""}}', ProjectCorrupt, "persona.name"),
    ],
)
def test_corrupt_or_unknown_version_is_reported_not_overwritten(tmp_path, content, error, message):
    folder = tmp_path / "Bad.persona"
    folder.mkdir()
    (folder / "project.json").write_text(content)
    with pytest.raises(error, match=message):
        Project.open(folder)
    assert (folder / "project.json").read_text() == content  # never silently rewritten
    assert not (folder / ".lock").exists()  # a failed open releases the lock


def test_second_opener_in_another_process_is_read_only(tmp_path):
    Project.create(tmp_path, "Ava").close()
    folder = tmp_path / "Ava.persona"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from studio.core.project import Project
            p = Project.open({str(folder)!r})
            print("locked", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        p = Project.open(folder)
        assert p.read_only and "open in process" in p.read_only_reason
        with pytest.raises(ReadOnlyProject):
            p.update_persona(description="x")
        with pytest.raises(ProjectLocked, match="try again"):
            Project.open(folder, require_write=True)
    finally:
        holder.kill()
        holder.wait()
    # the holder died without releasing: its stale lock is taken over
    with Project.open(folder, require_write=True) as p2:
        assert not p2.read_only


def test_kill_during_save_loses_nothing(tmp_path):
    """A process killed while saving over and over leaves a valid project.json every time."""
    Project.create(tmp_path, "Ava").close()
    folder = tmp_path / "Ava.persona"
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            from studio.core.project import Project
            p = Project.open({str(folder)!r})
            i = 0
            print("go", flush=True)
            while True:
                i += 1
                p.update_persona(description="x" * (i % 5000), style_prompt=str(i))
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    assert writer.stdout.readline().strip() == "go"
    time.sleep(1.0)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    with Project.open(folder) as p:  # valid JSON, valid schema, stale lock taken over
        assert int(p.persona.style_prompt) > 1
        assert len(p.persona.description) == int(p.persona.style_prompt) % 5000
    leftovers = [f for f in os.listdir(folder) if f.endswith(".tmp")]
    assert len(leftovers) <= 1  # at most the temp file of the write that was killed


def test_unregistered_staging_is_cleaned_and_never_an_asset(tmp_path):
    with Project.create(tmp_path, "Ava") as p:
        half = p.stage(".mp4")
        half.write_bytes(b"half-written")
    with Project.open(tmp_path / "Ava.persona") as p:
        assert not half.exists()
        assert p.data.assets == []


def test_autosave_recovery_copy(tmp_path):
    with Project.create(tmp_path, "Ava") as p:
        p.put_timeline(Timeline.empty("Draft"), save=False)
        assert p.dirty
        rec = p.autosave()
        assert rec and rec.exists()
    # simulate a crash that corrupts project.json: the recovery copy restores the unsaved edit
    folder = tmp_path / "Ava.persona"
    (folder / "project.json").write_text("{broken")
    with pytest.raises(ProjectCorrupt, match="studio recover"):
        Project.open(folder)
    Project.recover(folder)
    with Project.open(folder) as p:
        assert p.timeline().name == "Draft"
    assert list(folder.glob("project.json.corrupt-*"))


def test_remove_asset_moves_file_to_trash(tmp_path):
    with Project.create(tmp_path, "Ava") as p:
        f = p.stage(".wav")
        f.write_bytes(b"RIFF")
        a = p.register(f, "narration", Provenance(pipeline="piper"))
        p.remove_asset(a.id)
        assert not (p.path / a.path).exists()
        assert (p.path / ".trash" / Path(a.path).name).exists()
        with pytest.raises(NotFound):
            p.asset(a.id)


def test_real_persona_needs_consent():
    from studio.core.errors import ConsentRequired

    with pytest.raises(ConsentRequired, match="studio consent"):
        Persona(name="Real", kind="real").require_consent("swap a face")
    Persona(name="Synthetic").require_consent("swap a face")


def test_recover_refuses_a_project_open_elsewhere_and_accepts_a_name(tmp_path, monkeypatch):
    """`studio recover` replaced project.json even while another process had the project open
    (its next save would undo or mix the recovery); it also needed the exact '.persona' path."""
    with Project.create(tmp_path, "Ava") as p:
        p.put_timeline(Timeline.empty("Draft"), save=False)
        p.autosave()
        with pytest.raises(ProjectLocked, match="studio recover"):
            Project.recover(p.path)
        assert (p.path / ".recovery" / "project.json").exists()  # untouched
    monkeypatch.chdir(tmp_path)
    restored = Project.recover("Ava")
    assert restored.resolve() == tmp_path / "Ava.persona" / "project.json"
    with Project.open(tmp_path / "Ava.persona") as p:
        assert p.timeline().name == "Draft"


def test_register_moves_across_drives(tmp_path, monkeypatch):
    """register used bare os.replace: a file staged on another drive (Windows C: temp -> D:
    project) or mount failed with an OSError traceback instead of being moved."""
    import errno as _errno

    import studio.core.project as project_mod

    real_replace = os.replace

    def replace(src, dest):  # renames inside one folder work; across folders act like two drives
        if Path(src).parent != Path(dest).parent:
            raise OSError(_errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dest)

    monkeypatch.setattr(project_mod.os, "replace", replace)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "take.wav").write_bytes(b"RIFF-take")
    (outside / "take.words.json").write_text("[]")
    with Project.create(tmp_path, "Ava") as p:
        a = p.register(outside / "take.wav", "narration", Provenance(pipeline="piper"),
                       extra_files={".words.json": outside / "take.words.json"})
        assert p.asset_path(a).read_bytes() == b"RIFF-take" and p.sidecar(a, ".words.json").exists()
    assert list(outside.iterdir()) == []
    assert not list((tmp_path / "Ava.persona" / "audio").glob(".*moving"))


def test_rename_moves_folder_and_persona_together(tmp_path):
    with Project.create(tmp_path, "Ava") as p:
        staged = p.stage(".png")
        staged.write_bytes(b"x")
        a = p.register(staged, "still", Provenance(pipeline="test"))
        new = p.rename("Ava Two")
        assert new == tmp_path / "Ava Two.persona" and not (tmp_path / "Ava.persona").exists()
        assert (new / ".lock").exists()  # still held while open
        with pytest.raises(ProjectLocked):
            Project.open(new, require_write=True)
        assert p.asset_path(a).read_bytes() == b"x"
        with pytest.raises(BadInput, match="cannot be a project name"):
            p.rename("bad:name")
        Project.create(tmp_path, "Taken").close()
        with pytest.raises(BadInput, match="already exists"):
            p.rename("Taken")
    with Project.open(tmp_path / "Ava Two.persona") as q:
        assert q.name == "Ava Two"
