"""Commercial-use verdict for an asset from every model in its provenance chain, and the one way
to show it.

A verdict is stored with every export (`provenance.commercial_use`, a dict made by
`commercial_verdict`). Everything that shows a verdict — the CLI's job commands, `studio info`,
batches, the window's tiles and pages, the C2PA manifest — goes through `stored_verdict` and
`verdict_text`, never through the truth value of the stored record (a dict is truthy even when it
says "not allowed").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from studio.core.assets import Asset, ModelUse
from studio.core.errors import NotFound
from studio.core.model_catalog import catalog_by_id
from studio.core.project import Project

ALLOWED, NOT_ALLOWED, UNKNOWN = "allowed", "not allowed", "unknown"


def asset_chain(project: Project, asset_ids: Iterable[str]) -> list[Asset]:
    """The assets and all their ancestors (each once, parents after children)."""
    seen: dict[str, Asset] = {}
    todo = list(asset_ids)
    while todo:
        aid = todo.pop()
        if aid in seen:
            continue
        try:
            a = project.asset(aid)
        except NotFound:  # a parent removed from the project: its models are unknown
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


#: how strongly a record of a model blocks commercial use (the same id can be recorded differently
#: along a chain: a catalogue entry re-licensed later must not clear what an ancestor was made with)
_RANK = {False: 0, None: 1, True: 2}


def _add(models: dict[str, ModelUse], m: ModelUse) -> None:
    """Keep, per model id, the record most restrictive about commercial use."""
    old = models.get(m.id)
    if old is None or _RANK[m.commercial_use] < _RANK[old.commercial_use]:
        models[m.id] = m


def _verdict_of_models(models: dict[str, ModelUse]) -> dict[str, Any]:
    blocking = [m.id for m in models.values() if m.commercial_use is False]
    unknown = [m.id for m in models.values() if m.commercial_use is None]
    return {
        "verdict": NOT_ALLOWED if blocking else (UNKNOWN if unknown else ALLOWED),
        "blocking": blocking,
        "unknown": unknown,
        "models": [
            {"id": m.id, "licence": m.licence, "commercial_use": m.commercial_use, "role": m.role}
            for m in models.values()
        ],
    }


def commercial_verdict(project: Project, asset_ids: Iterable[str]) -> dict[str, Any]:
    """{"verdict": "allowed" | "not allowed" | "unknown", "models": [...], "blocking": [...]}.

    "not allowed" when any model's licence forbids commercial use; "unknown" when a model's
    licence is not known; "allowed" otherwise (also when no model took part).
    """
    models: dict[str, ModelUse] = {}
    for a in asset_chain(project, asset_ids):
        for m in a.provenance.models:
            _add(models, _filled(m))
    return _verdict_of_models(models)


def normalise(raw: Any) -> dict[str, Any]:
    """Any stored verdict as the full dict: the record itself, its bare state string ("not
    allowed", as the C2PA manifest holds it), or an old bool. Anything else is "unknown" — never
    "allowed" by accident."""
    if isinstance(raw, dict):
        state = raw.get("verdict")
        state = state if state in (ALLOWED, NOT_ALLOWED, UNKNOWN) else UNKNOWN
        models = [m for m in raw.get("models") or [] if isinstance(m, dict)]
        blocking = list(raw.get("blocking") or [m.get("id", "?") for m in models if m.get("commercial_use") is False])
        unknown = list(raw.get("unknown") or [m.get("id", "?") for m in models if m.get("commercial_use") is None])
        if state == ALLOWED and blocking:  # a hand-edited record cannot turn a blocked model into "allowed"
            state = NOT_ALLOWED
        return {"verdict": state, "blocking": blocking, "unknown": unknown, "models": models}
    if raw is True or raw == ALLOWED:
        return {"verdict": ALLOWED, "blocking": [], "unknown": [], "models": []}
    if raw is False or raw == NOT_ALLOWED:
        return {"verdict": NOT_ALLOWED, "blocking": [], "unknown": [], "models": []}
    return {"verdict": UNKNOWN, "blocking": [], "unknown": [], "models": []}


def asset_verdict(project: Project, asset: Asset | str) -> dict[str, Any]:
    """The verdict stored with the asset (exports), else the one its provenance chain gives."""
    a = project.asset(asset) if isinstance(asset, str) else asset
    stored = (a.provenance.model_extra or {}).get("commercial_use")
    if stored is not None:
        return normalise(stored)
    return commercial_verdict(project, [a.id])


def asset_verdicts(project: Project) -> dict[str, dict[str, Any]]:
    """`asset_verdict` of every asset at once (`studio info`, the window's bin): each provenance
    chain is walked once, not once per descendant, so 5,000 assets take milliseconds."""
    by_id = {a.id: a for a in project.data.assets}
    chain_models: dict[str, dict[str, ModelUse]] = {}
    visiting: set[str] = set()  # a hand-edited parent cycle must not loop forever
    for root in by_id:
        stack = [(root, False)]
        while stack:  # post-order without recursion (a long chain of edits is deep)
            aid, expanded = stack.pop()
            if aid in chain_models or aid not in by_id:
                continue
            a = by_id[aid]
            if not expanded:
                if aid in visiting:
                    continue
                visiting.add(aid)
                stack.append((aid, True))
                stack += [(pid, False) for pid in a.parents if pid not in chain_models]
                continue
            models: dict[str, ModelUse] = {}
            for m in a.provenance.models:
                _add(models, _filled(m))
            for pid in a.parents:
                for m in chain_models.get(pid, {}).values():
                    _add(models, m)
            chain_models[aid] = models
    out: dict[str, dict[str, Any]] = {}
    for aid, a in by_id.items():
        stored = (a.provenance.model_extra or {}).get("commercial_use")
        out[aid] = normalise(stored) if stored is not None else _verdict_of_models(chain_models.get(aid, {}))
    return out


def stored_verdict(project: Project, asset_ids: Iterable[str]) -> dict[str, Any] | None:
    """The verdict for a job's result: every asset's `asset_verdict`, combined (not allowed if any
    is; unknown if any is; else allowed). None when the job made no asset."""
    verdicts = []
    for aid in asset_ids:
        try:
            verdicts.append(asset_verdict(project, aid))
        except NotFound:
            verdicts.append(normalise(None))
    if not verdicts:
        return None
    blocking = sorted({b for v in verdicts for b in v["blocking"]})
    unknown = sorted({u for v in verdicts for u in v["unknown"]})
    states = {v["verdict"] for v in verdicts}
    state = NOT_ALLOWED if NOT_ALLOWED in states else (UNKNOWN if UNKNOWN in states else ALLOWED)
    models: dict[str, dict[str, Any]] = {}
    for v in verdicts:
        for m in v["models"]:
            models.setdefault(m.get("id", "?"), m)
    return {"verdict": state, "blocking": blocking, "unknown": unknown, "models": list(models.values())}


def verdict_text(raw: Any, short: bool = False) -> str:
    """The verdict in words, for every place that shows one.

    short: "commercial use: NOT allowed (dlib-face-models)"; otherwise a sentence.
    """
    v = normalise(raw)
    if v["verdict"] == ALLOWED:
        return "commercial use: allowed" if short else "Commercial use: allowed by the licences of every model used."
    if v["verdict"] == NOT_ALLOWED:
        names = ", ".join(v["blocking"])
        if short:
            return "commercial use: NOT allowed" + (f" ({names})" if names else "")
        return "Commercial use: NOT allowed — non-commercial licence on " + (names or "a model") + "."
    names = ", ".join(v["unknown"])
    if short:
        return "commercial use: unknown" + (f" ({names})" if names else "")
    return "Commercial use: unknown — " + (f"no licence recorded for {names}." if names else "no licence verdict recorded.")


def verdict_line(v: Any) -> str:
    """One sentence for the CLI (the same as `verdict_text`)."""
    return verdict_text(v)


#: verdict -> the theme role of its badge in the window
VERDICT_ROLES = {ALLOWED: "badge-good", NOT_ALLOWED: "badge-bad", UNKNOWN: "muted"}


def verdict_role(raw: Any) -> str:
    """The window's badge role for a verdict ('badge-good', 'badge-bad', 'muted')."""
    return VERDICT_ROLES[normalise(raw)["verdict"]]
