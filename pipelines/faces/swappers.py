"""Choosing a face swapper: inswapper_128 (insightface, non-commercial) or GHOST (Apache-2.0
weights, `ghost.py`). Both take the persona's insightface identity (made by buffalo_l-rec), so
neither is open to a commercial-safe persona; `open_swapper` says so, with what to use instead.
"""

from __future__ import annotations

from typing import Any

from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore

from .ghost import _COMMERCIAL_SAFE_ADVICE, CONVERTERS, GHOST_MODELS, RECOGNIZER, GhostSwapper
from .swap import FaceSwapper

#: every swapper id `--model` takes ('auto' picks the first installed: GHOST, then inswapper)
SWAPPER_IDS = (*GHOST_MODELS, "inswapper_128")


def swapper_words(model_id: str) -> str:
    """The swapper in user words (provenance 'engine', the window)."""
    if model_id in GHOST_MODELS:
        return f"GHOST {model_id.split('_')[1]}-block 256"
    return "inswapper 128"


def installed_swapper(store: ModelStore) -> str | None:
    """The swapper 'auto' takes: the first GHOST model installed with a converter, else
    inswapper_128; None when none is (or the store's policy refuses them all)."""
    if not store.permits(RECOGNIZER):
        return None
    has_converter = any(store.find(c) is not None for c in CONVERTERS)
    for mid in GHOST_MODELS:
        if has_converter and store.find(mid) is not None:
            return mid
    return "inswapper_128" if store.find("inswapper_128") is not None else None


def open_swapper(store: ModelStore, model: str = "auto", providers: list[str] | None = None) -> Any:
    """A FaceSwapper or GhostSwapper (both: `model_id`, `models_used()`, `swap(rgb, face, vector)`).

    NotCommercial for a commercial-safe store (the identity both need is non-commercial);
    ModelMissing naming the downloads when nothing is installed."""
    model = model or "auto"
    if model not in ("auto", *SWAPPER_IDS):
        raise BadInput(f"Unknown face swapper '{model}': use auto, {', '.join(SWAPPER_IDS)}.")
    if model == "inswapper_128":
        store.check(model, "Face swap")  # names inswapper itself, not the identity behind it
    store.check(RECOGNIZER, "Face swap", instead=_COMMERCIAL_SAFE_ADVICE)
    if model == "auto":
        model = installed_swapper(store) or ""
        if not model:
            raise ModelMissing(
                "Face swap needs a swapper: run `studio models download ghost_2_256 crossface_ghost "
                "buffalo_l-det buffalo_l-rec` (GHOST weights Apache-2.0) or `studio models download "
                "inswapper_128 buffalo_l-det buffalo_l-rec` (insightface models: non-commercial research "
                "use only; the persona's identity comes from buffalo_l-rec either way).",
                ["ghost_2_256", "crossface_ghost", "buffalo_l-det", RECOGNIZER],
            )
    if model in GHOST_MODELS:
        return GhostSwapper.open(store, model, providers)
    return FaceSwapper.open(store, providers)
