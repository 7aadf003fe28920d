"""Fixtures for window tests: a main window on a fresh studio home, closed cleanly after."""

from __future__ import annotations

import pytest


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    """A MainWindow whose projects folder is under tmp_path; dialogs never block."""
    from PySide6.QtWidgets import QApplication

    from studio.core.settings import Settings
    from studio.gui import theme
    from studio.gui.main_window import MainWindow

    settings = Settings(projects_dir=str(tmp_path / "projects"), models_dir=str(tmp_path / "models"))
    settings.save()
    theme.apply(QApplication.instance())
    w = MainWindow(settings)
    w.ask_recover = lambda _p: True
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


@pytest.fixture
def demo_project(tmp_path):
    """A closed persona project with one imported still (the demo portrait)."""
    from studio.core.paths import resources_dir
    from studio.core.project import Project

    with Project.create(tmp_path / "projects", "Mara") as p:
        p.import_file(resources_dir() / "demo" / "portrait.jpg", "image", label="portrait")
        return p.path
