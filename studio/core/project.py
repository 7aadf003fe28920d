"""A persona project: the folder `NAME.persona/` with project.json and the files made for it.

- Saves are atomic (temp + fsync + rename); older schemas are migrated on open.
- A lock file stops two processes writing one project: the second opens read-only, with a reason.
- An autosave writes a recovery copy; a corrupt project.json is reported, never overwritten.
- New files are written to `.staging/` first and registered (moved + hashed + saved) only when
  complete, so a crash never leaves a half-written asset in the project.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .assets import KIND_FOLDER, Asset, AssetKind, Provenance, new_id, sha256_file
from .atomic import atomic_write_bytes, atomic_write_json
from .diskspace import disk_full, is_disk_full
from .errors import (
    BadInput,
    NotFound,
    ProjectCorrupt,
    ProjectError,
    ProjectLocked,
    ReadOnlyProject,
    SchemaTooNew,
)
from .lock import ProjectLock
from .persona import NAME_MAX, Persona, utcnow
from .schema import SCHEMA_VERSION, MigrationError, Post, ProjectData, migrate
from .timeline import Timeline

SUFFIX = ".persona"
SUBFOLDERS = ("refs", "stills", "clips", "audio", "exports", "jobs")
PROJECT_FILE = "project.json"
RECOVERY_DIR = ".recovery"
STAGING_DIR = ".staging"
LOCK_FILE = ".lock"

_NAME_OK = re.compile(r"^[^\\/:*?\"<>|\x00-\x1f]+$")


def check_project_name(name: str) -> str:
    """The stripped name, or BadInput if it cannot be a folder name on Linux and Windows (or is
    longer than a persona name may be): the one check the window and the CLI share."""
    name = name.strip()
    # NAME_MAX characters, and the folder name must fit the file system's 255 bytes
    if len(name) > NAME_MAX or len((name + SUFFIX).encode("utf-8")) > 255:
        raise BadInput(
            f"'{name[:40]}…' is too long for a persona name: at most {NAME_MAX} characters "
            f"(it has {len(name)}), fewer for letters outside English."
        )
    if not name or not _NAME_OK.match(name) or name in (".", "..") or name.endswith("."):
        raise BadInput(
            f"'{name}' cannot be a project name: use letters, digits, spaces, '-' or '_' "
            "(no / \\ : * ? \" < > |, and no dot at the end)."
        )
    return name


def move_file(src: str | os.PathLike[str], dest: str | os.PathLike[str]) -> None:
    """Move `src` to `dest` atomically where the file system allows it.

    `os.replace` cannot cross drives (Windows: C: temp -> D: project) or mounts (EXDEV); then
    copy beside `dest`, rename into place and remove `src`, so `dest` is still never half-written.
    """
    src, dest = Path(src), Path(dest)
    try:
        os.replace(src, dest)
        return
    except OSError as e:
        if e.errno != errno.EXDEV and getattr(e, "winerror", None) != 17:  # 17: ERROR_NOT_SAME_DEVICE
            raise
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.moving")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    src.unlink(missing_ok=True)


def project_dir_for(parent: Path, name: str) -> Path:
    """The folder a project named `name` lives in under `parent`."""
    return Path(parent) / f"{name.strip()}{SUFFIX}"


def find_project_dir(path: str | os.PathLike[str]) -> Path:
    """Accept a `.persona` folder, its project.json, or a name without the suffix."""
    p = Path(path).expanduser()
    if p.name == PROJECT_FILE:
        p = p.parent
    if not p.exists() and not p.name.endswith(SUFFIX):
        alt = p.with_name(p.name + SUFFIX)
        if alt.exists():
            p = alt
    if not p.is_dir():
        raise NotFound(
            f"No persona project at '{path}'. Create one with `studio new NAME` or give the path "
            f"of a '{SUFFIX}' folder."
        )
    if not (p / PROJECT_FILE).exists():
        raise NotFound(f"'{p}' has no {PROJECT_FILE}, so it is not a persona project.")
    return p


#: how every project.json this version writes begins (schema_version is the model's first field)
_VERSION_AT_START = re.compile(r'\A\s*\{\s*"schema_version"\s*:\s*(\d+)\s*[,}]')


def _first_errors(e: ValidationError, n: int = 3) -> str:
    """The first validation errors in one line: 'persona.name: Input should be a valid string'."""
    return "; ".join(f"{'.'.join(str(x) for x in err['loc']) or 'document'}: {err['msg']}" for err in e.errors()[:n])


class Project:
    """An open persona project. Use `Project.create` / `Project.open`; close (or `with`) when done."""

    def __init__(self, path: Path, data: ProjectData, lock: ProjectLock | None, read_only_reason: str | None):
        self.path = path
        self.data = data
        self._lock = lock
        self.read_only_reason = read_only_reason
        self.migrated_from: list[int] = []
        self._mutex = threading.RLock()
        self._dirty = False
        self._listeners: list[Callable[[str], None]] = []
        self._index: dict[str, int] | None = None
        self._index_of: list[Asset] | None = None
        self._index_len = 0
        #: id(timeline) -> (timeline, its JSON): see _serialised
        self._timeline_json: dict[int, tuple[Timeline, str]] = {}

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(cls, parent: str | os.PathLike[str], name: str, persona: Persona | None = None) -> Project:
        """Create `parent/NAME.persona/` and open it for writing."""
        name = check_project_name(name)
        folder = project_dir_for(Path(parent), name)
        if folder.exists():
            raise BadInput(f"'{folder}' already exists. Open it, or choose another name.")
        folder.mkdir(parents=True)
        for sub in SUBFOLDERS:
            (folder / sub).mkdir()
        data = ProjectData(persona=persona or Persona(name=name))
        atomic_write_json(folder / PROJECT_FILE, data.model_dump(mode="json"))
        return cls.open(folder)

    @classmethod
    def open(cls, path: str | os.PathLike[str], read_only: bool = False, require_write: bool = False) -> Project:
        """Open a project. If another process holds it, open read-only (or raise if `require_write`)."""
        folder = find_project_dir(path)
        lock: ProjectLock | None = None
        reason: str | None = None
        if read_only:
            reason = "opened read-only on request"
        else:
            lock = ProjectLock(folder / LOCK_FILE)
            try:
                taken = lock.acquire()
            except OSError as e:  # EROFS, EACCES: a read-only disk, share or folder
                lock = None
                reason = (f"'{folder.name}' is in a folder this computer cannot write to "
                          f"({e.strerror or e}); changes cannot be saved here")
                if require_write:
                    raise ReadOnlyProject(
                        f"{reason}. Copy the project to a writable folder (or mount the disk writable), "
                        "then try again."
                    ) from None
            else:
                if not taken:
                    owner = lock.owner()
                    who = owner.description if owner else "another process"
                    reason = f"'{folder.name}' is open in {who}; changes cannot be saved here"
                    lock = None
                    if require_write:
                        raise ProjectLocked(
                            f"{reason}. Close the studio window or finish the other command, then try again."
                        )
        try:
            data, migrated = cls._load(folder, backup=lock is not None)
        except BaseException:
            if lock:
                lock.release()
            raise
        project = cls(folder, data, lock, reason)
        project.migrated_from = migrated
        if lock is not None:
            for sub in SUBFOLDERS:
                (folder / sub).mkdir(exist_ok=True)
            project._clean_staging()
            if migrated:
                project.save()  # write the migrated schema (old file kept as a backup)
        return project

    @staticmethod
    def _load(folder: Path, backup: bool = False) -> tuple[ProjectData, list[int]]:
        """Read and migrate project.json. `backup`: keep the old file as project.vN.json.bak before
        a migration is saved (only a writer does; a read-only open changes nothing on disk)."""
        file = folder / PROJECT_FILE
        recovery = folder / RECOVERY_DIR / PROJECT_FILE
        hint = (
            f" A recovery copy exists ({recovery}); restore it with `studio recover {folder}`."
            if recovery.exists()
            else " Restore it from a backup, or fix the file by hand."
        )
        try:
            raw = file.read_text("utf-8")
        except OSError as e:
            raise ProjectError(f"Cannot read {file}: {e.strerror or e}.") from None
        except UnicodeDecodeError as e:
            raise ProjectCorrupt(f"{file} is not UTF-8 text ({e.reason}).{hint}") from e
        head = _VERSION_AT_START.match(raw)
        if head and int(head.group(1)) == SCHEMA_VERSION:
            try:  # the usual case: parse and validate in one pass of pydantic-core (no dict in between)
                return ProjectData.model_validate_json(raw), []
            except ValidationError:
                pass  # the careful path below words the problem
        try:
            doc = json.loads(raw)
        except OSError as e:
            raise ProjectError(f"Cannot read {file}: {e.strerror or e}.") from None
        except RecursionError:
            raise ProjectCorrupt(f"{file} is nested too deeply to be a project.{hint}") from None
        except UnicodeDecodeError as e:
            raise ProjectCorrupt(f"{file} is not UTF-8 text ({e.reason}).{hint}") from e
        except json.JSONDecodeError as e:
            raise ProjectCorrupt(
                f"{file} is corrupt: {e.msg} at line {e.lineno}, column {e.colno}.{hint}"
            ) from e
        if not isinstance(doc, dict):
            raise ProjectCorrupt(f"{file} does not hold a project (expected a JSON object).{hint}")
        version = doc.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ProjectCorrupt(f"{file} has no valid schema_version, so it cannot be read.{hint}")
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"{file} was written by a newer Persona Studio (schema {version}; this version reads "
                f"up to {SCHEMA_VERSION}). Update Persona Studio to open it; the file was not changed."
            )
        migrated: list[int] = []
        try:
            if version < SCHEMA_VERSION:
                doc, migrated = migrate(doc)
            data = ProjectData.model_validate(doc)
        except ValidationError as e:
            raise ProjectCorrupt(f"{file} does not match the project schema ({_first_errors(e)}).{hint}") from None
        except (MigrationError, TypeError, ValueError, KeyError, AttributeError, RecursionError) as e:
            # a hand-edited or damaged file: wrong types where the schema (or a migration) needs others
            detail = str(e) if isinstance(e, MigrationError) else f"{type(e).__name__}: {e}"
            raise ProjectCorrupt(f"{file} cannot be read as a project ({detail}).{hint}") from None
        if migrated and backup:  # only now: a file that cannot be migrated is left exactly as it was
            bak = folder / f"project.v{version}.json.bak"
            if not bak.exists():
                shutil.copy2(file, bak)
        return data, migrated

    def rename(self, new_name: str) -> Path:
        """Rename the persona and its folder together, holding the lock throughout."""
        self._require_write()
        name = check_project_name(new_name)
        target = project_dir_for(self.path.parent, name)
        if target.exists():
            raise BadInput(f"'{target.name}' already exists. Choose another name.")
        old = self.path
        with self._mutex:
            os.rename(old, target)  # the lock file moves with the folder: nobody can open it meanwhile
            self.path = target
            if self._lock is not None:
                self._lock.path = target / LOCK_FILE
            try:
                self.update_persona(name=name)
            except BaseException:
                os.rename(target, old)
                self.path = old
                if self._lock is not None:
                    self._lock.path = old / LOCK_FILE
                raise
        return target

    # ------------------------------------------------------------------ life cycle
    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def name(self) -> str:
        return self.data.persona.name

    @property
    def persona(self) -> Persona:
        return self.data.persona

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call `listener(what)` after every change ('persona', 'assets', 'timelines', 'posts')."""
        self._listeners.append(listener)

    def _changed(self, what: str) -> None:
        for fn in list(self._listeners):
            fn(what)

    def _require_write(self) -> None:
        if self.read_only_reason is not None:
            raise ReadOnlyProject(f"Cannot change this project: {self.read_only_reason}.")

    # ------------------------------------------------------------------ saving
    def save(self) -> None:
        """Write project.json atomically and drop the recovery copy."""
        self._require_write()
        with self._mutex:
            self.data.updated_at = utcnow()
            try:
                atomic_write_bytes(self.path / PROJECT_FILE, self._serialised())
            except OSError as e:  # the old project.json is intact (atomic write); the change stays unsaved
                self._dirty = True
                if is_disk_full(e):
                    raise disk_full(self.path, what="saving the project") from None
                raise ProjectError(f"Cannot save {self.path / PROJECT_FILE}: {e.strerror or e}.") from None
            self._dirty = False
            rec = self.path / RECOVERY_DIR / PROJECT_FILE
            if rec.exists():
                rec.unlink()

    def _serialised(self) -> bytes:
        """project.json's bytes: compact JSON from pydantic's serializer (5,000 assets in tens of
        ms, where dict + indented json.dumps took seconds). Timelines are frozen values, so each
        one's JSON is made once and reused while the same object is in the project."""
        cache = self._timeline_json
        parts = []
        for tl in self.data.timelines:
            hit = cache.get(id(tl))
            if hit is None or hit[0] is not tl:
                hit = (tl, tl.model_dump_json())
                cache[id(tl)] = hit
            parts.append(hit[1])
        if len(cache) > 2 * len(parts) + 16:  # drop the JSON of timelines no longer in the project
            keep = {id(t) for t in self.data.timelines}
            for k in [k for k in cache if k not in keep]:
                del cache[k]
        head = self.data.model_dump_json(exclude={"timelines"})
        return (head[:-1] + ',"timelines":[' + ",".join(parts) + "]}\n").encode("utf-8")

    def mark_dirty(self, what: str = "project") -> None:
        """Record an in-memory change that autosave should cover (GUI edits)."""
        self._dirty = True
        self._changed(what)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def autosave(self) -> Path | None:
        """Write a recovery copy of unsaved changes (project.json itself is untouched)."""
        if self.read_only or not self._dirty:
            return None
        with self._mutex:
            target = self.path / RECOVERY_DIR / PROJECT_FILE
            atomic_write_bytes(target, self._serialised())
            return target

    def recovery_available(self) -> bool:
        return (self.path / RECOVERY_DIR / PROJECT_FILE).exists()

    @staticmethod
    def recover(path: str | os.PathLike[str]) -> Path:
        """Replace project.json with the recovery copy (the current file is kept as .corrupt)."""
        folder = Path(path).expanduser()
        if folder.name == PROJECT_FILE:
            folder = folder.parent
        if not (folder / RECOVERY_DIR).is_dir():
            folder = find_project_dir(path)  # also accepts NAME without '.persona'
        rec = folder / RECOVERY_DIR / PROJECT_FILE
        if not rec.exists():
            raise NotFound(
                f"No recovery copy in {folder}: there were no unsaved changes to recover. "
                "Open the project as it is."
            )
        # Replacing project.json under a process that has the project open would be undone (or
        # worse, mixed) by its next save: recover only what nobody holds.
        lock = ProjectLock(folder / LOCK_FILE)
        if not lock.acquire():
            owner = lock.owner()
            who = owner.description if owner else "another process"
            raise ProjectLocked(
                f"'{folder.name}' is open in {who}. Close the studio window or finish the other "
                "command, then run `studio recover` again."
            )
        try:
            try:
                ProjectData.model_validate(migrate(json.loads(rec.read_text("utf-8")))[0])
            except (ValueError, ValidationError, TypeError, KeyError, AttributeError, RecursionError) as e:
                raise ProjectCorrupt(f"The recovery copy {rec} is unreadable too: {e}") from None
            current = folder / PROJECT_FILE
            if current.exists():
                shutil.copy2(current, folder / f"project.json.corrupt-{uuid.uuid4().hex[:6]}")
            os.replace(rec, current)
        finally:
            lock.release()
        return current

    @contextmanager
    def editing(self, what: str = "project") -> Iterator[ProjectData]:
        """`with project.editing('persona') as data: ...` changes data, then saves once."""
        self._require_write()
        with self._mutex:
            yield self.data
            self.save()
        self._changed(what)

    # ------------------------------------------------------------------ persona
    def update_persona(self, **changes: Any) -> Persona:
        """Change persona fields, validated BEFORE anything changes: a refused edit leaves the
        persona in memory as it was, so the next save cannot write an invalid one."""
        self._require_write()
        candidate = self.data.persona.model_copy(update=changes)
        try:
            checked = Persona.model_validate(candidate.model_dump())
        except ValidationError as e:
            raise BadInput(f"Cannot change the persona: {_first_errors(e)}.") from None
        with self.editing("persona") as data:
            data.persona = checked
        return self.data.persona

    # ------------------------------------------------------------------ assets
    def _clean_staging(self) -> None:
        staging = self.path / STAGING_DIR
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)

    def stage(self, suffix: str) -> Path:
        """A fresh path in `.staging/` to write a new file to before `register`-ing it."""
        self._require_write()
        staging = self.path / STAGING_DIR
        staging.mkdir(exist_ok=True)
        if suffix and not suffix.startswith("."):
            suffix = "." + suffix
        return staging / f"{uuid.uuid4().hex}{suffix}"

    def stage_file(self, src: str | os.PathLike[str], suffix: str | None = None) -> Path:
        """Move a finished file (often in the system's temp folder) into `.staging/`.

        Crossing drives copies it; if the project's disk fills on the way, the partial copy is
        removed (it would hold the space the job's own bookkeeping needs) and the error says how
        much room the file needed."""
        src = Path(src)
        dest = self.stage(src.suffix if suffix is None else suffix)
        try:
            move_file(src, dest)
        except OSError as e:
            dest.unlink(missing_ok=True)
            if is_disk_full(e):
                raise disk_full(self.path, src.stat().st_size if src.exists() else None,
                                f"moving {src.name} into the project") from None
            raise
        return dest

    def register(
        self,
        staged: str | os.PathLike[str],
        kind: AssetKind,
        provenance: Provenance,
        parents: list[str] | tuple[str, ...] = (),
        label: str = "",
        extra_files: dict[str, str | os.PathLike[str]] | None = None,
    ) -> Asset:
        """Move a finished staged file into the project and record it as an asset.

        `extra_files` maps a suffix (e.g. '.words.json') to a staged sidecar that travels with it.
        """
        self._require_write()
        src = Path(staged)
        if not src.is_file():
            raise NotFound(f"Cannot register {src}: the file does not exist.")
        from studio import __version__

        provenance.studio_version = provenance.studio_version or __version__
        asset_id = new_id(kind)
        folder = self.path / KIND_FOLDER[kind]
        folder.mkdir(exist_ok=True)
        dest = folder / f"{asset_id}{''.join(src.suffixes[-1:])}"
        digest = sha256_file(src)
        size = src.stat().st_size
        asset = Asset(
            id=asset_id,
            kind=kind,
            path=dest.relative_to(self.path).as_posix(),
            sha256=digest,
            size=size,
            parents=list(parents),
            provenance=provenance,
            label=label,
        )
        extras = {folder / f"{asset_id}{suffix}": Path(extra) for suffix, extra in (extra_files or {}).items()}
        moved: list[Path] = []
        with self._mutex:
            try:
                for target, extra in extras.items():
                    move_file(extra, target)
                    moved.append(target)
                move_file(src, dest)
                moved.append(dest)
                self.data.assets.append(asset)
                self.save()
            except BaseException as e:
                # Nothing half-registered: the record leaves memory, the files leave the project
                # (and .staging, whose leftovers would hold the space a full disk needs back).
                if self.data.assets and self.data.assets[-1] is asset:
                    self.data.assets.pop()
                for f in (*moved, src, *extras.values()):
                    if f in moved or self._staged(f):
                        f.unlink(missing_ok=True)
                if isinstance(e, OSError) and is_disk_full(e):
                    raise disk_full(self.path, size, f"adding {src.name}") from None
                raise
        self._changed("assets")
        return asset

    def _staged(self, path: Path) -> bool:
        """Whether `path` is a file in this project's .staging/ (disposable unless registered)."""
        try:
            return Path(path).resolve().parent == (self.path / STAGING_DIR).resolve()
        except OSError:
            return False

    def import_file(self, src: str | os.PathLike[str], kind: AssetKind, label: str = "") -> Asset:
        """Copy an outside file into the project as an asset."""
        src = Path(src)
        if not src.is_file():
            raise NotFound(f"No file at '{src}'. Check the path and try again.")
        staged = self.stage(src.suffix.lower())
        shutil.copyfile(src, staged)
        prov = Provenance(pipeline="import", parameters={"source": src.name})
        return self.register(staged, kind, prov, label=label or src.stem)

    def _find(self, asset_id: str) -> Asset | None:
        """The asset with `asset_id` in O(1): an id -> position index over data.assets, checked on
        every hit and rebuilt when the list changed (5,000 assets: the provenance walks of `studio
        info` and the window looked each parent up by scanning the whole list)."""
        assets = self.data.assets
        fresh = False
        if self._index is None or self._index_of is not assets or self._index_len != len(assets):
            self._reindex()
            fresh = True
        pos = self._index.get(asset_id)  # type: ignore[union-attr]
        if pos is not None and pos < len(assets) and assets[pos].id == asset_id:
            return assets[pos]
        if fresh:
            return None
        self._reindex()  # the list was edited in place (an asset moved, or another took its place)
        pos = self._index.get(asset_id)  # type: ignore[union-attr]
        return assets[pos] if pos is not None else None

    def _reindex(self) -> None:
        self._index_of = self.data.assets
        self._index_len = len(self.data.assets)
        self._index = {a.id: i for i, a in enumerate(self.data.assets)}

    def asset(self, asset_id: str) -> Asset:
        found = self._find(asset_id)
        if found is not None:
            return found
        raise NotFound(f"No asset '{asset_id}' in {self.path.name}. `studio info {self.path}` lists them.")

    def assets_of(self, *kinds: str) -> list[Asset]:
        return [a for a in self.data.assets if not kinds or a.kind in kinds]

    def asset_path(self, asset: Asset | str) -> Path:
        a = self.asset(asset) if isinstance(asset, str) else asset
        return self.path / a.path

    def sidecar(self, asset: Asset | str, suffix: str) -> Path:
        """Path of a sidecar file registered with an asset (e.g. '.words.json')."""
        a = self.asset(asset) if isinstance(asset, str) else asset
        p = self.path / a.path
        return p.with_name(p.name[: -len(p.suffix)] + suffix if p.suffix else p.name + suffix)

    def resolve_input(self, ref: str) -> tuple[Path, Asset | None]:
        """A CLI argument that is an asset id or a file path -> (file, asset or None)."""
        a = self._find(ref)
        if a is not None:
            return self.path / a.path, a
        p = Path(ref).expanduser()
        if p.is_file():
            return p, None
        raise NotFound(f"'{ref}' is neither an asset id in {self.path.name} nor an existing file.")

    def update_asset(self, asset_id: str, **changes: Any) -> Asset:
        with self.editing("assets") as data:
            for i, a in enumerate(data.assets):
                if a.id == asset_id:
                    data.assets[i] = a.model_copy(update=changes)
                    return data.assets[i]
        raise NotFound(f"No asset '{asset_id}' in {self.path.name}. `studio info {self.path}` lists them.")

    def remove_asset(self, asset_id: str) -> None:
        """Forget an asset and move its file to `.trash/` (recoverable by hand)."""
        a = self.asset(asset_id)
        with self.editing("assets") as data:
            data.assets = [x for x in data.assets if x.id != asset_id]
            src = self.path / a.path
            if src.exists():
                trash = self.path / ".trash"
                trash.mkdir(exist_ok=True)
                os.replace(src, trash / src.name)

    # ------------------------------------------------------------------ timelines and posts
    def timeline(self, timeline_id: str | None = None) -> Timeline:
        tls = self.data.timelines
        if timeline_id is None:
            if not tls:
                raise NotFound("This project has no timeline yet. `studio timeline new PROJECT` makes one.")
            return tls[0]
        for t in tls:
            if t.id == timeline_id or t.name == timeline_id:
                return t
        names = ", ".join(f"{t.name} ({t.id})" for t in tls) or "none yet"
        raise NotFound(
            f"No timeline '{timeline_id}' in {self.path.name} (it has: {names}). "
            "`studio timeline new PROJECT` makes one."
        )

    def put_timeline(self, tl: Timeline, save: bool = True) -> None:
        """Insert or replace a timeline (by id)."""
        with self._mutex:
            tls = [t for t in self.data.timelines if t.id != tl.id]
            idx = next((i for i, t in enumerate(self.data.timelines) if t.id == tl.id), len(tls))
            tls.insert(idx, tl)
            self.data.timelines = tls
        if save:
            self.save()
            self._changed("timelines")
        else:
            self.mark_dirty("timelines")

    def post(self, post_id: str) -> Post:
        for p in self.data.posts:
            if p.id == post_id or p.title == post_id:
                return p
        raise NotFound(f"No post '{post_id}' in {self.path.name}. `studio info {self.path}` lists the posts.")

    def put_post(self, post: Post) -> None:
        with self.editing("posts") as data:
            data.posts = [p for p in data.posts if p.id != post.id] + [post]


#: project.json -> ((mtime_ns, size), persona, asset counts by kind): see peek
_PEEKED: dict[Path, tuple[tuple[int, int], Persona, dict[str, int]]] = {}


def peek(folder: str | os.PathLike[str]) -> tuple[Persona, dict[str, int]]:
    """A project's persona and its number of assets of each kind, for a library card, without
    opening it: no lock, only the persona is validated, and the answer is kept until the file
    changes (a persona with 5,000 assets took a second to open each time the library refreshed).
    ProjectCorrupt / SchemaTooNew like `Project.open` when the file cannot be read."""
    folder = find_project_dir(folder)
    file = folder / PROJECT_FILE
    st = file.stat()
    key = (st.st_mtime_ns, st.st_size)
    hit = _PEEKED.get(file)
    if hit is not None and hit[0] == key:
        return hit[1].model_copy(), dict(hit[2])
    try:
        doc = json.loads(file.read_text("utf-8"))
        version = doc.get("schema_version") if isinstance(doc, dict) else None
        if isinstance(version, int) and not isinstance(version, bool) and 1 <= version < SCHEMA_VERSION:
            doc, _ = migrate(doc)
        if not isinstance(doc, dict) or not isinstance(doc.get("schema_version"), int):
            raise ValueError("no project")
        persona = Persona.model_validate(doc.get("persona"))
        assets = doc.get("assets") or []
        counts: dict[str, int] = {}
        for a in assets if isinstance(assets, list) else []:
            kind = a.get("kind") if isinstance(a, dict) else None
            if isinstance(kind, str):
                counts[kind] = counts.get(kind, 0) + 1
    except (ValueError, ValidationError, TypeError, KeyError, AttributeError, RecursionError, UnicodeDecodeError):
        Project._load(folder)  # says exactly what is wrong, as opening it would
        raise ProjectCorrupt(f"{file} cannot be read as a project.") from None
    if len(_PEEKED) > 256:
        _PEEKED.clear()
    _PEEKED[file] = (key, persona, counts)
    return persona.model_copy(), dict(counts)


def list_projects(folder: str | os.PathLike[str]) -> list[Path]:
    """Persona projects directly inside `folder`."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / PROJECT_FILE).exists())

