"""Reference faces: photos dropped from a file manager run the real faces.add job (dlib)."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from studio.core.jobs import JobState
from studio.core.paths import resources_dir


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
    _drop(panel, [resources_dir() / "demo" / "portrait.jpg", blank])
    job_id = next(iter(panel._my_jobs))
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
