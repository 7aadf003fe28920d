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


def test_still_picker_offers_every_image_kind(window, tmp_path):
    """Reference photos and imported images are animatable too; the empty note needs no image at all."""
    from studio.core.paths import resources_dir
    from studio.core.project import Project

    portrait = resources_dir() / "demo" / "portrait.jpg"
    with Project.create(tmp_path / "projects", "Nova") as p:
        p.import_file(portrait, "reference", label="ref photo")
        p.import_file(portrait, "image", label="imported")
        folder = p.path
    project = window.open_project(folder)
    window.show_panel("motion")
    panel = window.panel("motion")
    kinds = [project.asset(panel.still.itemData(i)).kind for i in range(panel.still.count())]
    assert kinds == ["image", "reference"]
    assert "(reference photo)" in panel.still.itemText(1)
    assert not panel.still.itemIcon(1).isNull()  # a thumbnail of the photo
    assert panel.still.isVisibleTo(panel) and not panel.no_still.isVisibleTo(panel)
    assert panel.animate_button.isEnabled()
    panel.still.setCurrentIndex(1)
    assert panel.params()["still"] == project.assets_of("reference")[0].id

    with Project.create(tmp_path / "projects", "Empty") as p:
        folder = p.path
    window.open_project(folder)
    assert panel.still.count() == 0 and panel.no_still.isVisibleTo(panel)
    assert not panel.animate_button.isEnabled()


def test_wan_in_the_engine_picker(window, persona_project, tmp_path):
    from studio.core.models import ModelStore
    from tests.tiny.wan import save_tiny_wan

    window.open_project(persona_project)
    window.show_panel("motion")
    panel = window.panel("motion")
    wan_row = panel.engine.model().item(panel.engine.findData("wan"))
    assert not wan_row.isEnabled() and "not installed" in wan_row.text()
    ModelStore(window.settings).import_file("wan2.2-ti2v-5b", save_tiny_wan(tmp_path / "wan"))
    panel.refresh()
    wan_row = panel.engine.model().item(panel.engine.findData("wan"))
    assert wan_row.isEnabled() and "commercial use OK" in wan_row.text()
    panel.engine.setCurrentIndex(panel.engine.findData("wan"))
    assert (panel.fps.value(), panel.steps.value()) == (24, 50)  # Wan's own rate and steps
    assert panel.form.isRowVisible(panel.motion_prompt) and not panel.form.isRowVisible(panel.move_combo)
    panel.motion_prompt.setText("she waves")
    params = panel.params()
    assert params["engine"] == "wan" and params["prompt"] == "she waves" and "move" not in params
    assert "720p" in panel.engine_note.text()
