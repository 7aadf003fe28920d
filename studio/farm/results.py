"""Job results: what a worker sends back, and how the desktop checks and registers it.

The worker returns every asset its job registered in the mini-project — the file, its sidecars
and the Asset record (provenance, parents) — plus the timelines and posts the job made or
changed, and the handler's result dict. The desktop verifies every file's sha256 against the
worker's record BEFORE registering anything, so a damaged transfer registers nothing; then it
registers the files in the order they were made, mapping each worker asset id to the new
desktop id (parents, timelines, posts and the result follow the mapping).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.assets import Asset, Provenance
from studio.core.errors import StudioError
from studio.core.project import Project
from studio.core.schema import Post
from studio.core.timeline import Timeline

from .bundle import JobBundle, asset_files


@dataclass
class ReturnedAsset:
    """One asset made on a worker: its record, file bytes and sidecars (suffix -> bytes)."""

    record: dict[str, Any]
    data: bytes
    sidecars: dict[str, bytes] = field(default_factory=dict)
    sidecar_sha256: dict[str, str] = field(default_factory=dict)


@dataclass
class JobOutput:
    """Everything a finished farm job sends back to the desktop."""

    result: dict[str, Any]
    assets: list[ReturnedAsset]
    timelines: list[dict[str, Any]]
    posts: list[dict[str, Any]]
    worker_root: str
    node: str = ""

    @property
    def size(self) -> int:
        return sum(len(a.data) + sum(len(b) for b in a.sidecars.values()) for a in self.assets)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def collect_outputs(project: Project, bundle: JobBundle, result: dict[str, Any], node: str = "") -> JobOutput:
    """Worker side: the assets, timelines and posts the job added to the mini-project."""
    inputs = bundle.input_ids()
    returned = []
    for asset in project.data.assets:
        if asset.id in inputs:
            continue
        main, *sides = asset_files(project, asset)
        sidecars = {p.name[len(asset.id):]: p.read_bytes() for p in sides}
        returned.append(ReturnedAsset(asset.model_dump(mode="json"), main.read_bytes(), sidecars,
                                      {s: _sha(b) for s, b in sidecars.items()}))
    sent_tls = {t["id"]: t for t in bundle.timelines}
    sent_posts = {p["id"]: p for p in bundle.posts}
    tls = [t.model_dump(mode="json") for t in project.data.timelines]
    posts = [p.model_dump(mode="json") for p in project.data.posts]
    return JobOutput(
        result=result,
        assets=returned,
        timelines=[t for t in tls if sent_tls.get(t["id"]) != t],
        posts=[p for p in posts if sent_posts.get(p["id"]) != p],
        worker_root=str(project.path),
        node=node,
    )


class _Remap:
    """Rewrites worker asset ids and paths to the desktop's, inside any JSON-like value."""

    def __init__(self, worker_root: str, desktop_root: str):
        self.ids: dict[str, str] = {}
        self.roots = (worker_root, desktop_root)

    def text(self, s: str) -> str:
        s = s.replace(*self.roots)
        if self.ids:
            s = re.sub("|".join(map(re.escape, self.ids)), lambda m: self.ids[m.group(0)], s)
        return s

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        return value


def verify_output(output: JobOutput) -> None:
    """Every returned file must match the sha256 the worker recorded, or nothing is registered."""
    for ra in output.assets:
        rec = ra.record
        if _sha(ra.data) != rec["sha256"] or len(ra.data) != rec.get("size", len(ra.data)):
            raise StudioError(
                f"The farm sent {rec['id']} damaged (sha256 differs from the worker's record); nothing was "
                "registered. Run the job again."
            )
        for suffix, data in ra.sidecars.items():
            if _sha(data) != ra.sidecar_sha256.get(suffix):
                raise StudioError(f"The farm sent the {suffix} file of {rec['id']} damaged; nothing was registered.")


def land_output(project: Project, output: JobOutput, job_id: str, address: str) -> dict[str, Any]:
    """Desktop side: verify, then register the returned assets, timelines and posts; the result."""
    verify_output(output)
    remap = _Remap(output.worker_root, str(project.path))
    staged: list[tuple[Asset, Path, dict[str, Path]]] = []
    try:
        for ra in output.assets:  # write everything first: a full disk fails before any register
            rec = Asset.model_validate(ra.record)
            main = project.stage("".join(Path(rec.path).suffixes[-1:]))
            main.write_bytes(ra.data)
            extras = {}
            for suffix, data in ra.sidecars.items():
                extras[suffix] = project.stage(".side")
                extras[suffix].write_bytes(data)
            staged.append((rec, main, extras))
        known = {a.id for a in project.data.assets} | {rec.id for rec, _, _ in staged}
        for rec, _, _ in staged:
            missing = [p for p in rec.parents if p not in known]
            if missing:
                raise StudioError(f"The farm result {rec.id} names parents this project lacks: {', '.join(missing)}.")
        for rec, main, extras in staged:
            parents = [remap.ids.get(p, p) for p in rec.parents]
            doc = remap(rec.provenance.model_dump(mode="json"))
            where = {"node": output.node, "job": job_id, "worker_asset": rec.id}
            if address == "local-process":  # the window's job process: this machine, not a farm
                doc["ran_in"] = {"executor": "local process", **where}
            else:
                doc["farm"] = {"address": address, **where}
            prov = Provenance.model_validate(doc)
            asset = project.register(main, rec.kind, prov, parents=parents, label=rec.label, extra_files=extras)
            remap.ids[rec.id] = asset.id
    finally:
        for _, main, extras in staged:  # register moved the good ones; drop what is left
            for p in (main, *extras.values()):
                p.unlink(missing_ok=True)
    for t in output.timelines:
        project.put_timeline(Timeline.model_validate(remap(t)))
    for p in output.posts:
        project.put_post(Post.model_validate(remap(p)))
    return remap(output.result)
