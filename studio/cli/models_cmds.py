"""`studio models list|download|import|verify|login|logout`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from studio.core.errors import StudioError
from studio.core.models import ModelStore
from studio.core.settings import Settings

from .common import console, out, print_json, progress_task

app = typer.Typer(no_args_is_help=True)


def _store() -> ModelStore:
    return ModelStore(Settings.load())


def _size(n: int | None) -> str:
    if not n:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000:
            return f"{n:.0f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


@app.command("list")
def list_models(
    kind: str = typer.Option(None, "--kind", help="Only models of this kind (e.g. face-swapper)."),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """The model catalogue with where each model was found, its licence and commercial-use flag."""
    store = _store()
    rows = []
    for e in store.entries():
        if kind and e.kind != kind:
            continue
        info = store.locate(e.id)
        rows.append({
            "id": e.id, "name": e.name, "kind": e.kind, "status": info.status,
            "path": str(info.path) if info.path else None, "where": info.where,
            "licence": e.licence, "commercial_use": e.commercial_use, "embedded": e.embedded,
            "size": e.size, "source": e.source.type,
        })
    if json_out:
        print_json(rows)
        return
    out.print(f"Models folder: {store.root}")
    for r in rows:
        mark = {"present": "[green]present[/green]", "missing": "[dim]missing[/dim]", "corrupt": "[red]corrupt[/red]"}[r["status"]]
        comm = "commercial OK" if r["commercial_use"] else "[yellow]non-commercial[/yellow]"
        emb = " (embedded)" if r["embedded"] else ""
        out.print(f"  {r['id']:<26} {mark:<24} {r['kind']:<16} {_size(r['size']):>7}  {comm}{emb}", markup=True)
        out.print(f"      {r['name']} — {r['licence']}" + (f" — {r['where']}: {r['path']}" if r["path"] else ""))


@app.command("download")
def download(
    model_ids: list[str] = typer.Argument(..., help="Catalogue ids (see `studio models list`)."),
) -> None:
    """Download models (Hugging Face ones into the shared hub cache); every file is sha256-checked."""
    store = _store()
    for mid in model_ids:
        store.entry(mid)  # unknown ids fail before any download starts
    for mid in model_ids:
        with progress_task(f"Downloading {mid}") as ctx:
            path = store.download(mid, ctx)
        rec = store.hashes.get(mid)
        checked = {"hub": "checked against the hub's sha256", "download": "sha256 recorded"}.get(
            rec.source if rec else "", "")
        out.print(f"{mid}: {path}" + (f" ({checked})" if checked else ""))


@app.command("login")
def login(
    stdin: bool = typer.Option(False, "--stdin", help="Read the token from standard input (scripts)."),
) -> None:
    """Save a Hugging Face token for gated models (kept private, mode 0600; never in a project)."""
    import sys

    from studio.core import hf_token

    if stdin:
        value = sys.stdin.readline()
    else:
        value = typer.prompt("Hugging Face token (huggingface.co/settings/tokens)", hide_input=True)
    if not value.strip():
        raise StudioError("No token given; nothing was saved.")
    path = hf_token.save_token(value)
    out.print(f"Saved the token to {path} (readable by you only). Gated models also need their licence "
              "accepted on their Hugging Face page.")


@app.command("logout")
def logout() -> None:
    """Forget the saved Hugging Face token (HF_TOKEN and `hf auth login` are not touched)."""
    from studio.core import hf_token

    hf_token.clear_token()
    now = hf_token.current_token()
    out.print("Forgot the saved token." + (f" Downloads still send {now.describe()}." if now else ""))


@app.command("import")
def import_model(
    model_id: str = typer.Argument(..., help="Catalogue id, or a new id for your own model (with --kind)."),
    file: Path = typer.Argument(..., help="The file (or diffusers folder) you downloaded."),
    link: bool = typer.Option(False, "--link", help="Hard-link instead of copying (same disk only)."),
    kind: str = typer.Option(None, "--kind", help="Kind for a model not in the catalogue, e.g. sdxl-checkpoint."),
) -> None:
    """Import a model file you downloaded by hand, and verify it."""
    store = _store()
    dest = store.import_file(model_id, file, link=link, kind=kind)
    out.print(f"Imported {model_id} -> {dest}")


@app.command("verify")
def verify(
    model_ids: list[str] = typer.Argument(None, help="Ids to verify (default: every model that is present)."),
) -> None:
    """Check model files against their sha256 (exit 1 if any is corrupt)."""
    store = _store()
    ids = model_ids or [e.id for e in store.entries() if store.locate(e.id).status != "missing"]
    bad = 0
    for mid in ids:
        status, msg = store.verify(mid)
        style = {"present": "green", "missing": "yellow", "corrupt": "red"}[status]
        out.print(f"[{style}]{status:>8}[/{style}]  {escape(msg)}", markup=True)
        bad += status == "corrupt" or (status == "missing" and bool(model_ids))
    if bad:
        raise StudioError(f"{bad} model(s) failed verification.")
    if not ids:
        console.print("No models present yet besides none; `studio models list` shows the catalogue.")
