"""Running jobs in tests as the CLI does: with the (test) user's settings, here or on a farm."""

from __future__ import annotations

from typing import Any

from studio.core.jobs import Job
from studio.core.project import Project
from studio.core.settings import Settings


def run_job(project: Project, kind: str, params: dict[str, Any], title: str = "", *,
            settings: Settings | None = None, **kw: Any) -> Job:
    """`studio.farm.run.run_job` with the test home's settings (or `settings`, kept in memory)."""
    from studio.farm.run import run_job as run

    return run(project, kind, params, settings or Settings.load(), title=title, **kw)
