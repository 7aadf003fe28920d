"""The loaded models of this process, kept between jobs under one policy.

Every large model-backed pipeline (SDXL, SVD, FLUX.2, Z-Image, Wan, ...) keeps what it loaded
here instead of in a cache of its own, so one rule decides what stays in memory: the most
recently used `max_entries` models (default 1: two of these rarely fit one consumer GPU side
by side, and a second copy in CPU RAM is 7-30 GB). Loading another model first drops the least
recently used one and frees its GPU memory. Keys are tuples whose first item names the family
('sdxl', 'svd', ...); `drop(family)` frees one family's models, `clear()` all of them.

Piper voices are not kept here: a voice must never narrate twice from one session (see
pipelines/tts/voice_cache.py), so that module keeps unused spares, not used models.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

Key = tuple[Hashable, ...]


class ModelCache:
    """Loaded models by key, least recently used dropped first; `loads` counts real loads per family."""

    def __init__(self, max_entries: int = 1):
        self.max_entries = max_entries
        self.loads: dict[Hashable, int] = {}
        self._entries: OrderedDict[Key, Any] = OrderedDict()
        self._lock = threading.RLock()

    def get(self, key: Key, load: Callable[[], Any]) -> Any:
        """The model for `key`, loading it with `load()` (after making room) when it is not here."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            evicted = False
            while self._entries and len(self._entries) >= self.max_entries:
                self._entries.popitem(last=False)
                evicted = True
            if evicted:
                free_memory()  # before the next model needs the room
            model = load()
            self.loads[key[0]] = self.loads.get(key[0], 0) + 1
            self._entries[key] = model
            return model

    def entries(self, family: Hashable | None = None) -> list[Any]:
        """The loaded models (of one family), least recently used first."""
        with self._lock:
            return [v for k, v in self._entries.items() if family is None or k[0] == family]

    def keys(self, family: Hashable | None = None) -> list[Key]:
        with self._lock:
            return [k for k in self._entries if family is None or k[0] == family]

    def drop(self, family: Hashable | None = None) -> None:
        """Forget the models of `family` (all when None) and free their memory."""
        with self._lock:
            for k in [k for k in self._entries if family is None or k[0] == family]:
                del self._entries[k]
        free_memory()

    def clear(self) -> None:
        self.drop(None)
        self.loads.clear()

    def __len__(self) -> int:
        return len(self._entries)


class FamilyCache:
    """One family's view of the shared cache (subclasses set `family` and add their own `get`)."""

    family: str = ""

    def __init__(self, models: ModelCache | None = None):
        self._models = models or shared_models()

    @property
    def loads(self) -> int:
        """How many models of this family the process really loaded (tests and benchmarks check it)."""
        return self._models.loads.get(self.family, 0)

    @loads.setter
    def loads(self, n: int) -> None:
        self._models.loads[self.family] = n

    def _get(self, key: tuple[Hashable, ...], load: Callable[[], Any]) -> Any:
        return self._models.get((self.family, *key), load)

    def entries(self) -> list[Any]:
        """This family's loaded models, least recently used first."""
        return self._models.entries(self.family)

    def __len__(self) -> int:
        return len(self.entries())

    def clear(self) -> None:
        """Drop this family's models and free their memory."""
        self._models.drop(self.family)


def free_memory() -> None:
    """Collect dropped models and hand their CUDA memory back to the driver."""
    import gc

    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:  # pragma: no cover - torch is a dependency of every user of this cache
        pass


_SHARED = ModelCache()


def shared_models() -> ModelCache:
    """The cache every job in this process uses (CLI run, the window's job process, a farm worker)."""
    return _SHARED
