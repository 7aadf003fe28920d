"""Issue 20, what a new user sees first, at the default window size and at 1280x720: the timeline's
clips in sight after a post (and the user's split remembered), the Post page's button above the
fold with a Still dropdown of one height, titles cut at a word."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF

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


def test_empty_preview_text_stays_inside_the_9_16_frame(sized_window, demo_project, qtbot):
    from PySide6.QtGui import QFontMetrics

    from studio.gui.timeline_preview import EMPTY_FLAGS

    window = sized_window
    window.open_project(demo_project)
    panel = window.timeline_dock.panel
    panel.create_timeline()
    preview = panel.preview
    qtbot.waitUntil(lambda: preview.timeline is not None)
    for width in (preview.width(), 160):  # as laid out, and the narrowest the preview gets
        preview.resize(width, preview.height())
        frame = preview.frame_rect()
        box, font, text = preview.empty_text(frame)
        assert text.startswith("Nothing on the video track")
        need = QFontMetrics(font).boundingRect(box.toRect(), int(EMPTY_FLAGS), text)
        assert frame.contains(QRectF(need)), (width, frame, need)
        assert not preview.grab().toImage().isNull()


def test_narration_and_clip_tiles_show_a_waveform_and_a_frame(sized_window, demo_project, tmp_path, qtbot):
    import subprocess
    import wave

    import numpy as np

    from studio.core.media import ffmpeg_exe
    from studio.gui.asset_bin import ID_ROLE

    tone = tmp_path / "take.wav"
    t = np.arange(24000) / 24000.0
    with wave.open(str(tone), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24000)
        w.writeframes((np.sin(2 * np.pi * 220 * t) * np.sin(np.pi * t) * 20000).astype("<i2").tobytes())
    clip = tmp_path / "clip.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=160x284:r=10:d=1",
                    "-pix_fmt", "yuv420p", str(clip)], check=True)
    with Project.open(demo_project) as p:
        ids = {p.import_file(tone, "narration", label="take").id: "narration",
               p.import_file(clip, "clip", label="clip").id: "clip"}
    window = sized_window
    window.open_project(demo_project)
    bin_list = window.asset_bin.list

    def images():
        icons = {bin_list.item(i).data(ID_ROLE): bin_list.item(i).icon() for i in range(bin_list.count())}
        return {aid: icons[aid].pixmap(96, 96).toImage() for aid in ids}

    def colours(img):
        return {img.pixel(x, y) for x in range(0, 96, 4) for y in range(0, 96, 4)}

    # the bin shows placeholders first and fills in the thumbnails in view on later turns
    qtbot.waitUntil(lambda: all(len(colours(img)) > 8 for img in images().values()), timeout=5000)
    for aid, kind in ids.items():
        img = images()[aid]
        assert len(colours(img)) > 8, kind  # a waveform / a frame, not a grey tile with a word
        if kind == "narration":  # the waveform's green bars, tallest near the middle of the take
            green = [img.pixelColor(x, 48) for x in range(96)]
            assert sum(c.green() > 150 and c.red() < 120 for c in green) > 20



PAGES = ("library", "faces", "stills", "motion", "voice", "post", "export", "calendar")


def test_no_page_needs_a_sideways_scroll_and_run_buttons_stay_in_sight(sized_window, demo_project, qtbot):
    """At 1280x720 with the docks open the Voice page was 991 px wide (its right column cut off) and the
    Export page's button below the fold; every page fits its width and shows its run button."""
    window = sized_window
    window.open_project(demo_project)
    for key in PAGES:
        window.show_panel(key)
        qtbot.wait(20)
        holder, page = window.pages.currentWidget(), window.panel(key)
        assert page.minimumSizeHint().width() <= holder.width(), (key, page.minimumSizeHint(), holder.size())
        run = {"stills": "generate_button", "motion": "animate_button", "post": "post_button",
               "export": "export_button"}.get(key)
        if run:
            b = getattr(page, run)
            top_left = b.mapTo(holder, b.rect().topLeft())
            assert holder.rect().contains(QRect(top_left, b.size())), (key, top_left, holder.size())
