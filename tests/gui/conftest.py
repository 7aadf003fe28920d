"""Fixtures for window tests: a main window on a fresh studio home, closed cleanly after."""

from __future__ import annotations

import pytest


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    """A MainWindow (default size) whose projects folder is under tmp_path; dialogs never block."""
    yield from _window(qtbot, tmp_path, DEFAULT)


#: the window sizes every layout test runs at: the first-start size and a 1280x720 laptop
DEFAULT, LAPTOP = (1480, 920), (1280, 720)


def _window(qtbot, tmp_path, size):
    from PySide6.QtWidgets import QApplication

    from studio.core.settings import Settings
    from studio.gui import theme
    from studio.gui.main_window import MainWindow

    settings = Settings(projects_dir=str(tmp_path / "projects"), models_dir=str(tmp_path / "models"))
    settings.save()
    theme.apply(QApplication.instance())
    w = MainWindow(settings)
    w.ask_recover = lambda _p: True
    w.ask_quit = lambda _jobs: "cancel"  # a test that leaves a job running ends by cancelling it
    w.resize(*size)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(10)  # the first-start dock layout runs once the window has its size
    yield w
    w.close()


@pytest.fixture(params=[DEFAULT, LAPTOP], ids=["default-size", "1280x720"])
def sized_window(request, qtbot, tmp_path):
    """The window at the default size and at 1280x720 (the issue-20 layout checks run at both)."""
    yield from _window(qtbot, tmp_path, request.param)


@pytest.fixture
def demo_project(tmp_path):
    """A closed persona project with one imported still (the demo portrait)."""
    from studio.core.paths import resources_dir
    from studio.core.project import Project

    with Project.create(tmp_path / "projects", "Mara") as p:
        p.import_file(resources_dir() / "demo" / "portrait.jpg", "image", label="portrait")
        return p.path


@pytest.fixture(scope="session")
def tiny_sdxl(tmp_path_factory):
    """A tiny random-weight SDXL diffusers folder (64 px, built once per session)."""
    import torch

    torch.set_num_threads(1)
    from tests.tiny.sdxl import save_tiny_sdxl

    return save_tiny_sdxl(tmp_path_factory.mktemp("tiny-sdxl") / "tiny-sdxl")


@pytest.fixture(scope="session")
def portrait_identity():
    """The dlib identity of the demo portrait (real embedded dlib models)."""
    import numpy as np
    from PIL import Image

    from pipelines.faces import fuse_identity, open_analyzer
    from studio.core.paths import resources_dir

    rgb = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
    faces = open_analyzer(None, "dlib").detect(rgb, embed=True, landmarks=False)
    return fuse_identity([faces[0].embedding], "dlib").tolist()


@pytest.fixture
def persona_project(tmp_path, portrait_identity):
    """A closed synthetic persona with an identity and the demo portrait imported as an image."""
    from studio.core.paths import resources_dir
    from studio.core.persona import IdentityEmbedding
    from studio.core.project import Project

    with Project.create(tmp_path / "projects", "Mara") as p:
        p.update_persona(identity=[IdentityEmbedding(backend="dlib", vector=portrait_identity)])
        p.import_file(resources_dir() / "demo" / "portrait.jpg", "image", label="portrait")
        return p.path
