"""`studio gui [PROJECT] [--screenshot FILE.png] [--panel NAME] [--size WxH]`: open the window."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("gui")(gui)


def gui(
    project: str = typer.Argument(None, help="A NAME.persona folder to open."),
    screenshot: Path = typer.Option(None, "--screenshot", help="Render the window to this PNG and exit."),
    panel: str = typer.Option(None, "--panel", help="Show this panel first (library, timeline, jobs, models, …)."),
    size: str = typer.Option(None, "--size", help="Window size WxH, e.g. 1280x720 (for screenshots)."),
) -> None:
    """Open the Persona Studio window."""
    from studio.core.errors import BadInput

    from .common import require_display

    wh = None
    if size:
        try:
            wh = tuple(int(v) for v in size.lower().replace("×", "x").split("x"))
        except ValueError:
            wh = ()
        if len(wh) != 2 or min(wh) < 200:
            raise BadInput(f"Window size (--size) must look like 1280x720 (got '{size}').")
    require_display()
    from studio.gui.app import run_gui  # noqa: PLC0415 - Qt only when the window is wanted

    raise typer.Exit(run_gui(project, str(screenshot) if screenshot else None, panel, size=wh))
