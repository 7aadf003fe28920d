"""Identity scores: how much a face looks like the persona, on one 0–100 scale for both backends.

Calibration (piecewise-linear maps from each backend's native measure; knots below):

- dlib (128-d ResNet descriptors, Euclidean distance d). dlib's model card and the
  face_recognition library use d < 0.6 as "same person" (99.38 % on LFW). We map
  d 0 → 100, 0.4 → 85, **0.6 → 60**, **0.7 → 50**, 1.0 → 10, 1.2 → 0. Typical same-person
  pairs are 0.2–0.5 (the astronaut portrait vs its mirror image: 0.22), different people 0.7–1.0.
- insightface (ArcFace w600k_r50, L2-normalised 512-d, cosine similarity s). insightface's
  verification results put same-person pairs well above 0.4 and unrelated faces near 0–0.2; we
  map s 1.0 → 100, 0.6 → 85, **0.40 → 60**, **0.28 → 50**, 0.1 → 20, ≤0 → 0.

Verdicts (the same for both backends, which is why the maps put the thresholds at equal scores):
score ≥ 60 "same person" (dlib d ≤ 0.6 / cosine ≥ 0.40); 50–60 "uncertain"; < 50 "different".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from studio.core.errors import StudioError
from studio.core.persona import Persona

from .analyzer import FaceAnalyzer
from .types import Backend, DetectedFace, FaceScore, Verdict

SAME_PERSON = 60.0
UNCERTAIN = 50.0

_DLIB_KNOTS = ([0.0, 0.4, 0.6, 0.7, 1.0, 1.2], [100.0, 85.0, 60.0, 50.0, 10.0, 0.0])
_ARCFACE_KNOTS = ([0.0, 0.1, 0.28, 0.40, 0.6, 1.0], [0.0, 20.0, 50.0, 60.0, 85.0, 100.0])


def backend_of(vector: np.ndarray) -> Backend:
    """Which backend made an embedding, from its length (dlib 128, ArcFace 512)."""
    n = int(np.asarray(vector).reshape(-1).shape[0])
    if n == 128:
        return "dlib"
    if n == 512:
        return "insightface"
    raise ValueError(f"An identity embedding has 128 (dlib) or 512 (insightface) values, not {n}.")


def raw_similarity(embedding: np.ndarray, identity_vector: np.ndarray, backend: str) -> float:
    """dlib: Euclidean distance (lower = closer); insightface: cosine similarity (higher = closer)."""
    a = np.asarray(embedding, dtype=np.float64).reshape(-1)
    b = np.asarray(identity_vector, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(
            f"Embeddings of different sizes ({a.size} vs {b.size}) cannot be compared."
        )
    if backend == "dlib":
        return float(np.linalg.norm(a - b))
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def identity_score(embedding: np.ndarray, identity_vector: np.ndarray, backend: str) -> float:
    """Calibrated 0–100 score of `embedding` against the persona's fused `identity_vector`."""
    x = raw_similarity(embedding, identity_vector, backend)
    xs, ys = _DLIB_KNOTS if backend == "dlib" else _ARCFACE_KNOTS
    return float(np.interp(x, xs, ys))


def verdict(score: float) -> Verdict:
    """'same person' (≥ 60), 'uncertain' (50–60) or 'different' (< 50)."""
    if score >= SAME_PERSON:
        return "same person"
    if score >= UNCERTAIN:
        return "uncertain"
    return "different"


def fuse_identity(embeddings: Sequence[np.ndarray], backend: str | None = None) -> np.ndarray:
    """One identity vector from several reference embeddings.

    dlib: the plain mean (its 0.6 distance rule is calibrated on raw descriptors, which are not
    unit length). insightface: the mean of the normalised vectors, normalised again.
    """
    if len(embeddings) == 0:
        raise ValueError("fuse_identity needs at least one embedding")
    arr = np.stack([np.asarray(e, dtype=np.float64).reshape(-1) for e in embeddings])
    backend = backend or backend_of(arr[0])
    if backend == "dlib":
        return arr.mean(0).astype(np.float32)
    arr = arr / (np.linalg.norm(arr, axis=1, keepdims=True) + 1e-12)
    mean = arr.mean(0)
    return (mean / (np.linalg.norm(mean) + 1e-12)).astype(np.float32)


class PersonaIdentity:
    """Scores faces in images against a persona's fused identity for one analyzer's backend."""

    def __init__(self, persona: Persona, analyzer: FaceAnalyzer):
        self.persona = persona
        self.analyzer = analyzer
        self.backend: Backend = analyzer.backend
        emb = persona.identity_for(self.backend)
        self.vector = np.asarray(emb.vector, dtype=np.float32) if emb is not None else None

    @property
    def available(self) -> bool:
        """True when the persona has an identity for this analyzer's backend."""
        return self.vector is not None

    def _require(self) -> np.ndarray:
        if self.vector is None:
            raise StudioError(
                f"'{self.persona.name}' has no {self.backend} identity yet. Add reference photos with "
                "`studio faces add PROJECT PHOTO...` (they are analysed with every installed backend)."
            )
        return self.vector

    def score_face(self, face: DetectedFace, rgb: np.ndarray | None = None) -> FaceScore:
        """Score one detected face (its embedding is computed from `rgb` if missing)."""
        vec = self._require()
        if face.embedding is None:
            if rgb is None:
                raise ValueError("face has no embedding; pass the image it was found in")
            face.embedding = self.analyzer.embed(rgb, face)
        s = identity_score(face.embedding, vec, self.backend)
        return FaceScore(face=face, score=s, verdict=verdict(s), backend=self.backend)

    def score_faces(
        self, faces: Sequence[DetectedFace], rgb: np.ndarray | None = None
    ) -> list[FaceScore]:
        scores = [self.score_face(f, rgb) for f in faces]
        return sorted(scores, key=lambda s: s.score, reverse=True)

    def score_image(self, rgb: np.ndarray) -> list[FaceScore]:
        """Every face in `rgb` with its score, best first (empty if no face)."""
        self._require()
        return self.score_faces(self.analyzer.detect(rgb, embed=True, landmarks=False))

    def best(self, rgb: np.ndarray) -> FaceScore | None:
        """The face that looks most like the persona, or None if there is no face."""
        scores = self.score_image(rgb)
        return scores[0] if scores else None


def score_for_provenance(persona_identity: PersonaIdentity, rgb: np.ndarray) -> dict:
    """The identity fields every generated asset stores in `Provenance.scores`.

    {"identity": 0–100 or None, "identity_verdict": verdict | "no face found" | "no identity",
    "identity_backend": "dlib" | "insightface"}.
    """
    out: dict = {"identity": None, "identity_backend": persona_identity.backend}
    if not persona_identity.available:
        out["identity_verdict"] = "no identity"
        return out
    best = persona_identity.best(rgb)
    if best is None:
        out["identity_verdict"] = "no face found"
        return out
    out["identity"] = round(best.score, 1)
    out["identity_verdict"] = best.verdict
    return out
