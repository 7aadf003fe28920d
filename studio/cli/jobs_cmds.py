"""`studio jobs list|cancel|resume`."""

from __future__ import annotations

import typer

from studio.actions.registry import queue_of, resume_job

from .common import (
    finish_job,
    load_settings,
    open_project,
    out,
    print_json,
    print_verdict,
    progress_task,
)

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_jobs(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """A project's jobs with state, progress and errors."""
    with open_project(project, write=False) as p:
        jobs = queue_of(p).list()
        if json_out:
            print_json([j.model_dump(mode="json") for j in jobs])
            return
        if not jobs:
            out.print("No jobs yet.")
        for j in jobs:
            extra = f" — {j.error}" if j.error else (f" — {j.label}" if j.label else "")
            out.print(f"  {j.id}  {j.state.value:<9} {j.progress * 100:5.1f}%  {j.kind:<16} {j.title}{extra}")


@app.command("cancel")
def cancel(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    job_id: str = typer.Argument(..., help="The job id (see `studio jobs list`)."),
) -> None:
    """Cancel a queued or running job (a running one stops at its next step)."""
    with open_project(project, write=False) as p:
        job = queue_of(p).request_cancel(job_id)
        out.print(f"{job.id}: {'cancelled' if job.state.value == 'cancelled' else 'cancel requested'}")


@app.command("resume")
def resume(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    job_id: str = typer.Argument(..., help="An interrupted, failed or cancelled job."),
) -> None:
    """Run an interrupted, failed or cancelled job again: its handler runs from the start with the
    same parameters (a post reuses the steps it had finished); nothing half-made was kept."""
    with open_project(project) as p:
        with progress_task(f"Resuming {job_id}") as ctx:
            job = resume_job(p, job_id, load_settings(), ctx=ctx)
        finish_job(job, p)
        out.print(f"{job.id}: {job.state.value} {job.result}")
        print_verdict(job.result)
