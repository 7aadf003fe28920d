"""Voice page: Kokoro voices in the picker (the engine follows the voice), a take's words corrected
in the Words box, a recording transcribed into a new take."""

from __future__ import annotations

import json

import pytest


def test_voice_picker_lists_kokoro_voices_and_the_engine_follows(window, demo_project):
    window.open_project(demo_project)
    window.show_panel("voice")
    panel = window.panel("voice")
    ids = [panel.voice.itemData(i) for i in range(panel.voice.count())]
    assert sum(i.startswith("kokoro-") for i in ids) == 28 and "piper-en_US-joe-medium" in ids
    assert "chatterbox" in ids
    panel.voice.setCurrentIndex(panel.voice.findData("kokoro-bf_emma"))
    assert panel.settings_box.engine.currentData() == "kokoro"
    assert "download" in panel.voice.currentText()  # not installed here
    saved = panel.settings_box.save()
    assert (saved["engine"], saved["voice_id"]) == ("kokoro", "kokoro-bf_emma")
    panel.voice.setCurrentIndex(panel.voice.findData("chatterbox"))
    box = panel.settings_box
    assert box.engine.currentData() == "chatterbox" and box.exaggeration.isVisibleTo(box)
    box.exaggeration.setValue(1.1)
    assert box.save()["exaggeration"] == pytest.approx(1.1)


def test_words_box_saves_corrections_and_transcribes(window, demo_project, qtbot):
    from studio.core.project import Project
    from tests.jobs import run_job

    with Project.open(demo_project) as p:
        assert run_job(p, "narrate", {"text": "Good morning, friends. Coffee first."}).state == "done"
    project = window.open_project(demo_project)
    window.show_panel("voice")
    panel = window.panel("voice")
    take = panel.selected_take()
    assert take is not None
    box = panel.words_box
    words = box.text.toPlainText().split()
    assert words and len(words) == len(json.loads(project.sidecar(take, ".words.json").read_text("utf-8")))
    box.text.setPlainText(" ".join(["Howdy", *words[1:]]))
    saved = box.save()
    assert saved[0]["word"] == "Howdy" and "saved" in box.status.text()
    job = box.transcribe(take)
    qtbot.waitUntil(lambda: "New take" in box.status.text() or "failed" in box.status.text(), timeout=120_000)
    assert "New take" in box.status.text(), box.status.text()
    assert job and project.assets_of("narration")[-1].provenance.pipeline == "transcription"
