"""The model store: finds, downloads, imports and verifies model files.

Search order for a catalogue entry: our models folder, the Hugging Face hub cache, then the
user's ComfyUI / AUTOMATIC1111 folders and extra folders. Downloads (studio/core/hub.py for the
Hugging Face Hub, url_download.py for release URLs) report progress through a TaskContext and
are checked against sha256 before use; imports are hashed once; `verify` re-checks everything
against what was recorded (model_hashes.py). Nothing here imports torch.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from . import hub, url_download
from .assets import ModelUse, sha256_file
from .atomic import atomic_write_json
from .errors import BadInput, ChecksumMismatch, DownloadFailed, ModelMissing, NotFound
from .licence_policy import LicencePolicy
from .model_catalog import CATALOG, ModelEntry, ModelSource
from .model_hashes import HashBook, HashRecord, HashSource, hash_folder, manifest_digest
from .settings import Settings
from .tasks import TaskContext, null_context

Status = Literal["present", "missing", "corrupt"]

#: Where ComfyUI / A1111 keep models of each kind (relative to their install folder).
_UI_FOLDERS: dict[str, dict[str, tuple[str, ...]]] = {
    "comfyui": {
        "sdxl-checkpoint": ("models/checkpoints",),
        "sdxl-inpaint": ("models/checkpoints",),
        "sdxl-lora": ("models/loras",),
        "ip-adapter": ("models/ipadapter",),
        "face-detector": ("models/insightface/models/buffalo_l", "models/insightface"),
        "face-recognizer": ("models/insightface/models/buffalo_l", "models/insightface"),
        "face-swapper": ("models/insightface", "models/reactor"),
        "face-restorer": ("models/facerestore_models",),
        "svd": ("models/checkpoints",),
    },
    "a1111": {
        "sdxl-checkpoint": ("models/Stable-diffusion",),
        "sdxl-inpaint": ("models/Stable-diffusion",),
        "sdxl-lora": ("models/Lora",),
        "face-detector": ("models/insightface/models/buffalo_l", "models/insightface"),
        "face-recognizer": ("models/insightface/models/buffalo_l", "models/insightface"),
        "face-swapper": ("models/insightface", "models/roop"),
        "face-restorer": ("models/GFPGAN", "models/Codeformer"),
    },
}


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def folder_complete(folder: Path, files: tuple[str, ...]) -> bool:
    """Whether `folder` holds every listed file (a glob entry needs at least one match)."""
    if not folder.is_dir():
        return False
    if not files:
        return any(folder.iterdir())
    return all(any(folder.glob(f)) if _is_glob(f) else (folder / f).exists() for f in files)


@dataclass(frozen=True)
class ModelInfo:
    """What the store knows about one model right now."""

    entry: ModelEntry
    status: Status
    path: Path | None
    where: str  # 'store', 'hf-cache', 'comfyui', 'a1111', 'folder', 'package', ''


class ModelStore:
    """Finds model files wherever the user keeps them; downloads and imports into our folder."""

    #: the persona's licence policy (commercial-safe), set by `restricted`; None = every model
    policy: LicencePolicy | None = None

    def __init__(self, settings: Settings, catalog: tuple[ModelEntry, ...] = CATALOG):
        self.settings = settings
        self.root = Path(self.settings.models_dir).expanduser()
        self._catalog = {e.id: e for e in catalog}
        for e in self._load_user_entries():
            self._catalog.setdefault(e.id, e)

    # ------------------------------------------------------------------ licence policy
    def restricted(self, policy: LicencePolicy | None) -> ModelStore:
        """This store under `policy` (a commercial-safe persona's): `find` no longer sees the
        models it refuses, and `require`, `check` and `use` refuse them (licence_policy.py)."""
        if policy == self.policy:
            return self
        view = copy.copy(self)  # shares the catalogue and folders; only the policy differs
        view.policy = policy
        return view

    def permits(self, model_id: str) -> bool:
        """Whether this store's policy lets the model run (always, without a policy)."""
        if self.policy is None:
            return True
        return self.policy.permits(self._catalog.get(model_id))

    def refusal_reason(self, model_id: str) -> str | None:
        """Why the policy refuses the model (the window shows it beside a greyed choice), or None."""
        if self.permits(model_id):
            return None
        assert self.policy is not None
        return self.policy.reason(self._catalog.get(model_id), model_id)

    def check(self, model_id: str, purpose: str = "", instead: str | None = None, outside: bool = False,
              kind: str | None = None) -> None:
        """Refuse (NotCommercial, naming a commercial alternative) a model the policy forbids.
        `instead`: the advice for this step when the catalogue's alternative does not fit it;
        `outside`: the id is a file or folder the user gave (its licence is unknown), standing for a
        model of `kind` (so the refusal names a catalogue model of that kind)."""
        if self.policy is None:
            return
        entry = None if outside else self._catalog.get(model_id)
        if not self.policy.permits(entry):
            raise self.policy.refusal(entry, model_id, self._catalog, purpose, instead, kind)

    # ------------------------------------------------------------------ catalogue
    def entries(self) -> list[ModelEntry]:
        return list(self._catalog.values())

    def entry(self, model_id: str) -> ModelEntry:
        try:
            return self._catalog[model_id]
        except KeyError:
            raise NotFound(
                f"'{model_id}' is not in the model catalogue. `studio models list` shows the ids."
            ) from None

    def _user_entries_file(self) -> Path:
        return self.root / "user_models.json"

    def _load_user_entries(self) -> list[ModelEntry]:
        f = self._user_entries_file()
        if not f.exists():
            return []
        try:
            return [ModelEntry.model_validate(d) for d in json.loads(f.read_text("utf-8"))]
        except ValueError:
            return []

    @property
    def hashes(self) -> HashBook:
        """The hashes checked so far (MODELS/hashes.json)."""
        return HashBook(self.root / "hashes.json")

    def record_hash(self, model_id: str, digest: str, source: HashSource = "first-use",
                    files: dict[str, str] | None = None) -> None:
        self.hashes.put(model_id, HashRecord(digest, source, dict(files or {})))

    def expected_sha256(self, model_id: str) -> str | None:
        """The catalogue's sha256, else the one recorded at download/import (a folder: its manifest digest)."""
        e = self.entry(model_id)
        if e.sha256:
            return e.sha256
        rec = self.hashes.get(model_id)
        return rec.sha256 if rec else None

    def use(self, model_id: str, role: str, *, sha256: str | None = None, outside: bool = False,
            **fields: object) -> ModelUse:
        """The provenance entry for a model that made an asset: id, sha256, licence, commercial flag.

        A model outside the catalogue (a file or folder the user gave; `outside=True` when the id is
        only a file name) is still recorded, with its licence marked unknown, so a finished asset is
        never lost to a provenance look-up. `sha256` is a hash measured by the caller (a user's
        file); `fields` are extra facts (path, layout, LoRA weight).
        """
        try:
            e = None if outside else self.entry(model_id)
        except NotFound:
            e = None
        if self.policy is not None and not self.policy.permits(e):
            # the backstop: no asset of a commercial-safe persona is ever made with such a model
            from .licence_policy import ROLE_KINDS

            raise self.policy.refusal(e, model_id, self._catalog, role, kind=ROLE_KINDS.get(role))
        if e is None:
            return ModelUse(id=model_id, sha256=sha256, licence="unknown (not in the model catalogue)", role=role,
                            **fields)
        return ModelUse(id=model_id, sha256=sha256 or self.expected_sha256(model_id), licence=e.licence,
                        commercial_use=e.commercial_use, role=role, **fields)

    # ------------------------------------------------------------------ finding
    def store_path(self, entry: ModelEntry) -> Path:
        """Where `entry` lives in our own models folder."""
        base = self.root / entry.id
        if entry.layout == "folder":
            return base
        return base / (entry.filename or entry.id)

    def _hf_cache_candidates(self, entry: ModelEntry) -> list[Path]:
        src = entry.source
        if src.type != "hf" or not src.repo:
            return []
        repo_dir = self.settings.hf_cache_dir() / ("models--" + src.repo.replace("/", "--"))
        snaps = repo_dir / "snapshots"
        if not snaps.is_dir():
            return []
        revs: list[Path] = []
        ref = repo_dir / "refs" / src.revision
        if ref.is_file():
            revs.append(snaps / ref.read_text().strip())
        if len(src.revision) == 40:
            revs.append(snaps / src.revision)
        revs += sorted((p for p in snaps.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
        return revs

    def _hf_cache_find(self, entry: ModelEntry) -> Path | None:
        for snap in self._hf_cache_candidates(entry):
            if entry.layout == "folder":
                if self._folder_complete(entry, snap):
                    return snap
            else:
                for f in entry.source.files:
                    if Path(f).name == entry.filename and (snap / f).exists():
                        return snap / f
        return None

    def _folder_complete(self, entry: ModelEntry, folder: Path) -> bool:
        """All the entry's files are there (after a download or import: all the files it recorded)."""
        if not folder.is_dir():
            return False
        rec = self.hashes.get(entry.id)  # a download or import lists every file (globs expanded)
        return folder_complete(folder, tuple(rec.files) if rec and rec.files else entry.source.files)

    def _ui_dirs(self, entry: ModelEntry) -> list[tuple[str, Path]]:
        out: list[tuple[str, Path]] = []
        for ui, roots in (("comfyui", self.settings.comfyui_dirs), ("a1111", self.settings.a1111_dirs)):
            for root in roots:
                for rel in _UI_FOLDERS[ui].get(entry.kind, ()):
                    out.append((ui, Path(root).expanduser() / rel))
        out += [("folder", Path(d).expanduser()) for d in self.settings.extra_model_dirs]
        return out

    def _package_path(self, entry: ModelEntry) -> Path | None:
        # find_spec locates the package without importing it (face_recognition_models imports
        # pkg_resources in its __init__, which is gone from new setuptools).
        if not entry.source.package:
            return None
        spec = importlib.util.find_spec(entry.source.package)
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(next(iter(spec.submodule_search_locations)))

    def locate(self, model_id: str) -> ModelInfo:
        """Find a model without hashing it (fast; `verify` does the full check)."""
        entry = self.entry(model_id)
        if entry.source.type == "package":
            p = self._package_path(entry)
            return ModelInfo(entry, "present" if p else "missing", p, "package" if p else "")
        candidates: list[tuple[str, Path]] = [("store", self.store_path(entry))]
        hf = self._hf_cache_find(entry)
        if hf is not None:
            candidates.append(("hf-cache", hf))
        if entry.layout == "file" and entry.filename:
            candidates += [(w, d / entry.filename) for w, d in self._ui_dirs(entry)]
        for where, path in candidates:
            if entry.layout == "folder":
                ok = self._folder_complete(entry, path)
            else:
                ok = path.is_file()
            if ok:
                status: Status = "present"
                if entry.layout == "file" and entry.size and where == "store" and self.hashes.get(entry.id) is None:
                    # a truncated file (a copy made by hand, interrupted) is corrupt; our imports and
                    # downloads are atomic and recorded; the full hash is for `verify`
                    if path.stat().st_size < entry.size * 0.5:
                        status = "corrupt"
                return ModelInfo(entry, status, path, where)
        return ModelInfo(entry, "missing", None, "")

    def find(self, model_id: str) -> Path | None:
        """The model's path when it is installed (and the policy permits it), else None."""
        if not self.permits(model_id):
            return None
        info = self.locate(model_id)
        return info.path if info.status == "present" else None

    def require(self, *model_ids: str, purpose: str = "this step") -> list[Path]:
        """Paths of the models, or ModelMissing naming the download command for each missing one."""
        for mid in model_ids:
            self.check(mid, purpose)
        paths, missing = [], []
        for mid in model_ids:
            p = self.find(mid)
            if p is None:
                missing.append(mid)
            paths.append(p)
        if missing:
            cmds = "; ".join(self.how_to_get(m) for m in missing)
            raise ModelMissing(f"{purpose} needs {', '.join(missing)}, which is not installed. {cmds}", missing)
        return [p for p in paths if p is not None]

    def how_to_get(self, model_id: str) -> str:
        e = self.entry(model_id)
        if e.source.type == "import":
            return e.source.hint or f"Import it with `studio models import {model_id} FILE`."
        return (
            f"Run `studio models download {model_id}` (or download it by hand and run "
            f"`studio models import {model_id} FILE`)."
        )

    # ------------------------------------------------------------------ verify
    def verify(self, model_id: str) -> tuple[Status, str]:
        """Full sha256 check (see model_verify.verify). Returns (status, message)."""
        from .model_verify import verify

        return verify(self, model_id)

    # ------------------------------------------------------------------ import
    def import_file(self, model_id: str | None, src: str | os.PathLike[str], link: bool = False, kind: str | None = None) -> Path:
        """Copy (or hard-link) a file the user downloaded into the store and verify it.

        With an id not in the catalogue and a `kind` (e.g. a CivitAI checkpoint), a user entry
        is created so the model can be chosen by id later.
        """
        src_path = Path(src).expanduser()
        if not src_path.exists():
            raise NotFound(f"No file or folder at '{src_path}'.")
        if model_id is None or model_id not in self._catalog:
            if kind is None:
                raise BadInput(
                    f"'{model_id}' is not a catalogue id; give `--kind` (e.g. sdxl-checkpoint) to add it as your own model."
                )
            model_id = model_id or src_path.stem
            entry = ModelEntry(
                id=model_id,
                name=src_path.name,
                kind=kind,  # type: ignore[arg-type]
                layout="folder" if src_path.is_dir() else "file",
                filename=None if src_path.is_dir() else src_path.name,
                source=ModelSource(type="import", hint=f"Imported from {src_path}"),
                licence="unknown (set by the user)",
                commercial_use=False,
            )
            self._catalog[model_id] = entry
            users = [e for e in self._load_user_entries() if e.id != model_id] + [entry]
            atomic_write_json(self._user_entries_file(), [e.model_dump(mode="json") for e in users])
        entry = self.entry(model_id)
        dest = self.store_path(entry)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if entry.layout == "folder":
            if not src_path.is_dir():
                raise BadInput(f"{model_id} is a folder model; give the folder, not a file.")
            missing = [f for f in entry.source.files if not folder_complete(src_path, (f,))]
            if missing:
                raise BadInput(f"{src_path} is not a complete {entry.name}: it lacks {', '.join(missing[:4])}"
                               f"{'…' if len(missing) > 4 else ''}.")
            files = hash_folder(src_path)  # hashed once here, re-checked by `studio models verify`
            tmp = dest.with_name(dest.name + ".importing")
            if tmp.exists():
                shutil.rmtree(tmp)
            shutil.copytree(src_path, tmp, ignore=shutil.ignore_patterns(".*"))
            if dest.exists():
                shutil.rmtree(dest)
            os.replace(tmp, dest)
            self.record_hash(model_id, manifest_digest(files), "import", files)
            return dest
        if src_path.is_dir():
            raise BadInput(f"{model_id} is a single file ({entry.filename}); give that file.")
        expected = entry.sha256  # a re-import may be another version: only the catalogue's hash binds
        digest = sha256_file(src_path)
        if expected and digest != expected:
            raise ChecksumMismatch(
                f"{src_path} is not {entry.name}: sha256 {digest[:12]}… differs from the catalogue's "
                f"{expected[:12]}…. Download the right file and import it again."
            )
        tmp = dest.with_name(dest.name + ".importing")
        if link:
            try:
                if tmp.exists():
                    tmp.unlink()
                os.link(src_path, tmp)
            except OSError:
                shutil.copyfile(src_path, tmp)
        else:
            shutil.copyfile(src_path, tmp)
        os.replace(tmp, dest)
        # A config that travels beside the file (Piper voices: VOICE.onnx + VOICE.onnx.json).
        config = src_path.with_name(src_path.name + ".json")
        if config.is_file():
            shutil.copyfile(config, dest.with_name(dest.name + ".json"))
        self.record_hash(model_id, digest, "import")
        return dest

    # ------------------------------------------------------------------ download
    def download(self, model_id: str, ctx: TaskContext | None = None, timeout: float = 30.0) -> Path:
        """Download a catalogue model; returns where it now is.

        Hugging Face models go into the shared hub cache through huggingface_hub (the user's token,
        every file checked against the hub's published sha256); release URLs go into our models
        folder (resumed, checked against the catalogue's or the first download's sha256).
        """
        ctx = ctx or null_context()
        entry = self.entry(model_id)
        src = entry.source
        if src.type == "package":
            p = self._package_path(entry)
            if p is None:
                raise ModelMissing(
                    f"{model_id} ships in the Python package '{src.package}'; reinstall Persona Studio "
                    "(`make install`) to restore it.",
                    [model_id],
                )
            return p
        if src.type == "import":
            raise BadInput(src.hint or f"{model_id} cannot be downloaded automatically; import it by hand.")
        if src.type == "hf":
            return self._download_hf(entry, ctx)
        dest = self.store_path(entry)
        assert src.url
        try:
            digest = url_download.download(
                src.url, dest, ctx, timeout, archive_member=src.archive_member,
                downloads_dir=self.root / "_downloads", expected_sha256=self.expected_sha256(model_id),
                what=model_id,
            )
        except (DownloadFailed, ChecksumMismatch):
            raise
        except OSError as e:  # requests' ConnectionError and friends are OSErrors
            raise self._offline_error(entry, dest, e) from e
        if not entry.sha256:
            self.record_hash(model_id, digest, "download")
        return dest

    def _manual_hint(self, entry: ModelEntry) -> str:
        dest = self.store_path(entry)
        return (f"put it at {dest} (or run `studio models import {entry.id} "
                f"{'FOLDER' if entry.layout == 'folder' else 'FILE'}`)")

    def _download_hf(self, entry: ModelEntry, ctx: TaskContext) -> Path:
        src = entry.source
        assert src.repo
        got = hub.download(src.repo, src.revision, src.files, self.settings.hf_cache_dir(), ctx,
                           f"{entry.id} ({entry.name})", self._manual_hint(entry))
        if entry.layout == "folder":
            self.record_hash(entry.id, manifest_digest(got.files), "hub", got.files)
            return got.snapshot
        main = next((f for f in got.files if Path(f).name == entry.filename), next(iter(got.files)))
        self.record_hash(entry.id, got.files[main], "hub")
        return got.snapshot / main

    def _offline_error(self, entry: ModelEntry, dest: Path, err: Exception) -> DownloadFailed:
        where = entry.source.url or f"https://huggingface.co/{entry.source.repo}"
        reason = str(err)
        if "NameResolution" in reason or "Failed to resolve" in reason or "Max retries" in reason:
            reason = "no internet connection (the server could not be reached)"
        return DownloadFailed(
            f"Could not download {entry.id} ({entry.name}): {reason}. "
            f"Check your internet connection and run `studio models download {entry.id}` again "
            f"(it resumes), or download it by hand from {where} and put it at {dest} "
            f"(or run `studio models import {entry.id} FILE`)."
        )

