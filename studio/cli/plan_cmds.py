"""`studio plan …`: the persona's content calendar — add, list, move, set-state, captions, .ics,
render what is due, and the publish kit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from studio.core.errors import BadInput

from .common import FARM, load_settings, open_project, out, print_json, warn

plan_app = typer.Typer(help="The content calendar: planned posts from idea to published.", no_args_is_help=True)

_PROJECT = typer.Argument(..., help="Path of the NAME.persona folder.")
_ITEM = typer.Argument(..., help="Calendar item id (from `studio plan list`), or its exact topic.")
_JSON = typer.Option(False, "--json", help="Print the result as JSON.")


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")


def _range(start: str | None, end: str | None, week: bool) -> tuple[date | None, date | None]:
    from studio.core.calendar import parse_date, week_of

    if week:
        if start or end:
            raise BadInput("Give --week or --from/--to, not both.")
        return week_of(date.today())
    a = parse_date(start, "--from date") if start else None
    b = parse_date(end, "--to date") if end else None
    if a and b and b < a:
        raise BadInput(f"--to {b} is before --from {a}.")
    return a, b


def _script_text(script: Path | None, text: str | None) -> str | None:
    from studio.actions.voice import read_script

    if script is not None and text is not None:
        raise BadInput("Give the script as --text or --script FILE, not both.")
    return read_script(script) if script is not None else text


def _row(i) -> str:  # noqa: ANN001
    when = i.date.isoformat() + (f" {i.time}" if i.time else "      ")
    return f"{i.id:<13} {when}  {i.state:<9} {','.join(i.platforms)[:22]:<22} {i.topic[:60]}"


@plan_app.command("add")
def add(
    project: str = _PROJECT,
    day: str = typer.Argument(..., help="The day to post: YYYY-MM-DD, today, tomorrow or +N days."),
    topic: str = typer.Argument(..., help="What the post is about."),
    platform: list[str] = typer.Option(None, "--platform", "-p", help="Export preset to post to; repeat (default: the persona's formats)."),
    time: str = typer.Option(None, "--time", help="Posting time HH:MM (24 h)."),
    script: Path = typer.Option(None, "--script", help="A UTF-8 text file with the script."),
    text: str = typer.Option(None, "--text", help="The script as text."),
    notes: str = typer.Option("", "--notes", help="Free notes for this post."),
    json_out: bool = _JSON,
) -> None:
    """Plan a post for a day."""
    from studio.actions.plan import add_item

    words = _script_text(script, text) or ""
    with open_project(project) as p:
        item = add_item(p, day, topic, platform or None, time=time, script=words, notes=notes)
    if json_out:
        print_json(item.model_dump(mode="json"))
    else:
        out.print(f"Planned {item.id}: {item.date} {item.topic} ({item.state}; {', '.join(item.platforms)})")


@plan_app.command("list")
def list_(
    project: str = _PROJECT,
    start: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD, today, +N)."),
    end: str = typer.Option(None, "--to", help="Last day."),
    week: bool = typer.Option(False, "--week", help="This week (Monday to Sunday)."),
    state: list[str] = typer.Option(None, "--state", help="Only items in this state; repeat."),
    json_out: bool = _JSON,
) -> None:
    """List planned posts by date."""
    from studio.actions.plan import items

    a, b = _range(start, end, week)
    with open_project(project, write=False) as p:
        found = items(p, a, b, state or None)
    if json_out:
        print_json([i.model_dump(mode="json") for i in found])
        return
    if not found:
        out.print("No planned posts" + (" in that range" if a or b or state else "") + ". `studio plan add` plans one.")
        return
    for i in found:
        out.print(_row(i))


@plan_app.command("show")
def show(project: str = _PROJECT, item: str = _ITEM, json_out: bool = _JSON) -> None:
    """Everything about one planned post: script, captions, post, URLs."""
    from studio.actions.plan import get_item

    with open_project(project, write=False) as p:
        i = get_item(p, item)
    if json_out:
        print_json(i.model_dump(mode="json"))
        return
    out.print(_row(i))
    if i.post_id:
        out.print(f"post: {i.post_id}")
    if i.script:
        out.print("\n" + i.script)
    for pid, up in i.upload.items():
        out.print(f"\n[{pid}]\n{up.text()}")
    for pid, url in i.published.items():
        out.print(f"published on {pid}: {url}")


@plan_app.command("edit")
def edit(
    project: str = _PROJECT,
    item: str = _ITEM,
    topic: str = typer.Option(None, "--topic", help="A new topic."),
    script: Path = typer.Option(None, "--script", help="A UTF-8 text file with the new script."),
    text: str = typer.Option(None, "--text", help="The new script as text."),
    platform: list[str] = typer.Option(None, "--platform", "-p", help="Replace the platforms; repeat."),
    time: str = typer.Option(None, "--time", help="Posting time HH:MM; 'none' removes it."),
    notes: str = typer.Option(None, "--notes", help="Replace the notes."),
    json_out: bool = _JSON,
) -> None:
    """Change a planned post's topic, script, platforms, time or notes."""
    from studio.actions.plan import _KEEP, edit_item

    words = _script_text(script, text)
    t = _KEEP if time is None else (None if time.lower() == "none" else time)
    with open_project(project) as p:
        i = edit_item(p, item, topic=topic, script=words, platforms=platform or None, time=t, notes=notes)
    if json_out:
        print_json(i.model_dump(mode="json"))
    else:
        out.print(_row(i))


@plan_app.command("move")
def move(
    project: str = _PROJECT,
    item: str = _ITEM,
    day: str = typer.Argument(..., help="The new day: YYYY-MM-DD, today, tomorrow or +N days."),
    time: str = typer.Option(None, "--time", help="A new posting time HH:MM; 'none' removes it."),
    json_out: bool = _JSON,
) -> None:
    """Reschedule a planned post."""
    from studio.actions.plan import _KEEP, move_item

    t = _KEEP if time is None else (None if time.lower() == "none" else time)
    with open_project(project) as p:
        i = move_item(p, item, day, time=t)
    if json_out:
        print_json(i.model_dump(mode="json"))
    else:
        out.print(f"Moved: {_row(i)}")


@plan_app.command("set-state")
def set_state_cmd(
    project: str = _PROJECT,
    item: str = _ITEM,
    state: str = typer.Argument(..., help="idea, scripted, rendered, approved or published."),
    url: str = typer.Option(None, "--url", help="The published post's address (for 'published')."),
    platform: str = typer.Option(None, "--platform", "-p", help="Which platform --url is for."),
    json_out: bool = _JSON,
) -> None:
    """Move a planned post along: approve it after checking, mark it published with its URL."""
    from studio.actions.plan import set_state

    with open_project(project) as p:
        i = set_state(p, item, state, url=url, platform=platform)
    if json_out:
        print_json(i.model_dump(mode="json"))
    else:
        out.print(_row(i))


@plan_app.command("caption")
def caption(
    project: str = _PROJECT,
    item: str = _ITEM,
    platform: str = typer.Option(..., "--platform", "-p", help="The export preset this caption is for."),
    text: str = typer.Option(None, "--text", help="The caption (without hashtags)."),
    hashtags: str = typer.Option(None, "--hashtags", help="Hashtags, e.g. \"#travel #coffee\"."),
    json_out: bool = _JSON,
) -> None:
    """Set the upload caption and hashtags of one platform; says when it is over the platform's limit."""
    from studio.actions.plan import set_upload
    from studio.render.platforms import limits_for, text_length, upload_problems

    with open_project(project) as p:
        i = set_upload(p, item, platform, caption=text, hashtags=hashtags)
    pid = platform.lower()
    up = i.upload[pid]
    problems = upload_problems(pid, up)
    if json_out:
        print_json({"item": i.id, "platform": pid, **up.model_dump(), "problems": problems})
        return
    out.print(f"{pid}: {text_length(pid, up.text())} / {limits_for(pid).caption_max} characters, "
              f"{len(up.hashtags)} hashtag(s)")
    for line in problems:
        warn(line)


@plan_app.command("remove")
def remove(project: str = _PROJECT, item: str = _ITEM) -> None:
    """Delete a planned post from the calendar (its rendered post stays)."""
    from studio.actions.plan import remove_item

    with open_project(project) as p:
        i = remove_item(p, item)
    out.print(f"Removed {i.id} ({i.date} {i.topic}).")


@plan_app.command("ics")
def ics(
    project: str = _PROJECT,
    file: Path = typer.Argument(..., help="The .ics file to write (import it into any calendar app)."),
    start: str = typer.Option(None, "--from", help="First day."),
    end: str = typer.Option(None, "--to", help="Last day."),
) -> None:
    """Export the calendar as an iCalendar (.ics) file."""
    from studio.actions.plan import export_ics, items

    a, b = _range(start, end, False)
    with open_project(project, write=False) as p:
        export_ics(p, str(file), a, b)
        n = len(items(p, a, b))
    out.print(f"Wrote {n} event(s) to {file}")


@plan_app.command("render")
def render(
    project: str = _PROJECT,
    start: str = typer.Option(None, "--from", help="First day (default: this week's Monday)."),
    end: str = typer.Option(None, "--to", help="Last day (default: this week's Sunday)."),
    again: bool = typer.Option(False, "--again", help="Also re-render items already rendered or approved."),
    parallel: int = typer.Option(None, "--parallel", help="Posts at once on the farm (default: what fits)."),
    json_out: bool = _JSON,
    farm: str = FARM,
) -> None:
    """Render every scripted post due in the days given (default: this week), as `studio batch` does."""
    from studio.core.calendar import week_of
    from studio.core.project import find_project_dir
    from studio.farm.calendar import render_due

    a, b = _range(start, end, False)
    monday, sunday = week_of(date.today())
    a, b = a or monday, b or sunday
    res = render_due(find_project_dir(project), a, b, load_settings(), farm=farm, parallel=parallel, again=again)
    if json_out:
        print_json({"rendered": [{"item": i.id, "topic": i.topic, "state": o.state, "job": o.job,
                                  "exports": o.exports, "error": o.error} for i, o in res.rendered],
                    "skipped": [{"item": i.id, "topic": i.topic, "reason": r} for i, r in res.skipped]})
    else:
        for i, o in res.rendered:
            tail = ", ".join(o.exports) if o.state == "done" else o.error
            out.print(f"{i.date} {i.topic[:40]:<40} {o.state:<9} {o.seconds:6.1f}s  {tail}")
        for i, r in res.skipped:
            out.print(f"{i.date} {i.topic[:40]:<40} skipped   ({r})")
        out.print(f"{len(res.rendered) - len(res.failed)} rendered, {len(res.failed)} failed, "
                  f"{len(res.skipped)} skipped ({a} to {b}).")
    if res.failed:
        raise typer.Exit(1)


@plan_app.command("kit")
def kit(
    project: str = _PROJECT,
    item: str = _ITEM,
    out_dir: Path = typer.Option(None, "--out", "-o", help="Folder for the kit (default: the project's exports/kits)."),
    json_out: bool = _JSON,
) -> None:
    """Make the publish kit of an approved post: per platform the export, cover, caption, SRT, checklist."""
    from studio.actions.publish_kit import make_kit

    with open_project(project, write=False) as p:
        k = make_kit(p, item, out_dir)
    if json_out:
        print_json({"folder": str(k.folder), "platforms": {pk.preset: {"folder": str(pk.folder), "files": pk.files,
                    "checks": [{"check": c, "ok": ok} for c, ok in pk.checks]} for pk in k.platforms},
                    "warnings": k.warnings})
        return
    out.print(f"Publish kit: {k.folder}")
    for pk in k.platforms:
        out.print(f"  {pk.preset:<8} {', '.join(pk.files)}")
    for w in k.warnings:
        warn(w)
