"""`studio post`: a finished, captioned, lip-synced post from a script or a scene file, in one command."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import FARM, finish_job, open_project, out, print_json, print_verdict, progress_task


def register(app: typer.Typer) -> None:
    app.command("post")(post)


def post(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    script: Path = typer.Option(..., "--script", help="What the persona says: a UTF-8 text file (scenes split by "
                                "'---' lines or paragraphs) or a YAML scene file (scenes: with per-scene visuals)."),
    split: str = typer.Option("auto", "--split", help="How a text script becomes scenes: auto ('---' lines, else "
                              "paragraphs), rule, paragraph, or none (one scene)."),
    still: str = typer.Option(None, "--still", help="Still to animate (asset id or image file); default: the best still."),
    prompt: str = typer.Option(None, "--prompt", help="Generate a new still with SDXL from this prompt instead."),
    preset: list[str] = typer.Option(None, "--preset", "-p", help="Export preset; repeat (default: the persona's formats)."),
    music: str = typer.Option(None, "--music", help="Music bed (asset id or audio file), ducked under the voice."),
    engine: str = typer.Option("auto", "--engine", help="Motion engine: auto, svd or camera."),
    move: str = typer.Option("push-in", "--move", help="Camera move: push-in, pan or parallax."),
    out_dir: Path = typer.Option(None, "--out", "-o", help="Also copy the exports to this folder."),
    label: bool = typer.Option(True, "--label/--no-label", help="Visible 'AI-generated' label on the video."),
    title: str = typer.Option(None, "--title", help="The post's title."),
    look: str = typer.Option(None, "--look", help="A look for the whole post, e.g. warm, old-film, cartoon, "
                             "teal-orange+grain (`studio look list`)."),
    hook: str = typer.Option(None, "--hook", help="A hook line shown big over the first seconds."),
    encoder: str = typer.Option("auto", "--encoder", help="H.264 encoder: auto (hardware where it works), software, "
                                "nvenc, qsv, amf or videotoolbox."),
    encode_speed: str = typer.Option("fast", "--encode-speed", help="fast, balanced or best: x264's speed at the "
                                     "preset's bit rate (fast: about half the encoding time)."),
    draft: bool = typer.Option(False, "--draft", help="Small and quick: motion at 360x640, exports inside 270x480."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Scenes → stills → narration → motion and lip-sync per scene → captions → exports, as one job."""
    from studio.actions.voice import read_script
    from studio.core.storyboard import storyboard_params
    from studio.render.presets import encode_speed as check_speed

    from .common import run_job

    text = read_script(script)
    params = {"still": still, "prompt": prompt, "presets": preset or None, "music": music,
              "engine": engine, "move": move, "out_dir": str(out_dir) if out_dir else None, "label": label,
              "title": title, "look": look, "hook": hook, "encoder": encoder, "encode_speed": check_speed(encode_speed),
              **storyboard_params(text, script.name, str(script.expanduser().resolve().parent), split)}
    if draft:
        params.update(size=[360, 640], export_size=[270, 480])
    with open_project(project) as p, progress_task("Making the post", quiet=json_out) as ctx:
        job = finish_job(run_job(p, "post", params, title=f"Post: {title or ' '.join(s['text'] for s in params['storyboard']['scenes'])[:40]}", ctx=ctx, farm=farm), p)
    if json_out:
        print_json({"job": job.id, **job.result})
        return
    print_post(job.result)


def print_post(res: dict) -> None:
    """What `studio post` prints about a finished post (its result, after `finish_job`)."""
    sync = res.get("sync_correlation")
    talk = f"lip-sync by {res['lipsync_engine']} (sync r={sync:.2f})" if isinstance(sync, int | float) else "no talking scene"
    out.print(f"Post {res['post']}: still {res['still']} ({res['still_source']}), motion by {res['motion_engine']}, {talk}")
    scenes = res.get("scenes") or []
    if len(scenes) > 1:
        for n, sc in enumerate(scenes, 1):
            who = f", identity {sc['identity']:.0f} ({sc['identity_verdict']})" if sc.get("identity") is not None else ""
            out.print(f"  scene {n}: {sc['kind']:<8} {sc['start']:6.2f}–{sc['end']:6.2f} s{who}")
    for preset_id, path in res["exports"].items():
        out.print(f"  {preset_id:<8} {path}")
    print_verdict(res)  # the verdict stored with the exports, never the truth of a dict
