"""The preview: the frame at the playhead in the chosen format, with captions and safe zone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from studio.core.timeline import Timeline

from .formats import PreviewFormat, format_by_id
from .media import frame_at

VISUAL_TRACKS = ("video", "overlay")
EMPTY_TEXT = "Nothing on the video track here.\nDrag a still or clip from Assets onto it."
EMPTY_SHORT = "Nothing on the video track here."
EMPTY_FLAGS = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap


def cover_rect(src_w: int, src_h: int, target: QRectF) -> QRectF:
    """The part of a src_w x src_h image that fills `target` (centre crop, like the auto reframe)."""
    src_aspect = src_w / src_h
    tgt_aspect = target.width() / target.height()
    if src_aspect > tgt_aspect:
        w = src_h * tgt_aspect
        return QRectF((src_w - w) / 2, 0, w, src_h)
    h = src_w / tgt_aspect
    return QRectF(0, (src_h - h) / 2, src_w, h)


class PreviewWidget(QWidget):
    """Paints the composite at one time: visual layers, caption text, safe-zone overlay."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(160, 160)
        # Preferred across: the track view beside it is the one that takes spare width
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.format: PreviewFormat = format_by_id("reels")
        self.show_safe = True
        self.timeline: Timeline | None = None
        self.time = 0.0
        self.resolve: Callable[[str], Path | None] = lambda _id: None
        self.caption_style = None
        self._layers: list[QImage] = []
        self._caption = ""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(220, 260)

    def show_time(self, timeline: Timeline | None, t: float) -> None:
        """Decode the frames at `t` and repaint."""
        self.timeline, self.time = timeline, t
        self._layers, self._caption = self.compose(timeline, t)
        self.update()

    def compose(self, timeline: Timeline | None, t: float) -> tuple[list[QImage], str]:
        """Images of the visual clips playing at `t` (bottom first) and the caption text."""
        if timeline is None:
            return [], ""
        layers: list[QImage] = []
        caption = ""
        for track, clip in timeline.clips_at(t):
            if track.muted:
                continue
            if track.kind == "captions" and clip.text:
                caption = clip.text
            elif track.kind in VISUAL_TRACKS and clip.asset_id:
                path = self.resolve(clip.asset_id)
                if path is not None:
                    img = frame_at(path, clip.in_point + (t - clip.start) * clip.speed)
                    if not img.isNull():
                        layers.append(img)
        return layers, caption

    def frame_rect(self) -> QRectF:
        area = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        a = self.format.aspect
        if area.width() / max(area.height(), 1) > a:
            w = area.height() * a
            return QRectF(area.center().x() - w / 2, area.top(), w, area.height())
        h = area.width() / a
        return QRectF(area.left(), area.center().y() - h / 2, area.width(), h)

    def paintEvent(self, _event) -> None:  # noqa: N802, ANN001
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.fillRect(self.rect(), QColor("#101215"))
        frame = self.frame_rect()
        p.fillRect(frame, QColor("#000"))
        for img in self._layers:
            p.drawImage(frame, img, cover_rect(img.width(), img.height(), frame))
        if not self._layers:
            p.save()
            p.setPen(QColor("#6b7380"))
            box, font, text = self.empty_text(frame)
            p.setFont(font)
            p.drawText(box, EMPTY_FLAGS, text)
            p.restore()
        top, right, bottom, left = self.format.safe
        safe = frame.adjusted(frame.width() * left, frame.height() * top, -frame.width() * right, -frame.height() * bottom)
        if self._caption:
            self._paint_caption(p, frame, safe)
        if self.show_safe:
            shade = QPainterPath()
            shade.addRect(frame)
            inner = QPainterPath()
            inner.addRect(safe)
            p.fillPath(shade.subtracted(inner), QColor(239, 107, 107, 55))
            pen = QPen(QColor(239, 107, 107, 200), 1, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawRect(safe)
        metrics = QFontMetrics(p.font())
        text = self.caption_line(metrics, frame.width() - 12)
        if text:  # on a dark backing: grey text alone is lost on a bright picture
            w = min(metrics.horizontalAdvance(text) + 8, frame.width() - 8)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(0, 0, 0, 150))
            p.drawRoundedRect(QRectF(frame.right() - 6 - w + 4, frame.bottom() - 19, w, 18), 4, 4)
        p.setPen(QColor("#e5e7eb"))
        p.drawText(QRectF(frame.left() + 6, frame.bottom() - 18, frame.width() - 12, 16),
                   Qt.AlignmentFlag.AlignRight, text)
        p.end()

    def empty_text(self, frame: QRectF) -> tuple[QRectF, QFont, str]:
        """(box, font, text) of what the frame says when nothing is on the video track: the words
        wrapped inside the frame, in a smaller font or fewer words when it is narrow (a 9:16 frame
        in a short dock is ~120 px wide; the text used to run out of it)."""
        box = frame.adjusted(8, 8, -8, -24)  # clear of the time line at the bottom
        texts = (EMPTY_TEXT, EMPTY_SHORT) if self.timeline is not None else ("No timeline",)
        font = QFont(self.font())
        for text in texts:
            for size in range(max(font.pointSize(), 8), 6, -1):
                font.setPointSize(size)
                need = QFontMetrics(font).boundingRect(box.toRect(), int(EMPTY_FLAGS), text)
                if need.width() <= box.width() and need.height() <= box.height():
                    return box, font, text
        return box, font, ""

    def caption_line(self, metrics: QFontMetrics, width: float) -> str:
        """'1.25s  Instagram Reels 9:16', shortened to fit `width` px: a narrow 9:16 frame right-aligned
        the full line and cut its start ("agram Reels 9:16"); now the name goes first, then the time."""
        t = f"{self.time:.2f}s"
        name = self.format.label
        ratio = name.rsplit(" ", 1)[-1] if ":" in name else name
        for text in (f"{t}  {name}", f"{t}  {ratio}", ratio, t):
            if metrics.horizontalAdvance(text) <= width:
                return text
        return metrics.elidedText(t, Qt.TextElideMode.ElideRight, int(max(width, 0)))

    def _paint_caption(self, p: QPainter, frame: QRectF, safe: QRectF) -> None:
        style = self.caption_style
        size_px = (style.size if style else 72) * frame.width() / 1080
        font = QFont(style.font if style else "DejaVu Sans")
        font.setPixelSize(max(int(size_px), 8))
        font.setBold(True)
        p.setFont(font)
        text = self._caption.upper() if style and style.uppercase else self._caption
        position = style.position if style else "bottom"
        h = size_px * 2.6
        y = {"top": safe.top(), "middle": safe.center().y() - h / 2, "bottom": safe.bottom() - h}[position]
        box = QRectF(safe.left(), y, safe.width(), h)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        p.setPen(QColor(style.outline_color if style else "#000"))
        o = max(size_px / 20, 1.0)
        for dx, dy in ((-o, 0), (o, 0), (0, -o), (0, o)):
            p.drawText(box.translated(dx, dy), flags, text)
        p.setPen(QColor(style.color if style else "#fff"))
        p.drawText(box, flags, text)
