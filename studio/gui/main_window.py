"""The main window: navigation, panels, docks (jobs, assets, timeline), menus and shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from studio.actions.registry import queue_of
from studio.core.errors import StudioError
from studio.core.jobs import Job
from studio.core.project import Project
from studio.core.settings import Settings, config_dir

from . import theme
from .asset_bin import AssetBin
from .errors import show_error
from .jobs_dock import JobsDock
from .library_panel import LibraryPanel
from .models_dialog import ModelsDialog
from .session import ProjectSession
from .settings_dialog import SettingsDialog
from .timeline_panel import TimelineDock
from .widgets import EmptyState, PageHolder
from .workers import JobController


@dataclass(frozen=True)
class PanelSpec:
    """A page of the window: its key (for --panel), name, icon and how to build it."""

    key: str
    title: str
    icon: str
    build: Callable[[MainWindow], QWidget]
    needs_project: bool = True


def panel_specs() -> list[PanelSpec]:
    """The pages this build has (capability panels are added as their actions exist)."""
    def voice(w: MainWindow) -> QWidget:
        from .voice_panel import VoicePanel  # noqa: PLC0415 - built on first visit

        return VoicePanel(w.session, w.jobs)

    def faces(w: MainWindow) -> QWidget:
        from .faces_panel import FacesPanel  # noqa: PLC0415

        return FacesPanel(w.session, w.jobs, w.open_models)

    def stills(w: MainWindow) -> QWidget:
        from .stills_panel import StillsPanel  # noqa: PLC0415

        return StillsPanel(w.session, w.jobs, w.open_models)

    def motion(w: MainWindow) -> QWidget:
        from .motion_panel import MotionPanel  # noqa: PLC0415

        return MotionPanel(w.session, w.jobs)

    def post(w: MainWindow) -> QWidget:
        from .post_panel import PostPanel  # noqa: PLC0415

        return PostPanel(w.session, w.jobs)

    def export(w: MainWindow) -> QWidget:
        from .export_panel import ExportPanel  # noqa: PLC0415

        return ExportPanel(w.session, w.jobs)

    def calendar(w: MainWindow) -> QWidget:
        from .calendar_panel import CalendarPanel  # noqa: PLC0415

        return CalendarPanel(w.session, w.jobs)

    return [
        PanelSpec("library", "Personas", "library", lambda w: LibraryPanel(w.session), needs_project=False),
        PanelSpec("faces", "Faces", "faces", faces),
        PanelSpec("stills", "Stills", "stills", stills),
        PanelSpec("motion", "Motion", "motion", motion),
        PanelSpec("voice", "Voice", "voice", voice),
        PanelSpec("post", "Post", "post", post),
        PanelSpec("export", "Export", "export", export),
        PanelSpec("calendar", "Calendar", "calendar", calendar),
    ]


#: the window's size at its first start on a large enough screen
DEFAULT_SIZE = QSize(1480, 920)


def default_size(screen: QSize) -> QSize:
    """The window's first size: DEFAULT_SIZE, or most of a smaller screen (1280x720 laptops)."""
    return QSize(min(DEFAULT_SIZE.width(), int(screen.width() * 0.96)),
                 min(DEFAULT_SIZE.height(), int(screen.height() * 0.92)))


#: --panel names that select a dock or dialog rather than a page
DOCK_PANELS = ("timeline", "jobs", "assets", "models")


class MainWindow(QMainWindow):
    """Persona Studio's window."""

    def __init__(self, settings: Settings | None = None):
        super().__init__()
        self.setWindowTitle("Persona Studio")
        self.setWindowIcon(theme.icon("persona"))
        self.resize(default_size(self.screen().availableGeometry().size()))
        self.settings = settings or Settings.load()
        self.session = ProjectSession(self.settings, self)
        self.jobs = JobController(self.settings, parent=self)
        self.ask_recover: Callable[[Project], bool] = self._ask_recover
        #: what to do with jobs still running at Quit (a question; tests answer it themselves)
        self.ask_quit: Callable[[list[Job]], str] = self._ask_quit
        self._quit_when_idle = False
        self.ui_state = QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(168)
        self.pages = QStackedWidget()
        self.specs = panel_specs()
        self.panels: dict[str, QWidget] = {}
        self._holders: dict[str, PageHolder] = {}
        self._no_project = EmptyState("Open or create a persona in Personas first.")
        self.pages.addWidget(self._no_project)
        for spec in self.specs:
            item = QListWidgetItem(theme.icon(spec.icon), spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
        self.panel("library")
        self.nav.currentRowChanged.connect(self._page_changed)
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(body)

        self.jobs_dock = JobsDock(self.session, self.jobs, self)
        self.asset_bin = AssetBin(self.session, self)
        self.timeline_dock = TimelineDock(self.session, self, self.ui_state)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.asset_bin)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.jobs_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.timeline_dock)
        self.project_label = QLabel()
        self.statusBar().addPermanentWidget(self.project_label)
        self._build_menus()
        self.session.opened.connect(self._project_changed)
        self.session.undo.cleanChanged.connect(lambda _c: self._update_title())
        self.jobs.finished.connect(self._job_finished)
        self.jobs.finished.connect(self._quit_if_idle)
        self.jobs.crashed.connect(lambda _id, _e: self._quit_if_idle())
        self._default_laid_out = False
        self._dock_request: tuple[list, list[int]] | None = None
        self._restore_layout()
        self.nav.setCurrentRow(0)
        self._project_changed(None)

    # -- menus
    def _build_menus(self) -> None:
        m = self.menuBar()
        file = m.addMenu("&File")
        library = self.panels["library"]
        self._add(file, "New persona…", library.new_persona, QKeySequence.StandardKey.New, "add")
        self._add(file, "Open persona folder…", library._browse, QKeySequence.StandardKey.Open, "folder")
        self.save_action = self._add(file, "Save", self.save, QKeySequence.StandardKey.Save)
        self._add(file, "Close persona", self.session.close, QKeySequence("Ctrl+W"))
        file.addSeparator()
        self._add(file, "Verify export…", self.verify_export, None, "verify")
        file.addSeparator()
        self._add(file, "Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = m.addMenu("&Edit")
        undo, redo = self.session.undo.actions(self, lambda e: show_error(self, e))
        undo.setIcon(theme.icon("undo"))
        redo.setIcon(theme.icon("redo"))
        edit.addAction(undo)
        edit.addAction(redo)
        self.undo_action, self.redo_action = undo, redo
        view = m.addMenu("&View")
        for i, spec in enumerate(self.specs):
            self._add(view, spec.title, lambda _=False, k=spec.key: self.show_panel(k), QKeySequence(f"Ctrl+{i + 1}"))
        view.addSeparator()
        for dock in (self.timeline_dock, self.asset_bin, self.jobs_dock):
            view.addAction(dock.toggleViewAction())
        tools = m.addMenu("&Tools")
        self._add(tools, "Models…", self.open_models, QKeySequence("Ctrl+M"), "models")
        self._add(tools, "Settings…", self.open_settings, QKeySequence.StandardKey.Preferences, "settings")

    def _add(self, menu, text: str, fn, shortcut=None, icon: str = "") -> QAction:
        action = QAction(theme.icon(icon) if icon else theme.icon("none"), text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _=False: fn())
        menu.addAction(action)
        return action

    # -- panels
    def show_panel(self, key: str) -> bool:
        """Select a page by key; docks named by key are shown and raised. False if unknown."""
        docks = {"timeline": self.timeline_dock, "jobs": self.jobs_dock, "assets": self.asset_bin}
        if key in docks:
            docks[key].show()
            docks[key].raise_()
            if key == "timeline":  # give the timeline the room a screenshot / user asked for
                self._resize_docks([self.timeline_dock], [460])
            elif key == "jobs":
                self._resize_docks([self.jobs_dock, self.asset_bin], [520, 160])
            return True
        if key == "models":
            return True  # a dialog: the caller opens it (run_gui's screenshot does)
        for row, spec in enumerate(self.specs):
            if spec.key == key:
                self.nav.setCurrentRow(row)
                return True
        return False

    def panel(self, key: str) -> QWidget:
        """The page for `key`, built on first use (keeps start-up fast)."""
        if key not in self.panels:
            spec = next(s for s in self.specs if s.key == key)
            widget = spec.build(self)
            self.panels[key] = widget
            # a page may be taller than a 1280x720 window leaves it beside the timeline: then it
            # scrolls, instead of pushing the timeline dock below its lanes
            holder = PageHolder(widget)
            self._holders[key] = holder
            self.pages.addWidget(holder)
        return self.panels[key]

    def panel_keys(self) -> list[str]:
        return [s.key for s in self.specs] + list(DOCK_PANELS)

    def _page_changed(self, row: int) -> None:
        if row < 0:
            return
        spec = self.specs[row]
        if spec.needs_project and self.session.project is None:
            self.pages.setCurrentWidget(self._no_project)
        else:
            self.panel(spec.key)
            self.pages.setCurrentWidget(self._holders[spec.key])

    # -- project
    def open_project(self, folder: str | Path) -> Project | None:
        """Open a persona; offers the autosave recovery copy if the last session did not save."""
        try:
            project = self.session.open(folder)
            if project.recovery_available() and not project.read_only and self.ask_recover(project):
                path = project.path
                self.session.close()
                Project.recover(path)
                project = self.session.open(path)
        except StudioError as e:
            show_error(self, e)
            return None
        return project

    def _ask_recover(self, project: Project) -> bool:
        answer = QMessageBox.question(
            self, "Recover unsaved changes?",
            f"{project.path.name} has changes that were autosaved but never saved (the studio may "
            "have closed unexpectedly). Restore them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _project_changed(self, project: Project | None) -> None:
        self._update_title()
        if project is None:
            self.project_label.setText("No persona open")
        elif project.read_only:
            self.project_label.setText(f"{project.name} — read-only: {project.read_only_reason}")
        else:
            self.project_label.setText(f"{project.name} — {project.path}")
        self.save_action.setEnabled(project is not None and not project.read_only)
        self._page_changed(self.nav.currentRow())

    def _update_title(self) -> None:
        p = self.session.project
        dirty = "*" if p is not None and not self.session.undo.isClean() else ""
        self.setWindowTitle(f"{p.name}{dirty} — Persona Studio" if p else "Persona Studio")

    def save(self) -> None:
        try:
            self.session.save()
        except StudioError as e:
            show_error(self, e)
        self.statusBar().showMessage("Saved", 2000)

    def _job_finished(self, job) -> None:  # noqa: ANN001
        if job.state.value == "failed":
            show_error(self, StudioError(job.error or "The job failed."), title=job.title or job.kind)
        elif job.state.value == "done":
            summary = job.result.get("summary")  # "0 added, 1 rejected" says more than "done"
            self.statusBar().showMessage(f"{job.title or job.kind}: {summary or 'done'}", 4000)

    # -- tools
    def verify_export(self):  # noqa: ANN201 - the verifying Task, or None when the picker is cancelled
        """File ▸ Verify export…: what `studio verify FILE` checks, for any file, shown in a dialog."""
        from .verify_dialog import ask_and_verify  # noqa: PLC0415

        p = self.session.project
        return ask_and_verify(self, str(p.path / "exports") if p is not None else "")

    def open_models(self) -> ModelsDialog:
        dlg = ModelsDialog(self.settings, self)
        # a model may have been installed: panels that depend on models look again
        dlg.finished.connect(lambda _r: [self.panels[k].refresh() for k in ("stills", "motion") if k in self.panels])
        dlg.open()
        return dlg

    def open_settings(self) -> SettingsDialog:
        dlg = SettingsDialog(self.settings, self)
        dlg.accepted.connect(self.panels["library"].refresh)
        dlg.accepted.connect(self.jobs_dock.update_farm)
        dlg.open()
        return dlg

    # -- layout memory
    def _restore_layout(self) -> None:
        geometry = self.ui_state.value("geometry")
        state = self.ui_state.value("state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self._layout_restored = isinstance(state, QByteArray) and self.restoreState(state)

    def _resize_docks(self, docks: list, sizes: list[int]) -> None:
        """Resize docks now, or right after the first-start layout when that is still to come."""
        if self.isVisible() and (self._layout_restored or self._default_laid_out):
            self.resizeDocks(docks, sizes, Qt.Orientation.Vertical)
        else:
            self._dock_request = (docks, sizes)

    def default_layout(self) -> None:
        """The docks' first sizes: the side docks 320 px wide, the timeline as tall as its five
        lanes need (the user's own layout replaces this from the second start on)."""
        self.resizeDocks([self.asset_bin, self.jobs_dock], [320, 320], Qt.Orientation.Horizontal)
        need = self.timeline_dock.sizeHint().height()  # the panel's need plus the title bar
        self.resizeDocks([self.timeline_dock], [min(need, int(self.height() * 0.45))], Qt.Orientation.Vertical)
        self._apply_dock_request()

    def _apply_dock_request(self) -> None:
        if self._dock_request is not None:
            docks, sizes = self._dock_request
            self._dock_request = None
            self.resizeDocks(docks, sizes, Qt.Orientation.Vertical)

    def showEvent(self, event) -> None:  # noqa: N802, ANN001
        super().showEvent(event)
        if not self._layout_restored and not self._default_laid_out:
            self._default_laid_out = True
            QTimer.singleShot(0, self.default_layout)  # once the main layout has its size
        elif self._dock_request is not None:
            QTimer.singleShot(0, self._apply_dock_request)

    # -- quitting
    def running_jobs(self) -> list[Job]:
        """The open project's jobs running in this window now."""
        project = self.session.project
        if project is None:
            return []
        queue = queue_of(project)
        jobs = []
        for job_id in self.jobs.running_ids():
            try:
                jobs.append(queue.get(job_id))
            except StudioError:
                continue
        return jobs

    def _ask_quit(self, jobs: list[Job]) -> str:
        """'wait', 'cancel', 'resume' (stop now, resume later) or 'stay': what to do with running jobs."""
        names = "\n".join(f"• {j.title or j.kind} ({j.progress * 100:.0f} %)" for j in jobs[:5])
        box = QMessageBox(QMessageBox.Icon.Question, "Quit while a job runs?",
                          f"{'A job is' if len(jobs) == 1 else f'{len(jobs)} jobs are'} still running:\n{names}\n\n"
                          "Wait for it and quit then, cancel it, or stop it now and resume it the next time "
                          "you open this persona (it starts again from the beginning).",
                          QMessageBox.StandardButton.NoButton, self)
        choices = {
            box.addButton("Wait, then quit", QMessageBox.ButtonRole.AcceptRole): "wait",
            box.addButton("Quit, resume later", QMessageBox.ButtonRole.DestructiveRole): "resume",
            box.addButton("Cancel the job and quit", QMessageBox.ButtonRole.DestructiveRole): "cancel",
        }
        stay = box.addButton("Don't quit", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.exec()
        return choices.get(box.clickedButton(), "stay")

    def _quit_if_idle(self, _job=None) -> None:  # noqa: ANN001
        if self._quit_when_idle and not self.jobs.running_ids():
            self.close()

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001
        running = self.running_jobs()
        if running:
            choice = self.ask_quit(running)
            if choice in ("stay", "wait"):
                event.ignore()
                self._quit_when_idle = choice == "wait"
                if choice == "wait":
                    self.statusBar().showMessage("Quitting when the running job has finished…")
                return
            for job in running:
                if choice == "resume":
                    self.jobs.stop_for_resume(self.session.project, job.id)
                else:
                    self.jobs.cancel(self.session.project, job.id)
        self.ui_state.setValue("geometry", self.saveGeometry())
        self.ui_state.setValue("state", self.saveState())
        self.ui_state.sync()
        self.jobs.wait(15000)
        self.jobs.shutdown()
        try:
            self.session.close()
        except StudioError as e:
            show_error(self, e)
        super().closeEvent(event)
