"""The undo history of a project's timelines, kept in the project between commands and sessions.

One `UndoStack` (studio.core.timeline) per timeline, stored in `NAME.persona/history/ID.json`
(atomic writes, at most `HISTORY_LIMIT` edits), so `studio timeline undo` undoes what an earlier
`studio timeline move` did, and the window after a restart undoes what the CLI did, and back.

Each file records a fingerprint of the timeline its edits lead to. When the timeline in the project
is no longer that one (a post or caption job rebuilt it, an older studio edited it, the project was
restored from a backup), the stored edits no longer describe it and the history starts empty:
undoing across an edit nobody recorded could scramble the timeline.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .atomic import atomic_write_json
from .errors import StudioError
from .project import Project
from .timeline import (
    HISTORY_LIMIT,
    AddClip,
    EditCommand,
    RemoveClip,
    ReplaceClip,
    ReplaceTrackClips,
    SplitClip,
    Timeline,
    UndoStack,
)

HISTORY_DIR = "history"
#: the edit commands a history file may hold, by the name stored with each
COMMANDS: dict[str, type[EditCommand]] = {
    c.__name__: c for c in (AddClip, RemoveClip, ReplaceClip, SplitClip, ReplaceTrackClips)
}
FORMAT = 1


def fingerprint(tl: Timeline) -> str:
    """A digest of everything in `tl` (what its history's last edit must have led to)."""
    doc = json.dumps(tl.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def dump_command(cmd: EditCommand) -> dict[str, Any]:
    return {"type": type(cmd).__name__, **cmd.model_dump(mode="json")}


def load_command(doc: dict[str, Any]) -> EditCommand:
    doc = dict(doc)
    kind = COMMANDS.get(str(doc.pop("type", "")))
    if kind is None:
        raise ValueError("unknown edit")
    return kind.model_validate(doc)


class TimelineHistory:
    """The undo stacks of one open project's timelines, read from and written to the project."""

    def __init__(self, project: Project, limit: int = HISTORY_LIMIT):
        self.project = project
        self.limit = limit
        self._stacks: dict[str, UndoStack] = {}

    def _file(self, timeline_id: str):  # noqa: ANN202 - a Path
        return self.project.path / HISTORY_DIR / f"{timeline_id}.json"

    def stack(self, timeline: str | None = None) -> UndoStack:
        """The undo stack of a timeline (id or name; None = the first), set to the timeline as the
        project has it now."""
        tl = self.project.timeline(timeline)
        st = self._stacks.get(tl.id)
        if st is None:
            st = self._stacks[tl.id] = self._load(tl)
        st.timeline = tl  # a job may have changed it since: edits apply to what is there now
        return st

    # -- the three things a user does
    def edit(self, timeline: str | None, cmd: EditCommand, save: bool = True) -> EditCommand:
        """Apply `cmd` to the timeline, put it in the project (saved, or only marked dirty when
        `save` is False: the window saves later) and record it; returns the edit as applied."""
        st = self.stack(timeline)
        new = st.push(cmd)
        self._store(st, new, save)
        return st.done[-1]

    def undo(self, timeline: str | None = None, save: bool = True) -> EditCommand:
        """Revert the timeline's last edit; returns it. StudioError when there is none."""
        st = self.stack(timeline)
        if not st.can_undo:
            raise StudioError(f"Nothing to undo on timeline '{st.timeline.name}': {self._why_empty(st)}")
        cmd = st.done[-1]
        self._store(st, st.undo(), save)
        return cmd

    def redo(self, timeline: str | None = None, save: bool = True) -> EditCommand:
        """Apply the timeline's last undone edit again; returns it. StudioError when there is none."""
        st = self.stack(timeline)
        if not st.can_redo:
            raise StudioError(f"Nothing to redo on timeline '{st.timeline.name}': "
                              "redo follows an undo, and a new edit after an undo clears it.")
        cmd = st.undone[-1]
        self._store(st, st.redo(), save)
        return cmd

    def _why_empty(self, st: UndoStack) -> str:
        return ("no edit is recorded since it was made or last rebuilt by a job (edits made with "
                "`studio timeline add|move|trim|split|remove` or in the window are)." if not st.can_redo
                else "every recorded edit is undone already; `studio timeline redo` applies them again.")

    # -- storage
    def _store(self, st: UndoStack, tl: Timeline, save: bool) -> None:
        self.project.put_timeline(tl, save=save)
        self.write(st)

    def write(self, st: UndoStack) -> None:
        """Save one stack atomically (nothing for a read-only project)."""
        if self.project.read_only:
            return
        atomic_write_json(self._file(st.timeline.id), {
            "format": FORMAT,
            "timeline": st.timeline.id,
            "fingerprint": fingerprint(st.timeline),
            "done": [dump_command(c) for c in st.done],
            "undone": [dump_command(c) for c in st.undone],
        })

    def _load(self, tl: Timeline) -> UndoStack:
        """The stored stack of `tl`, or an empty one when none is stored or it no longer fits."""
        file = self._file(tl.id)
        try:
            doc = json.loads(file.read_text("utf-8"))
            if doc.get("format") != FORMAT or doc.get("fingerprint") != fingerprint(tl):
                return UndoStack(tl, limit=self.limit)
            done = [load_command(c) for c in doc.get("done", [])]
            undone = [load_command(c) for c in doc.get("undone", [])]
        except (OSError, ValueError, TypeError, AttributeError):
            # missing, unreadable or from another version: an empty history is the safe answer
            return UndoStack(tl, limit=self.limit)
        return UndoStack(tl, done, undone, limit=self.limit)

    def loaded(self) -> list[UndoStack]:
        """The stacks read so far (the timelines edited or looked at in this session)."""
        return list(self._stacks.values())

    def forget(self) -> None:
        """Drop the stacks held in memory (the next call reads the files again)."""
        self._stacks.clear()
