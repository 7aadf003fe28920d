"""The timeline: tracks of clips as immutable values, edited by reversible commands.

A `Timeline` is frozen; every edit returns a new Timeline. `EditCommand`s know how to apply and
revert themselves; `UndoStack` is the one undo history of a timeline, used by the window's Edit
menu and by `studio timeline undo|redo` (stored in the project by `studio.core.history`).
"""

from __future__ import annotations

import uuid
from abc import abstractmethod
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import BadInput, NotFound

TrackKind = Literal["video", "narration", "music", "captions", "overlay"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Transform(_Frozen):
    """Placement of a visual clip: crop in source pixels (None = auto reframe) and scale."""

    crop: tuple[int, int, int, int] | None = None
    scale: float = 1.0
    reframe: Literal["face", "center", "none"] = "face"
    #: Where an overlay's centre sits, as fractions of the output frame (0..1).
    position: tuple[float, float] = (0.5, 0.5)
    opacity: float = Field(default=1.0, ge=0.0, le=1.0)


class Clip(_Frozen):
    """An asset placed on a track from `start` for `(out_point - in_point) / speed` seconds."""

    id: str = Field(default_factory=lambda: f"clip-{uuid.uuid4().hex[:8]}")
    asset_id: str | None = None
    start: float = Field(ge=0.0)
    in_point: float = Field(default=0.0, ge=0.0)
    out_point: float = Field(gt=0.0)
    speed: float = Field(default=1.0, gt=0.0, le=16.0)
    volume: float = Field(default=1.0, ge=0.0, le=4.0)
    transform: Transform = Field(default_factory=Transform)
    text: str | None = Field(default=None, description="Caption or text overlay content")
    #: how a video clip enters from the one before it on its track; the two overlap by the
    #: transition's length (a "cut" has no overlap)
    transition: Literal["cut", "crossfade", "dip", "push"] = "cut"
    #: a look for this clip only (studio/render/looks.py), e.g. "old-film"
    look: str | None = None
    #: a video clip plays its own sound track (at `volume`, ducked under narration); off by
    #: default because talking clips carry a copy of the narration
    sound: bool = False

    @property
    def duration(self) -> float:
        return (self.out_point - self.in_point) / self.speed

    @property
    def end(self) -> float:
        return self.start + self.duration


class Track(_Frozen):
    id: str = Field(default_factory=lambda: f"track-{uuid.uuid4().hex[:8]}")
    kind: TrackKind
    name: str = ""
    clips: tuple[Clip, ...] = ()
    muted: bool = False


class Timeline(_Frozen):
    """A post's edit: tracks laid over time."""

    id: str = Field(default_factory=lambda: f"tl-{uuid.uuid4().hex[:8]}")
    name: str = "Main"
    fps: float = Field(default=30.0, gt=0.0, le=240.0)
    tracks: tuple[Track, ...] = ()
    #: a look over the whole picture (studio/render/looks.py), e.g. "warm+grain"
    look: str | None = None

    @classmethod
    def empty(cls, name: str = "Main", fps: float = 30.0) -> Timeline:
        """A timeline with one track of each kind, in layer order."""
        kinds: tuple[TrackKind, ...] = ("video", "overlay", "narration", "music", "captions")
        return cls(name=name, fps=fps, tracks=tuple(Track(kind=k, name=k.title()) for k in kinds))

    @property
    def duration(self) -> float:
        ends = [c.end for t in self.tracks for c in t.clips]
        return max(ends, default=0.0)

    def track(self, track_id_or_kind: str) -> Track:
        for t in self.tracks:
            if t.id == track_id_or_kind:
                return t
        for t in self.tracks:
            if t.kind == track_id_or_kind:
                return t
        kinds = ", ".join(t.kind for t in self.tracks)
        raise NotFound(f"No track '{track_id_or_kind}' on timeline '{self.name}'; use one of: {kinds}.")

    def find_clip(self, clip_id: str) -> tuple[Track, Clip]:
        for t in self.tracks:
            for c in t.clips:
                if c.id == clip_id:
                    return t, c
        raise NotFound(f"No clip '{clip_id}' on timeline '{self.name}'. `studio timeline show PROJECT` lists the clips.")

    def clips_at(self, time: float) -> list[tuple[Track, Clip]]:
        """Clips playing at `time`, bottom layer first."""
        return [(t, c) for t in self.tracks for c in t.clips if c.start <= time < c.end]

    def with_track(self, track: Track) -> Timeline:
        return self.model_copy(
            update={"tracks": tuple(track if t.id == track.id else t for t in self.tracks)}
        )

    def with_clips(self, track: Track, clips: Iterable[Clip]) -> Timeline:
        ordered = tuple(sorted(clips, key=lambda c: c.start))
        return self.with_track(track.model_copy(update={"clips": ordered}))


# --------------------------------------------------------------------------- edit commands


class EditCommand(_Frozen):
    """A reversible edit. `apply` and `revert` are pure: Timeline in, Timeline out."""

    label: str = "Edit"

    @abstractmethod
    def apply(self, tl: Timeline) -> Timeline:
        """The timeline after this edit."""

    @abstractmethod
    def revert(self, tl: Timeline) -> Timeline:
        """The timeline before this edit (given the one after it)."""

    def bound(self, tl: Timeline) -> EditCommand:
        """This edit with whatever it needs to be reverted recorded from `tl`, the timeline it is
        about to apply to (most edits carry it already; a delete learns what it deletes)."""
        return self


class AddClip(EditCommand):
    track: str
    clip: Clip
    label: str = "Add clip"

    def apply(self, tl: Timeline) -> Timeline:
        t = tl.track(self.track)
        return tl.with_clips(t, (*t.clips, self.clip))

    def revert(self, tl: Timeline) -> Timeline:
        t, _ = tl.find_clip(self.clip.id)
        return tl.with_clips(t, (c for c in t.clips if c.id != self.clip.id))


class RemoveClip(EditCommand):
    clip_id: str
    removed: Clip | None = None
    track: str | None = None
    label: str = "Delete clip"

    def bound(self, tl: Timeline) -> RemoveClip:
        """Record what will be removed (and from which track) so the edit can be reverted."""
        if self.removed is not None and self.track is not None:
            return self
        t, c = tl.find_clip(self.clip_id)
        return self.model_copy(update={"removed": c, "track": t.id})

    def apply(self, tl: Timeline) -> Timeline:
        t, _ = tl.find_clip(self.clip_id)
        return tl.with_clips(t, (c for c in t.clips if c.id != self.clip_id))

    def revert(self, tl: Timeline) -> Timeline:
        if self.removed is None or self.track is None:
            raise BadInput("This delete was not bound to a timeline; call bound() first.")
        t = tl.track(self.track)
        return tl.with_clips(t, (*t.clips, self.removed))


class ReplaceClip(EditCommand):
    """Move, trim, change speed: any edit of one clip's fields."""

    before: Clip
    after: Clip
    label: str = "Edit clip"

    def apply(self, tl: Timeline) -> Timeline:
        t, _ = tl.find_clip(self.before.id)
        return tl.with_clips(t, (self.after if c.id == self.before.id else c for c in t.clips))

    def revert(self, tl: Timeline) -> Timeline:
        t, _ = tl.find_clip(self.after.id)
        return tl.with_clips(t, (self.before if c.id == self.after.id else c for c in t.clips))


def move_clip(tl: Timeline, clip_id: str, start: float) -> ReplaceClip:
    """Command that moves a clip to `start` seconds."""
    if start < 0:
        raise BadInput("A clip cannot start before 0 s.")
    _, c = tl.find_clip(clip_id)
    return ReplaceClip(before=c, after=c.model_copy(update={"start": start}), label="Move clip")


def trim_clip(
    tl: Timeline, clip_id: str, in_point: float | None = None, out_point: float | None = None
) -> ReplaceClip:
    """Command that trims a clip's source in/out points (seconds in the source)."""
    _, c = tl.find_clip(clip_id)
    new_in = c.in_point if in_point is None else in_point
    new_out = c.out_point if out_point is None else out_point
    if not 0 <= new_in < new_out:
        raise BadInput(f"Trim needs 0 <= in < out (got in={new_in}, out={new_out}).")
    after = c.model_copy(update={"in_point": new_in, "out_point": new_out})
    return ReplaceClip(before=c, after=after, label="Trim clip")


class SplitClip(EditCommand):
    """Split one clip into two at a timeline time."""

    original: Clip
    left: Clip
    right: Clip
    label: str = "Split clip"

    @classmethod
    def at(cls, tl: Timeline, clip_id: str, time: float) -> SplitClip:
        _, c = tl.find_clip(clip_id)
        if not c.start < time < c.end:
            raise BadInput(f"Split time {time:.2f}s is outside the clip ({c.start:.2f}-{c.end:.2f}s).")
        src_cut = c.in_point + (time - c.start) * c.speed
        left = c.model_copy(update={"out_point": src_cut})
        right = c.model_copy(
            update={"id": f"clip-{uuid.uuid4().hex[:8]}", "start": time, "in_point": src_cut}
        )
        return cls(original=c, left=left, right=right)

    def apply(self, tl: Timeline) -> Timeline:
        t, _ = tl.find_clip(self.original.id)
        rest = [c for c in t.clips if c.id != self.original.id]
        return tl.with_clips(t, (*rest, self.left, self.right))

    def revert(self, tl: Timeline) -> Timeline:
        t, _ = tl.find_clip(self.left.id)
        rest = [c for c in t.clips if c.id not in (self.left.id, self.right.id)]
        return tl.with_clips(t, (*rest, self.original))


class ReplaceTrackClips(EditCommand):
    """Replace every clip of one track (e.g. rebuild the caption track from word timings)."""

    track: str
    before: tuple[Clip, ...]
    after: tuple[Clip, ...]
    label: str = "Replace track"

    @classmethod
    def on(cls, tl: Timeline, track: str, clips: Iterable[Clip], label: str = "Replace track") -> ReplaceTrackClips:
        t = tl.track(track)
        return cls(track=t.id, before=t.clips, after=tuple(clips), label=label)

    def apply(self, tl: Timeline) -> Timeline:
        return tl.with_clips(tl.track(self.track), self.after)

    def revert(self, tl: Timeline) -> Timeline:
        return tl.with_clips(tl.track(self.track), self.before)


# --------------------------------------------------------------------------- helpers


def caption_clips(words: Iterable[dict], offset: float = 0.0) -> list[Clip]:
    """One caption clip per spoken word from `[{"word", "start", "end"}]` timings (seconds).

    A caption clip has no asset: its `text` is the word, `start` the word start on the timeline
    and `out_point` its length, so captions move and trim like any clip.
    """
    clips: list[Clip] = []
    for w in words:
        text = str(w.get("word", "")).strip()
        start, end = float(w["start"]) + offset, float(w["end"]) + offset
        if not text or end <= start:
            continue
        clips.append(Clip(start=max(start, 0.0), out_point=end - start, text=text))
    return clips


def snap_time(tl: Timeline, time: float, tolerance: float = 0.1, exclude: str | None = None,
              extra: Iterable[float] = ()) -> float:
    """`time` moved to the nearest clip edge (or 0, or one of `extra`, e.g. the playhead) within
    `tolerance` seconds, else unchanged. The window's drags snap with this.

    `exclude` is the id of the clip being dragged, so it does not snap to itself.
    """
    edges = [0.0, *extra] + [
        e for t in tl.tracks for c in t.clips if c.id != exclude for e in (c.start, c.end)
    ]
    best = min(edges, key=lambda e: abs(e - time))
    return best if abs(best - time) <= tolerance else time


#: edits kept per timeline; older ones fall off the bottom of the undo stack
HISTORY_LIMIT = 100


class UndoStack:
    """Undo/redo of one timeline's edits: the one history both the window (its Edit menu wraps
    this) and the CLI (`studio timeline undo|redo`, stored by `studio.core.history`) use.

    `timeline` is the timeline as it is now; an owner that lets other code change the timeline
    (a caption job) sets it before each call, and edits then apply to that. At most `limit` edits
    are kept. `is_clean` says whether the stack is where `mark_clean` (a save) left it.
    """

    def __init__(self, timeline: Timeline, done: Iterable[EditCommand] = (),
                 undone: Iterable[EditCommand] = (), limit: int = HISTORY_LIMIT):
        self.timeline = timeline
        self.limit = max(int(limit), 1)
        self._done: list[EditCommand] = list(done)[-self.limit:]
        self._undone: list[EditCommand] = list(undone)[-self.limit:]
        self._clean = len(self._done)

    # -- editing
    def push(self, cmd: EditCommand) -> Timeline:
        """Apply `cmd` (bound to the current timeline first) and forget what was undone."""
        cmd = cmd.bound(self.timeline)
        self.timeline = cmd.apply(self.timeline)
        if self._clean > len(self._done):  # the saved state was among the undone edits: gone now
            self._clean = -1
        self._done.append(cmd)
        self._undone.clear()
        if len(self._done) > self.limit:
            drop = len(self._done) - self.limit
            del self._done[:drop]
            self._clean = self._clean - drop if self._clean >= drop else -1
        return self.timeline

    def undo(self) -> Timeline:
        """Revert the last edit (nothing happens when there is none). A revert that fails (the
        timeline was changed under it) raises and leaves the history as it was."""
        if self._done:
            self.timeline = self._done[-1].revert(self.timeline)
            self._undone.append(self._done.pop())
        return self.timeline

    def redo(self) -> Timeline:
        """Apply the last undone edit again (nothing happens when there is none)."""
        if self._undone:
            self.timeline = self._undone[-1].apply(self.timeline)
            self._done.append(self._undone.pop())
        return self.timeline

    # -- state
    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_label(self) -> str:
        """What Undo would revert ('Move clip'), '' when nothing."""
        return self._done[-1].label if self._done else ""

    @property
    def redo_label(self) -> str:
        return self._undone[-1].label if self._undone else ""

    @property
    def done(self) -> tuple[EditCommand, ...]:
        """The edits that Undo reverts, oldest first."""
        return tuple(self._done)

    @property
    def undone(self) -> tuple[EditCommand, ...]:
        """The edits that Redo applies again, the next one last."""
        return tuple(self._undone)

    def mark_clean(self) -> None:
        """The timeline as it is now is saved."""
        self._clean = len(self._done)

    @property
    def is_clean(self) -> bool:
        return self._clean == len(self._done)
