"""Make a candidate look like the persona: face swap (+ optional restore), then score identity.

Uses the face engine (`pipelines.faces`). The swapper is `open_swapper`'s choice (GHOST when it
is installed, else inswapper_128; `swapper=` names one). Without the swap models the pass still
scores the raw candidate and says plainly that the swap was skipped and what to download; a
commercial-safe persona (whose store refuses every swapper: both take the persona's identity
from the non-commercial buffalo_l-rec) skips it and says why. A candidate without a face scores
0 and never stops the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.core.assets import ModelUse
from studio.core.errors import ModelMissing
from studio.core.licence_policy import NotCommercial
from studio.core.models import ModelStore
from studio.core.persona import Persona

SWAP_DOWNLOAD = ("studio models download ghost_2_256 crossface_ghost buffalo_l-det buffalo_l-rec` (GHOST, "
                 "Apache-2.0 weights) or `studio models download inswapper_128 buffalo_l-det buffalo_l-rec")


@dataclass
class PassResult:
    """A candidate after the persona pass."""

    image: np.ndarray
    score: float  # 0-100; 0 when no face / no identity
    scores: dict[str, Any]  # Provenance.scores fields
    swapped: bool
    restored: bool


@dataclass
class PersonaPass:
    """The loaded face models for one job (open once, apply to every candidate)."""

    persona: Persona
    identity: Any  # pipelines.faces.PersonaIdentity (scoring)
    swapper: Any = None  # FaceSwapper / GhostSwapper or None
    swap_analyzer: Any = None  # insightface analyzer that finds the target face for the swap
    restorer: Any = None
    skipped_reason: str = ""
    models: list[ModelUse] = field(default_factory=list)

    @classmethod
    def open(cls, persona: Persona, store: ModelStore, swap: bool = True, restore: bool = False,
             swapper: str = "auto") -> PersonaPass:
        from pipelines.faces import FaceRestorer, PersonaIdentity, open_analyzer, open_swapper

        analyzer = open_analyzer(store, "auto")
        identity = PersonaIdentity(persona, analyzer)
        if not identity.available and analyzer.backend != "dlib":
            dlib_identity = PersonaIdentity(persona, open_analyzer(store, "dlib"))
            if dlib_identity.available:
                identity = dlib_identity
        p = cls(persona, identity)
        p.models += [store.use(m, "identity scoring") for m in identity.analyzer.models_used()]
        if not swap:
            p.skipped_reason = "identity swap turned off (--no-swap)"
            return p
        source = persona.identity_for("insightface")
        try:
            chosen = open_swapper(store, swapper)
        except NotCommercial as e:
            p.skipped_reason = f"identity swap skipped: {e.message}"
            return p
        except ModelMissing as e:
            download = f"studio models download {' '.join(e.model_ids)}" if swapper != "auto" else SWAP_DOWNLOAD
            p.skipped_reason = f"identity swap skipped: the swap models are not installed. Run `{download}`."
            p.models_missing = e.model_ids  # type: ignore[attr-defined]
            return p
        if source is None:
            p.skipped_reason = (
                "identity swap skipped: the persona has no insightface identity yet. Run "
                "`studio faces add PROJECT PHOTO...` again now that the insightface models are installed."
            )
            return p
        p.swapper = chosen
        p.swap_analyzer = open_analyzer(store, "insightface")
        chain = chosen.models_used()
        p.models += [store.use(m, "face swap") for m in chain]
        p.models += [store.use(m, "face detection for the swap") for m in p.swap_analyzer.models_used()
                     if m not in chain]
        if restore:
            p.restorer = FaceRestorer.open(store, asked=True)
            if p.restorer is not None:
                p.models.append(store.use(p.restorer.model_id, "face restore"))
        return p

    @property
    def swap_label(self) -> str:
        return self.swapper.model_id if self.swapper is not None else "skipped"

    def apply(self, rgb: np.ndarray) -> PassResult:
        """Swap the largest face to the persona (if possible), restore, and score."""
        from pipelines.faces import score_for_provenance

        out, swapped, restored = rgb, False, False
        if self.swapper is not None:
            faces = self.swap_analyzer.detect(rgb, embed=False, landmarks=False)
            if faces:
                source = np.asarray(self.persona.identity_for("insightface").vector, np.float32)
                out = self.swapper.swap(rgb, faces[0], source)
                swapped = True
                if self.restorer is not None:
                    out = self.restorer.restore(out, faces[0])
                    restored = True
        scores = score_for_provenance(self.identity, out)
        scores["swap"] = ("done" if swapped else "no face to swap") if self.swapper is not None else "skipped"
        value = scores.get("identity")
        return PassResult(out, float(value) if value is not None else 0.0, scores, swapped, restored)

    def passes(self, result: PassResult) -> bool:
        """Whether a candidate counts as the same person."""
        return result.scores.get("identity_verdict") == "same person"
