"""`studio gui [PROJECT] [--screenshot FILE.png] [--panel NAME]`: open the window."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("gui")(gui)


def gui(
    project: str = typer.Argument(None, help="A NAME.persona folder to open."),
    screenshot: Path = typer.Option(None, "--screenshot", help="Render the window to this PNG and exit."),
    panel: str = typer.Option(None, "--panel", help="Show this panel first (library, timeline, jobs, models, …)."),
) -> None:
    """Open the Persona Studio window."""
    from studio.gui.app import run_gui  # noqa: PLC0415 - Qt only when the window is wanted

    raise typer.Exit(run_gui(project, str(screenshot) if screenshot else None, panel))
