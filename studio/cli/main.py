"""Entry point of the `studio` command."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer
from rich.markup import escape

from studio import __version__
from studio.core.errors import StudioError
from studio.core.tasks import Cancelled

from . import jobs_cmds, models_cmds, project_cmds
from .common import console

app = typer.Typer(
    name="studio",
    help="Persona Studio: consistent stills, motion, narration, lip-sync and social exports for a virtual persona.\n\n"
    "Run `studio` with no command to open the window.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"Persona Studio {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    if ctx.invoked_subcommand is None:
        from .common import require_display

        require_display()
        from studio.gui.app import run_gui  # noqa: PLC0415  (Qt only when the window is wanted)

        raise typer.Exit(run_gui(None))


project_cmds.register(app)
app.add_typer(models_cmds.app, name="models", help="List, download, import and verify models.")
app.add_typer(jobs_cmds.app, name="jobs", help="List, cancel and resume a project's jobs.")

# Every other `studio/cli/*_cmds.py` module adds its commands through `register(app)`.
# Command modules import heavy libraries inside their functions, so this stays fast.
_CORE_CMDS = {"project_cmds", "models_cmds", "jobs_cmds"}
import studio.cli as _cli_pkg  # noqa: E402

for _mod in sorted(m.name for m in pkgutil.iter_modules(_cli_pkg.__path__) if m.name.endswith("_cmds")):
    if _mod not in _CORE_CMDS:
        importlib.import_module(f"studio.cli.{_mod}").register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; expected failures print one line and exit 1 (failed) or 2 (bad input)."""
    try:
        rc = app(args=argv, prog_name="studio", standalone_mode=False)
    except StudioError as e:
        # escape: a message may hold square brackets (`pip install 'persona-studio[xtts]'`), which
        # rich would otherwise take for markup and drop
        console.print(f"[bold red]error:[/bold red] {escape(e.message)}", soft_wrap=True)
        return e.exit_code
    except Cancelled:
        console.print("Cancelled.")
        return 130
    except KeyboardInterrupt:
        console.print("Interrupted.")
        return 130
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        return 1
    except Exception as e:
        if _is_click_error(e):  # a usage error: one line, exit 2 (ClickException's own code)
            console.print(f"[bold red]error:[/bold red] {escape(usage_message(e))}", soft_wrap=True)
            return int(getattr(e, "exit_code", 2) or 2)
        raise
    return rc if isinstance(rc, int) else 0


def _is_click_error(e: BaseException) -> bool:
    """click's ClickException, whichever copy of click raised it (typer ≥ 0.29 vendors its own
    as typer._click, older typer uses the click package), matched by duck type."""
    return any(c.__name__ == "ClickException" for c in type(e).__mro__) and hasattr(e, "format_message")


def usage_message(e: BaseException) -> str:
    """A usage error as one line that says where to look: the message and the command's --help."""
    msg = " ".join(str(e.format_message()).split())  # type: ignore[attr-defined]
    ctx = getattr(e, "ctx", None)
    path = getattr(ctx, "command_path", None) or "studio"
    if path.split()[0] != "studio":  # prog_name is 'studio'; a bare script name otherwise
        path = "studio"
    return f"{msg} (see `{path} --help`)" if msg else f"see `{path} --help`"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
