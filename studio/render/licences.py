"""Commercial-use verdict for an export from every model in its provenance chain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from studio.core.assets import Asset, ModelUse
from studio.core.model_catalog import catalog_by_id
from studio.core.project import Project


def asset_chain(project: Project, asset_ids: Iterable[str]) -> list[Asset]:
    """The assets and all their ancestors (each once, parents after children)."""
    seen: dict[str, Asset] = {}
    todo = list(asset_ids)
    while todo:
        aid = todo.pop(0)
        if aid in seen:
            continue
        try:
            a = project.asset(aid)
        except Exception:  # a parent removed from the project: its models are unknown
            continue
        seen[aid] = a
        todo += a.parents
    return list(seen.values())


def _filled(m: ModelUse) -> ModelUse:
    """Fill licence / commercial flag from the catalogue when the asset did not record them."""
    entry = catalog_by_id().get(m.id)
    if entry is None:
        return m
    upd: dict[str, Any] = {}
    if m.licence is None:
        upd["licence"] = entry.licence
    if m.commercial_use is None:
        upd["commercial_use"] = entry.commercial_use
    return m.model_copy(update=upd) if upd else m


def commercial_verdict(project: Project, asset_ids: Iterable[str]) -> dict[str, Any]:
    """{"verdict": "allowed" | "not allowed" | "unknown", "models": [...], "blocking": [...]}.

    "not allowed" when any model's licence forbids commercial use; "unknown" when a model's
    licence is not known; "allowed" otherwise (also when no model took part).
    """
    models: dict[str, ModelUse] = {}
    for a in asset_chain(project, asset_ids):
        for m in a.provenance.models:
            models.setdefault(m.id, _filled(m))
    blocking = [m.id for m in models.values() if m.commercial_use is False]
    unknown = [m.id for m in models.values() if m.commercial_use is None]
    verdict = "not allowed" if blocking else ("unknown" if unknown else "allowed")
    return {
        "verdict": verdict,
        "blocking": blocking,
        "unknown": unknown,
        "models": [
            {"id": m.id, "licence": m.licence, "commercial_use": m.commercial_use, "role": m.role}
            for m in models.values()
        ],
    }


def verdict_line(v: dict[str, Any]) -> str:
    """One sentence for the CLI."""
    if v["verdict"] == "allowed":
        return "Commercial use: allowed by the licences of every model used."
    if v["verdict"] == "not allowed":
        return "Commercial use: NOT allowed — non-commercial licence on " + ", ".join(v["blocking"]) + "."
    return "Commercial use: unknown — no licence recorded for " + ", ".join(v["unknown"]) + "."
