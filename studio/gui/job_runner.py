"""A panel's own jobs: start one through the JobController, show its progress on the panel's status
label and hand back only the panel's finished jobs (the panel owns one; no mixin)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QWidget

from studio.core.errors import StudioError
from studio.core.jobs import Job

from .errors import show_error
from .session import ProjectSession
from .workers import JobController


class JobRunner:
    """Starts jobs for `owner` and reports only those: progress as text on `status`,
    `on_started()` after a job is queued, `on_finished(job)` once it ends (after it is forgotten)."""

    def __init__(self, owner: QWidget, session: ProjectSession, jobs: JobController, status: QLabel,
                 on_finished: Callable[[Job], object], on_started: Callable[[], object] | None = None):
        self.owner = owner
        self.session = session
        self.jobs = jobs
        self.status = status
        self.on_finished = on_finished
        self.on_started = on_started
        #: ids of the jobs this panel started and has not seen finish
        self.ids: set[str] = set()
        jobs.finished.connect(self._finished)
        jobs.progress.connect(self._progress)

    def busy(self) -> bool:
        """Whether one of this panel's jobs is running now."""
        return bool(self.ids & set(self.jobs.running_ids()))

    def start(self, kind: str, params: dict, title: str, queued: str = "Queued…") -> str | None:
        """Start `kind` on the open project; the job id, or None (no project, or an error shown)."""
        return self.start_checked(kind, lambda: (params, title), queued)

    def start_checked(self, kind: str, prepare: Callable[[], tuple[dict, str]],
                      queued: str | Callable[[str], str] = "Queued…") -> str | None:
        """Like start(), with params and title from `prepare()`, which may raise StudioError to refuse
        (shown like a failed start). `queued` may be made from the title."""
        p = self.session.project
        if p is None:
            return None
        try:
            params, title = prepare()
            job_id = self.jobs.start(p, kind, params, title)
        except StudioError as e:
            show_error(self.owner, e)
            return None
        self.ids.add(job_id)
        self.status.setText(queued(title) if callable(queued) else queued)
        if self.on_started is not None:
            self.on_started()
        return job_id

    def _progress(self, job_id: str, prog) -> None:  # noqa: ANN001
        if job_id in self.ids:
            self.status.setText(f"{prog.label or 'working'} — {prog.fraction * 100:.0f} %")

    def _finished(self, job: Job) -> None:
        if job.id not in self.ids:
            return
        self.ids.discard(job.id)
        self.on_finished(job)
