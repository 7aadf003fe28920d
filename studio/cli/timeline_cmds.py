"""`studio timeline new|show|add|move|trim|split|remove|captions|undo|redo`.

Every edit goes through the timeline's undo history (studio.core.history), which the project
keeps between commands, so `studio timeline undo` reverts the last edit made here or in the window.
"""

from __future__ import annotations

import typer

from .common import open_project, out, print_json

app = typer.Typer(no_args_is_help=True, help="Build a post's timeline: clips, narration, music, captions.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="timeline")


_TL = typer.Option(None, "--timeline", "-t", help="Timeline id or name (default: the first).")


def _apply(project, timeline, make_cmd) -> None:  # noqa: ANN001
    from studio.core.history import TimelineHistory

    cmd = TimelineHistory(project).edit(timeline, make_cmd(project.timeline(timeline)))
    out.print(f"{cmd.label}: done ({project.timeline(timeline).duration:.2f} s)")


@app.command("new")
def new(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    name: str = typer.Option("Main", "--name", help="Timeline name."),
    fps: float = typer.Option(30.0, "--fps", help="Frames per second of the timeline and its exports."),
) -> None:
    """Add an empty timeline (video, overlay, narration, music and caption tracks)."""
    from studio.core.timeline import Timeline

    with open_project(project) as p:
        tl = Timeline.empty(name, fps)
        p.put_timeline(tl)
        out.print(tl.id)


@app.command("show")
def show(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    timeline: str = _TL,
    json_out: bool = typer.Option(False, "--json", help="Print the timeline as JSON."),
) -> None:
    """List a timeline's tracks and clips."""
    with open_project(project, write=False) as p:
        tl = p.timeline(timeline)
        if json_out:
            print_json(tl.model_dump(mode="json"))
            return
        out.print(f"{tl.name} ({tl.id}) {tl.duration:.2f} s @ {tl.fps:g} fps")
        for t in tl.tracks:
            out.print(f"  {t.kind:<10} {t.id}{' (muted)' if t.muted else ''}")
            for c in t.clips:
                what = c.asset_id or repr(c.text)
                out.print(f"    {c.id}  {c.start:7.2f}–{c.end:7.2f}  {what}  in {c.in_point:.2f} out {c.out_point:.2f} ×{c.speed:g}")


@app.command("add")
def add(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    asset: str = typer.Argument(None, help="Asset id (omit with --text for a typed caption)."),
    track: str = typer.Option(..., "--track", help="video, overlay, narration, music or captions."),
    start: float = typer.Option(None, "--start", help="Timeline second (default: end of the track)."),
    in_point: float = typer.Option(0.0, "--in-point", help="Source second to start at."),
    out_point: float = typer.Option(None, "--out-point", help="Source second to end at (default: the whole file; stills 3 s)."),
    speed: float = typer.Option(1.0, "--speed", help="Playback speed, 1.0 = as recorded."),
    text: str = typer.Option(None, "--text", help="Caption or overlay text."),
    timeline: str = _TL,
) -> None:
    """Place an asset (or typed text) on a track."""
    from studio.core.errors import BadInput
    from studio.core.timeline import AddClip, Clip

    with open_project(project) as p:
        tl = p.timeline(timeline)
        tr = tl.track(track)
        if asset is None and not text:
            raise BadInput("Give an asset id, or --text for a typed caption/overlay.")
        length = out_point
        if asset is not None and length is None:
            a = p.asset(asset)
            if a.kind in ("still", "image", "reference"):
                length = in_point + 3.0
            else:
                from studio.render.ffmpeg import probe

                length = probe(p.asset_path(a)).duration or 3.0
        if length is None:
            length = in_point + 2.0
        begin = start if start is not None else max((c.end for c in tr.clips), default=0.0)
        clip = Clip(asset_id=asset, start=begin, in_point=in_point, out_point=length, speed=speed, text=text)
        from studio.core.history import TimelineHistory

        TimelineHistory(p).edit(tl.id, AddClip(track=tr.id, clip=clip, label="Add caption" if asset is None else "Add clip"))
        out.print(clip.id)


@app.command("move")
def move(project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
         clip: str = typer.Argument(..., help="Clip id (see `studio timeline show`)."),
         start: float = typer.Argument(..., help="New start second."), timeline: str = _TL) -> None:
    """Move a clip to another start time."""
    from studio.core.timeline import move_clip

    with open_project(project) as p:
        _apply(p, timeline, lambda tl: move_clip(tl, clip, start))


@app.command("trim")
def trim(project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
         clip: str = typer.Argument(..., help="Clip id (see `studio timeline show`)."),
         in_point: float = typer.Option(None, "--in-point", help="New source second to start at."),
         out_point: float = typer.Option(None, "--out-point", help="New source second to end at."),
         timeline: str = _TL) -> None:
    """Change a clip's in/out points (seconds in its source)."""
    from studio.core.timeline import trim_clip

    with open_project(project) as p:
        _apply(p, timeline, lambda tl: trim_clip(tl, clip, in_point, out_point))


@app.command("split")
def split(project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
          clip: str = typer.Argument(..., help="Clip id (see `studio timeline show`)."),
          time: float = typer.Argument(..., help="Timeline second to cut at."), timeline: str = _TL) -> None:
    """Cut a clip in two."""
    from studio.core.timeline import SplitClip

    with open_project(project) as p:
        _apply(p, timeline, lambda tl: SplitClip.at(tl, clip, time))


@app.command("remove")
def remove(project: str = typer.Argument(...), clip: str = typer.Argument(...), timeline: str = _TL) -> None:
    """Delete a clip."""
    from studio.core.timeline import RemoveClip

    with open_project(project) as p:
        _apply(p, timeline, lambda tl: RemoveClip(clip_id=clip))


@app.command("captions")
def captions(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    narration: str = typer.Option(..., "--from", help="Narration asset id with word timings."),
    timeline: str = _TL,
) -> None:
    """Fill the caption track from a narration's word timings."""
    from .common import finish_job, run_job

    with open_project(project) as p:
        job = finish_job(run_job(p, "captions", {"timeline": timeline, "narration": narration}, "Captions"), p)
        out.print(f"{job.result['words']} caption words on {job.result['timeline']}")


_TL_ARG = typer.Argument(None, help="Timeline id or name (default: the first).")


@app.command("undo")
def undo(project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
         timeline: str = _TL_ARG) -> None:
    """Revert the last edit of a timeline (made here or in the window; the history is kept in the project)."""
    from studio.core.history import TimelineHistory

    with open_project(project) as p:
        cmd = TimelineHistory(p).undo(timeline)
        out.print(f"Undid {cmd.label} ({p.timeline(timeline).duration:.2f} s)")


@app.command("redo")
def redo(project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
         timeline: str = _TL_ARG) -> None:
    """Apply the last undone edit of a timeline again."""
    from studio.core.history import TimelineHistory

    with open_project(project) as p:
        cmd = TimelineHistory(p).redo(timeline)
        out.print(f"Redid {cmd.label} ({p.timeline(timeline).duration:.2f} s)")
