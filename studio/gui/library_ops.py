"""Persona library operations on project folders (no Qt): rename, duplicate, delete, list."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import BadInput, ProjectError
from studio.core.project import (
    LOCK_FILE,
    PROJECT_FILE,
    RECOVERY_DIR,
    STAGING_DIR,
    Project,
    list_projects,
    project_dir_for,
)
from studio.core.settings import Settings


@dataclass(frozen=True)
class LibraryEntry:
    """A project the library shows: where it is and whether it is only in the recent list."""

    path: Path
    name: str
    recent_only: bool


def library_entries(settings: Settings) -> list[LibraryEntry]:
    """Projects in the projects folder, then recent projects kept elsewhere (that still exist)."""
    seen: set[Path] = set()
    entries: list[LibraryEntry] = []
    for p in list_projects(Path(settings.projects_dir).expanduser()):
        seen.add(p.resolve())
        entries.append(LibraryEntry(p, p.name.removesuffix(".persona"), False))
    for r in settings.recent_projects:
        p = Path(r)
        if p.resolve() not in seen and (p / PROJECT_FILE).exists():
            seen.add(p.resolve())
            entries.append(LibraryEntry(p, p.name.removesuffix(".persona"), True))
    return entries


def _check_free(folder: Path) -> None:
    """Refuse to touch a project another process (or this window) holds open."""
    probe = Project.open(folder)
    try:
        if probe.read_only:
            raise ProjectError(f"Cannot change '{folder.name}': {probe.read_only_reason}. Close it first.")
    finally:
        probe.close()


def rename_project(folder: Path, new_name: str, settings: Settings) -> Path:
    """Rename the folder and the persona; keeps the recent list pointing at it."""
    folder = Path(folder)
    _check_free(folder)
    with Project.open(folder, require_write=True) as p:
        target = p.rename(new_name)  # folder and persona renamed together under the lock
    _replace_recent(settings, folder, target)
    return target


def duplicate_project(folder: Path, new_name: str, settings: Settings) -> Path:
    """Copy a project (without its lock, jobs, recovery and staging) under a new persona name."""
    folder = Path(folder)
    target = project_dir_for(folder.parent, new_name)
    if target.exists():
        raise BadInput(f"'{target.name}' already exists. Choose another name.")
    skip = {LOCK_FILE, RECOVERY_DIR, STAGING_DIR, ".trash"}
    shutil.copytree(folder, target, ignore=lambda d, names: [n for n in names if n in skip or (Path(d).name == "jobs")])
    (target / "jobs").mkdir(exist_ok=True)
    with Project.open(target, require_write=True) as p:
        p.update_persona(name=new_name.strip())
    settings.add_recent(target)
    settings.save()
    return target


def delete_project(folder: Path, settings: Settings) -> None:
    """Delete a project folder (the caller has asked the user); drops it from the recent list."""
    folder = Path(folder)
    _check_free(folder)
    shutil.rmtree(folder)
    _replace_recent(settings, folder, None)


def _replace_recent(settings: Settings, old: Path, new: Path | None) -> None:
    old_s = str(old.parent.resolve() / old.name)  # the folder may be gone already
    out = []
    for r in settings.recent_projects:
        if r in (old_s, str(old)):
            if new is not None:
                out.append(str(new.resolve()))
        else:
            out.append(r)
    settings.recent_projects = out
    settings.save()
