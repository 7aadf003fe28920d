"""Long work off the main thread: project jobs and plain tasks on a QThreadPool.

The bridge to the core is a plain `TaskContext` (no Qt in it): its progress callback emits a Qt
signal, which Qt delivers to the window's thread; `ctx.cancel()` sets its event, which the job
polls at every step. Jobs go through `studio.actions.registry` exactly like the CLI, so a job
started here is a persistent job in the project's jobs/ folder.

Where a job runs is read from its kind's declaration (`studio.actions.registry.kind_of`): with a
farm address set (Settings ▸ Render farm, "Run on farm" in the jobs dock) a kind the farm runs goes
there; otherwise a kind declared `isolate` (it loads torch or large models: stills, inpaint,
motion, lip-sync, narration, posts, export) runs in a child process (studio/farm/local.py), so
those libraries never hold the window's GIL; the worker thread only waits on a pipe. The rest
(face import, captions…) change the open project directly and run on the worker thread.

Every job runs with the window's settings as they are when it starts (saved or not).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from studio.actions.registry import bind, kind_of, queue_of
from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import Progress, TaskContext

from .warmup import lower_thread_priority


def throttled(emit: Callable[[Progress], None], interval: float = 0.05) -> Callable[[Progress], None]:
    """Pass progress on at most every `interval` seconds (always the first and the last report)."""
    last = [0.0]

    def on_progress(p: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= interval or p.fraction >= 1.0 or last[0] == 0.0:
            last[0] = now
            emit(p)

    return on_progress


def bridge_context(emit: Callable[[Progress], None]) -> TaskContext:
    """A Qt-free TaskContext whose progress goes to `emit` (a Signal.emit) and that cancels by event."""
    return TaskContext(throttled(emit), cancel_event=threading.Event())


class _Relay(QObject):
    """Lives in the main thread; worker threads emit through it (queued to the main thread)."""

    progress = Signal(object)
    done = Signal(object)
    error = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:  # worker thread
        lower_thread_priority()  # the window's thread must win the CPU (see warmup.py)
        try:
            result = self._fn()
        except BaseException as e:  # noqa: BLE001 - every failure must reach the window
            self._relay.error.emit(e)
        else:
            self._relay.done.emit(result)


class JobController(QObject):
    """Starts, cancels and resumes the open project's jobs on worker threads."""

    #: job id, Progress
    progress = Signal(str, object)
    #: the finished Job (done, failed or cancelled)
    finished = Signal(object)
    #: job id, an unexpected exception raised outside the job's own error handling
    crashed = Signal(str, object)
    #: job id, as soon as a job is queued
    started = Signal(str)

    def __init__(self, settings: Settings, pool: QThreadPool | None = None, parent: QObject | None = None,
                 isolate: bool = True):
        super().__init__(parent)
        #: the window's settings object: edits in Settings apply to the next job started
        self.settings = settings
        self.pool = pool or QThreadPool.globalInstance()
        self._contexts: dict[str, TaskContext] = {}
        self._relays: dict[str, _Relay] = {}
        #: Ray address jobs go to ('default' = Settings.farm_address); None runs them on this computer
        self.farm: str | None = None
        #: run bundle-able kinds in a child process (see the module docstring)
        self.isolate = isolate
        self._processes = None  # studio.farm.local.LocalPool, made on first use
        #: jobs being stopped because the window closes: they end interrupted, to be resumed
        self._stopping: set[str] = set()

    def processes(self):  # noqa: ANN201 - LocalPool, imported lazily (multiprocessing set-up)
        """The child processes local jobs run in (started on first use)."""
        if self._processes is None:
            from studio.farm.local import LocalPool

            self._processes = LocalPool()
        return self._processes

    def warm_up_process(self) -> None:
        """Start the first job process now, importing torch & co. there (see warmup.py)."""
        if self.isolate:
            from .warmup import CHILD_MODULES

            self.processes().warm(CHILD_MODULES)

    def where(self, kind: str) -> str:
        """'farm', 'process' or 'thread': where a job of `kind` started now would run."""
        declared = kind_of(kind)
        if self.farm and declared.resources is not None:
            return "farm"
        return "process" if self.isolate and declared.isolate else "thread"

    def running_ids(self) -> list[str]:
        return list(self._contexts)

    def is_running_here(self, job_id: str) -> bool:
        return job_id in self._contexts

    def start(self, project: Project, kind: str, params: dict[str, Any], title: str = "") -> str:
        """Queue a job in the project and run it on a worker thread; returns the job id."""
        job = queue_of(project).submit(kind, params, title or kind_of(kind).label)
        self._launch(project, job)
        return job.id

    def resume(self, project: Project, job_id: str) -> str:
        """Run an interrupted, failed or cancelled job again."""
        job = queue_of(project).prepare_resume(job_id)
        self._launch(project, job)
        return job.id

    def cancel(self, project: Project, job_id: str) -> None:
        """Cancel a job: at once if it runs here, else through its job file (another process)."""
        ctx = self._contexts.get(job_id)
        if ctx is not None:
            ctx.cancel()
        else:
            queue_of(project).request_cancel(job_id)

    def stop_for_resume(self, project: Project, job_id: str) -> None:
        """Stop a job running here because the window is closing: it ends interrupted (resumable,
        with Resume in the jobs dock next time), not cancelled."""
        if job_id in self._contexts:
            self._stopping.add(job_id)
            self._contexts[job_id].cancel()

    def _launch(self, project: Project, job: Job) -> None:
        relay = _Relay(self)
        job_id = job.id
        relay.progress.connect(lambda p: self.progress.emit(job_id, p))
        relay.done.connect(lambda j: self._finish(job_id, j))
        relay.error.connect(lambda e: self._crash(job_id, e))
        ctx = bridge_context(relay.progress.emit)
        self._contexts[job_id] = ctx
        self._relays[job_id] = relay

        where, farm = self.where(job.kind), self.farm
        settings = self.settings.model_copy(deep=True)  # as they are now; later edits do not reach this job

        def work() -> Job:
            if where == "farm":
                return _run_on_farm(project, job, ctx, farm, settings)
            if where == "process":
                from studio.farm.local import process_work

                run = process_work(self.processes(), project, job.kind, job.id, settings)
            else:
                run = bind(job.kind, project, settings, job_id=job.id)  # imports happen on this thread
            queue = queue_of(project)
            done = queue.run(job, run, ctx=ctx)
            if job_id in self._stopping and done.state == JobState.cancelled:
                done = queue.mark_interrupted(done, "the studio was closed while it ran")
            return done

        self.started.emit(job_id)
        self.pool.start(_Runnable(work, relay))

    def _forget(self, job_id: str) -> None:
        self._contexts.pop(job_id, None)
        self._stopping.discard(job_id)
        relay = self._relays.pop(job_id, None)
        if relay is not None:
            relay.deleteLater()

    def _finish(self, job_id: str, job: Job) -> None:
        self._forget(job_id)
        self.finished.emit(job)

    def _crash(self, job_id: str, exc: BaseException) -> None:
        self._forget(job_id)
        self.crashed.emit(job_id, exc)

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for every worker to finish (closing the window, tests)."""
        return self.pool.waitForDone(msecs)

    def shutdown(self) -> None:
        """Stop the child processes (the window is closing; call after `wait`)."""
        if self._processes is not None:
            self._processes.shutdown()


def _run_on_farm(project: Project, job: Job, ctx: TaskContext, farm: str | None, settings: Settings) -> Job:
    """The queued `job` on the farm, as `studio ... --farm` runs it; a farm that cannot be reached
    fails the job with its message (instead of leaving it queued)."""
    from studio.farm.run import run_job

    try:
        return run_job(project, job.kind, dict(job.params), settings, title=job.title, ctx=ctx,
                       farm=farm or "default", job=job)
    except StudioError as e:
        if job.state != JobState.queued:
            raise
        job.state, job.error, job.error_code, job.label = JobState.failed, e.message, e.exit_code, "Failed"
        queue_of(project).save(job)
        return job


class Task(QObject):
    """A plain function run on a worker thread (downloads, probing media); not a project job."""

    progress = Signal(object)
    done = Signal(object)
    error = Signal(object)

    def __init__(self, fn: Callable[[TaskContext], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.progress.connect(self.progress)
        self._relay.done.connect(self.done)
        self._relay.error.connect(self.error)
        self.ctx = bridge_context(self._relay.progress.emit)
        self._fn = fn

    def start(self, pool: QThreadPool | None = None) -> Task:
        ctx = self.ctx
        (pool or QThreadPool.globalInstance()).start(_Runnable(lambda: self._fn(ctx), self._relay))
        return self

    def cancel(self) -> None:
        self.ctx.cancel()
