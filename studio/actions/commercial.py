"""The commercial-safe check of a job's inputs, run for every job kind before its handler.

The store's policy (core/licence_policy.py) stops a job of a commercial-safe persona from *using*
a non-commercial model. What it cannot see is an input made earlier with one (a still swapped
with inswapper before the switch was turned on, an SVD clip): its verdict would carry into every
export. So before a handler runs, every asset the job's params name (an input asset id, the post
or timeline an export renders) is checked along its provenance chain, and the job is refused
with the asset, the models that block it and what to use instead.
"""

from __future__ import annotations

from typing import Any

from studio.core.errors import NotFound
from studio.core.licence_policy import ROLE_KINDS, NotCommercial, alternative

from .context import JobContext

#: kinds that make nothing (they remove, score or re-time what is there): their inputs need no check
MAKES_NOTHING = frozenset({"faces.remove", "faces.score", "captions"})


def _named_assets(ctx: JobContext, params: dict[str, Any], target: bool) -> list[str]:
    """The project assets the params name (any str or list-of-str value that is an asset id)."""
    project = ctx.project
    refs: list[str] = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        refs += [v for v in values if isinstance(v, str) and key != "target"]
    ids = []
    for ref in refs:
        try:
            ids.append(project.asset(ref).id)
        except NotFound:  # a file on this computer, a prompt, a preset: no provenance chain
            continue
    if target and params.get("target"):
        from studio.render.export import resolve_timeline

        try:
            tl, _post = resolve_timeline(project, params["target"])
        except NotFound:
            return ids  # the handler says what is wrong with the target
        ids += sorted({c.asset_id for t in tl.tracks for c in t.clips if c.asset_id})
    elif params.get("target"):
        try:
            ids.append(project.asset(str(params["target"])).id)
        except NotFound:
            pass
    return ids


def check_inputs(ctx: JobContext, kind: str, params: dict[str, Any], target: bool = False) -> None:
    """Refuse the job (NotCommercial) when the persona is commercial-safe and an asset it reads
    was made with a model whose licence forbids commercial use (or is unknown)."""
    policy = ctx.store.policy
    if policy is None or kind in MAKES_NOTHING:
        return
    from studio.render.licences import ALLOWED, commercial_verdict

    catalog = {e.id: e for e in ctx.store.entries()}
    for aid in _named_assets(ctx, params, target):
        v = commercial_verdict(ctx.project, [aid])
        if v["verdict"] == ALLOWED:
            continue
        bad = v["blocking"] + v["unknown"]
        roles = {m["id"]: m.get("role") for m in v["models"]}
        alts = []
        for mid in bad:
            alt_id, advice = alternative(catalog.get(mid), mid, catalog, ROLE_KINDS.get(roles.get(mid) or ""))
            alts.append(f"{mid} → {alt_id or advice}" if (alt_id or advice) else mid)
        raise NotCommercial(
            f"{aid}, which this {kind} job reads, was made with {', '.join(bad)} "
            f"({'non-commercial' if v['blocking'] else 'licence unknown'}), and '{policy.persona}' is set "
            f"to commercial-safe: make it again with commercial models ({'; '.join(alts)}), or "
            "turn the switch off with `studio persona set PROJECT --commercial-safe off`.",
            bad[0] if bad else aid,
        )
