"""A persistent job queue inside the project: one JSON file per job in `jobs/`.

States: queued -> running -> done | failed | cancelled. A running job records its pid and a
heartbeat; if that process dies the job is found `interrupted` and can be resumed. Jobs write
their outputs to the project's staging folder and register assets only on success, so a crash
never leaves a half-written asset in the project.

Cancel works across processes: `request_cancel` sets a flag in the job file that the running
job's TaskContext polls.
"""

from __future__ import annotations

import json
import os
import socket
import time
import traceback
import uuid
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from .atomic import atomic_write_json
from .diskspace import disk_full, is_disk_full
from .errors import BadInput, NotFound, StudioError
from .lock import pid_alive
from .persona import utcnow
from .tasks import Cancelled, Progress, TaskContext

#: The work of one job: (params, ctx) -> result dict (e.g. {"assets": [...]}). The actions layer
#: binds a handler to its project and settings (`studio.actions.registry.bind`).
JobWork = Callable[[dict[str, Any], TaskContext], dict[str, Any]]


class JobState(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


class Job(BaseModel):
    id: str = Field(default_factory=lambda: f"job-{uuid.uuid4().hex[:8]}")
    kind: str
    title: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    state: JobState = JobState.queued
    progress: float = 0.0
    label: str = ""
    eta: float | None = None
    error: str | None = None
    error_code: int | None = Field(default=None, description="CLI exit code of the error (2 = bad input)")
    traceback: str | None = None
    result: dict[str, Any] = Field(default_factory=dict)
    attempts: int = 0
    interrupted: bool = False
    cancel_requested: bool = False
    pid: int | None = None
    host: str | None = None
    heartbeat: float | None = None
    created_at: str = Field(default_factory=utcnow)
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.done, JobState.failed, JobState.cancelled)


#: job file -> ((mtime_ns, size, inode), parsed job): see JobQueue._read
_PARSED: dict[Path, tuple[tuple[int, int, int], Job]] = {}


class JobQueue:
    """The jobs of one project."""

    #: seconds between writes of progress to disk (progress callbacks can be per step)
    write_interval = 0.25

    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _file(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def _cancel_marker(self, job_id: str) -> Path:
        # A separate marker, not a field rewritten in the job file: the running process saves the
        # job file several times a second and would overwrite a flag set by another process.
        return self.folder / f"{job_id}.cancel"

    def save(self, job: Job, durable: bool = True) -> None:
        atomic_write_json(self._file(job.id), job.model_dump(mode="json"), durable)

    def _save_final(self, job: Job) -> None:
        """The last save of a run, which must not fail on a full disk: the atomic write needs a
        second file's worth of room; if there is none, overwrite the job file in place (its old
        blocks are reused). A torn write there is reported by `get` as an unreadable job file."""
        try:
            self.save(job)
            return
        except OSError as e:
            if not is_disk_full(e):
                raise
        data = (json.dumps(job.model_dump(mode="json"), ensure_ascii=False) + "\n").encode("utf-8")
        try:
            fd = os.open(self._file(job.id), os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                os.write(fd, data)
                os.ftruncate(fd, len(data))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:  # not even that: the job shows as interrupted once this process ends
            pass

    def submit(self, kind: str, params: dict[str, Any], title: str = "") -> Job:
        job = Job(kind=kind, params=params, title=title or kind)
        self.save(job)
        return job

    def get(self, job_id: str) -> Job:
        f = self._file(job_id)
        try:
            st = f.stat()
        except FileNotFoundError:
            raise NotFound(f"No job '{job_id}'. `studio jobs list PROJECT` shows the jobs.") from None
        return self._check_alive(self._read(f, st))

    def _read(self, f: Path, st: os.stat_result) -> Job:
        """The job in file `f`, parsed once per version of the file.

        A project after years of work has a thousand job files and the window lists them every
        second; each file is parsed again only when it changed (atomic writes give it a new inode
        and mtime). Callers get a copy, so the fields they set do not leak into the cache unsaved."""
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached = _PARSED.get(f)
        if cached is not None and cached[0] == key:
            return cached[1].model_copy()
        try:
            job = Job.model_validate(json.loads(f.read_text("utf-8")))
        except FileNotFoundError:
            raise NotFound(f"No job '{f.stem}'. `studio jobs list PROJECT` shows the jobs.") from None
        except ValueError as e:
            raise StudioError(f"Job file {f} is unreadable ({e}); delete it to drop the job.") from e
        if len(_PARSED) > 20_000:  # many projects open over a long session: start over
            _PARSED.clear()
        _PARSED[f] = (key, job)
        return job.model_copy()

    def _check_alive(self, job: Job) -> Job:
        """A running job whose process is gone was interrupted: make it resumable."""
        if job.state == JobState.running and self._cancel_marker(job.id).exists():
            job.cancel_requested = True
        if job.state == JobState.running and job.host == socket.gethostname() and job.pid:
            if job.pid != os.getpid() and not pid_alive(job.pid):
                job.state = JobState.queued
                job.interrupted = True
                job.label = "Interrupted (the process running it stopped); resume to run it again"
                job.pid = None
                self.save(job)
        return job

    def list(self, states: set[JobState] | None = None) -> list[Job]:
        jobs = []
        with os.scandir(self.folder) as it:
            entries = [e for e in it if e.name.startswith("job-") and e.name.endswith(".json")]
        for e in entries:
            try:
                job = self._check_alive(self._read(Path(e.path), e.stat()))
            except (StudioError, OSError):
                continue
            if states is None or job.state in states:
                jobs.append(job)
        return sorted(jobs, key=lambda j: j.created_at)

    def request_cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        if job.finished:
            raise BadInput(f"Job {job_id} is already {job.state.value}.")
        if job.state == JobState.queued:
            job.state = JobState.cancelled
            job.finished_at = utcnow()
            job.label = "Cancelled before it started"
            self.save(job)
        else:  # only the marker: rewriting the file here could undo the runner's own last save
            self._cancel_marker(job.id).touch()
            job.cancel_requested = True
        return job

    def mark_interrupted(self, job: Job, why: str) -> Job:
        """Make a job that was stopped from outside (the window closing) resumable: queued again and
        marked interrupted, as a job whose process died is, instead of "cancelled"."""
        job.state = JobState.queued
        job.interrupted = True
        job.cancel_requested = False
        job.finished_at = None
        job.pid = None
        job.label = f"Interrupted ({why}); resume to run it again"
        self.save(job)
        return job

    def prepare_resume(self, job_id: str) -> Job:
        """Put a failed / cancelled / interrupted job back in the queue."""
        job = self.get(job_id)
        if job.state == JobState.running:
            raise BadInput(f"Job {job_id} is running in process {job.pid}; cancel it first.")
        if job.state == JobState.done:
            raise BadInput(f"Job {job_id} is done; there is nothing to resume.")
        job.state = JobState.queued
        job.cancel_requested = False
        self._cancel_marker(job.id).unlink(missing_ok=True)
        job.error = None
        job.error_code = None
        job.traceback = None
        self.save(job)
        return job

    def run(
        self,
        job: Job,
        work: JobWork,
        on_progress: Callable[[Job, Progress], None] | None = None,
        ctx: TaskContext | None = None,
    ) -> Job:
        """Run a queued job in this process; returns the finished job (never raises for job errors)."""
        if job.state != JobState.queued:
            raise BadInput(f"Job {job.id} is {job.state.value}, not queued.")
        marker = self._cancel_marker(job.id)
        marker.unlink(missing_ok=True)  # a stale request from an earlier attempt; before "running" is visible
        job.state = JobState.running
        job.pid = os.getpid()
        job.host = socket.gethostname()
        job.heartbeat = time.time()
        job.attempts += 1
        job.started_at = utcnow()
        job.progress = 0.0
        self.save(job)
        last_write = [0.0]
        last_poll = [0.0]
        cancel_seen = [False]

        def cancel_check() -> bool:
            now = time.monotonic()
            if now - last_poll[0] > self.write_interval / 5:
                last_poll[0] = now
                cancel_seen[0] = cancel_seen[0] or marker.exists()
            return cancel_seen[0]

        def progress(p: Progress) -> None:
            job.progress, job.label, job.eta = p.fraction, p.label, p.eta
            now = time.monotonic()
            if now - last_write[0] > self.write_interval:
                last_write[0] = now
                job.heartbeat = time.time()
                last_poll[0] = 0.0  # re-read the flag right before overwriting the file, or a cancel is lost
                job.cancel_requested = cancel_check() or job.cancel_requested
                try:
                    self.save(job, durable=False)  # progress is disposable; state changes are fsynced
                except OSError:  # a full disk must not kill the work over a progress line
                    pass
            if on_progress:
                on_progress(job, p)

        if ctx is None:
            ctx = TaskContext(progress, cancel_check=cancel_check)
        else:  # a caller-provided context (GUI): chain its listener and cancel event
            outer = ctx
            ctx = TaskContext(
                lambda p: (progress(p), outer._on_progress and outer._on_progress(p)),
                cancel_event=outer._cancel_event,
                cancel_check=cancel_check,
            )
        try:
            ctx.raise_if_cancelled()
            job.result = work(dict(job.params), ctx) or {}
            job.state = JobState.done
            job.progress = 1.0
            job.label = "Done"
        except Cancelled:
            job.state = JobState.cancelled
            job.label = "Cancelled"
        except StudioError as e:
            job.state = JobState.failed
            job.error = e.message
            job.error_code = e.exit_code
            job.label = "Failed"
        except Exception as e:
            if is_disk_full(e):  # not a bug: say so the way every disk-full message does
                err = disk_full(self.folder.parent)
                job.state, job.error, job.error_code, job.label = JobState.failed, err.message, 1, "Failed"
            else:  # an unexpected bug: keep the traceback in the job file
                job.state = JobState.failed
                job.error = (f"Internal error: {type(e).__name__}: {e}. Details are in the job file "
                             f"{self._file(job.id)}.")
                job.traceback = traceback.format_exc()
                job.label = "Failed"
        job.finished_at = utcnow()
        job.pid = None
        job.interrupted = False
        job.cancel_requested = False
        self._save_final(job)
        marker.unlink(missing_ok=True)
        return job
