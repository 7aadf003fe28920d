"""Issue 20, bad input as a new user types it, at the default window size and at 1280x720: a
rejected new-persona name keeps the open persona and the dialog with its text; names over 120
characters get our own message and the limit is in the field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from studio.core.persona import NAME_MAX


def test_rejected_new_persona_name_keeps_the_open_persona_and_the_dialog(sized_window, demo_project, qtbot):
    window = sized_window
    project = window.open_project(demo_project)
    assets_before = window.asset_bin.list.count()
    assert assets_before == 1
    dlg = window.panel("library").new_persona()
    qtbot.waitExposed(dlg)
    bad = "AC/DC ../../etc Fan: Mara/Quinn"
    qtbot.keyClicks(dlg.name, bad)
    dlg.description.setText("A fan")
    qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and dlg.name.text() == bad and dlg.description.text() == "A fan"
    assert dlg.problem.isVisible() and "cannot be a project name" in dlg.problem.text()
    assert window.session.project is project and not project.read_only  # still open, still ours
    assert window.asset_bin.list.count() == assets_before
    assert project.name in window.project_label.text()
    assert window.findChild(QMessageBox) is None  # said in the dialog, not by closing it
    # a good name then creates and opens the new persona
    dlg.name.setText("Mara Quinn Fan")
    qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible()
    assert window.session.project.name == "Mara Quinn Fan"


def test_names_over_120_characters_get_our_message_and_the_field_shows_the_limit(sized_window, demo_project, qtbot):
    window = sized_window
    lib = window.panel("library")
    dlg = lib.new_persona()
    assert dlg.name.maxLength() == NAME_MAX and f"{NAME_MAX} characters" in dlg.name_hint.text()
    qtbot.keyClicks(dlg.name, "n" * (NAME_MAX + 10))
    assert len(dlg.name.text()) == NAME_MAX  # the field stops at the limit
    dlg.reject()
    # a longer name from elsewhere (a pasted rename, a script) gets the limit in words, no pydantic
    lib.refresh()
    assert lib.rename(demo_project, "r" * (NAME_MAX + 1)) is None
    box = window.findChild(QMessageBox)
    assert box is not None and f"at most {NAME_MAX} characters" in box.text()
    assert "pydantic" not in box.text() and "ValidationError" not in box.text() and box.detailedText() == ""
    box.close()
    lib.list.setCurrentRow(0)
    lib.rename_selected()
    name_dlg = lib.name_dialog
    assert name_dlg.name.maxLength() == NAME_MAX
    name_dlg.name.setText("bad/name")
    name_dlg.accept()
    assert name_dlg.isVisible() and "cannot be a project name" in name_dlg.problem.text()
    name_dlg.name.setText("Mara Renamed")
    name_dlg.accept()
    assert not name_dlg.isVisible() and demo_project.with_name("Mara Renamed.persona").is_dir()
