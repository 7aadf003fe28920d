"""A narration take's waveform with its words marked (the Voice page shows the selected take)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from . import theme
from .media import audio_peaks

PEAKS = 600


def wav_peaks(path: Path, n: int = PEAKS) -> tuple[np.ndarray, float]:
    """(n max-abs peaks in 0..1, duration in seconds) of a take (see media.audio_peaks)."""
    return audio_peaks(path, n)


#: px between two word labels; a label that would come closer is skipped (shown on hover)
LABEL_GAP = 4
LABEL_H = 18


def word_label_layout(words: list[dict], left: float, scale: float, metrics: QFontMetrics) -> list[bool]:
    """For each word, whether its label is drawn: greedily left to right, a label is skipped when it
    would overlap the last one drawn (fast speech packs words closer than their text is wide)."""
    shown: list[bool] = []
    right_edge = -1e9
    for w in words:
        x = left + float(w["start"]) * scale + 2
        if x >= right_edge + LABEL_GAP:
            shown.append(True)
            right_edge = x + metrics.horizontalAdvance(str(w["word"]))
        else:
            shown.append(False)
    return shown


class WaveformWidget(QWidget):
    """A narration's waveform with its words marked and a play position. Word labels that would
    collide are skipped; hovering a word shows it (highlighted, and as a tooltip with its times)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumHeight(110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.peaks = np.zeros(0, np.float32)
        self.duration = 0.0
        self.words: list[dict] = []
        self.position: float | None = None
        self.hovered: int | None = None

    def set_audio(self, peaks: np.ndarray, duration: float, words: list[dict]) -> None:
        self.peaks, self.duration, self.words = peaks, duration, words
        self.position = None
        self.hovered = None
        self.update()

    def _area(self) -> QRectF:
        return QRectF(self.rect()).adjusted(1, 1, -1, -1)

    def _label_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSize(8)
        return font

    def shown_labels(self) -> list[bool]:
        """Which word labels are drawn at the current width (see word_label_layout)."""
        if self.duration <= 0:
            return [False] * len(self.words)
        r = self._area()
        return word_label_layout(self.words, r.left(), r.width() / self.duration, QFontMetrics(self._label_font()))

    def word_at(self, x: float) -> int | None:
        """Index of the word spoken at widget x (None between words)."""
        if self.duration <= 0 or not self.words:
            return None
        r = self._area()
        t = (x - r.left()) / (r.width() / self.duration)
        for i, w in enumerate(self.words):
            if float(w["start"]) <= t <= max(float(w["end"]), float(w["start"]) + 0.05):
                return i
        return None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        i = self.word_at(event.position().x())
        if i != self.hovered:
            self.hovered = i
            self.update()
        if i is None:
            QToolTip.hideText()
        else:
            w = self.words[i]
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{w['word']}  ({float(w['start']):.2f}–{float(w['end']):.2f} s)", self)

    def leaveEvent(self, _event) -> None:  # noqa: N802, ANN001
        if self.hovered is not None:
            self.hovered = None
            self.update()

    def paintEvent(self, _e) -> None:  # noqa: N802, ANN001
        p = QPainter(self)
        c = theme.colors()
        r = self._area()
        p.fillRect(r, QColor(c["base"]))
        if self.duration <= 0 or self.peaks.size == 0:
            p.setPen(QColor(c["muted"]))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, "Pick a narration take to see its waveform and words.")
            return
        wave_r = r.adjusted(0, LABEL_H + 4, 0, 0)
        mid = wave_r.center().y()
        step = wave_r.width() / self.peaks.size
        p.setPen(QPen(QColor(c["good"]), max(step * 0.7, 1)))
        for i, v in enumerate(self.peaks):
            x = wave_r.left() + (i + 0.5) * step
            h = float(v) * wave_r.height() * 0.48
            p.drawLine(int(x), int(mid - h), int(x), int(mid + h))
        scale = r.width() / self.duration
        p.setFont(self._label_font())
        metrics = QFontMetrics(p.font())
        shown = word_label_layout(self.words, r.left(), scale, metrics)
        for i, w in enumerate(self.words):
            x = r.left() + float(w["start"]) * scale
            hovered = i == self.hovered
            p.setPen(QPen(QColor(c["accent"]), 2 if hovered else 1))
            p.drawLine(int(x), int(r.top() + LABEL_H), int(x), int(r.bottom()))
            if shown[i] and not hovered:
                p.setPen(QColor(c["text"]))
                p.drawText(QRectF(x + 2, r.top(), metrics.horizontalAdvance(str(w["word"])) + 2, LABEL_H),
                           Qt.AlignmentFlag.AlignLeft, str(w["word"]))
        if self.hovered is not None and self.hovered < len(self.words):
            # the hovered word on top of its neighbours, on a plate so it reads even where labels were skipped
            w = self.words[self.hovered]
            text = str(w["word"])
            x = min(r.left() + float(w["start"]) * scale, r.right() - metrics.horizontalAdvance(text) - 6)
            plate = QRectF(x, r.top(), metrics.horizontalAdvance(text) + 6, LABEL_H)
            p.fillRect(plate, QColor(c["accent"]))
            p.setPen(QColor(c["base"]))
            p.drawText(plate, Qt.AlignmentFlag.AlignCenter, text)
        if self.position is not None:
            x = r.left() + self.position * scale
            p.setPen(QPen(QColor(c["bad"]), 2))
            p.drawLine(int(x), int(r.top()), int(x), int(r.bottom()))
