"""Face centres over time for reframing: sample frames, run a detector, return keyframes.

The detector is passed in (`detector(rgb) -> list of (cx, cy, size)`), so tests and callers
choose the backend; `default_detector()` wraps `pipelines.faces.open_analyzer`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np

from studio.core.models import ModelStore
from studio.core.tasks import TaskContext

from .ffmpeg import ffmpeg_exe, probe
from .reframe import Keyframe

Detector = Callable[[np.ndarray], list[tuple[float, float, float]]]


def default_detector(store: ModelStore, prefer: str = "dlib") -> Detector:
    """The studio's face analyzer (`pipelines.faces`) as a `Detector`, boxes only.

    dlib is the default: it ships with the package, so reframing never needs a download.
    """
    from pipelines.faces import open_analyzer

    analyzer = open_analyzer(store, prefer=prefer)  # type: ignore[arg-type]

    def detect(rgb: np.ndarray) -> list[tuple[float, float, float]]:
        faces = analyzer.detect(rgb, embed=False, landmarks=False)
        return [(*f.center, max(f.width, f.height)) for f in faces]

    return detect


def _largest(found: list[tuple[float, float, float]]) -> tuple[float, float] | None:
    if not found:
        return None
    cx, cy, _ = max(found, key=lambda f: f[2])
    return cx, cy


def face_keyframes_image(rgb: np.ndarray, detector: Detector) -> list[Keyframe]:
    """One keyframe at t=0 for a still (empty when no face)."""
    c = _largest(detector(rgb))
    return [] if c is None else [(0.0, c[0], c[1])]


def face_keyframes_video(
    path: str | Path,
    detector: Detector,
    start: float = 0.0,
    end: float | None = None,
    sample_fps: float = 4.0,
    analysis_width: int = 480,
    ctx: TaskContext | None = None,
) -> list[Keyframe]:
    """Face centres (source pixels, source seconds) sampled `sample_fps` times a second.

    Frames are decoded by ffmpeg at `analysis_width` (detection is scale-tolerant and this keeps
    it fast); gaps where no face is found are filled by holding the neighbouring values.
    """
    info = probe(path)
    if not info.width or not info.height:
        return []
    end = info.duration if end is None else min(end, info.duration)
    aw = min(analysis_width, info.width) // 2 * 2
    ah = round(info.height * aw / info.width) // 2 * 2
    cmd = [
        ffmpeg_exe(), "-v", "error", "-ss", f"{start:.3f}", "-t", f"{max(end - start, 0.01):.3f}",
        "-i", str(path), "-vf", f"fps={sample_fps},scale={aw}:{ah}", "-f", "rawvideo",
        "-pix_fmt", "rgb24", "-",
    ]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, ah, aw, 3)
    sx, sy = info.width / aw, info.height / ah
    found: list[tuple[float, tuple[float, float] | None]] = []
    for i, frame in enumerate(frames):
        if ctx is not None:
            ctx.progress(i, len(frames), "Finding the face")
        c = _largest(detector(frame))
        found.append((start + i / sample_fps, None if c is None else (c[0] * sx, c[1] * sy)))
    known = [(t, c) for t, c in found if c is not None]
    if not known:
        return []
    keys: list[Keyframe] = []
    for t, c in found:
        if c is None:  # hold the nearest known centre
            c = min(known, key=lambda k: abs(k[0] - t))[1]
        keys.append((t, c[0], c[1]))
    return keys
