"""`studio upscale`: a sharper, larger still or clip."""

from __future__ import annotations

import typer

from .common import FARM, finish_job, open_project, out, print_json, print_verdict, progress_task


def register(app: typer.Typer) -> None:
    app.command("upscale")(upscale)


def upscale(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    source: str = typer.Argument(..., help="A still or clip: asset id or file."),
    scale: float = typer.Option(2.0, "--scale", help="How much larger (up to 4)."),
    engine: str = typer.Option("auto", "--engine", help="auto (Real-ESRGAN when installed), esrgan, or classical "
                               "(Lanczos + adaptive sharpening, no model)."),
    sharpen: float = typer.Option(0.6, "--sharpen", help="Classical: sharpening 0-1."),
    restore_faces: bool = typer.Option(True, "--restore-faces/--no-restore-faces",
                                       help="Stills: restore faces with GFPGAN/CodeFormer when installed."),
    tile: int = typer.Option(256, "--tile", help="Real-ESRGAN tile size in pixels (smaller uses less memory)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Upscale and sharpen a still or clip; the result is a new asset beside the original."""
    from .common import run_job

    params = {"source": source, "scale": scale, "engine": engine, "sharpen": sharpen,
              "restore_faces": restore_faces, "tile": tile}
    with open_project(project) as p, progress_task(f"Upscaling {source}", quiet=json_out) as ctx:
        job = finish_job(run_job(p, "upscale", params, title=f"Upscale {source}", ctx=ctx, farm=farm), p)
    res = job.result
    if json_out:
        print_json({"job": job.id, **res})
        return
    out.print(f"{res['assets'][0]}: {res['size'][0]}x{res['size'][1]} by {res['engine']}  {res['path']}")
    for note in res.get("notes") or []:
        out.print(f"  note: {note}")
    print_verdict(res)
