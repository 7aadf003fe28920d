"""Run a job where the caller asked: on this computer, or on the Ray farm (`--farm`).

The CLI and batches call `run_job`; it is the one place that chooses between
`studio.actions.registry.run_here` and `dispatch.run_farm_job`, so the actions layer never
imports the farm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studio.actions.registry import run_here
from studio.core.jobs import Job
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import Progress, TaskContext


def run_job(
    project: Project,
    kind: str,
    params: dict[str, Any],
    settings: Settings,
    *,
    store: ModelStore | None = None,
    title: str = "",
    on_progress: Callable[[Job, Progress], None] | None = None,
    ctx: TaskContext | None = None,
    farm: str | None = None,
    job: Job | None = None,
) -> Job:
    """Queue a job of `kind` in the project and run it here, or on the farm at `farm` (an
    address, or 'default' for the one in `settings`); returns the finished job."""
    if farm:
        from .dispatch import run_farm_job

        return run_farm_job(project, kind, params, settings, title, on_progress, ctx, address=farm, job=job)
    return run_here(project, kind, params, settings, store=store, title=title, on_progress=on_progress,
                    ctx=ctx, job=job)
