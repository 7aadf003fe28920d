"""The face identity engine: detect, align, embed, score, swap, restore and track faces.

Public API (other pipelines code against these names):
`load_image`, `FaceAnalyzer`, `open_analyzer`, `identity_score`, `verdict`, `fuse_identity`,
`PersonaIdentity`, `score_for_provenance`, `FaceSwapper`, `GhostSwapper`, `open_swapper`,
`FaceRestorer`, `align_crop`,
`paste_back`, `FaceTracker`, plus the types `DetectedFace`, `FaceScore` and the errors
`BadImage`, `NoFaceFound`.

Backends: dlib (embedded, always there) and the insightface buffalo_l models run by our own
onnxruntime code (no dependency on the `insightface` package). See `analyzer.py`.
Heavy libraries (dlib, onnxruntime, cv2) are imported inside functions.
"""

from __future__ import annotations

from .align import align_crop, feather_mask, match_colour, paste_back
from .analyzer import FaceAnalyzer, onnx_providers, open_analyzer
from .errors import BadImage, NoFaceFound
from .ghost import GhostSwapper
from .identity import (
    PersonaIdentity,
    fuse_identity,
    identity_score,
    score_for_provenance,
    verdict,
)
from .images import load_image
from .restore import FaceRestorer
from .swap import FaceSwapper
from .swappers import SWAPPER_IDS, open_swapper
from .tracking import FaceTracker
from .types import Backend, DetectedFace, FaceScore, Verdict

__all__ = [
    "Backend",
    "BadImage",
    "DetectedFace",
    "FaceAnalyzer",
    "FaceRestorer",
    "FaceScore",
    "FaceSwapper",
    "FaceTracker",
    "GhostSwapper",
    "NoFaceFound",
    "PersonaIdentity",
    "SWAPPER_IDS",
    "Verdict",
    "align_crop",
    "feather_mask",
    "fuse_identity",
    "identity_score",
    "load_image",
    "match_colour",
    "onnx_providers",
    "open_analyzer",
    "open_swapper",
    "paste_back",
    "score_for_provenance",
    "verdict",
]
