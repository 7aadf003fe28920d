"""Reading media for previews: durations and single video frames (OpenCV imported on first use)."""

from __future__ import annotations

import wave
from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QImage

from .images import AUDIO_SUFFIXES, IMAGE_SUFFIXES, VIDEO_SUFFIXES, read_scaled

STILL_SECONDS = 3.0


@lru_cache(maxsize=256)
def _duration(path: str, mtime: float) -> float | None:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".wav":
        try:
            with wave.open(path, "rb") as w:
                return w.getnframes() / float(w.getframerate())
        except (wave.Error, EOFError, OSError):
            return None
    if suffix in VIDEO_SUFFIXES or suffix in AUDIO_SUFFIXES:
        import cv2  # noqa: PLC0415 - heavy; only when a clip is placed

        cap = cv2.VideoCapture(path)
        try:
            frames = cap.get(cv2.CAP_PROP_FRAME_COUNT)
            fps = cap.get(cv2.CAP_PROP_FPS)
            return float(frames / fps) if frames > 0 and fps > 0 else None
        finally:
            cap.release()
    return None


def duration_of(path: str | Path) -> float | None:
    """Length in seconds of an audio or video file; None for stills or unreadable files."""
    p = Path(path)
    if p.suffix.lower() in IMAGE_SUFFIXES:
        return None
    try:
        return _duration(str(p), p.stat().st_mtime)
    except OSError:
        return None


def frame_at(path: str | Path, seconds: float, max_size: int = 720) -> QImage:
    """The frame of a still or video at `seconds` (null QImage when it cannot be read)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return read_scaled(p, max_size)
    if suffix not in VIDEO_SUFFIXES or not p.exists():
        return QImage()
    import cv2  # noqa: PLC0415

    cap = cv2.VideoCapture(str(p))
    try:
        cap.set(cv2.CAP_PROP_POS_MSEC, max(seconds, 0.0) * 1000.0)
        ok, frame = cap.read()
        if not ok:
            return QImage()
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        h, w, _ = rgb.shape
        img = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    finally:
        cap.release()
    if max(img.width(), img.height()) > max_size:
        from PySide6.QtCore import Qt

        img = img.scaled(max_size, max_size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    return img
