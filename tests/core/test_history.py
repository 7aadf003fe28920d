"""The timeline undo history kept in the project: one UndoStack per timeline, stored atomically and
bounded, that `studio timeline undo|redo` and the window share (issue 13 item 3)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from studio.cli.main import app
from studio.core.errors import StudioError
from studio.core.history import HISTORY_DIR, TimelineHistory, fingerprint
from studio.core.paths import resources_dir
from studio.core.project import Project
from studio.core.timeline import AddClip, Clip, RemoveClip, Timeline, UndoStack, move_clip


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path, "Hist")
    p.import_file(resources_dir() / "demo" / "portrait.jpg", "image", label="portrait")
    p.put_timeline(Timeline.empty())
    yield p
    p.close()


def test_history_persists_between_openings_and_undoes_in_order(project):
    h = TimelineHistory(project)
    clip = Clip(asset_id=project.data.assets[0].id, start=0, out_point=3)
    h.edit(None, AddClip(track="video", clip=clip))
    h.edit(None, move_clip(project.timeline(), clip.id, 2.0))
    deleted = h.edit(None, RemoveClip(clip_id=clip.id))
    assert deleted.removed == clip.model_copy(update={"start": 2.0})  # bound once, by the stack
    path = project.path
    project.close()
    with Project.open(path) as p:  # a later command: the history is read from the project
        h = TimelineHistory(p)
        assert [c.label for c in h.stack().done] == ["Add clip", "Move clip", "Delete clip"]
        assert h.undo().label == "Delete clip"
        assert p.timeline().track("video").clips[0].start == 2.0
        assert h.undo().label == "Move clip"
        assert h.redo().label == "Move clip"
    with Project.open(path) as p:
        h = TimelineHistory(p)
        assert h.stack().undo_label == "Move clip" and h.stack().redo_label == "Delete clip"
        h.edit(None, move_clip(p.timeline(), clip.id, 4.0))  # a new edit clears the redo list
        assert not h.stack().can_redo
        with pytest.raises(StudioError, match="Nothing to redo"):
            h.redo()


def test_history_is_bounded_and_written_atomically(project):
    h = TimelineHistory(project, limit=5)
    clip = Clip(asset_id=project.data.assets[0].id, start=0, out_point=3)
    h.edit(None, AddClip(track="video", clip=clip))
    for i in range(1, 9):
        h.edit(None, move_clip(project.timeline(), clip.id, float(i)))
    doc = json.loads((project.path / HISTORY_DIR / f"{project.timeline().id}.json").read_text())
    assert len(doc["done"]) == 5 and doc["fingerprint"] == fingerprint(project.timeline())
    assert not list((project.path / HISTORY_DIR).glob("*.tmp"))
    for _ in range(5):
        h.undo()
    assert project.timeline().track("video").clips[0].start == 3.0  # only the last five go back
    with pytest.raises(StudioError, match="Nothing to undo"):
        h.undo()


def test_a_timeline_changed_outside_the_history_starts_a_new_one(project):
    h = TimelineHistory(project)
    clip = Clip(asset_id=project.data.assets[0].id, start=0, out_point=3)
    h.edit(None, AddClip(track="video", clip=clip))
    # a job (post, captions) rebuilds the timeline without recording an edit
    tl = project.timeline()
    project.put_timeline(AddClip(track="captions", clip=Clip(start=0, out_point=1, text="hi")).apply(tl))
    assert not TimelineHistory(project).stack().can_undo  # the stored edits no longer describe it
    # a damaged history file is no history, not a crash
    (project.path / HISTORY_DIR / f"{tl.id}.json").write_text("{not json")
    assert not TimelineHistory(project).stack().can_undo


def test_undo_stack_clean_state_follows_saves():
    tl = Timeline.empty()
    st = UndoStack(tl)
    assert st.is_clean
    st.push(AddClip(track="captions", clip=Clip(start=0, out_point=1, text="a")))
    assert not st.is_clean
    st.mark_clean()
    st.undo()
    assert not st.is_clean
    st.redo()
    assert st.is_clean
    st.undo()
    st.push(AddClip(track="captions", clip=Clip(start=2, out_point=1, text="b")))
    assert not st.is_clean  # the saved state was undone and replaced: unreachable


def test_cli_undo_and_redo_persist_between_commands(project):
    still = project.data.assets[0].id
    path = str(project.path)
    project.close()
    run = CliRunner().invoke
    r = run(app, ["timeline", "add", path, still, "--track", "video"])
    assert r.exit_code == 0, r.output
    clip = r.output.strip()
    assert run(app, ["timeline", "move", path, clip, "2.5"]).exit_code == 0
    r = run(app, ["timeline", "undo", path])
    assert r.exit_code == 0 and "Undid Move clip" in r.output, r.output
    with Project.open(path, read_only=True) as p:
        assert p.timeline().track("video").clips[0].start == 0.0
    r = run(app, ["timeline", "undo", path, "Main"])
    assert r.exit_code == 0 and "Undid Add clip" in r.output
    r = run(app, ["timeline", "undo", path])
    assert isinstance(r.exception, StudioError) and "Nothing to undo" in str(r.exception)
    r = run(app, ["timeline", "redo", path])
    assert r.exit_code == 0 and "Redid Add clip" in r.output
    r = run(app, ["timeline", "redo", path])
    assert r.exit_code == 0 and "Redid Move clip" in r.output
    with Project.open(path, read_only=True) as p:
        assert p.timeline().track("video").clips[0].start == 2.5
