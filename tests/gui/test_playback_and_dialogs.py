"""Issue 20, at the default window size and at 1280x720: Play with no sound device says so; file
pickers are the desktop's own or big enough for their columns."""

from __future__ import annotations

import wave

import numpy as np
from PySide6.QtWidgets import QFileDialog, QTreeView

from studio.core.project import Project
from studio.core.timeline import AddClip, Clip, Timeline
from studio.gui import playback
from studio.gui.file_dialogs import DIALOG_SIZE, make_dialog


def _take(path):
    t = np.arange(12000) / 24000.0
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24000)
        w.writeframes((np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes())
    return path


def test_play_without_a_sound_device_says_so(sized_window, demo_project, tmp_path, monkeypatch):
    with Project.open(demo_project) as p:
        take = p.import_file(_take(tmp_path / "take.wav"), "narration", label="take")
        tl = AddClip(track="narration", clip=Clip(asset_id=take.id, start=0, out_point=0.5)).apply(Timeline.empty())
        p.put_timeline(tl)
    window = sized_window
    window.open_project(demo_project)
    panel = window.timeline_dock.panel
    monkeypatch.setattr(playback, "audio_output_available", lambda: False)  # as on this test machine
    panel.toggle_play()
    assert panel.clock.playing and panel.notice.text() == playback.NO_AUDIO and panel.notice.isVisible()
    panel.toggle_play()
    monkeypatch.setattr(playback, "audio_output_available", lambda: True)
    panel.toggle_play()
    assert panel.notice.text() == ""  # with a device there is nothing to say
    panel.toggle_play()
    # the Voice page's Play says it too, instead of a play position moving over silence
    monkeypatch.setattr(playback, "audio_output_available", lambda: False)
    voice = window.panel("voice")
    voice.takes.setCurrentRow(0)
    voice.play()
    assert "No audio device" in voice.take_info.text() and not voice.position_timer.isActive()


def test_qt_file_dialog_is_sized_so_its_columns_fit(sized_window, tmp_path, qtbot):
    for i in range(3):
        (tmp_path / f"a rather long file name for a photo number {i}.jpg").write_bytes(b"x" * 10 ** (i + 3))
    dlg = make_dialog(sized_window, "Reference photos", str(tmp_path), "Images (*.jpg)",
                      QFileDialog.FileMode.ExistingFiles)
    tree = dlg.findChild(QTreeView, "treeView")
    assert tree is not None  # no desktop dialog on the test machine: Qt's own, sized by us
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.waitUntil(lambda: tree.model().rowCount(tree.rootIndex()) == 3, timeout=5000)
    qtbot.wait(50)
    assert dlg.width() >= DIALOG_SIZE.width() - 1 and dlg.height() >= DIALOG_SIZE.height() - 1
    header = tree.header()
    for col in range(1, header.count()):  # Size, Type, Date Modified: never cut
        need = max(tree.sizeHintForColumn(col), header.sectionSizeHint(col))  # the cells and the title
        assert header.sectionSize(col) >= need, (col, header.sectionSize(col), need)
    assert header.sectionSize(0) > 200  # the names keep most of the room
    dlg.reject()
