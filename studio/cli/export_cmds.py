"""`studio export` and `studio verify`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from .common import (
    FARM,
    console,
    finish_job,
    open_project,
    out,
    print_json,
    print_verdict,
    progress_task,
)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("verify")(verify)


def export(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    target: str = typer.Argument(None, help="Post or timeline (id or name); default: the first timeline."),
    preset: list[str] = typer.Option(None, "--preset", "-p", help="tiktok, reels, shorts, feed, square, youtube, x (repeatable; default: the persona's formats)."),
    out_dir: Path = typer.Option(None, "-o", "--out", help="Also copy the files here."),
    label: bool = typer.Option(True, "--label/--no-label", help="Show a visible 'AI-generated' line."),
    size: str = typer.Option(None, "--size", help="Render at WxH instead of the preset size (previews)."),
    cover_time: float = typer.Option(None, "--cover-time", help="Second of the cover frame (default: a third in)."),
    cover_caption: bool = typer.Option(False, "--cover-caption", help="Put the first caption line on the cover."),
    encoder: str = typer.Option("auto", "--encoder", help="H.264 encoder: auto (hardware where it works), software, "
                                "nvenc, qsv, amf or videotoolbox."),
    encode_speed: str = typer.Option("fast", "--encode-speed", help="fast, balanced or best: x264's speed at the "
                                     "preset's bit rate (fast: about half the encoding time)."),
    crop: bool = typer.Option(False, "--crop", help="Always crop to the preset's aspect (no blurred fill)."),
    each: bool = typer.Option(False, "--one-render-each", help="One ffmpeg run per preset instead of one for all."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Export a post to social formats: one signed MP4 (+ cover, captions) per preset."""
    from studio.core.errors import BadInput
    from studio.render.presets import encode_speed as check_speed

    from .common import run_job

    with open_project(project) as p:
        presets = preset or list(p.persona.default_formats)
        tgt = target or p.timeline().id
        params = {"target": tgt, "presets": presets, "label": label,
                  "out_dir": str(out_dir) if out_dir else None, "cover_time": cover_time,
                  "cover_caption": cover_caption, "encoder": encoder, "crop": crop, "encode_speed": check_speed(encode_speed), "one_pass": not each}
        if size:
            try:
                w, h = (int(x) for x in size.lower().split("x"))
            except ValueError:
                raise BadInput(f"--size must look like 180x320 (got '{size}').") from None
            params["size"] = [w, h]
        with progress_task(f"Exporting {', '.join(presets)}", quiet=json_out) as ctx:
            job = run_job(p, "export", params, f"Export {tgt}", ctx=ctx, farm=farm)
        finish_job(job, p)
        res = job.result
        if json_out:
            print_json(res)
            return
        for preset_id, aid in res["presets"].items():
            out.print(f"{preset_id}: {aid}  {res['files'][aid]}")
        print_verdict(res)
        if out_dir:
            out.print(f"Copied to {out_dir}")


def verify(
    file: Path = typer.Argument(..., help="An exported MP4 or cover image."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check an export's C2PA manifest, AI-generated tags and invisible watermark (exit 1 if it fails)."""
    from studio.render.verify import verify_file

    report = verify_file(file)
    if json_out:
        print_json(report)
    else:
        c = report["c2pa"]
        out.print(f"{file}")
        out.print(f"  C2PA: {c['state'] or 'none'}" + (f" — {c.get('note')}" if c.get("note") else ""))
        if c.get("actions"):
            out.print(f"  actions: {', '.join(a for a in c['actions'] if a)}; source: {', '.join(c.get('digital_source_types', []))}")
        if "watermark" in report:
            w = report["watermark"]
            out.print(f"  watermark: {'found' if w['found'] else 'not found'} (confidence {w['confidence']})")
        if report.get("commercial_use") is not None:
            from studio.render.licences import verdict_text

            out.print(f"  {verdict_text(report['commercial_use'], short=True)}")
        for prob in report["problems"]:
            console.print(f"[red]  FAIL: {escape(str(prob))}[/red]")
        out.print("  OK" if report["ok"] else "  VERIFICATION FAILED")
    if not report["ok"]:
        raise typer.Exit(1)
