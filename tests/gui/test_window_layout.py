"""Issue 20, what a new user sees first, at the default window size and at 1280x720: the timeline's
clips in sight after a post (and the user's split remembered), the Post page's button above the
fold with a Still dropdown of one height, titles cut at a word."""

from __future__ import annotations

from PySide6.QtCore import QRect

from studio.core.project import Project
from studio.core.text import short_title
from studio.core.timeline import AddClip, Clip, Timeline
from studio.gui.timeline_view import LANE, RULER


def _posted_timeline(project: Project) -> Timeline:
    """What a post leaves: a timeline with a still on the video lane and a caption."""
    still = project.assets_of("image")[0]
    tl = Timeline.empty(name="Post")
    tl = AddClip(track="video", clip=Clip(asset_id=still.id, start=0.0, out_point=6.0)).apply(tl)
    return AddClip(track="captions", clip=Clip(start=0.5, out_point=1.0, text="Hello")).apply(tl)


def _shown(view, item) -> QRect:
    """The part of a clip item inside the track view's viewport, in viewport pixels."""
    rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    return rect.intersected(view.viewport().rect())


def test_timeline_shows_every_lane_and_its_clips_after_a_post(sized_window, demo_project, qtbot):
    window = sized_window
    project = window.open_project(demo_project)
    panel = window.timeline_dock.panel
    assert panel.stack.currentWidget() is panel.empty  # no timeline before the first post
    project.put_timeline(_posted_timeline(project))  # the post job lands its timeline
    qtbot.waitUntil(lambda: len(panel.view.clip_items()) == 2)
    qtbot.wait(20)
    view, split = panel.view, panel.split
    # the tracks get the room, the preview what a 9:16 frame needs ("Overl", no clips, was the bug)
    assert view.width() > 0.6 * split.width(), split.sizes()
    assert panel.preview.width() >= panel.preview.minimumWidth()
    # every lane and the ruler fit without scrolling down
    assert view.viewport().height() >= RULER + LANE * len(project.timeline().tracks), view.viewport().height()
    for item in view.clip_items():
        shown = _shown(view, item)
        assert shown.width() >= 40 and shown.height() >= LANE // 2, (item.label, shown)


def test_timeline_split_the_user_chose_is_remembered(sized_window, demo_project, qtbot, tmp_path):
    window = sized_window
    project = window.open_project(demo_project)
    project.put_timeline(_posted_timeline(project))
    split = window.timeline_dock.panel.split
    qtbot.waitUntil(lambda: split.sizes()[0] > 0)
    total = sum(split.sizes())
    split.moveSplitter(int(total * 0.5), 1)  # the user drags the handle to the middle
    chosen = split.sizes()
    assert abs(chosen[0] - chosen[1]) < 0.1 * total
    window.close()  # the next window (same studio home) opens with the same split
    from studio.gui.main_window import MainWindow

    again = MainWindow(window.settings)
    qtbot.addWidget(again)
    again.resize(window.size())
    again.show()
    again.open_project(demo_project)
    again_split = again.timeline_dock.panel.split
    qtbot.waitUntil(lambda: again_split.sizes()[0] > 0)
    sizes = again_split.sizes()
    assert abs(sizes[0] / sum(sizes) - chosen[0] / sum(chosen)) < 0.05, (sizes, chosen)
    again.close()


def test_post_button_in_sight_and_still_dropdown_keeps_its_height(sized_window, persona_project, qtbot):
    window = sized_window
    window.open_project(persona_project)
    window.show_panel("post")
    panel = window.panel("post")
    qtbot.wait(20)
    page = window.pages.currentWidget()
    button = panel.post_button
    top_left = button.mapTo(page, button.rect().topLeft())
    assert button.isVisible() and page.rect().contains(QRect(top_left, button.size())), (top_left, page.size())
    height = panel.still.height()
    assert height >= panel.still.sizeHint().height()  # not squeezed now, so nothing to grow into later
    panel.status.setText("Making the still — 10 %  " * 6)  # what pressing Make post shows
    panel.refresh()
    qtbot.wait(20)
    assert panel.still.height() == height


def test_default_titles_are_cut_at_a_word_with_an_ellipsis(window, persona_project, monkeypatch):
    assert short_title("Morning run done! Who else is up this early? Let's go") == \
        "Morning run done! Who else is up this…"
    assert short_title("Short one") == "Short one"
    assert short_title("x" * 60).endswith("…") and len(short_title("x" * 60)) == 40
    window.open_project(persona_project)
    panel = window.panel("post")
    panel.script.setPlainText("Morning run done! Who else is up this early? Let's go")
    prepared = {}
    monkeypatch.setattr(window.jobs, "start", lambda _p, kind, params, title: prepared.update(title=title) or "job-x")
    panel.make_post()
    assert prepared["title"] == "Post: Morning run done! Who else is up this…"
