"""The registry of job kinds and a helper to run one as a persistent job."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from studio.core.errors import NotFound
from studio.core.jobs import Job, JobHandler, JobQueue
from studio.core.project import Project
from studio.core.tasks import Progress, TaskContext

_SKIP = {"registry", "__init__"}

_HANDLERS: dict[str, JobHandler] = {}


def action(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register a job handler under `kind`."""

    def register(fn: JobHandler) -> JobHandler:
        _HANDLERS[kind] = fn
        return fn

    return register


def _load_all() -> None:
    """Import every module of this package; each registers its actions (imported on first use)."""
    import studio.actions as pkg

    for m in pkgutil.iter_modules(pkg.__path__):
        if m.name not in _SKIP:
            importlib.import_module(f"studio.actions.{m.name}")


def handler_for(kind: str) -> JobHandler:
    if kind not in _HANDLERS:
        _load_all()
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise NotFound(f"No action '{kind}' in this version of Persona Studio.") from None


def kinds() -> list[str]:
    _load_all()
    return sorted(_HANDLERS)


def queue_of(project: Project) -> JobQueue:
    return JobQueue(project.path / "jobs")


def run_job(
    project: Project,
    kind: str,
    params: dict[str, Any],
    title: str = "",
    on_progress: Callable[[Job, Progress], None] | None = None,
    ctx: TaskContext | None = None,
    farm: str | None = None,
    job: Job | None = None,
) -> Job:
    """Queue a job of `kind` in the project and run it here (or on the Ray farm at `farm`:
    an address, or 'default' for the one in settings); returns the finished job. `job`: one
    already queued with this kind and params (the window queues first, to list it at once)."""
    if farm:
        from studio.farm.dispatch import run_farm_job

        return run_farm_job(project, kind, params, title, on_progress, ctx, address=farm, job=job)
    handler = handler_for(kind)
    queue = queue_of(project)
    job = job or queue.submit(kind, params, title)
    return queue.run(job, handler, project, on_progress=on_progress, ctx=ctx)


def resume_job(
    project: Project,
    job_id: str,
    on_progress: Callable[[Job, Progress], None] | None = None,
    ctx: TaskContext | None = None,
) -> Job:
    """Run an interrupted, failed or cancelled job again; `ctx` carries the caller's cancel (Ctrl-C)."""
    queue = queue_of(project)
    job = queue.prepare_resume(job_id)
    return queue.run(job, handler_for(job.kind), project, on_progress=on_progress, ctx=ctx)
