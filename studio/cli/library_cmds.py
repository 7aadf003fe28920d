"""`studio project rename|duplicate|delete`: the window's Personas page buttons on the command line
(the same studio.core.library functions, the same name check)."""

from __future__ import annotations

import sys

import typer

from studio.core.errors import BadInput

from .common import load_settings, out

app = typer.Typer(no_args_is_help=True, help="Rename, duplicate or delete a persona project.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="project")


@app.command("rename")
def rename(project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
           name: str = typer.Argument(..., help="The persona's new name (also the folder's).")) -> None:
    """Rename a persona and its folder together."""
    from studio.core.library import rename_project

    out.print(rename_project(project, name, load_settings()))


@app.command("duplicate")
def duplicate(project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
              name: str = typer.Argument(..., help="Name of the copy (a new folder beside the original).")) -> None:
    """Copy a persona project (its faces, voice, stills, clips and exports; not its jobs)."""
    from studio.core.library import duplicate_project

    out.print(duplicate_project(project, name, load_settings()))


@app.command("delete")
def delete(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask: delete (for scripts)."),
    permanent: bool = typer.Option(False, "--permanent", help="Delete for good instead of moving to the trash."),
) -> None:
    """Move a persona project to the trash (asks first unless --yes)."""
    from studio.core.library import delete_project
    from studio.core.project import find_project_dir

    folder = find_project_dir(project)
    where = "delete it for good" if permanent else "move it to the trash"
    if not yes:
        if not sys.stdin.isatty():
            raise BadInput(f"Deleting '{folder.name}' needs confirmation: add --yes to {where}.")
        ask = f"Delete {folder.name} for good?" if permanent else f"Move {folder.name} to the trash?"
        if not typer.confirm(ask, default=False):
            raise typer.Exit(1)
    delete_project(folder, load_settings(), permanent=permanent)
    out.print(f"Deleted {folder}" + ("" if permanent else " (moved to the trash)"))
