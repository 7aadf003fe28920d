"""`studio post`: a finished, captioned, lip-synced post from a script, in one command."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import FARM, finish_job, open_project, out, print_json, print_verdict, progress_task


def register(app: typer.Typer) -> None:
    app.command("post")(post)


def post(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    script: Path = typer.Option(..., "--script", help="UTF-8 text file with what the persona says."),
    still: str = typer.Option(None, "--still", help="Still to animate (asset id or image file); default: the best still."),
    prompt: str = typer.Option(None, "--prompt", help="Generate a new still with SDXL from this prompt instead."),
    preset: list[str] = typer.Option(None, "--preset", "-p", help="Export preset; repeat (default: the persona's formats)."),
    music: str = typer.Option(None, "--music", help="Music bed (asset id or audio file), ducked under the voice."),
    engine: str = typer.Option("auto", "--engine", help="Motion engine: auto, svd or camera."),
    move: str = typer.Option("push-in", "--move", help="Camera move: push-in, pan or parallax."),
    out_dir: Path = typer.Option(None, "--out", "-o", help="Also copy the exports to this folder."),
    label: bool = typer.Option(True, "--label/--no-label", help="Visible 'AI-generated' label on the video."),
    title: str = typer.Option(None, "--title", help="The post's title."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Still → motion → narration → lip-sync → captions → exports, as one job."""
    from studio.actions.voice import read_script

    from .common import run_job

    text = read_script(script)
    params = {"script": text, "still": still, "prompt": prompt, "presets": preset or None, "music": music,
              "engine": engine, "move": move, "out_dir": str(out_dir) if out_dir else None, "label": label,
              "title": title}
    with open_project(project) as p, progress_task("Making the post", quiet=json_out) as ctx:
        job = finish_job(run_job(p, "post", params, title=f"Post: {title or text[:40]}", ctx=ctx, farm=farm), p)
    if json_out:
        print_json({"job": job.id, **job.result})
        return
    print_post(job.result)


def print_post(res: dict) -> None:
    """What `studio post` prints about a finished post (its result, after `finish_job`)."""
    out.print(f"Post {res['post']}: still {res['still']} ({res['still_source']}), motion by {res['motion_engine']}, "
              f"lip-sync by {res['lipsync_engine']} (sync r={res['sync_correlation']:.2f})")
    for preset_id, path in res["exports"].items():
        out.print(f"  {preset_id:<8} {path}")
    print_verdict(res)  # the verdict stored with the exports, never the truth of a dict
