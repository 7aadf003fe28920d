"""Issue 20, jobs as a new user meets them, at the default window size and at 1280x720: quitting
with a running job asks (wait / cancel / resume later) and a job stopped by quitting is interrupted
and resumable; the jobs dock keeps its buttons in sight; a retried job says "running" while its
bar moves."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from studio.actions.registry import queue_of
from studio.core.jobs import JobState

LONG_SCRIPT = " ".join(["This is a long script that keeps the voice busy for a while."] * 40)


def _buttons_in_sight(dock, qtbot) -> None:
    qtbot.wait(30)  # rows just built are laid out on the next turn of the event loop
    viewport = dock.scroll.viewport()
    assert not dock.scroll.horizontalScrollBar().isVisible()
    assert dock.scroll.widget().width() <= viewport.width()
    for row in dock.rows.values():
        for b in (row.cancel_button, row.resume_button):
            if b.isVisibleTo(row):
                right = b.mapTo(viewport, QPoint(b.width(), 0)).x()
                assert 0 < right <= viewport.width(), (row.title.full_text, b.text(), right, viewport.width())


def _start_long_narration(window, qtbot) -> str:
    voice = window.panel("voice")
    voice.script.setPlainText(LONG_SCRIPT)
    job_id = voice.start_narration()
    with qtbot.waitSignal(window.jobs.progress, timeout=60000, check_params_cb=lambda i, _p: i == job_id):
        pass
    return job_id


def test_quit_during_a_job_asks_and_leaves_it_resumable(sized_window, demo_project, qtbot):
    window = sized_window
    project = window.open_project(demo_project)
    job_id = _start_long_narration(window, qtbot)
    asked = []
    window.ask_quit = lambda jobs: asked.append([j.id for j in jobs]) or "resume"
    window.close()
    assert asked == [[job_id]] and not window.isVisible()
    job = queue_of(project).get(job_id)
    assert job.state == JobState.queued and job.interrupted and "closed" in job.label
    assert not project.assets_of("narration")  # nothing half-made was registered

    from studio.gui.main_window import MainWindow

    again = MainWindow(window.settings)
    again.ask_quit = lambda _jobs: "cancel"
    qtbot.addWidget(again)
    again.resize(window.size())
    again.show()
    again.open_project(demo_project)
    dock = again.jobs_dock
    row = dock.rows[job_id]
    assert row.state.text() == "interrupted" and row.resume_button.text() == "Resume"
    assert row.resume_button.isVisibleTo(row) and not row.cancel_button.isVisibleTo(row)
    _buttons_in_sight(dock, qtbot)
    # resume: while it runs the row says so (a retried job read "queued" while its bar moved)
    row.resume_button.click()
    with qtbot.waitSignal(again.jobs.progress, timeout=60000, check_params_cb=lambda i, _p: i == job_id):
        pass
    qtbot.waitUntil(lambda: dock.rows[job_id].bar.value() > 0, timeout=30000)
    dock.refresh()  # the job file may still say "queued": the live state wins
    row = dock.rows[job_id]
    assert row.state.text() == "running" and row.cancel_button.isVisibleTo(row)
    _buttons_in_sight(dock, qtbot)
    row.cancel_button.click()
    with qtbot.waitSignal(again.jobs.finished, timeout=60000, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    assert sig.args[0].state == JobState.cancelled
    again.close()


def test_quit_can_wait_for_the_job_or_be_called_off(window, demo_project, qtbot):
    window.open_project(demo_project)
    voice = window.panel("voice")
    voice.script.setPlainText("Hello there.")
    job_id = voice.start_narration()
    window.ask_quit = lambda _jobs: "stay"
    window.close()
    assert window.isVisible()  # "Don't quit"
    window.ask_quit = lambda _jobs: "wait"
    window.close()
    assert window.isVisible() and "Quitting when" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.jobs.finished, timeout=60000, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    assert sig.args[0].state == JobState.done  # it finished, then the window closed by itself
    qtbot.waitUntil(lambda: not window.isVisible())


def test_jobs_dock_keeps_its_buttons_in_sight_with_long_titles_and_errors(sized_window, demo_project, qtbot):
    window = sized_window
    project = window.open_project(demo_project)
    q = queue_of(project)
    title = "Post: " + "Morning run done and a very long title that goes on " * 3
    for state in (JobState.failed, JobState.cancelled, JobState.queued):
        job = q.submit("narrate", {"text": "x"}, title)
        job.state = state
        if state == JobState.failed:
            job.error = "Internal error: " + "/very/long/path/without/any/spaces/" * 6 + " see the job file."
        q.save(job)
    dock = window.jobs_dock
    dock.refresh()
    qtbot.wait(20)
    assert len(dock.rows) == 3
    for row in dock.rows.values():
        assert row.title.full_text == title and row.title.toolTip() == title
        assert row.title.text().endswith("…") or row.title.text() == title  # elided to the dock's width
    _buttons_in_sight(dock, qtbot)
