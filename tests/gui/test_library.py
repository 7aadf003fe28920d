"""Persona library: create, open, rename, duplicate, delete; the card; consent; recovery."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QStyleOptionViewItem

from studio.core.persona import Persona
from studio.core.project import Project


def test_create_persona_opens_it_and_lists_it(window, tmp_path):
    lib = window.panel("library")
    project = lib.create_persona(Persona(name="Mara Quinn", description="A climber"))
    assert project is not None and window.session.project is project
    assert (tmp_path / "projects" / "Mara Quinn.persona" / "project.json").exists()
    names = [lib.list.item(i).text() for i in range(lib.list.count())]
    assert names == ["Mara Quinn  (open)"]
    assert lib.card.name.text() == "Mara Quinn"
    assert "Synthetic" in lib.card.kind.text()
    assert "Mara Quinn" in window.windowTitle()
    assert str(project.path.resolve()) in window.settings.recent_projects


def test_create_with_bad_name_shows_the_core_message(window, qtbot):
    lib = window.panel("library")
    assert lib.create_persona(Persona(name="a/b")) is None
    box = window.findChild(QMessageBox)
    assert box is not None and "cannot be a project name" in box.text()
    assert box.detailedText() == ""  # an expected error: no traceback


def test_rename_duplicate_delete(window, demo_project):
    lib = window.panel("library")
    lib.refresh()
    renamed = lib.rename(demo_project, "Mara Two")
    assert renamed is not None and renamed.name == "Mara Two.persona" and not demo_project.exists()
    with Project.open(renamed, read_only=True) as p:
        assert p.persona.name == "Mara Two"
    copy = lib.duplicate(renamed, "Mara Copy")
    with Project.open(copy, read_only=True) as p:
        assert p.persona.name == "Mara Copy" and len(p.data.assets) == 1
        assert p.asset_path(p.data.assets[0]).exists()
    assert lib.delete(copy) and not copy.exists()
    names = [lib.list.item(i).text() for i in range(lib.list.count())]
    assert names == ["Mara Two"]


def test_delete_refuses_a_project_held_by_another_process(window, demo_project):
    lib = window.panel("library")
    holder = Project.open(demo_project)  # another holder of the lock (the CLI, another window)
    try:
        assert not lib.delete(demo_project)
    finally:
        holder.close()
    assert demo_project.exists()
    assert "Close it first" in window.findChild(QMessageBox).text()


def test_real_persona_card_and_consent(window, tmp_path):
    from studio.gui.dialogs import ConsentDialog, save_consent

    lib = window.panel("library")
    project = lib.create_persona(Persona(name="Real Ann", kind="real"))
    assert "no consent" in lib.card.kind.text()
    assert lib.card.consent_button.isVisibleTo(lib.card)
    dlg = ConsentDialog(project.persona, window)
    dlg.granted_by.setText("Ann Real")
    release = tmp_path / "release.pdf"
    release.write_bytes(b"%PDF-1.4 signed")
    dlg.document.setText(str(release))
    save_consent(project, dlg)
    assert project.persona.consent.granted_by == "Ann Real"
    assert (project.path / project.persona.consent.document).read_bytes() == b"%PDF-1.4 signed"
    assert "consent from Ann Real" in lib.card.kind.text()


def test_recovery_is_offered_and_restores_autosaved_edits(window, demo_project):
    from studio.core.timeline import Timeline

    with Project.open(demo_project) as p:
        p.put_timeline(Timeline.empty(name="Unsaved cut"), save=False)
        assert p.autosave() is not None  # then "crash": project.json never saved
    asked = []
    window.ask_recover = lambda proj: asked.append(proj.path) or True
    project = window.open_project(demo_project)
    assert asked and [t.name for t in project.data.timelines] == ["Unsaved cut"]


def test_autosave_timer_writes_a_recovery_copy(window, demo_project, qtbot):
    project = window.open_project(demo_project)
    window.timeline_dock.panel.create_timeline()
    window.timeline_dock.panel.add_caption("hello")
    assert project.dirty
    window.session.autosave_timer.setInterval(10)
    window.session.autosave_timer.start()
    qtbot.waitUntil(project.recovery_available, timeout=2000)
    window.save()
    assert not project.recovery_available() and not project.dirty


def test_same_named_projects_show_their_folders_and_their_own_cards(window, tmp_path):
    """Two 'Demo' projects (projects folder + opened from elsewhere) are told apart by a folder line."""
    from studio.core.paths import resources_dir
    from studio.core.persona import ReferenceFace
    from studio.gui.library_panel import FOLDER_ROLE, PATH_ROLE

    with Project.create(tmp_path / "projects", "Demo", persona=Persona(name="Demo", description="home copy")):
        pass  # the tmp folders are outside the home folder, so rows show the full folder path
    with Project.create(tmp_path / "elsewhere", "Demo", persona=Persona(name="Demo", description="away copy")) as p:
        ref = p.import_file(resources_dir() / "demo" / "portrait.jpg", "reference", label="portrait")
        p.update_persona(reference_faces=[ReferenceFace(id=ref.id, source_name="portrait.jpg", image=ref.path)])
        away = p.path
    window.open_project(away)
    lib = window.panel("library")
    window.show_panel("library")
    rows = {lib.list.item(i).data(FOLDER_ROLE): lib.list.item(i) for i in range(lib.list.count())}
    assert len(rows) == 2  # the folders differ even though the names are the same
    assert {r.text() for r in rows.values()} == {"Demo", "Demo  (open)"}
    assert set(rows) == {str((tmp_path / "elsewhere").resolve()), str((tmp_path / "projects").resolve())}
    for item in rows.values():
        lib.list.setCurrentItem(item)
        away_row = item.data(PATH_ROLE) == str(away)
        assert lib.card.description.text() == ("away copy" if away_row else "home copy")
        assert lib.card.faces_hint.text().startswith("1 reference face" if away_row else "No reference faces")
        assert lib.card.fields["Assets"].text() == ("1 reference" if away_row else "none yet")
        assert item.toolTip().startswith(item.data(PATH_ROLE))
    # the two-line rows paint (delegate) and are tall enough for both lines
    index = lib.list.model().index(0, 0)
    option = QStyleOptionViewItem()
    option.initFrom(lib.list)
    assert lib.list.itemDelegate().sizeHint(option, index).height() >= 2 * option.fontMetrics.height()
    assert not lib.list.viewport().grab().toImage().isNull()
