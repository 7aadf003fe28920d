"""The persona library: list, rename, duplicate and delete persona projects (the window's Personas
page and `studio project rename|duplicate|delete` both call these).

Every operation refuses a project another process (or this one) holds open, checks the new name
as `Project.create` does, and keeps the settings' recent list pointing at the right folders.
Delete moves the folder to the system trash, so a mistaken delete can be undone there.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import BadInput, ProjectLocked, StudioError
from .project import (
    LOCK_FILE,
    PROJECT_FILE,
    RECOVERY_DIR,
    STAGING_DIR,
    Project,
    check_project_name,
    find_project_dir,
    list_projects,
    project_dir_for,
)
from .settings import Settings


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


def check_free(folder: Path) -> None:
    """ProjectLocked if another process (or another Project object here) holds `folder` open."""
    probe = Project.open(folder)
    try:
        if probe.read_only:
            raise ProjectLocked(f"Cannot change '{folder.name}': {probe.read_only_reason}. Close it first.")
    finally:
        probe.close()


def rename_project(folder: str | Path, new_name: str, settings: Settings) -> Path:
    """Rename the folder and the persona together; the recent list follows. Returns the new folder."""
    folder = find_project_dir(folder)
    check_project_name(new_name)
    check_free(folder)
    with Project.open(folder, require_write=True) as p:
        target = p.rename(new_name)  # folder and persona renamed together under the lock
    _replace_recent(settings, folder, target)
    return target


def duplicate_project(folder: str | Path, new_name: str, settings: Settings) -> Path:
    """Copy a project (without its lock, jobs, recovery copy, staging and trash) under a new
    persona name, beside the original. Returns the copy's folder."""
    folder = find_project_dir(folder)
    name = check_project_name(new_name)
    target = project_dir_for(folder.parent, name)
    if target.exists():
        raise BadInput(f"'{target.name}' already exists. Choose another name.")
    skip = {LOCK_FILE, RECOVERY_DIR, STAGING_DIR, ".trash"}

    def ignore(d: str, names: list[str]) -> list[str]:
        top = Path(d) == folder
        return [n for n in names if n in skip or (top and n == "jobs")]

    try:
        shutil.copytree(folder, target, ignore=ignore)
    except OSError as e:
        shutil.rmtree(target, ignore_errors=True)
        raise StudioError(f"Could not copy '{folder.name}': {e.strerror or e}. Nothing was created.") from e
    (target / "jobs").mkdir(exist_ok=True)
    with Project.open(target, require_write=True) as p:
        p.update_persona(name=name)
    settings.add_recent(target)
    settings.save()
    return target


def delete_project(folder: str | Path, settings: Settings, permanent: bool = False) -> None:
    """Move a project folder to the system trash (or delete it for good with `permanent`); it
    leaves the recent list. The caller has asked the user (the window a dialog, the CLI --yes)."""
    folder = find_project_dir(folder)
    check_free(folder)
    if permanent:
        shutil.rmtree(folder)
    else:
        from send2trash import TrashPermissionError, send2trash  # noqa: PLC0415 - only when deleting

        try:
            send2trash(str(folder))
        except (TrashPermissionError, OSError) as e:
            raise StudioError(
                f"Could not move '{folder.name}' to the trash ({e}). Nothing was deleted; "
                "`studio project delete --permanent` deletes it without the trash."
            ) from e
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
