"""Reference faces: photos dropped from a file manager run the real faces.add job (dlib)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from studio.core.jobs import JobState
from studio.core.paths import resources_dir
from studio.core.persona import ConsentRecord, LikenessStatement


def _drop(widget, files):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)
    return event


def test_dropped_photos_are_accepted_or_rejected(window, demo_project, qtbot, tmp_path):
    project = window.open_project(demo_project)
    window.show_panel("faces")
    panel = window.panel("faces")
    assert panel.empty.isVisibleTo(panel)
    blank = tmp_path / "wall.png"
    Image.fromarray(np.full((300, 300, 3), 128, np.uint8)).save(blank)
    asked = []
    panel.ask_likeness = lambda photos: asked.append(photos) or "synthetic"  # "invented, not a real person"
    _drop(panel, [resources_dir() / "demo" / "portrait.jpg", blank])
    assert len(asked) == 1 and len(asked[0]) == 2
    job_id = next(iter(panel.runner.ids))
    with qtbot.waitSignal(window.jobs.finished, timeout=120000, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    job = sig.args[0]
    assert job.state == JobState.done, job.error
    assert len(project.persona.reference_faces) == 1
    qtbot.waitUntil(lambda: panel.flow.count() == 1)
    tile = panel.flow.itemAt(0).widget()
    from PySide6.QtWidgets import QLabel

    assert tile.ref.source_name == "portrait.jpg" and len(tile.ref.box) == 4
    assert any("px face" in w.text() for w in tile.findChildren(QLabel))
    assert "wall.png" in panel.rejected_label.text() and "face" in panel.rejected_label.text().lower()
    # the answer is kept with the consent data, and asked only once
    stated = project.persona.likeness
    assert stated.not_a_real_person and stated.stated_in == "window" and stated.first_photo == "portrait.jpg"
    assert "stated its face is no real person's" in panel.consent.text()
    # the persona card shows the identity thumbnail
    lib = window.panel("library")
    lib.refresh()
    assert lib.card.faces_row.count() >= 2  # one thumbnail + stretch
    # remove it again through the faces.remove job
    rid = panel.remove(tile.ref.id)
    with qtbot.waitSignal(window.jobs.finished, timeout=60000, check_params_cb=lambda j: j.id == rid):
        pass
    assert project.persona.reference_faces == []
    qtbot.waitUntil(lambda: panel.flow.count() == 0)


def test_rejected_photo_job_says_rejected_not_done(sized_window, demo_project, qtbot, tmp_path):
    """A text file named .jpg: the page, the jobs dock and the status bar all say it was rejected."""
    window = sized_window
    project = window.open_project(demo_project)
    project.update_persona(likeness=LikenessStatement(first_photo="earlier.jpg"))  # asked before
    window.show_panel("faces")
    panel = window.panel("faces")
    fake = tmp_path / "holiday.jpg"
    fake.write_text("this is not a photo")
    panel.ask_likeness = lambda _photos: pytest.fail("asked again")
    job_id = panel.add_photos([fake])
    with qtbot.waitSignal(window.jobs.finished, timeout=60000, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    job = sig.args[0]
    assert job.state == JobState.done and job.result["summary"] == "0 added, 1 rejected"
    assert "holiday.jpg" in panel.rejected_label.text()
    window.jobs_dock.refresh()
    row = window.jobs_dock.rows[job_id]
    assert row.state.text() == "rejected" and row.detail.text() == "0 added, 1 rejected"
    assert "rejected" in window.statusBar().currentMessage() and "done" not in window.statusBar().currentMessage()
    assert "0 added, 1 rejected" in panel.status.text()


def test_a_real_person_answer_records_consent_first(window, demo_project, qtbot, monkeypatch):
    project = window.open_project(demo_project)
    panel = window.panel("faces")
    panel.ask_likeness = lambda _photos: "real"
    monkeypatch.setattr(panel, "record_consent", lambda: False)  # the user closes the consent dialog
    assert panel.add_photos([resources_dir() / "demo" / "portrait.jpg"]) is None  # nothing started
    assert project.persona.kind == "synthetic" and not window.jobs.running_ids()

    def consent() -> bool:
        project.update_persona(kind="real", consent=ConsentRecord(subject_name="Ann", granted_by="Ann", date="2026-01-01"))
        return True

    monkeypatch.setattr(panel, "record_consent", consent)
    job_id = panel.add_photos([resources_dir() / "demo" / "portrait.jpg"])
    with qtbot.waitSignal(window.jobs.finished, timeout=60000, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    assert sig.args[0].state == JobState.done and project.persona.kind == "real"
    assert project.persona.likeness is None and len(project.persona.reference_faces) == 1
