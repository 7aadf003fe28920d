"""Voice page: persona voice settings and cloning samples (`studio voice set|sample`), lip-sync of a
take (real Piper narration + landmark lip-sync); Faces page: identity score and face swap; the
timeline preview's format caption and the waveform's word labels."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetrics, QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from studio.core.jobs import JobState
from studio.core.paths import resources_dir
from studio.gui.formats import format_by_id
from studio.gui.models_dialog import ModelsDialog
from studio.gui.timeline_preview import PreviewWidget
from studio.gui.voice_panel import WaveformWidget, word_label_layout


def _wait_job(qtbot, window, job_id, timeout=90000):
    with qtbot.waitSignal(window.jobs.finished, timeout=timeout, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    return sig.args[0]


def _speechlike_wav(path, seconds):
    rate = 22050
    t = np.arange(int(rate * seconds)) / rate
    pcm = (0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2 * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def _boxes(widget):
    return [b for b in widget.findChildren(QMessageBox) if b.isVisible()]


def test_voice_settings_and_samples_change_the_persona(window, demo_project, tmp_path, qtbot):
    project = window.open_project(demo_project)
    window.show_panel("voice")
    panel = window.panel("voice")
    box = panel.settings_box
    assert box.noise_scale.value() == pytest.approx(0.667) and not box.language.isVisibleTo(box)
    panel.speed.setValue(1.2)
    box.noise_scale.setValue(0.5)
    box.noise_w.setValue(0.6)
    saved = box.save()
    v = project.persona.voice
    assert saved["speed"] == v.speed == pytest.approx(1.2) and (v.noise_scale, v.noise_w) == (0.5, 0.6)
    assert "speed 1.20" in box.saved.text()
    # the voice character: a preset fills in pitch and formants, Save makes them the persona's
    box.character.setCurrentIndex(box.character.findData("female"))
    box.character.activated.emit(box.character.currentIndex())  # as a user's pick does
    assert (box.pitch.text(), box.formant.value()) == ("210", pytest.approx(1.18))
    box.save()
    v = project.persona.voice
    assert (v.formant_shift, v.pitch_hz) == (pytest.approx(1.18), 210.0)
    assert "formant ×1.18, pitch 210 Hz" in box.saved.text()
    box.pitch.setText("+2st")
    box.save()
    assert (project.persona.voice.pitch_hz, project.persona.voice.pitch_semitones) == (0.0, 2.0)
    assert box.character.currentData() == "custom" and box.pitch.text() == "+2st"
    box.engine.setCurrentIndex(box.engine.findData("xtts"))
    assert box.language.isVisibleTo(box) and not box.noise_w.isVisibleTo(box)
    box.language.setText("de")
    box.save()
    assert (project.persona.voice.engine, project.persona.voice.voice_id, project.persona.voice.language) == (
        "xtts", "xtts-v2", "de")

    samples = panel.samples_box
    assert samples.list.item(0).text() == "(none yet)"
    aid = samples.add(_speechlike_wav(tmp_path / "me.wav", 3.0))
    assert project.asset(aid).kind == "audio" and len(project.persona.voice.reference_samples) == 1
    qtbot.waitUntil(lambda: samples.list.count() == 1 and samples.list.item(0).text().endswith(".wav"))
    assert samples.add(_speechlike_wav(tmp_path / "short.wav", 1.0)) is None  # too short: said in a dialog
    assert any("at least 2 s" in b.text() for b in _boxes(samples))
    assert len(project.persona.voice.reference_samples) == 1


def test_lipsync_a_take_onto_a_still_shows_its_sync_score(window, persona_project, qtbot):
    project = window.open_project(persona_project)
    window.show_panel("voice")
    panel = window.panel("voice")
    panel.script.setPlainText("Hello there, friends.")
    assert _wait_job(qtbot, window, panel.start_narration()).state == JobState.done
    qtbot.waitUntil(lambda: panel.takes.count() == 1)
    panel.takes.setCurrentRow(0)
    box = panel.lipsync
    portrait = project.assets_of("image")[0]
    box.visual.setCurrentIndex(box.visual.findData(portrait.id))
    box.engine.setCurrentIndex(box.engine.findData("landmarks"))
    assert box.params() == {"visual": portrait.id, "narration": panel.selected_take(), "engine": "landmarks",
                            "fps": 30.0, "restore": False, "expressiveness": 1.0, "blink_rate": 15.0,
                            "head_motion": 1.0}
    box.controls["blink_rate"].setValue(20)
    box.controls["head_motion"].setValue(0.5)
    assert box.params()["blink_rate"] == 20.0 and box.params()["head_motion"] == 0.5
    assert box.result.text() == "No talking clip from this take yet."
    job = _wait_job(qtbot, window, box.start())
    assert job.state == JobState.done, job.error
    clip = project.asset(job.result["assets"][0])
    assert clip.kind == "clip" and set(clip.parents) == {portrait.id, panel.selected_take()}
    r = clip.provenance.scores["sync_correlation"]
    assert f"sync r={r:.2f}" in box.result.text() and box.run_button.isEnabled()
    assert "blinks/min" in box.result.text() and "head roll" in box.result.text()
    assert clip.provenance.parameters["blink_rate"] == 20.0 and clip.provenance.parameters["head_motion"] == 0.5
    box.show_take()  # selecting the take again lists the clips made from it, with their scores
    assert box.result.text().startswith(f"{clip.id}: sync r={r:.2f}")


def test_faces_page_scores_an_image_with_the_persona_identity(window, persona_project, qtbot):
    window.open_project(persona_project)
    window.show_panel("faces")
    tools = window.panel("faces").tools
    job = _wait_job(qtbot, window, tools.score(resources_dir() / "demo" / "portrait.jpg"))
    assert job.state == JobState.done, job.error
    face = tools.last_result["faces"][0]
    assert face["score"] > 80  # the persona's identity was made from this very photo
    assert tools.result.text().startswith(f"portrait.jpg: Face 1: {face['score']:.0f} — ")


def test_face_swap_without_its_models_names_them_and_opens_the_models_dialog(window, persona_project, qtbot):
    window.open_project(persona_project)
    tools = window.panel("faces").tools
    before = len(window.jobs.running_ids())
    assert tools.swap(resources_dir() / "demo" / "portrait.jpg") is None  # no job: the models are missing
    assert len(window.jobs.running_ids()) == before
    box = tools.models_box
    assert box.isVisible() and all(m in box.text() for m in ("ghost_2_256", "crossface_ghost", "buffalo_l-det", "buffalo_l-rec"))
    open_models = next(b for b in box.buttons() if b.text() == "Open Models…")
    open_models.click()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ModelsDialog)))


def test_preview_caption_fits_a_narrow_frame_from_its_start():
    w = PreviewWidget()
    w.format = format_by_id("reels")
    metrics = QFontMetrics(w.font())
    wide = w.caption_line(metrics, 1000)
    assert wide == f"0.00s  {w.format.label}"
    narrow_width = metrics.horizontalAdvance(wide) - 20  # the 9:16 frame that cut "Instagram" to "agram"
    narrow = w.caption_line(metrics, narrow_width)
    assert metrics.horizontalAdvance(narrow) <= narrow_width and narrow == "0.00s  9:16"
    assert metrics.horizontalAdvance(w.caption_line(metrics, 30)) <= 30


def test_waveform_skips_colliding_word_labels_and_shows_a_word_on_hover(qtbot):
    words = [{"word": f"word{i}", "start": i * 0.05, "end": i * 0.05 + 0.05} for i in range(40)]
    metrics = QFontMetrics(QApplication.font())
    shown = word_label_layout(words, 0.0, 400.0, metrics)  # 20 px per word, labels ~40 px wide
    assert shown[0] and not all(shown) and any(shown[1:])
    right = -1e9
    for w, s in zip(words, shown, strict=True):
        if s:
            x = w["start"] * 400.0 + 2
            assert x >= right + 4  # no drawn label overlaps the previous one
            right = x + metrics.horizontalAdvance(w["word"])
    wave_w = WaveformWidget()
    qtbot.addWidget(wave_w)
    wave_w.resize(802, 140)
    wave_w.set_audio(np.full(100, 0.5, np.float32), 2.0, words)
    assert not all(wave_w.shown_labels())
    hidden = next(i for i, s in enumerate(wave_w.shown_labels()) if not s)
    x = 1 + (words[hidden]["start"] + 0.02) * 400.0
    event = QMouseEvent(QMouseEvent.Type.MouseMove, QPointF(x, 60), wave_w.mapToGlobal(QPointF(x, 60)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    wave_w.mouseMoveEvent(event)
    assert wave_w.hovered == hidden
    wave_w.grab()  # paints the hovered word's plate without error
