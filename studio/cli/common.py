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
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import Progress as TaskProgress
from studio.core.tasks import TaskContext

console = Console(stderr=True, highlight=False)
# Results print as plain text: titles, labels, prompts and model names may hold square brackets
# ("FLUX.2 [klein]"), which rich would eat as markup. Lines that style pass markup=True and escape().
out = Console(highlight=False, soft_wrap=True, markup=False)


def warn(text: str) -> None:
    """A warning line on stderr, its text printed as it is (no markup from the message)."""
    console.print(f"[yellow]warning:[/yellow] {escape(text)}", soft_wrap=True)


#: `--farm ADDRESS|default` of every job command: run the job on a Ray cluster (docs/farm.md)
FARM = typer.Option(None, "--farm", metavar="ADDRESS|default",
                    help="Run on the render farm: ray://HOST:10001, auto, or 'default' (`studio farm connect`).")


def open_project(path: str, write: bool = True) -> Project:
    """Open a project for a command; a write command on a locked project fails clearly."""
    project = Project.open(path, require_write=write, read_only=not write)
    if project.migrated_from:
        console.print(f"[dim]Upgraded {escape(project.path.name)} from schema {project.migrated_from[0]}.[/dim]")
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


class ProgressLines:
    """Progress for a log, a script or CI (stderr is not a terminal): a plain line per 5 % or
    per 10 s of news ("Narrating: 35% — sentence 3/8, about 1:20 left"), or with `json_lines`
    one JSON object per line ({"task", "progress", "label", "elapsed_s", "eta_s"}) for tools to
    read while stdout keeps the command's single JSON result."""

    #: a new line at every this many percent, or after this many seconds when the label changed
    STEP_PERCENT, QUIET_SECONDS = 5, 10.0
    JSON_STEP_PERCENT, JSON_QUIET_SECONDS = 1, 2.0

    def __init__(self, description: str, json_lines: bool = False, stream: Any = None):
        self.description, self.json_lines = description, json_lines
        self.stream = stream
        self.step, self.quiet = ((self.JSON_STEP_PERCENT, self.JSON_QUIET_SECONDS) if json_lines
                                 else (self.STEP_PERCENT, self.QUIET_SECONDS))
        self._last: tuple[int, str] | None = None
        self._last_at = 0.0

    def __call__(self, p: TaskProgress) -> None:
        import time

        pct = int(p.fraction * 100)
        now = time.monotonic()
        if self._last is not None:
            stepped = pct // self.step > self._last[0] // self.step
            news = (pct, p.label) != self._last and now - self._last_at >= self.quiet
            if not (stepped or news):
                return
        self._last, self._last_at = (pct, p.label), now
        eta = p.eta
        if self.json_lines:
            line = json.dumps({"task": self.description, "progress": round(p.fraction, 4), "label": p.label,
                               "elapsed_s": round(p.elapsed, 1), "eta_s": round(eta, 1) if eta is not None else None})
        else:
            left = f", about {int(eta // 60)}:{int(eta % 60):02d} left" if eta is not None and p.elapsed > 2 else ""
            line = f"{self.description}: {pct}%" + (f" — {p.label}" if p.label else "") + left
        stream = self.stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()


@contextmanager
def progress_task(description: str, quiet: bool = False) -> Iterator[TaskContext]:
    """A TaskContext that shows progress on stderr; Ctrl-C cancels the task cleanly.

    On a terminal: a progress bar. Otherwise (a log file, a script, CI): plain progress lines.
    `quiet`: the command prints JSON on stdout (--json); progress then comes as JSON lines on
    stderr, never as a bar."""
    cancel = threading.Event()
    bar = None
    if console.is_terminal and not quiet:
        columns = [TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TimeElapsedColumn(), TimeRemainingColumn()]
        bar = Progress(*columns, console=console, transient=True)
        task_id = bar.add_task(description, total=1000)

        def on_progress(p: TaskProgress) -> None:
            label = f"{description}: {p.label}" if p.label else description
            bar.update(task_id, completed=int(p.fraction * 1000), description=label)
    else:
        on_progress = ProgressLines(description, json_lines=quiet)

    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None

    def on_sigint(signum: int, frame: Any) -> None:
        if cancel.is_set():  # second Ctrl-C: stop now
            raise KeyboardInterrupt
        cancel.set()
        console.print("[yellow]Cancelling… (Ctrl-C again to stop at once)[/yellow]")

    if previous is not None:
        signal.signal(signal.SIGINT, on_sigint)
    try:
        if bar is not None:
            with bar:
                yield TaskContext(on_progress, cancel_event=cancel)
        else:
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
    if result.get("likeness"):  # a demonstration-only persona (a real person's photo, no consent)
        out.print(f"Likeness: {result['likeness']}")


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

