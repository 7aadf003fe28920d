"""Shared CLI plumbing: opening projects, progress bars with Ctrl-C cancel, JSON output."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import Progress as TaskProgress
from studio.core.tasks import TaskContext

console = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)


#: `--farm ADDRESS|default` of every job command: run the job on a Ray cluster (docs/farm.md)
FARM = typer.Option(None, "--farm", metavar="ADDRESS|default",
                    help="Run on the render farm: ray://HOST:10001, auto, or 'default' (`studio farm connect`).")


def open_project(path: str, write: bool = True) -> Project:
    """Open a project for a command; a write command on a locked project fails clearly."""
    project = Project.open(path, require_write=write, read_only=not write)
    if project.migrated_from:
        console.print(f"[dim]Upgraded {project.path.name} from schema {project.migrated_from[0]}.[/dim]")
    return project


def load_settings() -> Settings:
    """The user's settings, read for this command (the CLI is an entry point: it reads them once
    per command and hands them to the job; nothing below it reads settings from disk)."""
    return Settings.load()


def run_job(project: Project, kind: str, params: dict[str, Any], title: str = "", *,
            settings: Settings | None = None, **kw: Any) -> Job:
    """Run a job here or on the farm (`farm=`) with the user's settings (see studio.farm.run)."""
    from studio.farm.run import run_job as run

    return run(project, kind, params, settings or load_settings(), title=title, **kw)


def print_json(obj: Any) -> None:
    out.print_json(json.dumps(obj, default=str))


@contextmanager
def progress_task(description: str, quiet: bool = False) -> Iterator[TaskContext]:
    """A TaskContext with a progress bar on stderr; Ctrl-C cancels the task cleanly."""
    cancel = threading.Event()
    columns = [TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeElapsedColumn(), TimeRemainingColumn()]
    bar = Progress(*columns, console=console, transient=True, disable=quiet or not console.is_terminal)
    task_id = bar.add_task(description, total=1000)

    def on_progress(p: TaskProgress) -> None:
        label = f"{description}: {p.label}" if p.label else description
        bar.update(task_id, completed=int(p.fraction * 1000), description=label)

    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None

    def on_sigint(signum: int, frame: Any) -> None:
        if cancel.is_set():  # second Ctrl-C: stop now
            raise KeyboardInterrupt
        cancel.set()
        console.print("[yellow]Cancelling… (Ctrl-C again to stop at once)[/yellow]")

    if previous is not None:
        signal.signal(signal.SIGINT, on_sigint)
    try:
        with bar:
            yield TaskContext(on_progress, cancel_event=cancel)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def finish_job(job: Job, project: Project | None = None) -> Job:
    """Turn a finished job into the CLI's exit behaviour.

    With `project`, a done job's result gets `commercial_use`: the verdict stored with the assets
    it made (render/licences.py), which the command prints with `print_verdict`."""
    if job.state == JobState.done and project is not None:
        from studio.render.licences import stored_verdict

        verdict = stored_verdict(project, (job.result or {}).get("assets") or [])
        if verdict is not None:
            job.result["commercial_use"] = verdict
    if job.state == JobState.failed:
        err = StudioError(f"{job.error} (job {job.id})")
        err.exit_code = job.error_code or 1  # bad input found inside a job is still exit 2
        raise err
    if job.state == JobState.cancelled:
        console.print(f"Cancelled (job {job.id}); `studio jobs resume` runs it again.")
        sys.exit(130)
    return job


def print_verdict(result: dict[str, Any]) -> None:
    """The commercial-use line of a job's result (set by `finish_job(job, project)`), if any."""
    if result.get("commercial_use") is not None:
        from studio.render.licences import verdict_text

        out.print(verdict_text(result["commercial_use"]))


def require_display() -> None:
    """Fail with a clear message (not a Qt abort) when the window cannot be shown."""
    import os

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise StudioError(
            "No display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset). Run `studio` from "
            "a desktop session, use `xvfb-run studio gui ...`, or use the command line: `studio --help`."
        )

