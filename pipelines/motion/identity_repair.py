"""Per-frame identity check and repair of a motion clip.

1. Scan: follow the persona's face through the clip with `FaceTracker` (detect on downscaled
   frames, track and one-euro-smooth boxes/keypoints in between) and score every frame against
   the persona identity (0–100, "same person" ≥ 60).
2. Plan: frames below the threshold with a face are to be repaired. Their 5-point keypoints are
   smoothed again with a centred (lag-free) Gaussian over neighbouring frames, so the repaired
   face sits where the face was and does not flicker.
3. Apply: each bad frame is re-swapped; every other frame is passed through untouched (the same
   array object). Repaired frames are scored again.

Two ways to repair:
- "swap" (default): a face swapper (GHOST when installed, else inswapper_128: `open_swapper`)
  driven by the persona's 512-d ArcFace identity. It needs the swapper + buffalo_l; without them
  nothing is changed, the report names the models to download and the scores are still recorded.
  A commercial-safe persona has no face swap (its identity comes from the non-commercial
  buffalo_l-rec): the report says so and what to use instead ("reproject" needs no model).
- "reproject": no extra model. The face of the nearest good frame (an aligned 256 px crop kept
  during the scan) is warped onto the bad frame's smoothed keypoints, colour-matched and
  feathered in. It restores the identity but copies that frame's expression, so it suits short
  drifts in near-still clips; it is chosen explicitly, never silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from studio.core.errors import ModelMissing
from studio.core.licence_policy import NotCommercial
from studio.core.tasks import TaskContext, null_context

Method = Literal["swap", "reproject"]
CROP = 256


@dataclass
class FrameFace:
    """The persona's face in one frame (None fields when no face was found)."""

    index: int
    score: float | None
    box: tuple[float, float, float, float] | None = None
    kps5: np.ndarray | None = None


@dataclass
class RepairReport:
    """What the check found and what repair did (stored in the clip's provenance)."""

    status: str  # "not needed", "repaired", "not repaired", "no identity"
    method: str
    threshold: float
    backend: str
    before: list[float | None]
    after: list[float | None]
    bad_frames: list[int] = field(default_factory=list)
    repaired_frames: list[int] = field(default_factory=list)
    missing_models: list[str] = field(default_factory=list)
    message: str = ""

    def provenance(self) -> dict[str, Any]:
        d = asdict(self)
        d["before"] = [None if s is None else round(s, 1) for s in self.before]
        d["after"] = [None if s is None else round(s, 1) for s in self.after]
        scored = [s for s in self.after if s is not None]
        d["min_after"] = round(min(scored), 1) if scored else None
        return d


def smooth_keypoints(points: list[np.ndarray | None], sigma: float = 1.0, radius: int = 2) -> list[np.ndarray | None]:
    """Centred Gaussian smoothing of per-frame (5, 2) keypoints; gaps (None) split segments."""
    out: list[np.ndarray | None] = []
    for i, p in enumerate(points):
        if p is None:
            out.append(None)
            continue
        acc, wsum = np.zeros((5, 2), np.float64), 0.0
        for j in range(i - radius, i + radius + 1):
            if 0 <= j < len(points) and points[j] is not None and all(
                points[k] is not None for k in range(min(i, j), max(i, j) + 1)
            ):
                w = float(np.exp(-0.5 * ((j - i) / sigma) ** 2))
                acc += w * np.asarray(points[j], np.float64)
                wsum += w
        out.append((acc / wsum).astype(np.float32))
    return out


class IdentityRepair:
    """Scores a clip's frames against the persona and re-swaps the frames that drifted."""

    def __init__(self, identity: Any, threshold: float = 60.0, fps: float = 25.0, method: Method = "swap",
                 swapper: Any = None, missing_models: list[str] | None = None, detect_every: int = 4,
                 refused: str = ""):
        self.identity = identity  # pipelines.faces.PersonaIdentity
        #: why the persona's licence policy refuses every swapper (commercial-safe), else ""
        self.refused = refused
        self.threshold = threshold
        self.fps = fps
        self.method = method
        self.swapper = swapper
        self.missing_models = list(missing_models or [])
        self.detect_every = detect_every
        self._good_crops: dict[int, np.ndarray] = {}

    @classmethod
    def open(cls, identity: Any, store: Any, method: Method = "swap", swapper_model: str = "auto",
             **kw: Any) -> IdentityRepair:
        """With method "swap", open a swapper from the store (`swapper_model`: auto, a GHOST id or
        inswapper_128); missing or refused models are reported, not raised."""
        swapper, missing, refused = None, [], ""
        if method == "swap":
            from pipelines.faces import open_swapper

            try:
                swapper = open_swapper(store, swapper_model)
            except ModelMissing as e:
                missing = e.model_ids
            except NotCommercial as e:
                refused = e.message
        return cls(identity, method=method, swapper=swapper, missing_models=missing, refused=refused, **kw)

    def models_used(self) -> list[str]:
        """Catalogue ids of what repairs frames (provenance): the swapper's chain, or none."""
        return list(self.swapper.models_used()) if self.method == "swap" and self.swapper is not None else []

    # ------------------------------------------------------------------ scan
    def scan(self, frames: Iterable[np.ndarray], total: int | None = None, ctx: TaskContext | None = None) -> list[FrameFace]:
        """Track and score the persona's face in every frame (streams; keeps only small crops)."""
        from pipelines.faces import FaceTracker, align_crop

        ctx = ctx or null_context()
        tracker = FaceTracker(self.identity.analyzer, every=self.detect_every, embed=True, rate=self.fps)
        out: list[FrameFace] = []
        self._good_crops = {}
        for i, rgb in enumerate(frames):
            faces = tracker.update(rgb)
            if not faces:
                out.append(FrameFace(i, None))
            else:
                scored = self.identity.score_faces(faces, rgb)
                best = scored[0]
                # a bad frame is repaired on the main subject (the largest face), not a bystander
                face = best.face if best.score >= self.threshold else faces[0]
                score = best.score if best.score >= self.threshold else self.identity.score_face(face, rgb).score
                out.append(FrameFace(i, float(score), tuple(float(v) for v in face.box), np.asarray(face.kps5, np.float32)))
                if score >= self.threshold and self.method == "reproject":
                    self._good_crops[i] = align_crop(rgb, face.kps5, CROP)[0]
            ctx.progress(i + 1, total or i + 2, "Checking identity")
        return out

    def bad_frames(self, scan: list[FrameFace]) -> list[int]:
        return [f.index for f in scan if f.score is not None and f.score < self.threshold]

    # ------------------------------------------------------------------ repair
    def can_repair(self) -> tuple[bool, str]:
        if self.method == "reproject":
            return (bool(self._good_crops), "" if self._good_crops else
                    "no frame of the clip looks like the persona, so there is no face to re-project")
        if self.swapper is None and self.refused:
            return False, f"{self.refused} (or repair with --repair-with reproject, which needs no model)"
        if self.swapper is None and not self.missing_models:
            return False, "no face swapper was given"
        if self.swapper is None:
            return False, (f"face swap needs {', '.join(self.missing_models)}: run `studio models download "
                           f"{' '.join(self.missing_models)}` (the persona's identity comes from insightface's "
                           "buffalo_l: non-commercial use only)")
        if self.identity.backend != "insightface":
            return False, ("face swap needs the persona's insightface identity: run `studio faces add` again "
                           "after installing buffalo_l")
        return True, ""

    def apply(self, frames: Iterable[np.ndarray], scan: list[FrameFace]) -> Iterator[np.ndarray]:
        """The clip with bad frames re-swapped; good frames are yielded unchanged (same object)."""
        bad = set(self.bad_frames(scan))
        kps = smooth_keypoints([f.kps5 for f in scan])
        good = sorted(self._good_crops)
        for i, rgb in enumerate(frames):
            if i not in bad or kps[i] is None:
                yield rgb
            elif self.method == "swap":
                yield self._swap(rgb, kps[i])
            else:
                src = min(good, key=lambda g: abs(g - i))
                yield self._reproject(rgb, kps[i], self._good_crops[src])

    def _swap(self, rgb: np.ndarray, kps: np.ndarray) -> np.ndarray:
        from pipelines.faces import DetectedFace

        x0, y0 = kps.min(0)
        x1, y1 = kps.max(0)
        target = DetectedFace(box=(float(x0), float(y0), float(x1), float(y1)), score=1.0, kps5=kps, backend="insightface")
        return self.swapper.swap(rgb, target, self.identity.vector)

    @staticmethod
    def _reproject(rgb: np.ndarray, kps: np.ndarray, crop: np.ndarray) -> np.ndarray:
        from pipelines.faces import align_crop, feather_mask, match_colour, paste_back

        here, m = align_crop(rgb, kps, CROP)
        mask = feather_mask(CROP, erode=0.12, blur=0.1)
        return paste_back(rgb, match_colour(crop, here, mask), m, mask)

    def rescore(self, frame: np.ndarray) -> float | None:
        best = self.identity.best(frame)
        return None if best is None else float(best.score)

    def run(self, frames: list[np.ndarray], ctx: TaskContext | None = None) -> tuple[list[np.ndarray], RepairReport]:
        """Check and repair an in-memory clip; returns (frames, report)."""
        ctx = ctx or null_context()
        scan = self.scan(frames, len(frames), ctx.sub(0.0, 0.7))
        report = self.report(scan)
        if report.status != "to repair":
            return frames, report
        out = list(self.apply(frames, scan))
        return out, self.finish(report, out, ctx.sub(0.7, 1.0))

    def report(self, scan: list[FrameFace]) -> RepairReport:
        """The report after a scan; status "to repair" means `apply` should run."""
        before = [f.score for f in scan]
        bad = self.bad_frames(scan)
        common = dict(method=self.method, threshold=self.threshold, backend=self.identity.backend,
                      before=before, after=list(before), bad_frames=bad)
        if not bad:
            return RepairReport("not needed", missing_models=self.missing_models,
                                message="every frame with a face looks like the persona", **common)
        ok, why = self.can_repair()
        if not ok:
            return RepairReport("not repaired", missing_models=self.missing_models,
                                message=f"{len(bad)} frame(s) below {self.threshold:.0f} were kept as they are: {why}",
                                **common)
        return RepairReport("to repair", missing_models=self.missing_models, **common)

    def finish(self, report: RepairReport, repaired: list[np.ndarray] | dict[int, np.ndarray], ctx: TaskContext | None = None) -> RepairReport:
        """Score the repaired frames again (`repaired`: the whole clip or {index: frame})."""
        ctx = ctx or null_context()
        after = list(report.before)
        for k, i in enumerate(report.bad_frames):
            after[i] = self.rescore(repaired[i])
            ctx.progress(k + 1, len(report.bad_frames), "Scoring repaired frames")
        fixed = [i for i in report.bad_frames if after[i] is not None and after[i] >= self.threshold]
        report.after = after
        report.repaired_frames = list(report.bad_frames)
        report.status = "repaired"
        report.message = (f"re-swapped {len(report.bad_frames)} frame(s) with {self.method}; "
                          f"{len(fixed)} now score ≥ {self.threshold:.0f}")
        return report
