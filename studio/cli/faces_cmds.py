"""`studio faces add|list|remove|score` and `studio swap`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from studio.core.errors import BadInput, StudioError

from .common import (
    console,
    finish_job,
    load_settings,
    open_project,
    out,
    print_json,
    print_verdict,
    progress_task,
)

faces_app = typer.Typer(no_args_is_help=True, help="Reference faces and identity scores.")


def register(app: typer.Typer) -> None:
    app.add_typer(
        faces_app, name="faces", help="Add, list and remove reference faces; score identity."
    )
    app.command("swap")(swap)


def _run(project, kind: str, params: dict, title: str) -> dict:  # noqa: ANN001
    from .common import run_job

    with progress_task(title) as ctx:
        job = run_job(project, kind, params, title, ctx=ctx)
    return finish_job(job, project).result


@faces_app.command("add")
def add(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    photos: list[Path] = typer.Argument(..., help="Reference photos of the persona's face."),
    pick: int = typer.Option(
        None, "--pick", help="Which face to use when a photo has several (0 = largest)."
    ),
    backend: str = typer.Option(
        "auto", "--backend", help="Face analysis: auto, dlib or insightface."
    ),
    not_a_real_person: bool = typer.Option(
        False, "--not-a-real-person",
        help="Confirm the face is not an identifiable real person (asked once for a synthetic persona).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Import reference photos: one face each, checked for size, sharpness and head turn."""
    with open_project(project) as p:
        p.persona.require_consent("import reference photos of this person")
        if p.persona.needs_likeness_statement() and not not_a_real_person:
            not_a_real_person = _confirm_not_real(p.persona.name)
        result = _run(
            p,
            "faces.add",
            {"photos": [str(x) for x in photos], "pick": pick, "backend": backend,
             "not_a_real_person": not_a_real_person},
            "Adding reference faces",
        )
        if json_out:
            print_json(result)
        else:
            from pipelines.faces.quality import describe

            for a in result["accepted"]:
                out.print(
                    f"[green]added[/green]    {escape(Path(a['photo']).name)}: {escape(describe(a['quality']))}  "
                    f"({a['id']})", markup=True,
                )
            for r in result["rejected"]:
                out.print(f"[red]rejected[/red] {escape(r['reason'])}", markup=True)
            out.print(
                f"{len(p.persona.reference_faces)} reference face(s); identity: "
                f"{', '.join(result['identity']) or 'none'}"
            )
            print_verdict(result)
    rejected = result["rejected"]
    if rejected and not result["accepted"]:
        raise BadInput(f"No photo was added ({len(rejected)} rejected, reasons above).")
    if rejected:
        names = ", ".join(Path(r["photo"]).name for r in rejected)
        raise StudioError(
            f"{len(result['accepted'])} photo(s) added, {len(rejected)} rejected: {names}."
        )


def _confirm_not_real(name: str) -> bool:
    """Ask, at a terminal, whether a synthetic persona's face is no real person's; without one, say
    which flag answers it (so scripts stay scriptable)."""
    import sys

    how = (f"If it is a real person, record their consent first: `studio consent PROJECT --subject NAME "
           f"--granted-by NAME --date YYYY-MM-DD` (that marks '{name}' as a real person).")
    if not sys.stdin.isatty():
        raise BadInput(f"'{name}' is a synthetic persona: confirm that this face is not an identifiable "
                       f"real person with --not-a-real-person. {how}")
    if typer.confirm(f"'{name}' is a synthetic persona. Is this face invented (not an identifiable real person)?",
                     default=False):
        return True
    raise BadInput(f"No photo was added. {how}")


@faces_app.command("list")
def list_faces(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """The persona's reference faces and identity backends."""
    from pipelines.faces.quality import describe

    with open_project(project, write=False) as p:
        refs = p.persona.reference_faces
        if json_out:
            print_json(
                {
                    "references": [r.model_dump(mode="json") for r in refs],
                    "identity": [
                        {"backend": e.backend, "references": e.reference_ids}
                        for e in p.persona.identity
                    ],
                }
            )
            return
        if not refs:
            out.print("No reference faces yet. Add some with `studio faces add PROJECT PHOTO...`.")
            return
        for r in refs:
            q = describe(r.quality) if r.quality else ""
            out.print(f"  {r.id:<24} {r.source_name:<28} {q}")
        out.print(
            f"identity: {', '.join(f'{e.backend} ({len(e.reference_ids)} refs)' for e in p.persona.identity) or 'none'}"
        )


@faces_app.command("remove")
def remove(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    ref_id: str = typer.Argument(..., help="Reference id (see `studio faces list`)."),
) -> None:
    """Remove a reference face and re-fuse the identity from the rest."""
    with open_project(project) as p:
        if not any(r.id == ref_id for r in p.persona.reference_faces):
            raise BadInput(
                f"No reference face '{ref_id}' in {p.path.name}. `studio faces list {project}` shows them."
            )
        result = _run(p, "faces.remove", {"ref_id": ref_id}, "Removing reference face")
        out.print(
            f"Removed {ref_id}; {len(p.persona.reference_faces)} reference face(s) left; identity: "
            f"{', '.join(result['identity']) or 'none'}"
        )


@faces_app.command("score")
def score(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    media: Path = typer.Argument(..., help="An image or a video (asset id or file)."),
    every: int = typer.Option(1, "--every", min=1, help="Video: score every Nth frame."),
    backend: str = typer.Option(
        "auto", "--backend", help="Face analysis: auto, dlib or insightface."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """How much each face in an image (or each video frame) looks like the persona (0–100)."""
    from studio.actions.faces import score_media
    from studio.core.models import ModelStore

    with open_project(project, write=False) as p:
        path, _ = p.resolve_input(str(media))
        with progress_task("Scoring faces") as ctx:
            result = score_media(p, ModelStore(load_settings()), str(path), every=every, backend=backend, ctx=ctx)
    if json_out:
        print_json(result)
        return
    rows = (
        [("", result["faces"])]
        if not result["frames"]
        else [(f"frame {f['index']} ({f['time']:.2f}s) ", f["faces"]) for f in result["frames"]]
    )
    for prefix, faces in rows:
        if not faces:
            out.print(f"{prefix}no face")
        for i, f in enumerate(faces):
            out.print(
                f"{prefix}face {i} [{', '.join(f'{v:.0f}' for v in f['box'])}]: {f['score']:.1f} — {f['verdict']}"
            )
    console.print(f"[dim]backend: {escape(result['backend'])}[/dim]")


def swap(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    target: Path = typer.Argument(
        ..., help="Image or video (asset id or file) to put the persona's face into."
    ),
    # --out/-o like export and post; --output still accepted for scripts written against 0.x
    output: Path = typer.Option(..., "--out", "-o", "--output", help="Where to write the result (also kept in the project)."),
    face: str = typer.Option(
        "largest", "--face", help="largest, all, or similar:IMAGE (the face most like IMAGE)."
    ),
    restore: bool = typer.Option(
        True,
        "--restore/--no-restore",
        help="Restore the swapped face (GFPGAN/CodeFormer, if installed).",
    ),
    model: str = typer.Option("auto", "--model", help="Face swapper: auto (GHOST when installed, else "
                              "inswapper_128), ghost_1_256, ghost_2_256, ghost_3_256 or inswapper_128."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Swap the persona's face into an image or clip (a swapper + the insightface analyzer models)."""
    if not (face in ("largest", "all") or face.startswith("similar:")):
        raise BadInput(f"--face must be largest, all or similar:IMAGE (got '{face}').")
    from pipelines.faces.swappers import SWAPPER_IDS

    if model not in ("auto", *SWAPPER_IDS):
        raise BadInput(f"--model '{model}': use auto, {', '.join(SWAPPER_IDS)}.")
    if face.startswith("similar:") and not Path(face.split(":", 1)[1]).is_file():
        raise BadInput(f"No image at '{face.split(':', 1)[1]}' for --face similar:IMAGE.")
    with open_project(project) as p:
        p.persona.require_consent("swap this person's face into images")
        p.resolve_input(str(target))  # a wrong id or path fails here, before a job is made
        result = _run(
            p,
            "faces.swap",
            {"target": str(target), "face": face, "restore": restore, "output": str(output), "model": model},
            "Swapping faces",
        )
    if json_out:
        print_json(result)
        return
    s = result["scores"]
    ident = (
        "no face found"
        if s.get("identity") is None
        else f"{s['identity']:.1f} — {s['identity_verdict']}"
    )
    out.print(f"Wrote {result['output']} (asset {result['assets'][0]}); identity {ident}")
    print_verdict(result)
