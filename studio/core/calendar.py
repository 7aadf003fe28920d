"""The content calendar: a persona's planned posts, each with a date, platforms, topic, script, the
post made from it and where it stands (idea → scripted → rendered → approved → published).

Plain data and rules, no I/O: `studio.actions.plan` changes a project's calendar through these,
the CLI (`studio plan …`) and the window's Calendar page call that. Stored in project.json as
`calendar` (schema 3).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .assets import ModelUse
from .errors import BadInput
from .persona import utcnow

PlanState = Literal["idea", "scripted", "rendered", "approved", "published"]
#: the states in the order an item goes through them
STATES: tuple[PlanState, ...] = ("idea", "scripted", "rendered", "approved", "published")

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class UploadText(BaseModel):
    """What goes into a platform's upload form: the caption and its hashtags (without '#')."""

    model_config = ConfigDict(extra="forbid")

    caption: str = ""
    hashtags: list[str] = Field(default_factory=list)

    def text(self) -> str:
        """Caption and hashtags as pasted into the upload box (hashtags on the last line)."""
        tags = " ".join(f"#{t}" for t in self.hashtags)
        return "\n\n".join(x for x in (self.caption.strip(), tags) if x)


class PlanItem(BaseModel):
    """One planned post of the calendar."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: str = Field(default_factory=lambda: f"plan-{uuid.uuid4().hex[:8]}")
    date: date
    time: str | None = Field(default=None, description="Local posting time HH:MM (optional)")
    platforms: list[str] = Field(default_factory=list, description="Export preset ids (tiktok, reels, …)")
    topic: str = Field(min_length=1)
    script: str = ""
    post_id: str | None = Field(default=None, description="The post rendered from this item")
    state: PlanState = "idea"
    upload: dict[str, UploadText] = Field(default_factory=dict, description="preset id -> caption text")
    published: dict[str, str] = Field(default_factory=dict, description="preset id -> post URL")
    post_options: dict[str, Any] = Field(default_factory=dict,
                                         description="extra `post` job params: still, prompt, music, engine…")
    drafted_by: list[ModelUse] = Field(default_factory=list, description="Models that drafted its text")
    notes: str = ""
    created_at: str = Field(default_factory=utcnow)
    updated_at: str = Field(default_factory=utcnow)

    @field_validator("time")
    @classmethod
    def _hhmm(cls, v: str | None) -> str | None:
        if v is not None and not _TIME.match(v):
            raise ValueError(f"time must be HH:MM (24 h), got {v!r}")
        return v


def parse_date(text: str | date, what: str = "date") -> date:
    """An ISO date (YYYY-MM-DD), 'today', 'tomorrow' or '+N' days; BadInput otherwise."""
    if isinstance(text, date):
        return text
    s = str(text).strip().lower()
    today = date.today()
    if s == "today":
        return today
    if s == "tomorrow":
        return today + timedelta(days=1)
    if re.fullmatch(r"\+\d{1,4}", s):
        return today + timedelta(days=int(s[1:]))
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise BadInput(f"The {what} '{text}' is not a date: use YYYY-MM-DD, today, tomorrow or +N (days).") from None


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week containing `day`."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def check_state(item: PlanItem, state: str, *, has_exports: bool = False) -> PlanState:
    """The state `item` may move to, or BadInput saying what it still needs.

    Going back is always allowed (re-script an approved item); going forward needs what the state
    means: a script to be scripted, a post to be rendered, exports to be approved, a post URL for
    every platform to be published (`has_exports`: whether the linked post has exports)."""
    if state not in STATES:
        raise BadInput(f"'{state}' is not a calendar state; use one of: {', '.join(STATES)}.")
    new: PlanState = state  # type: ignore[assignment]
    if STATES.index(new) <= STATES.index(item.state):
        return new
    if STATES.index(new) >= STATES.index("scripted") and not item.script.strip():
        raise BadInput(f"'{item.topic}' has no script yet. Write one (`studio write script` or "
                       "`studio plan edit --script FILE`) before marking it scripted.")
    if STATES.index(new) >= STATES.index("rendered") and not item.post_id:
        raise BadInput(f"'{item.topic}' has no post yet. Render it (`studio plan render`) first.")
    if STATES.index(new) >= STATES.index("approved") and not has_exports:
        raise BadInput(f"The post of '{item.topic}' has no exports to approve. Export it first "
                       "(`studio export PROJECT POST --preset ...`).")
    if new == "published":
        missing = [p for p in item.platforms if not item.published.get(p)] if item.platforms else (
            [] if item.published else ["a platform"])
        if missing:
            raise BadInput(f"Give the post URL for {', '.join(missing)} to mark '{item.topic}' published "
                           "(`studio plan set-state PROJECT ITEM published --url URL --platform P`).")
    return new


def slug(text: str, n: int = 40) -> str:
    """A file-name-safe short form of a topic."""
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s[:n].strip("-") or "post"
