"""Thumbnails: read images scaled while decoding (cheap for JPEG) and cache them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter, QPen, QPixmap

from studio.core.media import AUDIO_SUFFIXES, IMAGE_SUFFIXES, VIDEO_SUFFIXES  # noqa: F401 - one list, re-exported


def read_scaled(path: str | Path, size: int) -> QImage:
    """The image at `path` scaled to fit `size`x`size` (null QImage if unreadable)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    src = reader.size()
    if src.isValid() and (src.width() > size or src.height() > size):
        reader.setScaledSize(src.scaled(QSize(size, size), Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


@lru_cache(maxsize=512)
def _thumb(path: str, mtime: float, size: int) -> QPixmap:
    img = read_scaled(path, size)
    return QPixmap.fromImage(img) if not img.isNull() else QPixmap()


def thumbnail(path: str | Path, size: int = 128) -> QPixmap:
    """A cached thumbnail; a null pixmap when the file is missing or not an image."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime
    except OSError:
        return QPixmap()
    return _thumb(str(p), mtime, size)


def placeholder(size: int, text: str, bg: str = "#2e333b", fg: str = "#9aa3af") -> QPixmap:
    """A plain tile with a word on it (for audio, video without a poster, missing files)."""
    pm = QPixmap(size, size)
    pm.fill(QColor(bg))
    p = QPainter(pm)
    p.setPen(QPen(QColor(fg)))
    p.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    return pm


def with_box(pixmap: QPixmap, box: list[float], source_size: tuple[int, int], color: str = "#4cc38a") -> QPixmap:
    """Draw a face box (x0, y0, x1, y1 in source pixels) on a thumbnail of that source."""
    if pixmap.isNull() or len(box) != 4 or not source_size[0]:
        return pixmap
    out = QPixmap(pixmap)
    sx = out.width() / source_size[0]
    sy = out.height() / source_size[1]
    p = QPainter(out)
    pen = QPen(QColor(color))
    pen.setWidth(2)
    p.setPen(pen)
    x0, y0, x1, y1 = box
    p.drawRect(int(x0 * sx), int(y0 * sy), int((x1 - x0) * sx), int((y1 - y0) * sy))
    p.end()
    return out
