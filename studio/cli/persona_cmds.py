"""`studio persona show|set`: the persona's settings, among them the commercial-safe switch."""

from __future__ import annotations

import typer
from rich.markup import escape

from studio.core.errors import BadInput

from .common import open_project, out, print_json

persona_app = typer.Typer(help="The persona's settings: show them, or turn commercial-safe on or off.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(persona_app, name="persona")


def _on_off(value: str) -> bool:
    v = value.strip().lower()
    if v in ("on", "yes", "true", "1"):
        return True
    if v in ("off", "no", "false", "0"):
        return False
    raise BadInput(f"--commercial-safe takes on or off (got '{value}').")


def _report(p, json_out: bool) -> None:  # noqa: ANN001 - a Project
    from studio.core.licence_policy import persona_conflicts
    from studio.core.model_catalog import catalog_by_id
    from studio.render.licences import ALLOWED, asset_verdicts

    per = p.persona
    conflicts = persona_conflicts(per, catalog_by_id())
    verdicts = asset_verdicts(p)
    blocked = sorted(aid for aid, v in verdicts.items() if v["verdict"] != ALLOWED)
    if json_out:
        print_json({"name": per.name, "commercial_safe": per.commercial_safe, "checkpoint": per.checkpoint,
                    "voice": {"engine": per.voice.engine, "voice_id": per.voice.voice_id},
                    "conflicts": [{"setting": s, "model": m, "licence": lic} for s, m, lic in conflicts],
                    "assets_not_allowed": blocked})
        return
    out.print(f"{per.name}: commercial-safe {'on' if per.commercial_safe else 'off'}")
    out.print(f"  checkpoint: {per.checkpoint}   voice: {per.voice.engine} / {per.voice.voice_id}")
    if not per.commercial_safe:
        return
    out.print("  Every step uses only models whose licences allow commercial use; others are refused "
              "with a commercial alternative.")
    for setting, mid, lic in conflicts:
        out.print(f"  [yellow]The persona's {setting} {escape(mid)} is not commercial ({escape(lic)}): its jobs "
                  "are refused until you choose another.[/yellow]", markup=True)
    if blocked:
        shown = ", ".join(blocked[:6]) + ("…" if len(blocked) > 6 else "")
        out.print(f"  [yellow]{len(blocked)} asset(s) were made with non-commercial or unknown-licence models "
                  f"({escape(shown)}): jobs that read them are refused; make them again.[/yellow]", markup=True)


@persona_app.command("show")
def show(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Show the persona's settings and what the commercial-safe switch refuses."""
    with open_project(project, write=False) as p:
        _report(p, json_out)


@persona_app.command("set")
def set_(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    commercial_safe: str = typer.Option(None, "--commercial-safe", metavar="on|off",
                                        help="Use only models whose licences allow commercial use, in every step."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Change the persona's settings (the commercial-safe switch)."""
    if commercial_safe is None:
        raise BadInput("Nothing to set: give --commercial-safe on|off.")
    with open_project(project) as p:
        p.update_persona(commercial_safe=_on_off(commercial_safe))
        _report(p, json_out)
