"""Motion panel: a camera-motion job on a still registers a clip, listed with its engine."""

from __future__ import annotations

from studio.actions.motion import CAMERA_ENGINE
from studio.core.jobs import JobState


def test_camera_motion_job_adds_a_clip(window, persona_project, qtbot):
    project = window.open_project(persona_project)
    window.show_panel("motion")
    panel = window.panel("motion")
    assert panel.empty.isVisibleTo(panel) and panel.still.count() == 1
    assert panel.engine.currentData() == "camera"
    svd_row = panel.engine.model().item(panel.engine.findData("svd"))
    assert not svd_row.isEnabled() and "not installed" in svd_row.text()  # no SVD weights in tests
    panel.move_combo.setCurrentIndex(panel.move_combo.findData("pan"))
    panel.seconds.setValue(0.5)
    panel.fps.setValue(8)
    panel.size.setEditText("64x112")
    params = panel.params()
    assert params["engine"] == "camera" and params["move"] == "pan" and params["size"] == "64x112"
    job_id = panel.animate()
    with qtbot.waitSignal(window.jobs.finished, timeout=120000, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    job = sig.args[0]
    assert job.state == JobState.done, job.error
    clips = project.assets_of("clip")
    assert len(clips) == 1 and clips[0].provenance.engine == CAMERA_ENGINE
    assert clips[0].parents == [project.assets_of("image")[0].id]
    qtbot.waitUntil(lambda: panel.clips.count() == 1)
    text = panel.clips.item(0).text()
    assert CAMERA_ENGINE in text and "pan" in text
    scores = clips[0].provenance.scores
    if isinstance(scores.get("identity_still"), (int, float)):
        assert f"identity {scores['identity_still']:.0f}" in text
    assert not panel.empty.isVisibleTo(panel)
    assert panel.player.source is not None and panel.player.source.name == (project.path / clips[0].path).name
    assert panel.status.text().startswith("Done: " + CAMERA_ENGINE)
