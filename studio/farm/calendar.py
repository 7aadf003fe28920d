"""Render the calendar's due posts through the batch path (`run_plan`), here or on the farm.

`studio plan render PROJECT --week` reads the items due in the days asked for, hands them to
`studio.farm.batch.run_plan` as planned posts (the same `post` job as `studio batch`), then links
each finished post to its item, which becomes 'rendered'. The window queues the same planned
posts through its job controller instead (run_plan would run them inside the window's process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from studio.actions import plan
from studio.actions.registry import queue_of
from studio.core.calendar import PlanItem
from studio.core.project import Project
from studio.core.settings import Settings

from .batch import PlannedPost, PostOutcome, run_plan


@dataclass
class DueRender:
    """What rendering the due items did: one outcome per rendered item, and what was skipped."""

    rendered: list[tuple[PlanItem, PostOutcome]] = field(default_factory=list)
    skipped: list[tuple[PlanItem, str]] = field(default_factory=list)

    @property
    def failed(self) -> list[tuple[PlanItem, PostOutcome]]:
        return [(i, o) for i, o in self.rendered if o.state != "done"]


def planned_posts(project: Project, start: date, end: date, again: bool = False
                  ) -> tuple[list[tuple[PlanItem, PlannedPost]], list[tuple[PlanItem, str]]]:
    """The due items as the batch's planned posts, and the items skipped with why."""
    ready, skipped = plan.due(project, start, end, again=again)
    return [(item, PlannedPost(project.path, plan.post_params(project, item))) for item in ready], skipped


def render_due(project_dir: str | Path, start: date, end: date, settings: Settings, *,
               farm: str | None = None, parallel: int | None = None, again: bool = False) -> DueRender:
    """Render the items due from `start` to `end` with run_plan and link the posts to them.
    The project must not be open for writing elsewhere (run_plan opens it)."""
    with Project.open(project_dir, read_only=True) as p:
        pairs, skipped = planned_posts(p, start, end, again)
        folder = p.path
    result = DueRender(skipped=skipped)
    if not pairs:
        return result
    outcomes = run_plan([pp for _, pp in pairs], settings, farm=farm, parallel=parallel)
    with Project.open(folder, require_write=True) as p:
        queue = queue_of(p)
        for (item, _), outcome in zip(pairs, outcomes, strict=True):
            result.rendered.append((item, outcome))
            if outcome.state == "done" and outcome.job:
                post_id = (queue.get(outcome.job).result or {}).get("post")
                if post_id:
                    plan.link_post(p, item.id, post_id)
    return result
