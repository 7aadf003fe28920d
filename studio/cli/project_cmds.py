"""`studio new`, `studio info`, `studio recover`, `studio consent`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.text import Text

from studio.core.errors import BadInput
from studio.core.persona import ConsentRecord, Persona
from studio.core.project import Project
from studio.core.settings import Settings

from .common import console, open_project, out, print_json

#: the scores worth a glance in `studio info`, in user words
_SHOWN_SCORES = {
    "identity": "identity {:.0f}",
    "sync_correlation": "lip-sync r={:.2f}",
    "sync_offset_ms": "offset {:.0f} ms",
    "blinks_per_min": "{:.0f} blinks/min",
    "head_roll_range_deg": "head roll {:.1f}°",
    "head_shift_range_pct": "head shift {:.1f} %",
    "duration_s": "{:.1f} s",
}


def _asset_summary(a, licence: dict | None = None) -> str:  # noqa: ANN001 - an Asset
    """One line: engine, headline scores, verdicts (`licence`: its commercial-use verdict)."""
    bits = [a.provenance.engine] if a.provenance.engine else []
    for key, fmt in _SHOWN_SCORES.items():
        v = a.provenance.scores.get(key)
        if isinstance(v, int | float):
            bits.append(fmt.format(v))
    verdict = a.provenance.scores.get("identity_verdict")
    if verdict:
        bits.append(str(verdict))
    # a file imported as it is was made by no model: there is nothing to say about it
    if licence is not None and (licence["models"] or a.kind == "export"):
        from studio.render.licences import verdict_text

        bits.append(verdict_text(licence, short=True))
    return " · ".join(bits)


def register(app: typer.Typer) -> None:
    app.command("new")(new)
    app.command("info")(info)
    app.command("recover")(recover)
    app.command("consent")(consent)


def new(
    name: str = typer.Argument(..., help="The persona's name (also the folder name)."),
    directory: Path = typer.Option(None, "--dir", "-d", help="Where to create NAME.persona (default: your projects folder)."),
    real: bool = typer.Option(False, "--real", help="The persona is a real person's likeness (needs recorded consent)."),
    description: str = typer.Option("", "--description", help="Who the persona is, in a sentence."),
    style: str = typer.Option(None, "--style", help="Style prompt added to every still."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Create a new persona project."""
    settings = Settings.load()
    parent = directory or Path(settings.projects_dir)
    persona = Persona(name=name, kind="real" if real else "synthetic", description=description)
    if style:
        persona = persona.model_copy(update={"style_prompt": style})
    with Project.create(parent, name, persona) as project:
        settings.add_recent(project.path)
        settings.save()
        if json_out:
            print_json({"path": str(project.path), "name": name, "kind": persona.kind})
        else:
            out.print(f"Created {project.path}")
            if real:
                console.print("This persona is a real person: record consent with `studio consent` before generating.")


def info(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    json_out: bool = typer.Option(False, "--json", help="Print the whole project as JSON."),
) -> None:
    """Show a persona project: persona, assets, timelines, posts and jobs."""
    from studio.actions.registry import queue_of

    with open_project(project, write=False) as p:
        jobs = queue_of(p).list() if (p.path / "jobs").exists() else []
        if json_out:
            doc = p.data.model_dump(mode="json")
            doc["path"] = str(p.path)
            doc["jobs"] = [j.model_dump(mode="json") for j in jobs]
            print_json(doc)
            return
        per = p.persona
        out.print(f"[bold]{escape(per.name)}[/bold]  ({per.kind}{', consent recorded' if per.consent else ''})  "
                  f"{escape(str(p.path))}", markup=True)
        if per.description:
            out.print(f"  {per.description}")
        out.print(f"  likeness: {escape(per.likeness_line())}")
        out.print(f"  references: {len(per.reference_faces)}   identity: "
                  f"{', '.join(e.backend for e in per.identity) or 'none yet (`studio faces add`)'}")
        from studio.actions.voice import voice_character

        ch = voice_character(per.voice)
        out.print(f"  voice: {per.voice.engine} / {per.voice.voice_id} (speed {per.voice.speed})"
                  + ("" if ch.neutral else f"; voice character: {ch.describe()}"))
        out.print(f"  checkpoint: {per.checkpoint}   style: {per.style_prompt}")
        out.print(f"  assets: {len(p.data.assets)}   timelines: {len(p.data.timelines)}   posts: {len(p.data.posts)}")
        from studio.render.licences import asset_verdicts

        verdicts = asset_verdicts(p)
        # one Text for every asset line: a rich print per line took seconds for 5,000 assets
        lines = Text()
        for a in p.data.assets:
            lines.append(f"    {a.id:<22} {a.kind:<10} {a.label or a.path}")
            lines.append(f"  {_asset_summary(a, verdicts.get(a.id))}\n", style="dim")
        if lines:
            lines.rstrip()
            out.print(lines)
        if jobs:
            out.print(f"  jobs: {len(jobs)} ({sum(j.state.value == 'done' for j in jobs)} done)")
        if p.read_only_reason and "request" not in p.read_only_reason:
            console.print(f"[yellow]Note: {escape(p.read_only_reason)}.[/yellow]")


def recover(project: str = typer.Argument(..., help="Path of the NAME.persona folder.")) -> None:
    """Restore project.json from the autosave recovery copy."""
    restored = Project.recover(project)
    out.print(f"Restored {restored} from the recovery copy (the old file was kept beside it).")


def consent(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    subject: str = typer.Option(..., "--subject", help="The real person's name."),
    granted_by: str = typer.Option(..., "--granted-by", help="Who gave consent (the subject or a guardian)."),
    date: str = typer.Option(..., "--date", help="Date consent was given (YYYY-MM-DD)."),
    document: Path = typer.Option(None, "--document", help="A signed release to store in the project."),
    scope: str = typer.Option("likeness and voice for AI-generated social posts", "--scope",
                              help="What the consent covers, in the release's words."),
) -> None:
    """Record a real person's consent to the use of their likeness."""
    import datetime

    try:
        datetime.date.fromisoformat(date)
    except ValueError:
        raise BadInput(f"--date must be YYYY-MM-DD (got '{date}').") from None
    with open_project(project) as p:
        doc_rel = None
        if document is not None:
            asset = p.import_file(document, "document", label="consent document")
            doc_rel = asset.path
        record = ConsentRecord(subject_name=subject, granted_by=granted_by, date=date, scope=scope, document=doc_rel)
        p.update_persona(consent=record, kind="real")
        out.print(f"Consent recorded for {subject} in {p.path.name}.")
