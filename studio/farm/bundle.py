"""Job bundles: everything a farm worker needs to run one job, with no access to the desktop's disk.

On the desktop, `build_bundle` copies the persona (identity embeddings, voice settings, reference
photos, voice samples) and exactly the input assets the job's params name (with their sidecars,
e.g. a narration's .words.json / .phonemes.json) into a `JobBundle` of plain data and bytes. On
the worker, `open_bundle` lays it out as a throw-away mini-project in a temp folder; the SAME
action handler then runs there as it would on the desktop. Input assets keep their ids, so
everything the worker makes points at parents the desktop knows.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.actions.registry import farm_resources, kind_of
from studio.core.assets import Asset
from studio.core.errors import BadInput, NotFound
from studio.core.persona import Persona
from studio.core.project import Project
from studio.core.schema import Post
from studio.core.settings import Settings
from studio.core.timeline import Timeline

#: params that name a model; workers resolve model ids in their own store, never desktop paths
MODEL_KEYS = ("checkpoint", "model", "loras")
#: params that only make sense on the desktop; the desktop applies them after the results land
DESKTOP_KEYS = ("out_dir",)
#: where files from outside the project travel inside the mini-project
OUTSIDE = "inputs"


@dataclass
class JobBundle:
    """One job, self-contained: params + persona + input assets as records and bytes."""

    kind: str
    job_id: str
    params: dict[str, Any]
    persona: dict[str, Any]
    assets: list[dict[str, Any]] = field(default_factory=list)
    timelines: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    #: project-relative POSIX path -> file content
    files: dict[str, bytes] = field(default_factory=dict)
    #: param key -> bundle-relative path of an outside file it named (made absolute on the worker)
    file_params: dict[str, str] = field(default_factory=dict)
    #: the desktop's settings for a job process on this computer; None on a farm (workers use their own)
    settings: dict[str, Any] | None = None

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())

    def input_ids(self) -> set[str]:
        return {a["id"] for a in self.assets}


def asset_files(project: Project, asset: Asset) -> list[Path]:
    """The asset's file and its sidecars (files named `ASSET_ID.*` beside it)."""
    main = project.asset_path(asset)
    sidecars = sorted(p for p in main.parent.glob(f"{asset.id}.*") if p != main and p.is_file())
    return [main, *sidecars]


class _Collector:
    """Gathers records and file bytes for a bundle, each file once."""

    def __init__(self, project: Project, bundle: JobBundle):
        self.project, self.bundle = project, bundle

    def add_file(self, rel: str) -> None:
        if rel in self.bundle.files:
            return
        path = self.project.path / rel
        if not path.is_file():
            raise NotFound(f"{rel} is missing from {self.project.path.name}, so the job cannot be sent to the farm.")
        self.bundle.files[rel] = path.read_bytes()

    def add_asset(self, asset: Asset) -> None:
        if asset.id in self.bundle.input_ids():
            return
        self.bundle.assets.append(asset.model_dump(mode="json"))
        for f in asset_files(self.project, asset):
            self.add_file(f.relative_to(self.project.path).as_posix())

    def add_input(self, key: str, ref: str) -> None:
        """An asset id travels as the asset; an outside file travels as bytes under inputs/."""
        for a in self.project.data.assets:
            if a.id == ref:
                self.add_asset(a)
                return
        path = Path(ref).expanduser()
        if not path.is_file():
            raise NotFound(f"'{ref}' is neither an asset id in {self.project.path.name} nor an existing file.")
        rel = f"{OUTSIDE}/{key}{''.join(path.suffixes[-1:])}"
        self.bundle.files[rel] = path.read_bytes()
        self.bundle.file_params[key] = rel

    def add_target(self, ref: str) -> None:
        """An export target: the post (if it is one), its timeline and every asset on it."""
        post = next((p for p in self.project.data.posts if ref in (p.id, p.title)), None)
        tl = self.project.timeline(post.timeline_id if post else ref)
        if post is not None:
            self.bundle.posts.append(post.model_dump(mode="json"))
            for aid in post.exports.values():
                if any(a.id == aid for a in self.project.data.assets):
                    self.add_asset(self.project.asset(aid))
        self.bundle.timelines.append(tl.model_dump(mode="json"))
        looks = [tl.look]
        for track in tl.tracks:
            for clip in track.clips:
                looks.append(clip.look)
                if clip.asset_id:
                    self.add_asset(self.project.asset(clip.asset_id))
        for look in looks:  # LUT assets a look names ("warm+lut:lut-3f9a0c12")
            for ref in re.findall(r"lut:([\w.-]+)", look or ""):
                if any(a.id == ref for a in self.project.data.assets):
                    self.add_asset(self.project.asset(ref))

    def add_persona(self) -> None:
        """Reference photos (+ crops) and voice samples; the persona record itself is data."""
        persona = self.project.persona
        rels = [r.image for r in persona.reference_faces] + [r.crop for r in persona.reference_faces if r.crop]
        rels += list(persona.voice.reference_samples)
        by_path = {a.path: a for a in self.project.data.assets}
        for rel in rels:
            if rel in by_path:
                self.add_asset(by_path[rel])
            else:
                self.add_file(rel)


def _check_models(params: dict[str, Any]) -> None:
    """A model given as a desktop path would not exist on a worker: ask for a model id instead."""
    for key in MODEL_KEYS:
        values = params.get(key)
        for v in values if isinstance(values, list) else [values]:
            ref = str(v).split(":")[0] if key == "loras" and v else v
            if ref and (os.sep in str(ref) or "/" in str(ref)) and Path(str(ref)).expanduser().exists():
                raise BadInput(
                    f"--{key.rstrip('s')} '{v}' is a file on this machine; farm workers only see their own "
                    f"model store. Import it there (`studio models import ID FILE --kind ...` on each "
                    f"worker) and pass its id."
                )


def build_bundle(project: Project, kind: str, params: dict[str, Any], job_id: str,
                 settings: Settings | None = None) -> JobBundle:
    """Everything the job of `kind` with `params` reads, copied out of the project.

    `settings` only for a child process on this computer (farm/local.py): it runs with the
    desktop's settings and sees the same disk, so a model given as a file path is fine there. A
    farm bundle carries no settings (workers use their own) and refuses such paths."""
    declared = kind_of(kind)
    if not declared.travels:
        farm_resources(kind)  # BadInput naming the kinds the farm runs
    if settings is None:
        _check_models(params)
    sent = {k: v for k, v in params.items() if k not in DESKTOP_KEYS}
    if kind == "post" and not sent.get("still") and not sent.get("prompt"):
        from studio.actions.post import pick_still

        sent["still"] = pick_still(project)  # the choice is made here, where all stills are
    bundle = JobBundle(kind, job_id, sent, project.persona.model_dump(mode="json"),
                       settings=settings.model_dump(mode="json") if settings is not None else None)
    col = _Collector(project, bundle)
    col.add_persona()
    for key in declared.inputs:
        value = sent.get(key)
        if isinstance(value, list):  # a list of inputs (a storyboard's scene sources): each travels
            for i, ref in enumerate(value):
                if ref:
                    col.add_input(f"{key}.{i}", str(ref))
        elif value:
            col.add_input(key, str(value))
    if declared.target:
        col.add_target(str(sent["target"]))
    return bundle


def open_bundle(bundle: JobBundle, folder: str | os.PathLike[str]) -> Project:
    """Lay the bundle out as a mini-project under `folder` (worker side) and open it."""
    project = Project.create(folder, "job", persona=Persona.model_validate(bundle.persona))
    root = project.path.resolve()
    for rel, data in bundle.files.items():
        dest = (root / rel).resolve()
        if root not in dest.parents:  # a bundle never writes outside its mini-project
            raise BadInput(f"A job bundle named a file outside its project: {rel}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    for key, rel in bundle.file_params.items():
        name, _, index = key.rpartition(".")
        if index.isdigit() and isinstance(bundle.params.get(name), list):
            bundle.params[name][int(index)] = str(root / rel)
        else:
            bundle.params[key] = str(root / rel)
    with project.editing("project") as data:
        data.assets = [Asset.model_validate(a) for a in bundle.assets]
        data.timelines = [Timeline.model_validate(t) for t in bundle.timelines]
        data.posts = [Post.model_validate(p) for p in bundle.posts]
    return project
