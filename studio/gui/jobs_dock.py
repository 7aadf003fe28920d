"""The jobs dock: every job of the open project with progress, ETA, cancel, retry and resume.

It reads the project's jobs/ folder (studio.core.jobs.JobQueue), so jobs from a previous run of
the window, or from the CLI, show up too; a job whose process died shows "Resume".
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.actions.registry import queue_of
from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.tasks import Progress

from . import theme
from .errors import show_error
from .session import ProjectSession
from .widgets import ElidedLabel, EmptyState, label, set_role
from .workers import JobController

SHOWN = 50
POLL_MS = 1000


def eta_text(seconds: float | None) -> str:
    """'about 2 min left' style ETA, '' when unknown."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.0f} s left"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min left"
    return f"{seconds / 3600:.1f} h left"


def finished_words(iso: str) -> str:
    """'14:05' today, '3 Dec 14:05' another day, in local time (from a stored UTC ISO time)."""
    from datetime import datetime  # noqa: PLC0415

    try:
        when = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    now = datetime.now().astimezone()
    return f"{when:%H:%M}" if when.date() == now.date() else f"{when.day} {when:%b %H:%M}"


def state_text(job: Job) -> tuple[str, str]:
    """(words, theme role) for a job's state; a finished job whose result has a verdict (a photo
    import that rejected every photo) says that instead of "done"."""
    if job.state == JobState.queued and job.interrupted:
        return "interrupted", "badge-warn"
    verdict = job.result.get("verdict") if job.state == JobState.done else None
    if verdict:
        return str(verdict), "badge-warn"
    return {
        JobState.queued: ("queued", "muted"),
        JobState.running: ("running", "badge-warn"),
        JobState.done: ("done", "badge-good"),
        JobState.failed: ("failed", "badge-bad"),
        JobState.cancelled: ("cancelled", "muted"),
    }[job.state]


class JobRow(QFrame):
    """One job: title, state, progress bar, ETA and the buttons that fit its state."""

    cancel_clicked = Signal(str)
    resume_clicked = Signal(str)

    def __init__(self, job: Job, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "tile")
        self.job_id = job.id
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(4)
        # the title on its own line, cut to the dock's width; state and buttons on the next, so
        # a narrow dock never hides Cancel or Retry behind a horizontal scroll bar
        self.title = ElidedLabel(job.title or job.kind, "heading")
        lay.addWidget(self.title)
        top = QHBoxLayout()
        self.state = label("")
        top.addWidget(self.state)
        top.addStretch(1)
        self.cancel_button = QToolButton()
        self.cancel_button.setIcon(theme.icon("cancel"))
        self.cancel_button.setToolTip("Cancel this job")
        self.cancel_button.clicked.connect(lambda: self.cancel_clicked.emit(self.job_id))
        self.resume_button = QToolButton()
        self.resume_button.setIcon(theme.icon("retry"))
        self.resume_button.clicked.connect(lambda: self.resume_clicked.emit(self.job_id))
        top.addWidget(self.cancel_button)
        top.addWidget(self.resume_button)
        lay.addLayout(top)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        lay.addWidget(self.bar)
        self.detail = label("", "muted", wrap=True)
        # wraps to the dock's width; a long unbroken path must not widen the row either
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.detail.setMinimumWidth(60)
        lay.addWidget(self.detail)
        self.update_job(job)

    def update_job(self, job: Job) -> None:
        """Show the job as its file has it."""
        self.live = False
        text, role = state_text(job)
        self.state.setText(text)
        set_role(self.state, role)
        self.bar.setValue(int(job.progress * 1000))
        self.bar.setVisible(job.state in (JobState.running, JobState.queued) or job.interrupted)
        if job.error:
            self.detail.setText(job.error)
            set_role(self.detail, "badge-bad")
        else:
            summary = job.result.get("summary") if job.state == JobState.done else None
            if not summary and job.state == JobState.done and job.finished_at:
                summary = f"finished {finished_words(job.finished_at)}"  # "done" already says Done
            self.detail.setText(str(summary) if summary else job.label)
            set_role(self.detail, "muted")
        # a resumed job keeps its "interrupted" mark in the file until it ends: running wins
        running = job.state == JobState.running
        active = running or (job.state == JobState.queued and not job.interrupted)
        self.cancel_button.setVisible(active)
        resumable = (job.interrupted and not running) or job.state in (JobState.failed, JobState.cancelled)
        self.resume_button.setVisible(resumable)
        self.resume_button.setText("Resume" if job.interrupted else "Retry")
        self.resume_button.setToolTip("Run this job again" if not job.interrupted else
                                      "The process running this job stopped; run it again")
        self.resume_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    def show_started(self) -> None:
        """Just started (or resumed) here: queued, cancellable, until its first progress arrives
        (the job file of a resumed job still says "interrupted" or "failed" for a moment)."""
        self.live = True
        self.state.setText("queued")
        set_role(self.state, "muted")
        self.detail.setText("Starting…")
        set_role(self.detail, "muted")
        self.cancel_button.setVisible(True)
        self.resume_button.setVisible(False)

    def update_progress(self, p: Progress) -> None:
        """Live progress from the job's signals: it runs now, whatever the job file said last."""
        self.live = True
        if self.state.text() != "running":
            self.state.setText("running")
            set_role(self.state, "badge-warn")
        self.cancel_button.setVisible(True)
        self.resume_button.setVisible(False)
        self.bar.setVisible(True)
        self.bar.setValue(int(p.fraction * 1000))
        eta = eta_text(p.eta)
        self.detail.setText(" — ".join(x for x in (p.label, eta) if x))
        set_role(self.detail, "muted")


class JobsDock(QDockWidget):
    """Dockable list of the open project's jobs."""

    def __init__(self, session: ProjectSession, jobs: JobController, parent: QWidget | None = None):
        super().__init__("Jobs", parent)
        self.setObjectName("JobsDock")
        self.session = session
        self.jobs = jobs
        self.rows: dict[str, JobRow] = {}
        self._signature: list[tuple[str, str, bool, str | None]] = []
        holder = QWidget()
        self.list_layout = QVBoxLayout(holder)
        self.list_layout.setContentsMargins(6, 6, 6, 6)
        self.list_layout.setSpacing(6)
        # one switch for every job-starting panel: new jobs go to the farm saved in Settings
        self.farm_toggle = QCheckBox("Run on farm")
        self.farm_toggle.toggled.connect(lambda _on: self._farm_changed())
        self.list_layout.addWidget(self.farm_toggle)
        self.empty = EmptyState("No jobs yet. Work you start (adding faces, generating, exporting) "
                                "appears here with its progress.")
        self.list_layout.addWidget(self.empty)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows fit the width
        self.scroll = scroll
        self.setWidget(scroll)
        self.setMinimumWidth(240)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        jobs.started.connect(self._on_started)
        jobs.finished.connect(lambda _job: self.refresh())
        jobs.progress.connect(self._on_progress)
        jobs.crashed.connect(lambda _id, e: (self.refresh(), show_error(self, e)))
        session.opened.connect(lambda _p: self.refresh())
        self.update_farm()
        self.refresh()

    def update_farm(self) -> None:
        """Show "Run on farm" only while Settings has a farm address (call after Settings change)."""
        address = self.session.settings.farm_address
        self.farm_toggle.setVisible(bool(address))
        if not address:
            self.farm_toggle.setChecked(False)
        self.farm_toggle.setToolTip(
            f"Send new stills, motion, voice, lip-sync, post and export jobs to the Ray farm at {address}. "
            "Other jobs (face import, inpaint) run on this computer." if address else "")
        self._farm_changed()

    def _farm_changed(self) -> None:
        address = self.session.settings.farm_address
        self.jobs.farm = address if (address and self.farm_toggle.isChecked()) else None
        self.farm_toggle.setText(f"Run on farm ({address})" if address else "Run on farm")

    def _on_started(self, job_id: str) -> None:
        self.refresh()
        row = self.rows.get(job_id)
        if row is not None:
            row.show_started()

    def _on_progress(self, job_id: str, p: Progress) -> None:
        row = self.rows.get(job_id)
        if row is not None:
            row.update_progress(p)

    def job_list(self) -> list[Job]:
        project = self.session.project
        return queue_of(project).list()[-SHOWN:][::-1] if project is not None else []

    def refresh(self) -> None:
        """Re-read the jobs folder; rebuild rows only when jobs or states changed."""
        jobs = self.job_list()
        for job in jobs:
            row = self.rows.get(job.id)
            # a running job's live progress comes from signals; the file lags behind (a job just
            # retried still reads "queued" there while its bar moves)
            if row is not None and not (self.jobs.is_running_here(job.id) and row.live):
                row.update_job(job)
        signature = [(j.id, j.state.value, j.interrupted, j.error) for j in jobs]
        if [s[0] for s in signature] == [s[0] for s in self._signature]:
            self._signature = signature
            return
        self._signature = signature
        for row in self.rows.values():
            row.deleteLater()
        self.rows.clear()
        for i, job in enumerate(jobs):
            row = JobRow(job)
            row.cancel_clicked.connect(self.cancel)
            row.resume_clicked.connect(self.resume)
            self.rows[job.id] = row
            self.list_layout.insertWidget(i + 1, row)  # below the farm switch
        self.empty.setVisible(not jobs)

    def cancel(self, job_id: str) -> None:
        if self.session.project is None:
            return
        try:
            self.jobs.cancel(self.session.project, job_id)
        except StudioError as e:
            show_error(self, e)
        self.refresh()

    def resume(self, job_id: str) -> None:
        if self.session.project is None or self.jobs.is_running_here(job_id):
            return  # a second click while it starts
        try:
            self.jobs.resume(self.session.project, job_id)
        except StudioError as e:
            show_error(self, e)
        self.refresh()
