"""The Post page runs the real `post` action (draft size, camera motion, landmark lip-sync, one
export) in the job process; its export tile verifies the file; File ▸ Verify export… checks any file."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from studio.core.jobs import JobState
from studio.core.paths import resources_dir
from studio.gui.verify_dialog import VerifyDialog, report_rows


def _wait_job(qtbot, window, job_id, timeout=120000):
    with qtbot.waitSignal(window.jobs.finished, timeout=timeout, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    return sig.args[0]


def test_post_page_makes_a_post_and_its_tile_verifies(window, persona_project, qtbot):
    project = window.open_project(persona_project)
    assert window.show_panel("post")
    panel = window.panel("post")
    portrait = project.assets_of("image")[0]
    # "best still" picks among stills and reference photos; this persona has only an imported image
    assert panel.still.itemData(0) is None and panel.still.count() == 2
    assert not panel.still.model().item(0).isEnabled() and panel.still.currentData() == portrait.id
    panel.script.setPlainText("Hello from the post page.")
    for pid, box in panel.preset_boxes.items():
        box.setChecked(pid == "square")
    panel.engine.setCurrentIndex(panel.engine.findData("camera"))
    panel.move_combo.setCurrentIndex(panel.move_combo.findData("pan"))
    panel.draft.setChecked(True)
    params = panel.params()
    assert params["presets"] == ["square"] and params["engine"] == "camera" and params["move"] == "pan"
    assert params["size"] == [360, 640] and params["still"] == portrait.id and params["music"] is None
    job_id = panel.make_post()
    assert job_id and not panel.post_button.isEnabled()  # one post at a time from this page
    job = _wait_job(qtbot, window, job_id)
    assert job.state == JobState.done, job.error
    res = panel.last_result
    assert res["still"] == portrait.id and res["still_source"] == "given" and res["motion_engine"].startswith("camera")
    assert "sync r=" in panel.status.text() and panel.post_button.isEnabled()
    post = project.data.posts[-1]
    assert post.script == "Hello from the post page." and set(post.exports) == {"square"}
    # the Timeline dock shows the post's clips with the room to see them (it opened 50 px wide)
    view = window.timeline_dock.panel.view
    qtbot.waitUntil(lambda: len(view.clip_items()) >= 3, timeout=10000)
    assert view.width() > 0.6 * window.timeline_dock.panel.split.width()
    assert any(view.mapFromScene(i.sceneBoundingRect()).boundingRect().intersects(view.viewport().rect())
               for i in view.clip_items())
    export = project.asset(post.exports["square"])
    video = project.timeline(post.timeline_id).track("video").clips[0]  # the post's talking clip
    made = project.asset(video.asset_id).provenance.parameters  # camera move and mouth in one loop
    assert made.get("move", made.get("camera_move")) == "pan", made
    qtbot.waitUntil(lambda: panel.flow.count() == 1)
    tile = panel.flow.itemAt(0).widget()
    assert tile.path == project.asset_path(export)
    assert any("Square 1:1" in w.text() for w in tile.findChildren(QLabel))

    # Verify… on the tile: the real verify_file on a worker thread, then the dialog
    with qtbot.waitSignal(tile.verify().done, timeout=30000) as sig:
        pass
    report = sig.args[0]
    assert report["ok"], report["problems"]
    dlg = tile.verify_dialog
    assert isinstance(dlg, VerifyDialog) and dlg.isVisible() and "Verified" in dlg.verdict.text()
    # a video has no invisible watermark: the headline does not claim one, the row says why
    assert "watermark" not in dlg.verdict.text() and dlg.rows["Watermark"].startswith("not checked")
    assert dlg.rows["C2PA manifest"] == "Valid" and dlg.rows["AI-generated tag"] == "present"
    assert "trainedAlgorithmicMedia" in dlg.rows["AI source type"]
    assert dlg.rows["Licences"].startswith("commercial use")  # dlib's landmark model: not allowed
    dlg.close()


def test_file_menu_verifies_any_file_and_shows_what_fails(window, qtbot, monkeypatch):
    portrait = resources_dir() / "demo" / "portrait.jpg"  # a plain photo: no manifest, tag or watermark
    monkeypatch.setattr("studio.gui.verify_dialog.open_file", lambda *a, **k: str(portrait))
    entry = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "Verify export…")
    entry.trigger()
    qtbot.waitUntil(lambda: getattr(window, "verify_dialog", None) is not None, timeout=30000)
    dlg = window.verify_dialog
    assert dlg.verdict.text().startswith("Verification failed")
    assert dlg.rows["C2PA manifest"] == "none" and dlg.rows["Watermark"] == "not found"
    assert "no C2PA manifest" in dlg.problems and "invisible watermark not found" in dlg.problems


def test_report_rows_flag_a_tampered_manifest_and_a_foreign_watermark():
    report = {"file": "x.jpg", "c2pa": {"present": True, "state": "Invalid", "failures": ["hash"], "trusted": False,
                                        "issuer": "Persona Studio (local, untrusted)",
                                        "digital_source_types": [], "studio": {"commercial_use": "allowed"}},
              "metadata": {"Description": "AI-generated with Persona Studio"},
              "watermark": {"found": True, "confidence": 0.9, "expected": "aa", "matches_manifest": False},
              "commercial_use": "allowed", "problems": ["x"], "ok": False}
    rows = {field: (text, role) for field, text, role in report_rows(report)}
    assert rows["C2PA manifest"][1] == "badge-bad" and "changed after signing" in rows["C2PA manifest"][0]
    assert "not a trusted certificate" in rows["Signed by"][0]
    assert rows["AI source type"] == ("none", "badge-bad")
    assert rows["Watermark"][1] == "badge-bad" and "does NOT match" in rows["Watermark"][0]
    assert rows["Licences"][1] == "badge-good"


def test_verify_speaks_once_per_check(sized_window):
    """The headline names only the checks that were made; each row says one thing."""
    video = {"file": "post.mp4", "ok": True, "problems": [],
             "c2pa": {"present": True, "state": "Valid", "failures": [], "trusted": False,
                      "digital_source_types": ["http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"]},
             "metadata": {"comment": "AI-generated with Persona Studio"}}
    still = {**video, "file": "cover.jpg", "metadata": {"Description": "AI-generated with Persona Studio"},
             "watermark": {"found": True, "confidence": 0.98, "expected": "ab", "matches_manifest": True}}
    for report, says_watermark in ((video, False), (still, True)):
        dlg = VerifyDialog(report, sized_window)
        assert dlg.verdict.text().startswith("Verified:")
        assert ("watermark" in dlg.verdict.text()) == says_watermark
        assert dlg.rows["Watermark"].startswith("not checked" if not says_watermark else "found")
        dlg.close()
    failed = {**video, "ok": False, "problems": ["no AI-generated metadata tag"], "metadata": {}}
    assert VerifyDialog(failed, sized_window).verdict.text() == "Verification failed: 1 problem (listed below)."
