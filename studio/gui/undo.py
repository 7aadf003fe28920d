"""The Edit menu's Undo and Redo: Qt actions over the core's timeline history.

History and semantics are the core's (studio.core.history.TimelineHistory, the same stacks and
files `studio timeline undo|redo` use); this only tells the menu what it can do and when to
change its words. It acts on the timeline the Timeline dock shows.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from studio.core.errors import StudioError
from studio.core.history import TimelineHistory
from studio.core.project import Project
from studio.core.timeline import EditCommand, UndoStack


def redo_shortcuts() -> list[QKeySequence]:
    """Ctrl+Shift+Z and Ctrl+Y (and the platform's own Redo keys), each once: giving one key to
    the action twice made Qt call the shortcut ambiguous and do nothing."""
    keys: dict[str, QKeySequence] = {}
    for seq in (*QKeySequence.keyBindings(QKeySequence.StandardKey.Redo),
                QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")):
        if not seq.isEmpty():
            keys.setdefault(seq.toString(QKeySequence.SequenceFormat.PortableText), seq)
    return list(keys.values())


class TimelineUndo(QObject):
    """Undo/redo of the shown timeline through the project's TimelineHistory."""

    #: can-undo/redo or the labels changed
    changed = Signal()
    #: whether every timeline is as last saved
    cleanChanged = Signal(bool)  # noqa: N815 - Qt naming, like QUndoStack's

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.history: TimelineHistory | None = None
        self.timeline_id: str | None = None
        self._clean = True

    # -- what it works on
    def attach(self, project: Project | None) -> None:
        """Use `project`'s history (None: nothing to undo)."""
        self.history = TimelineHistory(project) if project is not None else None
        self.timeline_id = None
        self._notify()

    def set_timeline(self, timeline_id: str | None) -> None:
        """The timeline Undo and Redo act on (the one the Timeline dock shows)."""
        if timeline_id != self.timeline_id:
            self.timeline_id = timeline_id
            self._notify()

    def stack(self) -> UndoStack | None:
        if self.history is None or self.timeline_id is None:
            return None
        try:
            return self.history.stack(self.timeline_id)
        except StudioError:  # the timeline is gone
            return None

    # -- edits
    def push(self, timeline_id: str, cmd: EditCommand) -> None:
        """Apply an edit to a timeline and record it (the window saves the project later)."""
        if self.history is None:
            return
        self.timeline_id = timeline_id
        self.history.edit(timeline_id, cmd, save=False)
        self._notify()

    def undo(self) -> None:
        """Revert the shown timeline's last edit; StudioError if the timeline changed under it."""
        st = self.stack()
        if st is not None and st.can_undo:
            try:
                self.history.undo(self.timeline_id, save=False)
            finally:
                self._notify()

    def redo(self) -> None:
        st = self.stack()
        if st is not None and st.can_redo:
            try:
                self.history.redo(self.timeline_id, save=False)
            finally:
                self._notify()

    # -- state, in QUndoStack's words (the menu and tests read these)
    def count(self) -> int:
        st = self.stack()
        return len(st.done) if st else 0

    def canUndo(self) -> bool:  # noqa: N802
        st = self.stack()
        return bool(st and st.can_undo)

    def canRedo(self) -> bool:  # noqa: N802
        st = self.stack()
        return bool(st and st.can_redo)

    def undoText(self) -> str:  # noqa: N802
        st = self.stack()
        return st.undo_label if st else ""

    def redoText(self) -> str:  # noqa: N802
        st = self.stack()
        return st.redo_label if st else ""

    def isClean(self) -> bool:  # noqa: N802
        """No timeline was edited since the project was last saved (or opened)."""
        if self.history is None:
            return True
        return all(st.is_clean for st in self.history.loaded())

    def setClean(self) -> None:  # noqa: N802
        """The project was just saved."""
        if self.history is not None:
            for st in self.history.loaded():
                st.mark_clean()
        self._notify()

    def _notify(self) -> None:
        self.changed.emit()
        clean = self.isClean()
        if clean != self._clean:
            self._clean = clean
            self.cleanChanged.emit(clean)

    # -- the Edit menu
    def actions(self, parent: QObject, on_error) -> tuple[QAction, QAction]:  # noqa: ANN001
        """Undo and Redo actions that follow this history; `on_error(exc)` shows a failed revert."""
        undo, redo = QAction("Undo", parent), QAction("Redo", parent)
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo.setShortcuts(redo_shortcuts())

        def run(fn) -> None:  # noqa: ANN001
            try:
                fn()
            except StudioError as e:
                on_error(e)

        undo.triggered.connect(lambda _=False: run(self.undo))
        redo.triggered.connect(lambda _=False: run(self.redo))

        def follow() -> None:
            undo.setEnabled(self.canUndo())
            redo.setEnabled(self.canRedo())
            undo.setText(f"Undo {self.undoText()}".strip())
            redo.setText(f"Redo {self.redoText()}".strip())

        self.changed.connect(follow)
        follow()
        return undo, redo
