"""TaskContext progress/cancel and the timeline's reversible edits."""

from __future__ import annotations

import pytest

from studio.core.errors import BadInput
from studio.core.tasks import Cancelled, TaskContext
from studio.core.timeline import (
    AddClip,
    Clip,
    RemoveClip,
    SplitClip,
    Timeline,
    UndoStack,
    move_clip,
    trim_clip,
)


def test_sub_contexts_map_progress_and_share_cancel():
    seen = []
    ctx = TaskContext(lambda p: seen.append(round(p.fraction, 3)))
    ctx.sub(0.0, 0.5).progress(1, 2)
    ctx.sub(0.5, 1.0).sub(0.5, 1.0).progress(2, 2)
    assert seen == [0.25, 1.0]
    child = ctx.sub(0.2, 0.4)
    ctx.cancel()
    assert child.cancelled
    with pytest.raises(Cancelled):
        child.progress(1, 10)


def test_eta_from_elapsed():
    ctx = TaskContext()
    ctx.progress(1, 4)
    assert ctx.last.eta is not None and ctx.last.eta >= 0


def test_edits_undo_redo_round_trip():
    tl = Timeline.empty()
    stack = UndoStack(tl)
    clip = Clip(asset_id="clip-a", start=0, out_point=4)
    stack.push(AddClip(track="video", clip=clip))
    stack.push(move_clip(stack.timeline, clip.id, 1.0))
    stack.push(trim_clip(stack.timeline, clip.id, in_point=0.5))
    assert stack.timeline.find_clip(clip.id)[1].start == 1.0
    assert stack.timeline.duration == pytest.approx(4.5)
    stack.push(SplitClip.at(stack.timeline, clip.id, 2.0))
    video = stack.timeline.track("video")
    assert [(c.start, c.in_point, c.out_point) for c in video.clips] == [(1.0, 0.5, 1.5), (2.0, 1.5, 4.0)]
    stack.push(RemoveClip(clip_id=video.clips[1].id))
    assert len(stack.timeline.track("video").clips) == 1
    for _ in range(5):
        stack.undo()
    assert stack.timeline == tl and not stack.can_undo
    for _ in range(5):
        stack.redo()
    assert len(stack.timeline.track("video").clips) == 1 and stack.timeline.duration == pytest.approx(2.0)


def test_bad_edits_are_refused():
    tl = AddClip(track="video", clip=Clip(id="c1", start=0, out_point=2)).apply(Timeline.empty())
    with pytest.raises(BadInput):
        move_clip(tl, "c1", -1)
    with pytest.raises(BadInput):
        trim_clip(tl, "c1", in_point=3)
    with pytest.raises(BadInput):
        SplitClip.at(tl, "c1", 5)
