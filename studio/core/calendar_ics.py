"""The content calendar as an iCalendar file (RFC 5545), written with the `icalendar` library.

One VEVENT per planned post: an all-day event, or a 30-minute one at its posting time (floating
local time: "18:30 wherever the creator is"). UIDs are stable, so importing the file again into a
calendar app updates the events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from .calendar import PlanItem

PRODID = "-//Persona Studio//Content calendar//EN"
_STATUS = {"idea": "TENTATIVE", "scripted": "TENTATIVE", "rendered": "CONFIRMED",
           "approved": "CONFIRMED", "published": "CONFIRMED"}


def _stamp(iso: str) -> datetime:
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        from datetime import UTC

        return datetime.now(UTC)


def to_ics(plan: Iterable[PlanItem], calendar_name: str, project_id: str) -> bytes:
    """The items as an iCalendar document (bytes, CRLF line endings as the RFC asks)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{calendar_name} — posts")
    for item in plan:
        ev = Event()
        ev.add("uid", f"{item.id}.{project_id}@persona-studio")
        ev.add("dtstamp", _stamp(item.updated_at))
        where = ", ".join(item.platforms)
        ev.add("summary", f"{item.topic}" + (f" ({where})" if where else "") + f" [{item.state}]")
        if item.time:
            hh, mm = (int(x) for x in item.time.split(":"))
            start = datetime.combine(item.date, time(hh, mm))
            ev.add("dtstart", start)
            ev.add("dtend", start + timedelta(minutes=30))
        else:
            ev.add("dtstart", item.date)
            ev.add("dtend", item.date + timedelta(days=1))
        lines = [f"State: {item.state}"]
        if item.script:
            lines += ["", "Script:", item.script]
        for pid, up in item.upload.items():
            if up.caption or up.hashtags:
                lines += ["", f"Caption for {pid}:", up.text()]
        for pid, url in item.published.items():
            lines.append(f"Published on {pid}: {url}")
        if item.notes:
            lines += ["", item.notes]
        ev.add("description", "\n".join(lines))
        ev.add("status", _STATUS[item.state])
        if item.platforms:
            ev.add("categories", list(item.platforms))
        if item.published:
            ev.add("url", next(iter(item.published.values())))
        cal.add_component(ev)
    return cal.to_ical()
