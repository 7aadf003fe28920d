"""Reading media for previews: durations, single video frames (OpenCV imported on first use),
waveform peaks, and the thumbnails asset tiles show for audio (a waveform) and video (a frame)."""

from __future__ import annotations

import wave
from functools import lru_cache
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygonF

from .images import AUDIO_SUFFIXES, IMAGE_SUFFIXES, VIDEO_SUFFIXES, read_scaled, thumbnail

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
        img = img.scaled(max_size, max_size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    return img


def audio_peaks(path: str | Path, n: int = 600) -> tuple[np.ndarray, float]:
    """(n max-abs peaks in 0..1, duration in seconds) of any audio file (WAV read directly, other
    formats through ffmpeg, as the narration code reads them)."""
    from pipelines.tts.audio_io import read_wav  # noqa: PLC0415 - numpy/scipy only when needed

    data, rate = read_wav(path)
    if data.size == 0:
        return np.zeros(n, np.float32), 0.0
    chunks = np.array_split(np.abs(data), min(n, data.size))
    return np.array([c.max() for c in chunks], np.float32), data.size / float(rate)


def waveform_pixmap(peaks: np.ndarray, size: int, color: str = "#4cc38a", bg: str = "#2e333b") -> QPixmap:
    """A square tile with the waveform across it (what an audio asset's tile shows)."""
    pm = QPixmap(size, size)
    pm.fill(QColor(bg))
    if peaks.size:
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        bars = max(min(size // 3, peaks.size), 1)
        cols = np.array([c.max() for c in np.array_split(peaks, bars)])
        scale = 1.0 / max(float(cols.max()), 1e-3)  # quiet takes still fill the tile
        step = size / bars
        p.setPen(QPen(QColor(color), max(step * 0.6, 1.0)))
        mid = size / 2
        for i, v in enumerate(cols):
            h = max(float(v) * scale * size * 0.38, 1.0)
            x = (i + 0.5) * step
            p.drawLine(QPointF(x, mid - h), QPointF(x, mid + h))
        p.end()
    return pm


def video_pixmap(path: str | Path, size: int, at: float = 0.5) -> QPixmap:
    """A square tile with the frame at `at` seconds and a play mark (null if unreadable)."""
    img = frame_at(path, at, max_size=2 * size)
    if img.isNull():
        return QPixmap()
    frame = QPixmap.fromImage(img).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation)
    pm = QPixmap(size, size)
    pm.fill(QColor("#101215"))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.drawPixmap((size - frame.width()) // 2, (size - frame.height()) // 2, frame)
    r = size * 0.13  # a small play mark in the corner says "video"
    c = QPointF(size - r * 1.6, size - r * 1.6)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(0, 0, 0, 150))
    p.drawEllipse(c, r, r)
    p.setBrush(QColor("#f0f0f0"))
    p.drawPolygon(QPolygonF([c + QPointF(-r * 0.35, -r * 0.5), c + QPointF(-r * 0.35, r * 0.5),
                             c + QPointF(r * 0.55, 0)]))
    p.end()
    return pm


@lru_cache(maxsize=256)
def _media_thumb(path: str, mtime: float, size: int) -> QPixmap:
    suffix = Path(path).suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return video_pixmap(path, size, min(0.5, (duration_of(path) or 1.0) / 2))
    if suffix in AUDIO_SUFFIXES:
        try:
            peaks, _ = audio_peaks(path, 200)
        except Exception:  # noqa: BLE001 - an unreadable file gets the plain tile
            return QPixmap()
        return waveform_pixmap(peaks, size)
    return thumbnail(path, size)


def media_thumbnail(path: str | Path, size: int) -> QPixmap:
    """What a tile shows for a file: the picture, a video's frame, an audio file's waveform (a
    null pixmap when it cannot be read; callers fall back to a labelled placeholder)."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime
    except OSError:
        return QPixmap()
    return _media_thumb(str(p), mtime, size)
