"""The project.json schema and its migration chain.

`SCHEMA_VERSION` is what this version writes. Each `MIGRATIONS[n]` turns a version-n document
into version n+1, so any older project opens; a newer one is refused with a clear message.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .assets import Asset
from .calendar import PlanItem
from .persona import Persona, utcnow
from .storyboard import Storyboard
from .timeline import Timeline

SCHEMA_VERSION = 4


class Post(BaseModel):
    """A finished social post: its timeline, script, chosen formats and exported files."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=lambda: f"post-{uuid.uuid4().hex[:8]}")
    title: str = "Untitled post"
    timeline_id: str | None = None
    script: str = ""
    presets: list[str] = Field(default_factory=list)
    exports: dict[str, str] = Field(default_factory=dict, description="preset -> export asset id")
    created_at: str = Field(default_factory=utcnow)
    #: "making" while its job runs (or after the job was stopped: resume it), "ready" once exported
    state: Literal["making", "ready"] = "ready"
    #: the post job that makes it; a resumed job finds its post (and the steps it finished) by this
    job_id: str | None = None
    #: the scenes and what was made for each (posts from before storyboards have none)
    storyboard: Storyboard | None = None


class ProjectData(BaseModel):
    """Everything in project.json."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    created_at: str = Field(default_factory=utcnow)
    updated_at: str = Field(default_factory=utcnow)
    persona: Persona
    assets: list[Asset] = Field(default_factory=list)
    timelines: list[Timeline] = Field(default_factory=list)
    posts: list[Post] = Field(default_factory=list)
    calendar: list[PlanItem] = Field(default_factory=list, description="Planned posts (content calendar)")
    settings: dict[str, Any] = Field(default_factory=dict)


class MigrationError(ValueError):
    """An old project document has the wrong shape for its schema version (says where)."""


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """v1 (0.0.x previews): assets keyed by id, voice as a bare voice id, no posts/timelines."""
    doc = dict(doc)
    persona = doc.get("persona", {})
    if not isinstance(persona, dict):
        raise MigrationError(f"schema 1: 'persona' must be an object, not {type(persona).__name__}")
    persona = dict(persona)
    voice = persona.get("voice")
    if isinstance(voice, str):
        persona["voice"] = {"engine": "piper", "voice_id": voice}
    if "real_person" in persona:
        persona["kind"] = "real" if persona.pop("real_person") else "synthetic"
    doc["persona"] = persona
    assets = doc.get("assets", {})
    if isinstance(assets, dict):
        bad = [k for k, v in assets.items() if not isinstance(v, dict)]
        if bad:
            raise MigrationError(f"schema 1: asset '{bad[0]}' must be an object")
        doc["assets"] = [{"id": k, **v} for k, v in assets.items()]
    elif not isinstance(assets, list):
        raise MigrationError(f"schema 1: 'assets' must be an object of assets, not {type(assets).__name__}")
    doc.setdefault("timelines", [])
    doc.setdefault("posts", [])
    doc["schema_version"] = 2
    return doc


def _v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
    """v3 adds the content calendar (studio/core/calendar.py): an empty one for older projects."""
    doc = dict(doc)
    doc.setdefault("calendar", [])
    doc["schema_version"] = 3
    return doc


def _v3_to_v4(doc: dict[str, Any]) -> dict[str, Any]:
    """v4 adds storyboards and a post state: an older post without exports was cut short."""
    doc = dict(doc)
    posts = doc.get("posts")
    if isinstance(posts, list):
        doc["posts"] = [
            {**p, "state": "ready" if p.get("exports") else "making"} if isinstance(p, dict) else p
            for p in posts
        ]
    doc["schema_version"] = 4
    return doc


MIGRATIONS = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def migrate(doc: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """Bring a project document up to SCHEMA_VERSION; returns it and the versions passed through."""
    passed: list[int] = []
    if not isinstance(doc, dict):
        raise MigrationError(f"a project must be a JSON object, not {type(doc).__name__}")
    version = doc.get("schema_version")
    while isinstance(version, int) and version < SCHEMA_VERSION:
        if version not in MIGRATIONS:
            raise MigrationError(f"no migration from schema {version}")
        doc = MIGRATIONS[version](doc)
        passed.append(version)
        version = doc.get("schema_version")
    return doc, passed
