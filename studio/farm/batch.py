"""`studio batch`: many posts from one YAML plan, across the farm (in parallel) or here (in turn).

A plan::

    defaults: {presets: [tiktok, reels], engine: camera}
    posts:
      - project: mara.persona          # optional; default: the PROJECT argument
        title: Monday
        script_file: monday.txt        # or `script: "Hello!"`
        prompt: "morning coffee"       # or still: ASSET_ID_OR_FILE; neither = the best still
        music: bed.wav
      - title: Tuesday
        script: "Second post of the week."

Relative paths (projects, script files, stills, music) are read from the plan's folder.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.errors import BadInput, StudioError
from studio.core.jobs import JobState
from studio.core.project import Project
from studio.core.settings import Settings

#: post params a plan entry may set (the `post` action's params)
POST_KEYS = ("script", "still", "prompt", "music", "presets", "engine", "move", "title", "label", "seed",
             "size", "export_size", "out_dir", "candidates")


@dataclass
class PlannedPost:
    """One post of the plan, resolved: its project folder and the post job's params."""

    project: Path
    params: dict[str, Any]


@dataclass
class PostOutcome:
    """How one planned post went (a row of the summary table)."""

    project: str
    title: str
    state: str
    seconds: float
    exports: list[str] = field(default_factory=list)
    error: str = ""
    job: str = ""
    attempts: int = 0
    #: the verdict stored with the post's exports, in words (render/licences.py)
    commercial_use: str = ""


def read_plan(plan_file: str | Path, default_project: str | Path) -> list[PlannedPost]:
    """Parse and check a plan (BadInput naming the entry for anything wrong) before any work."""
    import yaml

    plan_file = Path(plan_file).expanduser()
    try:
        doc = yaml.safe_load(plan_file.read_text("utf-8"))
    except OSError as e:
        raise BadInput(f"Cannot read the plan {plan_file}: {e.strerror or e}.") from None
    except yaml.YAMLError as e:
        raise BadInput(f"The plan {plan_file} is not valid YAML: {e}") from None
    if isinstance(doc, list):
        doc = {"posts": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("posts"), list) or not doc["posts"]:
        raise BadInput(f"The plan {plan_file} needs a `posts:` list (see `studio batch --help`).")
    base = plan_file.parent
    defaults = doc.get("defaults") or {}

    def here(p: str) -> Path:
        q = Path(str(p)).expanduser()
        return q if q.is_absolute() else base / q

    planned = []
    for i, entry in enumerate(doc["posts"], start=1):
        if not isinstance(entry, dict):
            raise BadInput(f"Post {i} of {plan_file.name} must be a mapping (script, presets, ...).")
        entry = {**defaults, **entry}
        unknown = set(entry) - set(POST_KEYS) - {"project", "script_file"}
        if unknown:
            raise BadInput(f"Post {i} of {plan_file.name}: unknown key(s) {', '.join(sorted(unknown))}; "
                           f"use {', '.join(POST_KEYS)}, project, script_file.")
        params = {k: entry[k] for k in POST_KEYS if entry.get(k) is not None}
        if entry.get("script_file"):
            from studio.actions.voice import read_script

            params["script"] = read_script(here(entry["script_file"]))
        if not str(params.get("script") or "").strip():
            raise BadInput(f"Post {i} of {plan_file.name} has no script: give `script:` or `script_file:`.")
        for key in ("still", "music"):  # a file beside the plan (an asset id stays as it is)
            if key in params and here(params[key]).is_file():
                params[key] = str(here(params[key]))
        if isinstance(params.get("presets"), str):
            params["presets"] = [params["presets"]]
        project = here(entry["project"]) if entry.get("project") else Path(default_project)
        params.setdefault("title", f"{plan_file.stem} #{i}")
        planned.append(PlannedPost(project, params))
    return planned


def run_plan(planned: list[PlannedPost], settings: Settings, farm: str | None = None,
             parallel: int | None = None) -> list[PostOutcome]:
    """Run every planned post as a `post` job in its project; never raises for a failed post."""
    from .run import run_job

    if farm:
        from .pool import connect, resolve_address

        farm = resolve_address(farm, settings)
        connect(farm, settings)
    projects: dict[Path, Project] = {}
    try:
        for item in planned:  # open each project once, for writing, before any work
            key = item.project.resolve()
            if key not in projects:
                projects[key] = Project.open(item.project, require_write=True)

        def one(item: PlannedPost) -> PostOutcome:
            project = projects[item.project.resolve()]
            t0 = time.monotonic()
            title = str(item.params.get("title", ""))
            try:
                job = run_job(project, "post", dict(item.params), settings, title=f"Post: {title}", farm=farm)
            except StudioError as e:
                return PostOutcome(project.path.name, title, "failed", time.monotonic() - t0, error=e.message)
            exports = sorted((job.result.get("exports") or {}).keys()) if job.state == JobState.done else []
            verdict = ""
            if job.state == JobState.done:
                from studio.render.licences import stored_verdict, verdict_text

                v = stored_verdict(project, job.result.get("assets") or [])
                verdict = verdict_text(v, short=True) if v is not None else ""
            return PostOutcome(project.path.name, title, job.state.value, time.monotonic() - t0, exports,
                               job.error or "", job.id, job.attempts, verdict)

        if not farm:
            return [one(item) for item in planned]
        workers = parallel or _farm_parallelism()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch") as pool:
            return list(pool.map(one, planned))
    finally:
        for p in projects.values():
            p.close()


def _farm_parallelism() -> int:
    """As many posts at once as the cluster has room for post workers."""
    from studio.actions.registry import farm_resources

    from .pool import get_pool

    return max(1, min(16, get_pool().capacity(farm_resources("post"))))
