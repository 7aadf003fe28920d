"""Fixtures for narration and lip-sync tests: one real Piper voice loaded once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def piper_narrator(tmp_path_factory):
    """The embedded joe voice, loaded once (its aligned copy cached in a session folder)."""
    from pipelines.tts.piper_engine import PiperNarrator
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    settings = Settings()
    settings.models_dir = str(tmp_path_factory.mktemp("voice-models"))
    narrator = PiperNarrator(ModelStore(settings), "piper-en_US-joe-medium")
    narrator.load()
    return narrator


@pytest.fixture
def project_path(tmp_path):
    """A closed, empty persona project for CLI tests (the CLI takes the lock itself)."""
    from studio.core.project import Project

    Project.create(tmp_path, "Voice CLI").close()
    return tmp_path / "Voice CLI.persona"


@pytest.fixture
def project(tmp_path):
    from studio.core.project import Project

    with Project.create(tmp_path, "Voice") as p:
        yield p


@pytest.fixture
def cli():
    """Run `studio ARGS...` in-process; returns the exit code."""
    from studio.cli.main import main

    return lambda *args: main([str(a) for a in args])
