"""Stills panel: a real generate job with the tiny SDXL model fills the gallery with badged stills;
favourite, delete, compare, and the inpaint mask brushed with the mouse."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from studio.core.jobs import JobState


@pytest.fixture(autouse=True)
def _fresh_sdxl_cache():
    yield
    from pipelines.sdxl.cache import shared_cache

    shared_cache().clear()


def _wait_job(qtbot, window, job_id, timeout=180000):
    with qtbot.waitSignal(window.jobs.finished, timeout=timeout, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    return sig.args[0]


def test_missing_checkpoint_is_said_up_front(window, persona_project):
    window.open_project(persona_project)
    window.show_panel("stills")
    panel = window.panel("stills")
    assert panel.checkpoint.currentData() == "auto"  # the persona has no model of its own: the best installed
    assert panel.checkpoint.currentText() == "Automatic (no model installed)"
    assert panel.banner.isVisibleTo(panel) and "No image model is installed" in panel.banner_text.text()
    texts = [panel.checkpoint.itemText(i) for i in range(panel.checkpoint.count())]
    assert any(t.startswith("FLUX.2 [klein] 4B") and "commercial use OK" in t and "(not installed)" in t
               for t in texts)
    panel.set_checkpoint("sdxl-base-1.0")
    assert "not installed" in panel.banner_text.text()
    assert panel.models_button.isVisibleTo(panel)
    assert not panel.generate_button.isEnabled()
    assert panel.empty.isVisibleTo(panel) and "Generate" in panel.empty.text.text()


def test_generate_favourite_compare_delete(window, persona_project, tiny_sdxl, qtbot):
    project = window.open_project(persona_project)
    window.show_panel("stills")
    panel = window.panel("stills")
    panel.set_checkpoint(str(tiny_sdxl))
    assert not panel.banner.isVisibleTo(panel) and panel.generate_button.isEnabled()
    panel.prompt.setPlainText("reading in a cafe")
    panel.size.setText("64x64")
    panel.steps.setValue(2)
    panel.count.setValue(2)
    panel.keep.setValue(2)
    panel.seed.setValue(7)
    job_id = panel.generate()
    assert job_id and not panel.generate_button.isEnabled()
    job = _wait_job(qtbot, window, job_id)
    assert job.state == JobState.done, job.error
    qtbot.waitUntil(lambda: len(panel.tiles()) == 2)
    stills = project.assets_of("still")
    assert {t.asset.id for t in panel.tiles()} == {a.id for a in stills}
    for tile in panel.tiles():
        scores = tile.asset.provenance.scores
        assert scores.get("identity_verdict")  # the job scored it against the persona
        text = tile.badge.text()
        if isinstance(scores.get("identity"), (int, float)):
            assert f"identity {scores['identity']:.0f}" in text
        else:  # random tiny weights draw no face: the badge says so, in the warning colour
            assert text == "no face found" and tile.badge.property("role") == "badge-warn"
    assert panel.status.text().startswith("Done")

    first, second = panel.tiles()
    first.favourite.click()
    assert project.asset(first.asset.id).favourite is True

    first = panel.tiles()[0]
    panel.tiles()[0].compare.setChecked(True)
    assert not panel.compare_button.isEnabled()
    panel.tiles()[1].compare.setChecked(True)
    assert panel.compare_button.isEnabled()
    dlg = panel.compare_selected()
    assert dlg is not None and len(dlg.images) == 2 and not dlg.images[0].pixmap().isNull()
    dlg.close()

    asked = []
    panel.confirm = lambda text: asked.append(text) or False
    victim = panel.tiles()[1].asset
    assert panel.delete(victim.id) is False and len(project.assets_of("still")) == 2
    panel.confirm = lambda text: True
    assert panel.delete(victim.id) is True
    assert asked and victim.id in asked[0]
    assert [a.id for a in project.assets_of("still")] != [] and victim.id not in {a.id for a in project.assets_of("still")}
    assert (project.path / ".trash" / (project.path / victim.path).name).exists()
    qtbot.waitUntil(lambda: len(panel.tiles()) == 1)


def test_inpaint_mask_from_mouse_strokes(window, persona_project, tiny_sdxl, qtbot, tmp_path):
    project = window.open_project(persona_project)
    window.show_panel("stills")
    panel = window.panel("stills")
    panel.set_checkpoint(str(tiny_sdxl))
    panel.steps.setValue(2)
    # a 64 px crop of the portrait keeps the tiny model fast; any image asset can be inpainted
    from PIL import Image

    from studio.core.paths import resources_dir

    small = tmp_path / "face64.png"
    Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB").resize((64, 64)).save(small)
    image = project.import_file(small, "image", label="small portrait")
    dlg = panel.inpaint(image.id)
    qtbot.waitExposed(dlg)
    canvas = dlg.canvas
    dlg.brush.setValue(6)
    assert canvas.brush == 6 and dlg.brush_label.text() == "6 px"
    w, h = canvas.view_size
    y = h // 2
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(w // 4, y))
    for x in range(w // 4, 3 * w // 4, 8):
        QTest.mouseMove(canvas, QPoint(x, y))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(3 * w // 4, y))
    mask = canvas.mask_array()
    assert mask.shape == (canvas.image.height(), canvas.image.width())  # image pixels, not screen
    iy = int(y / canvas.scale)
    ix0, ix1 = int(w // 4 / canvas.scale), int((3 * w // 4 - 8) / canvas.scale)
    assert mask.shape == (64, 64)
    assert (mask[iy, ix0 + 1: ix1 - 1] == 255).all(), "the stroke's path is painted"
    assert mask[:iy - 5].max() == 0 and mask[iy + 5:].max() == 0, "nothing away from the stroke"
    assert mask[:, : max(ix0 - 4, 0)].max() == 0, "nothing before the stroke started"
    saved = canvas.save_mask(tmp_path / "mask.png")

    assert (np.asarray(Image.open(saved)) > 0).sum() == (mask > 0).sum()
    # Clear empties it, and an empty mask is refused
    canvas.clear()
    assert canvas.painted() == 0
    dlg._accept()
    assert dlg.isVisible() and "Paint" in dlg.error.text()
    # paint again and run the inpaint job with the tiny model
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(w // 2, y))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(w // 2, y))
    assert canvas.painted() > 0
    job_id = panel.start_inpaint(image.id, dlg)
    dlg.close()
    job = _wait_job(qtbot, window, job_id)
    assert job.state == JobState.done, job.error
    new = project.asset(job.result["assets"][0])
    assert new.kind == "still" and new.parents == [image.id] and new.provenance.pipeline == "sdxl-inpaint"
    qtbot.waitUntil(lambda: any(t.asset.id == new.id for t in panel.tiles()))


def test_model_picker_automatic_names_the_installed_new_model(window, persona_project, tmp_path):
    from studio.core.models import ModelStore
    from tests.tiny.flux2 import save_tiny_flux2

    ModelStore(window.settings).import_file("flux2-klein-4b", save_tiny_flux2(tmp_path / "klein"))
    window.open_project(persona_project)
    window.show_panel("stills")
    panel = window.panel("stills")
    panel.refresh()
    assert panel.checkpoint.currentText().startswith("Automatic (FLUX.2 [klein] 4B")
    assert not panel.banner.isVisibleTo(panel)
    panel.prompt.setPlainText("on a beach")
    params = panel.params()
    assert params["model"] == "auto" and "steps" not in params  # the model's own 4 steps
    panel.set_checkpoint("flux2-klein-4b")
    panel.steps.setValue(3)
    assert {k: panel.params()[k] for k in ("model", "steps")} == {"model": "flux2-klein-4b", "steps": 3}
    panel.set_checkpoint("auto")
    assert "model" not in panel._model_params(edit=True)  # an edit keeps the model that made the still
