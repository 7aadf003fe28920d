"""Chatterbox: the commercial-safe voice clone. chatterbox-tts 0.1.7 pins torch 2.6 and numpy<2, so
it is an optional extra not installed here; these tests cover what runs without it (selection,
settings, errors). Its real loading and generation run only where the extra and weights are."""

from __future__ import annotations

import pytest

from studio.core.errors import BadInput, StudioError


def test_chatterbox_voice_settings(project, cli, project_path):
    from pipelines.tts import open_narrator
    from pipelines.tts.chatterbox_engine import ChatterboxNarrator
    from studio.actions.voice import set_voice
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    store = ModelStore(Settings.load())
    v = set_voice(project, store, engine="chatterbox", exaggeration=0.9, cfg_weight=0.3)
    assert (v["engine"], v["voice_id"], v["exaggeration"], v["cfg_weight"]) == ("chatterbox", "chatterbox", 0.9, 0.3)
    assert set_voice(project, store, voice_id="chatterbox-turbo")["engine"] == "chatterbox"
    with pytest.raises(BadInput):
        set_voice(project, store, engine="chatterbox", voice_id="piper-en_US-joe-medium")
    with pytest.raises(BadInput):
        set_voice(project, store, exaggeration=5.0)
    narrator = open_narrator(store, "chatterbox", "chatterbox-turbo")
    assert isinstance(narrator, ChatterboxNarrator) and narrator.turbo
    assert store.entry("chatterbox").commercial_use and "MIT" in store.entry("chatterbox").licence
    assert cli("voice", "set", project_path, "--engine", "chatterbox", "--exaggeration", "0.7") == 0


def test_chatterbox_without_the_extra_says_how_to_install(project_path, cli):
    from pipelines.tts import NarrationRequest
    from pipelines.tts.chatterbox_engine import ChatterboxNarrator, chatterbox_available
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    store = ModelStore(Settings.load())
    with pytest.raises(BadInput, match="English"):
        ChatterboxNarrator(store).run(NarrationRequest("Hallo zusammen.", language="de"))
    if chatterbox_available():
        pytest.skip("chatterbox-tts is installed here")
    with pytest.raises(StudioError, match="no-deps chatterbox-tts"):
        ChatterboxNarrator(store).load()
    assert cli("voice", "set", project_path, "--engine", "chatterbox") == 0
    assert cli("narrate", project_path, "Hello there.") == 1  # a clear failure, no take
    from studio.core.project import Project

    with Project.open(project_path, read_only=True) as p:
        assert p.assets_of("narration") == []
