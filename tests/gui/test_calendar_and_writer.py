"""The Calendar page (month/week, drag to reschedule with undo, .ics, item editor, render due this
week through the job controller) and the writing assistant dialog (streaming, cancel) in the window."""

from __future__ import annotations

import time
from datetime import date, timedelta

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent

from studio.actions import plan
from studio.core.calendar import week_of
from studio.core.jobs import JobState
from studio.core.project import Project
from tests.writing.openai_server import ChatServer


def _drop(cell, mime):
    ev = QDropEvent(QPointF(5, 5), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    cell.dropEvent(ev)


def _planned(tmp_path):
    today = date.today()
    with Project.create(tmp_path / "projects", "Mara") as p:
        a = plan.add_item(p, today, "Dawn run", ["tiktok", "x"], time="07:30", script="Up early.")
        b = plan.add_item(p, today + timedelta(days=1), "Coffee idea", ["reels"])
        return p.path, a, b


def test_calendar_month_week_drag_undo_and_ics(window, tmp_path, qtbot):
    folder, a, b = _planned(tmp_path)
    project = window.open_project(folder)
    assert window.show_panel("calendar")
    panel = window.panel("calendar")
    today = date.today()
    assert len(panel.cells) == 42 and [c.item.id for c in panel.cells[today].chips] == [a.id]
    assert "07:30 Dawn run" in panel.cells[today].chips[0].text()
    panel.set_mode("week")
    assert len(panel.cells) == 7 and today in panel.cells
    # drag "Dawn run" to three days later (the drop handler of the day cell), then undo
    target = today + timedelta(days=3)
    panel.go(target)
    _drop(panel.cells[target], panel.mime_for(a.id))
    assert plan.get_item(project, a.id).date == target
    assert [c.item.id for c in panel.cells[target].chips] == [a.id]
    with Project.open(folder, read_only=True) as disk:  # saved at once
        assert plan.get_item(disk, a.id).date == target
    assert panel.undo_button.isEnabled() and "Move 'Dawn run'" in panel.undo_button.toolTip()
    panel.undo_button.click()
    assert plan.get_item(project, a.id).date == today
    panel.redo_button.click()
    assert plan.get_item(project, a.id).date == target
    # .ics export parses back
    from icalendar import Calendar

    out = panel.export_ics(str(tmp_path / "mara.ics"))
    events = list(Calendar.from_ical(open(out, "rb").read()).walk("VEVENT"))
    assert {str(e["SUMMARY"]).split(" (")[0] for e in events} == {"Dawn run", "Coffee idea"}
    # the editor: select, change, caption counters, state rules, kit refused with the reason
    panel.select(b.id)
    ed = panel.editor
    assert ed.body.isVisible() and ed.topic.text() == "Coffee idea"
    ed.script.setPlainText("Coffee first, always.")
    ed.platforms["x"].setChecked(True)
    ed.save()
    item = plan.get_item(project, b.id)
    assert item.state == "scripted" and item.platforms == ["reels", "x"]
    x = ed.editors["x"]
    x.caption.setPlainText("a" * 300)
    assert x.update_count() and "too long" in x.count.text() and "300 / 280" in x.count.text()
    ed.save_captions()
    assert "Over the limit: x" in ed.message.text()
    ed.set_state("approved")
    assert "no post" in ed.message.text()
    assert plan.get_item(project, b.id).state == "scripted"


def test_render_due_this_week_links_the_posts(window, persona_project, qtbot):
    monday, _ = week_of(date.today())
    with Project.open(persona_project) as p:
        item = plan.add_item(p, monday, "Week opener", ["square"], script="A quick hello for the week.",
                             post_options={"size": [180, 320], "export_size": [240, 240], "engine": "camera",
                                           "still": p.assets_of("image")[0].id})
        plan.add_item(p, monday, "Just an idea", ["square"])
    project = window.open_project(persona_project)
    window.show_panel("calendar")
    panel = window.panel("calendar")
    (job_id,) = panel.render_due()
    assert "skipped Just an idea: no script yet" in panel.status.text()
    with qtbot.waitSignal(window.jobs.finished, timeout=240000, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    assert sig.args[0].state == JobState.done, sig.args[0].error
    qtbot.waitUntil(lambda: plan.get_item(project, item.id).state == "rendered", timeout=5000)
    linked = plan.get_item(project, item.id)
    assert set(project.post(linked.post_id).exports) == {"square"}


def _reply(body):
    ask = body["messages"][-1]["content"]
    if ask.startswith("Write a script"):
        return [w + " " for w in "Morning light. I run the old town.\n---\nThen coffee with you.".split(" ")]
    if "opening lines" in ask:
        return ["Five a.m. club?\n", "Sunrise, again.\n"]
    return ["Dawn miles. ", "\nHashtags: #run #dawn"]


def _endpoint(window, srv):
    window.settings.writer_backend = "endpoint"
    window.settings.writer_endpoint = srv.url
    window.settings.writer_endpoint_model = "tiny"


def test_writer_dialog_streams_into_the_post_page_and_cancels(window, demo_project, qtbot):
    window.open_project(demo_project)
    window.show_panel("post")
    post = window.panel("post")
    with ChatServer(_reply, delay=0.02) as srv:
        _endpoint(window, srv)
        dlg = post.open_writer()
        assert dlg.isVisible() and dlg.use_button.isVisible() and not dlg.save_button.isVisible()
        dlg.topic.setText("dawn runs")
        dlg.seconds.setValue(10)
        for pid, b in dlg.platforms.items():
            b.setChecked(pid == "x")
        with qtbot.waitSignal(dlg.start().done, timeout=30000):
            pass
        parts = [p for p, _ in dlg.streamed]
        assert parts[0] == "script" and "upload:x" in parts and len(dlg.streamed) > 5
        assert "── Script ──" in dlg.live.toPlainText() and "Morning light." in dlg.live.toPlainText()
        assert dlg.script.toPlainText().startswith("Morning light.") and dlg.openings.count() == 2
        assert dlg.editors["x"].upload().hashtags == ["run", "dawn"]
        assert "tiny at" in dlg.status.text()
        dlg.use_opening("Five a.m. club?")
        assert dlg.script.toPlainText().startswith("Five a.m. club? I run")
        dlg.use_script()
        assert post.script.toPlainText().startswith("Five a.m. club?")
        # the scene line becomes a paragraph break for the narrating page (no '---' to speak)
        assert post.script.toPlainText().endswith("old town.\n\nThen coffee with you.")

    def slow(_body):
        yield from (f"w{i} " for i in range(400))

    with ChatServer(slow, delay=0.05) as srv:
        _endpoint(window, srv)
        dlg = post.open_writer()
        dlg.topic.setText("a long one")
        task = dlg.start()
        qtbot.waitUntil(lambda: len(dlg.streamed) >= 3, timeout=20000)
        assert dlg.cancel_button.isEnabled() and not dlg.write_button.isEnabled()
        t0 = time.monotonic()
        with qtbot.waitSignal(task.error, timeout=10000):
            dlg.cancel()
        assert time.monotonic() - t0 < 3.0
        assert dlg.status.text() == "Cancelled." and dlg.write_button.isEnabled() and len(dlg.streamed) < 400
        dlg.close()


def test_voice_page_and_settings_reach_the_assistant(window, demo_project, qtbot):
    from studio.gui.settings_dialog import SettingsDialog

    window.open_project(demo_project)
    window.show_panel("voice")
    voice = window.panel("voice")
    assert voice.write_button.isEnabled()
    with ChatServer(_reply, models=("tiny", "other")) as srv:
        dlg = SettingsDialog(window.settings, window)
        box = dlg.writer
        box.endpoint.setChecked(True)
        box.url.setText(srv.url)
        box.endpoint_model.setText("tiny")
        with qtbot.waitSignal(box.test_endpoint().done, timeout=10000):
            pass
        assert "Connected. It serves tiny, other." in box.result.text()
        dlg.apply()
    assert window.settings.writer_backend == "endpoint" and window.settings.writer_endpoint == srv.url
    # the local default without its model: the dialog says which one to download
    window.settings.writer_backend = "local"
    wd = voice.open_writer()
    wd.topic.setText("x")
    with qtbot.waitSignal(wd.start().error, timeout=10000):
        pass
    assert "studio models download qwen2.5-1.5b-instruct-gguf" in wd.status.text()
    wd.close()


def test_calendar_item_write_saves_the_draft_and_the_kit_says_what_is_missing(window, tmp_path, qtbot):
    folder, _a, b = _planned(tmp_path)
    project = window.open_project(folder)
    window.show_panel("calendar")
    panel = window.panel("calendar")
    panel.select(b.id)
    with ChatServer(_reply) as srv:
        _endpoint(window, srv)
        dlg = panel.editor.open_writer()
        assert dlg.save_button.isVisible() and not dlg.use_button.isVisible()
        assert dlg.topic.text() == "Coffee idea" and dlg.chosen_platforms() == ["reels"]
        with qtbot.waitSignal(dlg.start().done, timeout=30000):
            pass
        dlg.editors["reels"].caption.setPlainText("Coffee first.")
        dlg.save_to_item()
        dlg.close()
    item = plan.get_item(project, b.id)
    assert item.state == "scripted" and "---" in item.script  # the item keeps its scene lines
    assert item.upload["reels"].caption == "Coffee first." and item.upload["reels"].hashtags == ["run", "dawn"]
    assert item.drafted_by[0].id == "endpoint:tiny"
    qtbot.waitUntil(lambda: panel.editor.item is not None and panel.editor.item.state == "scripted")
    assert panel.editor.script.toPlainText() == item.script
    assert panel.editor.make_kit() is None and "a publish kit is made for approved posts" in panel.editor.message.text()
