"""Timeline edit commands, undo/redo round trips, caption clips and snapping."""

from __future__ import annotations

import pytest

from studio.core.errors import BadInput
from studio.core.timeline import (
    AddClip,
    Clip,
    RemoveClip,
    ReplaceTrackClips,
    SplitClip,
    Timeline,
    UndoStack,
    caption_clips,
    move_clip,
    snap_time,
    trim_clip,
)


def test_every_edit_undoes_and_redoes_to_identical_timelines():
    tl0 = Timeline.empty()
    stack = UndoStack(tl0)
    a = Clip(asset_id="clip-a", start=0, out_point=4)
    b = Clip(asset_id="clip-b", start=4, out_point=2, speed=2)
    states = [stack.timeline]
    states.append(stack.push(AddClip(track="video", clip=a)))
    states.append(stack.push(AddClip(track="video", clip=b)))
    states.append(stack.push(move_clip(stack.timeline, b.id, 5.0)))
    states.append(stack.push(trim_clip(stack.timeline, a.id, 0.5, 3.5)))
    states.append(stack.push(SplitClip.at(stack.timeline, a.id, 1.5)))
    states.append(stack.push(RemoveClip(clip_id=b.id)))
    states.append(stack.push(ReplaceTrackClips.on(stack.timeline, "captions", [Clip(start=0, out_point=1, text="hi")])))
    assert len(stack.timeline.track("video").clips) == 2  # a split in two, b removed
    assert stack.timeline.track("captions").clips[0].text == "hi"
    for expected in reversed(states[:-1]):
        assert stack.undo() == expected
    assert not stack.can_undo
    for expected in states[1:]:
        assert stack.redo() == expected
    assert stack.timeline.model_dump() == states[-1].model_dump()


def test_split_keeps_source_continuity_and_duration():
    c = Clip(asset_id="x", start=2, in_point=1, out_point=5, speed=2)  # 2 s on the timeline
    tl = AddClip(track="video", clip=c).apply(Timeline.empty())
    cmd = SplitClip.at(tl, c.id, 3.0)
    assert cmd.left.out_point == pytest.approx(3.0) and cmd.right.in_point == pytest.approx(3.0)
    assert cmd.left.duration + cmd.right.duration == pytest.approx(c.duration)
    with pytest.raises(BadInput):
        SplitClip.at(tl, c.id, 9.0)


def test_caption_clips_follow_word_timings_and_skip_empty_words():
    words = [{"word": "Hi", "start": 0.1, "end": 0.4}, {"word": " ", "start": 0.4, "end": 0.5},
             {"word": "there", "start": 0.5, "end": 0.9}]
    clips = caption_clips(words, offset=1.0)
    assert [(c.text, c.start, round(c.end, 3)) for c in clips] == [("Hi", 1.1, 1.4), ("there", 1.5, 1.9)]


def test_snap_time_snaps_to_nearby_edges_only():
    a = Clip(asset_id="a", start=1.0, out_point=2.0)
    tl = AddClip(track="video", clip=a).apply(Timeline.empty())
    assert snap_time(tl, 2.95, 0.1) == pytest.approx(3.0)
    assert snap_time(tl, 2.5, 0.1) == 2.5
    assert snap_time(tl, 0.04, 0.1) == 0.0
    assert snap_time(tl, 0.97, 0.1, exclude=a.id) == 0.97


def test_cli_timeline_edits(tmp_path, project_factory):
    from typer.testing import CliRunner

    from studio.cli.main import app
    from studio.core.project import Project

    p, tl, ids = project_factory(tmp_path)
    p.close()
    run = CliRunner().invoke
    r = run(app, ["timeline", "new", str(p.path), "--name", "Second"])
    assert r.exit_code == 0, r.output
    r = run(app, ["timeline", "add", str(p.path), ids["clip"], "--track", "video", "-t", "Second"])
    assert r.exit_code == 0, r.output
    clip = r.output.strip()
    for args in (["move", clip, "1.0"], ["trim", clip, "--in-point", "0.5"], ["split", clip, "2.0"]):
        r = run(app, ["timeline", *args[:1], str(p.path), *args[1:], "-t", "Second"])
        assert r.exit_code == 0, r.output
    with Project.open(p.path, read_only=True) as q:
        clips = q.timeline("Second").track("video").clips
        assert [(c.start, c.in_point) for c in clips] == [(1.0, 0.5), (2.0, 1.5)]
    r = run(app, ["timeline", "remove", str(p.path), clips[1].id, "-t", "Second"])
    assert r.exit_code == 0
    r = run(app, ["timeline", "split", str(p.path), clips[0].id, "99", "-t", "Second"])
    assert isinstance(r.exception, BadInput) and r.exception.exit_code == 2  # main() prints it
    assert "outside the clip" in str(r.exception)
