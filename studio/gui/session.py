"""The open project as the window sees it: change signals, undo history, autosave, save on close."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.timeline import EditCommand, Timeline

from .undo import TimelineUndo

AUTOSAVE_MS = 30_000


class ProjectSession(QObject):
    """One open persona project (or none) shared by every panel of the window."""

    #: the new Project, or None when closed
    opened = Signal(object)
    #: 'persona', 'assets', 'timelines', 'posts', 'project' — may come from a worker thread
    changed = Signal(str)

    def __init__(self, settings: Settings, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self.project: Project | None = None
        #: the Edit menu's undo/redo over the core's timeline history (the one the CLI uses)
        self.undo = TimelineUndo(self)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)

    def follow(self, refresh: Callable[[], object], *what: str) -> None:
        """Call `refresh()` when a project opens or closes and when one of `what` changes."""
        self.opened.connect(lambda _p: refresh())
        self.changed.connect(lambda w: w in what and refresh())

    # -- life cycle
    def open(self, path: str | Path) -> Project:
        """Open a project (read-only if another process holds it) and make it current."""
        project = Project.open(path)
        if not project.read_only:
            self.settings.add_recent(project.path)
            self.settings.save()
        self._set(project)
        return project

    def adopt(self, project: Project) -> None:
        """Make an already-open project current (e.g. one just created)."""
        self.settings.add_recent(project.path)
        self.settings.save()
        self._set(project)

    def _set(self, project: Project | None) -> None:
        self.close()
        self.project = project
        if project is not None:
            # Core listeners run on whatever thread changed the project; the signal queues them
            # onto the window's thread.
            project.subscribe(self.changed.emit)
            self.autosave_timer.start()
        self.undo.attach(project)
        self.opened.emit(project)

    def close(self) -> None:
        """Save unsaved edits and release the project's lock."""
        if self.project is None:
            return
        self.autosave_timer.stop()
        if self.project.dirty and not self.project.read_only:
            self.project.save()
        self.project.close()
        self.project = None
        self.undo.attach(None)
        self.opened.emit(None)

    def save(self) -> None:
        if self.project is not None and not self.project.read_only:
            self.project.save()
            self.undo.setClean()

    def autosave(self) -> Path | None:
        return self.project.autosave() if self.project is not None else None

    # -- timeline edits
    def edit_timeline(self, timeline_id: str, cmd: EditCommand) -> None:
        """Apply a core edit through the timeline's undo history."""
        if self.project is not None:
            self.undo.push(timeline_id, cmd)

    def put_timeline(self, tl: Timeline) -> None:
        if self.project is not None:
            self.project.put_timeline(tl, save=False)
