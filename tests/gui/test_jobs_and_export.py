"""Jobs run on worker threads through studio.actions (real Piper narration, real export);
the jobs dock shows them, cancel works, export tiles drag their file out."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPointF, Qt

from studio.actions.registry import queue_of
from studio.core.jobs import JobState
from studio.gui.dragdrop import file_mime
from studio.gui.timeline_view import HEADER, RULER

LONG_SCRIPT = " ".join(["This is a long script that keeps the voice busy for a while."] * 40)


def _wait_job(qtbot, window, job_id, timeout=60000):
    with qtbot.waitSignal(window.jobs.finished, timeout=timeout, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    return sig.args[0]


def test_narrate_job_updates_voice_panel_and_jobs_dock(window, demo_project, qtbot):
    project = window.open_project(demo_project)
    window.show_panel("voice")
    voice = window.panel("voice")
    voice.script.setPlainText("Hello from the studio.")
    job_id = voice.start_narration()
    assert job_id in window.jobs_dock.rows  # listed as soon as it is queued
    assert not voice.narrate_button.isEnabled() and voice.status.text() == "Narrating…"  # its own JobRunner
    job = _wait_job(qtbot, window, job_id)
    assert job.state == JobState.done, job.error
    assert voice.status.text().startswith("New take ready") and voice.narrate_button.isEnabled()
    narration = project.asset(job.result["assets"][0])
    assert narration.kind == "narration" and project.asset_path(narration).exists()
    qtbot.waitUntil(lambda: voice.takes.count() == 1)
    voice.takes.setCurrentRow(0)
    assert voice.waveform.duration > 0.5 and voice.waveform.peaks.max() > 0.01
    assert [w["word"].lower().strip(".") for w in voice.waveform.words][:2] == ["hello", "from"]
    window.jobs_dock.refresh()
    row = window.jobs_dock.rows[job_id]
    assert row.state.text() == "done" and not row.cancel_button.isVisibleTo(row)
    # the asset bin gained the take
    assert any(window.asset_bin.list.item(i).data(Qt.ItemDataRole.UserRole) == narration.id
               for i in range(window.asset_bin.list.count()))


def test_cancel_a_running_job_leaves_no_asset(window, demo_project, qtbot):
    project = window.open_project(demo_project)
    voice = window.panel("voice")
    voice.script.setPlainText(LONG_SCRIPT)
    before = len(project.data.assets)
    job_id = voice.start_narration()
    with qtbot.waitSignal(window.jobs.progress, timeout=30000):
        pass
    window.jobs_dock.rows[job_id].cancel_button.click()
    job = _wait_job(qtbot, window, job_id)
    assert job.state == JobState.cancelled
    assert len(project.data.assets) == before
    assert not list((project.path / ".staging").glob("*.wav")) if (project.path / ".staging").exists() else True
    window.jobs_dock.refresh()
    row = window.jobs_dock.rows[job_id]
    assert row.state.text() == "cancelled" and row.resume_button.text() == "Retry"


def test_interrupted_job_shows_resume_after_restart(window, demo_project):
    project = window.open_project(demo_project)
    q = queue_of(project)
    job = q.submit("narrate", {"text": "Hi."}, "Narrate: Hi.")
    doc = json.loads((q.folder / f"{job.id}.json").read_text())
    doc.update(state="running", pid=2**22 + 12345, host=__import__("socket").gethostname())
    (q.folder / f"{job.id}.json").write_text(json.dumps(doc))  # as if the window had crashed
    window.jobs_dock.refresh()
    row = window.jobs_dock.rows[job.id]
    assert row.state.text() == "interrupted" and row.resume_button.text() == "Resume"


def test_failed_job_shows_the_core_message(window, demo_project, qtbot):
    window.open_project(demo_project)
    job_id = window.jobs.start(window.session.project, "narrate", {"text": "🙂🙂"}, "bad script")
    job = _wait_job(qtbot, window, job_id)
    assert job.state == JobState.failed and "no words to say" in job.error
    window.jobs_dock.refresh()
    assert "no words to say" in window.jobs_dock.rows[job_id].detail.text()


def test_file_mime_carries_the_file_url(tmp_path):
    f = tmp_path / "post reels.mp4"
    f.write_bytes(b"x")
    mime = file_mime([f])
    assert [u.toLocalFile() for u in mime.urls()] == [str(f.resolve())]
    assert mime.urls()[0].toString().startswith("file://")


def test_export_then_drag_the_tile_out(window, demo_project, qtbot, monkeypatch):
    project = window.open_project(demo_project)
    tl_panel = window.timeline_dock.panel
    tl_panel.create_timeline()
    still = project.assets_of("image")[0]
    for cmd in tl_panel.view.drop_commands([still.id], QPointF(HEADER, RULER + 2)):
        cmd = cmd.model_copy(update={"clip": cmd.clip.model_copy(update={"out_point": 1.0})})
        tl_panel.apply(cmd)
    window.show_panel("export")
    panel = window.panel("export")
    for pid, box in panel.preset_boxes.items():
        box.setChecked(pid == "square")
    assert panel.params()["encode_speed"] == "fast"  # the default; the window offers the others
    panel.encode_speed.setCurrentIndex(panel.encode_speed.findData("balanced"))
    job_id = panel.start_export()
    job = _wait_job(qtbot, window, job_id, timeout=120000)
    assert job.state == JobState.done, job.error
    assert "exported" in panel.status.text()
    files = [project.asset_path(a) for a in panel.export_assets()]
    assert files and files[0].stat().st_size > 1000
    from studio.render.ffmpeg import probe

    info = probe(files[0])
    assert (info.width, info.height) == (1080, 1080)
    video = next(a for a in panel.export_assets() if a.provenance.pipeline == "export")
    assert video.provenance.parameters["encode_speed"] == "balanced"
    qtbot.waitUntil(lambda: panel.flow.count() == 1)
    tile = panel.flow.itemAt(0).widget()

    captured = {}

    class FakeDrag:
        def __init__(self, source):
            captured["source"] = source

        def setMimeData(self, mime):  # noqa: N802
            captured["urls"] = [u.toLocalFile() for u in mime.urls()]

        def setPixmap(self, pm):  # noqa: N802
            captured["pixmap"] = not pm.isNull()

        def exec(self, action):
            captured["action"] = action
            return action

    monkeypatch.setattr("studio.gui.export_panel.QDrag", FakeDrag)
    tile.start_drag()
    assert captured["source"] is tile and captured["urls"] == [str(files[0].resolve())]
    assert captured["action"] == Qt.DropAction.CopyAction and captured["pixmap"]
    opened = []
    monkeypatch.setattr("studio.gui.export_panel.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    tile.reveal()
    assert opened == [str(files[0].resolve().parent)]


@pytest.mark.parametrize("panel", ["library", "voice", "export", "timeline", "jobs", "models"])
def test_studio_gui_screenshot_writes_a_png(tmp_path, demo_project, panel):
    """`studio gui PROJECT --panel P --screenshot F` in its own process, as `make screenshot` runs it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from PySide6.QtGui import QImage

    out = tmp_path / f"{panel}.png"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-m", "studio.cli.main", "gui", str(demo_project), "--panel", panel,
                        "--screenshot", str(out)], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    img = QImage(str(out))
    assert img.width() > 600 and img.height() > 400


def test_unknown_panel_is_refused(tmp_path, demo_project):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-m", "studio.cli.main", "gui", str(demo_project), "--panel", "nope",
                        "--screenshot", str(tmp_path / "x.png")], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "no panel 'nope'" in r.stderr


def test_export_tile_buttons_fit_without_eliding(window, demo_project, qtbot):
    """Each tile button is as wide as its text needs (a clipped 'Sho…der' was the bug)."""
    from studio.gui.export_panel import ExportTile

    project = window.open_project(demo_project)
    tile = ExportTile(project.asset_path(project.assets_of("image")[0]), "Instagram feed 4:5")
    qtbot.addWidget(tile)
    tile.show()
    qtbot.waitExposed(tile)
    for b in (tile.open_button, tile.reveal_button):
        assert b.width() >= b.sizeHint().width(), (b.text(), b.width(), b.sizeHint().width())
        assert b.toolTip()
    assert tile.reveal_button.toolTip().startswith("Show in folder")
