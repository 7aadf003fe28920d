"""Timeline panel: drop assets from the bin, move / trim / split / delete, undo and redo, preview."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF

from studio.core.timeline import ReplaceClip
from studio.gui.dragdrop import ASSET_MIME, asset_ids, asset_mime
from studio.gui.timeline_view import HEADER, LANE, RULER, ClipItem


def _open(window, demo_project):
    project = window.open_project(demo_project)
    panel = window.timeline_dock.panel
    panel.create_timeline()
    return project, panel


def test_drop_from_asset_bin_then_edit_and_undo_redo(window, demo_project, qtbot):
    project, panel = _open(window, demo_project)
    still = project.assets_of("image")[0]
    # the asset bin's drag carries the asset id and the file
    items = [window.asset_bin.list.item(0)]
    mime = window.asset_bin.list.mimeData(items)
    assert asset_ids(mime) == [still.id] and mime.hasFormat(ASSET_MIME)
    assert mime.urls()[0].toLocalFile() == str(project.asset_path(still).resolve())
    # drop it on the video lane at 1 s
    view = panel.view
    pos = QPointF(HEADER + 1.0 * view.pps, RULER + LANE * 0.5)
    for cmd in view.drop_commands(asset_ids(mime), pos):
        panel.apply(cmd)
    tl = project.timeline()
    clip = tl.track("video").clips[0]
    assert clip.asset_id == still.id and clip.start == 1.0 and clip.duration == 3.0
    qtbot.waitUntil(lambda: len(view.clip_items()) == 1)

    # drag the clip body by 60 px (= 1 s at 60 px/s): a move
    item = view.clip_items()[0]
    item._mode, item._press_x = "move", 0.0
    moved = item.edited(1.0 * view.pps)
    panel.apply(ReplaceClip(before=clip, after=moved))
    assert project.timeline().track("video").clips[0].start == 2.0
    # trim its end handle back by 1 s
    qtbot.waitUntil(lambda: view.clip_items() and view.clip_items()[0].clip.start == 2.0)
    item = view.clip_items()[0]
    item._mode = "trim-right"
    trimmed = item.edited(-1.0 * view.pps)
    assert trimmed.duration == 2.0 and trimmed.start == 2.0
    # split at the playhead, then delete the right half
    panel.apply(ReplaceClip(before=item.clip, after=trimmed))
    view.set_playhead(3.0)
    qtbot.waitUntil(lambda: view.clip_items() and view.clip_items()[0].clip.duration == 2.0)
    view.clip_items()[0].setSelected(True)
    panel.split_selected()
    clips = project.timeline().track("video").clips
    assert [(c.start, c.end) for c in clips] == [(2.0, 3.0), (3.0, 4.0)]
    qtbot.waitUntil(lambda: len(view.clip_items()) == 2)
    right = next(i for i in view.clip_items() if i.clip.start == 3.0)
    view.scene().clearSelection()
    right.setSelected(True)
    panel.delete_selected()
    assert [(c.start, c.end) for c in project.timeline().track("video").clips] == [(2.0, 3.0)]

    undo = window.session.undo
    assert undo.count() == 5  # add, move, trim, split, delete
    undo.undo()
    assert len(project.timeline().track("video").clips) == 2
    for _ in range(4):
        undo.undo()
    assert project.timeline().track("video").clips == ()
    for _ in range(5):
        undo.redo()
    assert [(c.start, c.end) for c in project.timeline().track("video").clips] == [(2.0, 3.0)]
    assert project.dirty and "*" in window.windowTitle()
    window.undo_action.trigger()  # the Edit menu's Undo runs the same stack
    assert len(project.timeline().track("video").clips) == 2


def test_snapping_pulls_a_moved_clip_to_the_playhead_and_clip_edges(window, demo_project, qtbot):
    """The view snaps with the core's snap_time (clip edges, 0, and here the playhead too)."""
    project, panel = _open(window, demo_project)
    still = project.assets_of("image")[0]
    for cmd in panel.view.drop_commands([still.id], QPointF(HEADER, RULER + 2)):
        panel.apply(cmd)  # a 3 s still at 0 s
    view = panel.view
    qtbot.waitUntil(lambda: len(view.clip_items()) == 1)
    view.set_playhead(5.0)
    tol = 8 / view.pps  # SNAP_PX
    assert view.snapped(5.0 + tol / 2) == 5.0  # the playhead
    assert view.snapped(3.0 - tol / 2) == 3.0  # the still's end
    assert view.snapped(4.0) == 4.0  # nothing near
    clip = view.clip_items()[0].clip
    assert view.snapped(3.0 - tol / 2, exclude=clip.id) == 3.0 - tol / 2  # a dragged clip ignores itself


def test_preview_shows_the_frame_and_caption_at_the_playhead(window, demo_project, qtbot):
    project, panel = _open(window, demo_project)
    still = project.assets_of("image")[0]
    for cmd in panel.view.drop_commands([still.id], QPointF(HEADER, RULER + 2)):
        panel.apply(cmd)
    panel.view.set_playhead(0.5)
    panel.add_caption("Hello there")
    layers, caption = panel.preview.compose(project.timeline(), 1.0)
    assert len(layers) == 1 and not layers[0].isNull() and caption == "Hello there"
    assert panel.preview.compose(project.timeline(), 5.0) == ([], "")
    # the preview paints the frame, caption and safe zone without error in every format
    for i in range(panel.format.count()):
        panel.format.setCurrentIndex(i)
        img = panel.preview.grab().toImage()
        assert not img.isNull()
    fmt = panel.preview.format
    frame = panel.preview.frame_rect()
    assert abs(frame.width() / frame.height() - fmt.aspect) < 0.02


def test_dragging_a_clip_item_with_the_mouse_moves_it(window, demo_project, qtbot):
    project, panel = _open(window, demo_project)
    still = project.assets_of("image")[0]
    for cmd in panel.view.drop_commands([still.id], QPointF(HEADER, RULER + 2)):
        panel.apply(cmd)
    qtbot.waitUntil(lambda: len(panel.view.clip_items()) == 1)
    view = panel.view
    item: ClipItem = view.clip_items()[0]
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    view.resize(1000, 300)
    center = view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center)
    QTest.mouseMove(view.viewport(), center + QPoint(120, 0))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       center + QPoint(120, 0))
    assert project.timeline().track("video").clips[0].start == 2.0
    assert window.session.undo.undoText() == "Move clip"


def test_asset_mime_round_trip():
    mime = asset_mime(["still-1", "clip-2"], [])
    assert asset_ids(mime) == ["still-1", "clip-2"]


def test_narrow_caption_clips_show_the_word_elided_with_the_whole_word_in_the_tooltip(window, demo_project, qtbot):
    from PySide6.QtGui import QFontMetrics

    project, panel = _open(window, demo_project)
    panel.add_caption("laptop,", seconds=0.3)  # ~ one spoken word: narrow at the default zoom
    panel.view.set_playhead(3.0)
    panel.add_caption("Hello", seconds=3.0)
    qtbot.waitUntil(lambda: len(panel.view.clip_items()) == 2)
    items = {i.clip.text: i for i in panel.view.clip_items() if i.clip.text}
    narrow, wide = items["laptop,"], items["Hello"]
    metrics = QFontMetrics(panel.view.font())
    assert narrow.label == "laptop," and "“" not in narrow.label  # the word, not a quote mark
    assert narrow.toolTip().splitlines()[0] == "laptop,"
    shown = narrow.shown_text(metrics)
    assert shown != "laptop," and "laptop,".startswith(shown.removesuffix("…"))  # "lap…" or, if tighter, "la"
    assert metrics.horizontalAdvance(shown) <= narrow.text_rect().width()
    assert wide.shown_text(metrics) == "Hello"
    panel.view.set_zoom(400)  # zoomed in, the short clip has room for its word
    qtbot.waitUntil(lambda: len(panel.view.clip_items()) == 2)
    items = {i.clip.text: i for i in panel.view.clip_items() if i.clip.text}
    assert items["laptop,"].shown_text(metrics) == "laptop,"
    assert not panel.view.grab().toImage().isNull()  # paints with the elided labels


def test_keyboard_redo_with_ctrl_shift_z_and_ctrl_y(sized_window, demo_project, qtbot):
    """Split, Ctrl+Z, then Ctrl+Shift+Z or Ctrl+Y redo (one key on the action twice was ambiguous)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence

    window = sized_window
    project, panel = _open(window, demo_project)
    still = project.assets_of("image")[0]
    for cmd in panel.view.drop_commands([still.id], QPointF(HEADER, RULER + 2)):
        panel.apply(cmd)
    qtbot.waitUntil(lambda: len(panel.view.clip_items()) == 1)
    panel.view.clip_items()[0].setSelected(True)
    panel.view.set_playhead(1.0)
    panel.split_selected()
    assert len(project.timeline().track("video").clips) == 2
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    for redo in ((Qt.Key.Key_Z, ctrl | shift), (Qt.Key.Key_Y, ctrl)):
        qtbot.keyClick(window, Qt.Key.Key_Z, ctrl)
        assert len(project.timeline().track("video").clips) == 1, "Ctrl+Z"
        qtbot.keyClick(window, *redo)
        assert len(project.timeline().track("video").clips) == 2, redo
    # no key is bound twice anywhere in the window, not even twice to one action: Qt then calls the
    # shortcut ambiguous and does nothing (X11's Redo key is Ctrl+Shift+Z, which was added again)
    seen: dict[str, QAction] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            key = seq.toString(QKeySequence.SequenceFormat.PortableText)
            assert key not in seen, (key, seen[key].text() if key in seen else "", action.text())
            seen[key] = action
    assert seen["Ctrl+Shift+Z"] is window.redo_action and seen["Ctrl+Y"] is window.redo_action


def test_window_and_cli_share_one_undo_history(window, demo_project, qtbot):
    """An edit made with `studio timeline` is undone in the window, and the window's edit by the CLI."""
    from typer.testing import CliRunner

    from studio.cli.main import app
    from studio.core.project import Project
    from studio.core.timeline import Timeline

    with Project.open(demo_project) as p:
        still = p.assets_of("image")[0].id
        p.put_timeline(Timeline.empty())
    run = CliRunner().invoke
    clip = run(app, ["timeline", "add", str(demo_project), still, "--track", "video"]).output.strip()
    assert run(app, ["timeline", "move", str(demo_project), clip, "2.0"]).exit_code == 0
    project = window.open_project(demo_project)
    assert window.undo_action.isEnabled() and window.undo_action.text() == "Undo Move clip"
    window.undo_action.trigger()  # the CLI's move, undone in the window
    assert project.timeline().track("video").clips[0].start == 0.0
    assert window.redo_action.text() == "Redo Move clip"
    panel = window.timeline_dock.panel
    panel.view.set_playhead(1.0)
    panel.add_caption("Hi")  # the window's own edit
    window.session.close()  # saves the project; the history was written with each edit
    r = run(app, ["timeline", "undo", str(demo_project)])
    assert r.exit_code == 0 and "Undid Add caption" in r.output, r.output
    r = run(app, ["timeline", "undo", str(demo_project)])
    assert "Undid Add clip" in r.output
    with Project.open(demo_project, read_only=True) as p:
        assert p.timeline().track("video").clips == () and p.timeline().track("captions").clips == ()
