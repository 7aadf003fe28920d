"""The content calendar of a project: add, edit, move, set the state of and list planned posts.

Shared by `studio plan …` and the window's Calendar page. Every change is one save of project.json
(listeners hear 'calendar'). Rendering the due items goes through the batch path
(studio/farm/calendar.py); the publish kit is in publish_kit.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from studio.core.calendar import STATES, PlanItem, UploadText, check_state, parse_date
from studio.core.errors import BadInput, NotFound
from studio.core.persona import utcnow
from studio.core.project import Project

#: `post` job params a plan item may carry in post_options (the rest come from the item)
POST_OPTIONS = ("still", "prompt", "music", "engine", "move", "label", "seed", "size", "export_size",
                "candidates")
_KEEP: Any = object()
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def check_platforms(platforms: Iterable[str]) -> list[str]:
    """Export preset ids, lower-case, without duplicates (BadInput naming the valid ones)."""
    from studio.render.presets import get_preset

    out: list[str] = []
    for p in platforms:
        pid = get_preset(p.strip()).id
        if pid not in out:
            out.append(pid)
    return out


def items(project: Project, start: date | None = None, end: date | None = None,
          states: Iterable[str] | None = None) -> list[PlanItem]:
    """The calendar's items from `start` to `end` (inclusive) in those states, by date and time."""
    wanted = set(states) if states else None
    if wanted and wanted - set(STATES):
        raise BadInput(f"Unknown state(s) {', '.join(sorted(wanted - set(STATES)))}; use {', '.join(STATES)}.")
    found = [i for i in project.data.calendar
             if (start is None or i.date >= start) and (end is None or i.date <= end)
             and (wanted is None or i.state in wanted)]
    return sorted(found, key=lambda i: (i.date, i.time or "", i.created_at))


def get_item(project: Project, ref: str) -> PlanItem:
    """An item by id (or by its exact topic when that is unique)."""
    cal = project.data.calendar
    for i in cal:
        if i.id == ref:
            return i
    same = [i for i in cal if i.topic.strip().lower() == ref.strip().lower()]
    if len(same) == 1:
        return same[0]
    raise NotFound(f"No calendar item '{ref}' in {project.path.name}. `studio plan list PROJECT` shows the ids.")


def _put(project: Project, item: PlanItem) -> PlanItem:
    item = item.model_copy(update={"updated_at": utcnow()})
    PlanItem.model_validate(item.model_dump())
    with project.editing("calendar") as data:
        data.calendar = [item if i.id == item.id else i for i in data.calendar]
    return item


def add_item(project: Project, day: date | str, topic: str, platforms: Iterable[str] | None = None,
             time: str | None = None, script: str = "", notes: str = "",
             post_options: dict[str, Any] | None = None) -> PlanItem:
    """Plan a post; its state is 'scripted' when a script is given, else 'idea'."""
    topic = (topic or "").strip()
    if not topic:
        raise BadInput("A planned post needs a topic, e.g. `studio plan add PROJECT 2025-03-04 \"Morning run\"`.")
    plats = check_platforms(platforms if platforms else project.persona.default_formats)
    try:
        item = PlanItem(date=parse_date(day), time=time or None, topic=topic, platforms=plats,
                        script=script.strip(), notes=notes, state="scripted" if script.strip() else "idea",
                        post_options=_check_options(post_options or {}))
    except ValueError as e:
        raise BadInput(f"Cannot plan this post: {e}") from None
    with project.editing("calendar") as data:
        data.calendar.append(item)
    return item


def _check_options(opts: dict[str, Any]) -> dict[str, Any]:
    unknown = set(opts) - set(POST_OPTIONS)
    if unknown:
        raise BadInput(f"Unknown post option(s) {', '.join(sorted(unknown))}; use {', '.join(POST_OPTIONS)}.")
    return {k: v for k, v in opts.items() if v is not None}


def edit_item(project: Project, ref: str, *, topic: str | None = None, script: str | None = None,
              platforms: Iterable[str] | None = None, time: Any = _KEEP, notes: str | None = None,
              post_options: dict[str, Any] | None = None) -> PlanItem:
    """Change an item's text or platforms. A script on an idea makes it 'scripted'; removing the
    script of a scripted item makes it an idea again."""
    item = get_item(project, ref)
    changes: dict[str, Any] = {}
    if topic is not None:
        if not topic.strip():
            raise BadInput("The topic cannot be empty.")
        changes["topic"] = topic.strip()
    if script is not None:
        changes["script"] = script.strip()
        if script.strip() and item.state == "idea":
            changes["state"] = "scripted"
        elif not script.strip() and item.state == "scripted":
            changes["state"] = "idea"
    if platforms is not None:
        changes["platforms"] = check_platforms(platforms)
    if time is not _KEEP:
        changes["time"] = time or None
    if notes is not None:
        changes["notes"] = notes
    if post_options is not None:
        changes["post_options"] = _check_options({**item.post_options, **post_options})
    try:
        return _put(project, item.model_copy(update=changes))
    except ValueError as e:
        raise BadInput(f"Cannot change '{item.topic}': {e}") from None


def move_item(project: Project, ref: str, day: date | str, time: Any = _KEEP) -> PlanItem:
    """Reschedule an item to another day (and time)."""
    item = get_item(project, ref)
    changes: dict[str, Any] = {"date": parse_date(day)}
    if time is not _KEEP:
        changes["time"] = time or None
    try:
        return _put(project, item.model_copy(update=changes))
    except ValueError as e:
        raise BadInput(f"Cannot move '{item.topic}': {e}") from None


def post_has_exports(project: Project, item: PlanItem) -> bool:
    if not item.post_id:
        return False
    try:
        post = project.post(item.post_id)
    except NotFound:
        return False
    return bool(post.exports)


def set_state(project: Project, ref: str, state: str, url: str | None = None,
              platform: str | None = None) -> PlanItem:
    """Move an item to `state` (see calendar.check_state). `url`: the published post's address,
    recorded for `platform` (the item's only platform when it has one)."""
    item = get_item(project, ref)
    published = dict(item.published)
    if url is not None:
        if not _URL.match(url.strip()):
            raise BadInput(f"'{url}' is not a web address; give the post's URL (https://…).")
        if platform is None:
            if len(item.platforms) != 1:
                raise BadInput(f"'{item.topic}' goes to {', '.join(item.platforms) or 'no platform'}: "
                               "say which one this URL is for with --platform.")
            platform = item.platforms[0]
        platform = check_platforms([platform])[0]
        if item.platforms and platform not in item.platforms:
            raise BadInput(f"'{item.topic}' is not planned for {platform} (it goes to {', '.join(item.platforms)}).")
        published[platform] = url.strip()
    probe = item.model_copy(update={"published": published})
    try:
        new = check_state(probe, state, has_exports=post_has_exports(project, item))
    except BadInput as e:
        if url is None:
            raise
        _put(project, probe)  # the URL is kept: the other platforms' URLs can follow one by one
        raise BadInput(f"Recorded the {platform} URL. {e.message}") from None
    return _put(project, probe.model_copy(update={"state": new}))


def link_post(project: Project, ref: str, post_id: str) -> PlanItem:
    """Record the post rendered for an item; it becomes 'rendered'."""
    item = get_item(project, ref)
    post = project.post(post_id)
    return _put(project, item.model_copy(update={"post_id": post.id, "state": "rendered"}))


def set_upload(project: Project, ref: str, platform: str, caption: str | None = None,
               hashtags: list[str] | str | None = None) -> PlanItem:
    """Set an item's caption and/or hashtags for one platform (limits are checked by the kit,
    so a draft may be too long while it is being edited)."""
    from studio.render.platforms import clean_hashtags

    item = get_item(project, ref)
    pid = check_platforms([platform])[0]
    old = item.upload.get(pid, UploadText())
    new = UploadText(caption=old.caption if caption is None else caption.strip(),
                     hashtags=old.hashtags if hashtags is None else clean_hashtags(hashtags))
    return _put(project, item.model_copy(update={"upload": {**item.upload, pid: new}}))


def remove_item(project: Project, ref: str) -> PlanItem:
    item = get_item(project, ref)
    with project.editing("calendar") as data:
        data.calendar = [i for i in data.calendar if i.id != item.id]
    return item


def restore_item(project: Project, item: PlanItem) -> None:
    """Put a removed item back (undo)."""
    with project.editing("calendar") as data:
        data.calendar = [i for i in data.calendar if i.id != item.id] + [item]


# ---------------------------------------------------------------------- rendering due items
def post_params(project: Project, item: PlanItem) -> dict[str, Any]:
    """The `post` job params for an item (what `studio post` would get), BadInput without a script."""
    if not item.script.strip():
        raise BadInput(f"'{item.topic}' ({item.date}) has no script yet: write one before rendering.")
    from pipelines.writing.writer import scenes_as_paragraphs

    params: dict[str, Any] = {**item.post_options, "script": scenes_as_paragraphs(item.script),
                              "presets": list(item.platforms or project.persona.default_formats),
                              "title": item.topic}
    return params


def due(project: Project, start: date, end: date, again: bool = False
        ) -> tuple[list[PlanItem], list[tuple[PlanItem, str]]]:
    """(items to render, [(item, why skipped)]) for the days start..end: scripted items (and with
    `again`, rendered or approved ones too); ideas are skipped for want of a script."""
    ready, skipped = [], []
    for item in items(project, start, end):
        if item.state == "idea":
            skipped.append((item, "no script yet"))
        elif item.state == "scripted" or (again and item.state in ("rendered", "approved")):
            ready.append(item)
        else:
            skipped.append((item, f"already {item.state}"))
    return ready, skipped


# ---------------------------------------------------------------------- .ics export
def export_ics(project: Project, path: str | None = None, start: date | None = None,
               end: date | None = None) -> bytes:
    """The calendar as iCalendar (RFC 5545) bytes; written to `path` when given (atomically)."""
    from studio.core.calendar_ics import to_ics

    data = to_ics(items(project, start, end), project.persona.name, project.data.id)
    if path:
        from pathlib import Path

        from studio.core.atomic import atomic_write_bytes

        atomic_write_bytes(Path(path).expanduser(), data)
    return data
