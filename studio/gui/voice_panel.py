"""Voice: write a script, pick a voice, narrate as a job, play takes with their waveform and words."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from studio.actions.voice import voice_choices, word_timings
from studio.core.errors import StudioError
from studio.core.models import ModelStore

from . import playback, theme
from .errors import show_error
from .lipsync_box import LipSyncBox
from .media import audio_peaks
from .playback import NO_AUDIO
from .session import ProjectSession
from .voice_settings import VoiceSamplesBox, VoiceSettingsBox
from .widgets import button, label, scrolling
from .words_box import WordsBox
from .workers import JobController

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
        self.setMinimumHeight(140)
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


class VoicePanel(QWidget):
    """Script editor, voice picker, narrate button, takes list with waveform and playback."""

    title = "Voice"

    def __init__(self, session: ProjectSession, jobs: JobController, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.player = None
        # script and takes on the left; the voice, its settings and samples in a column on the right
        # (side by side: the page shares its height with the timeline dock)
        page = QHBoxLayout(self)
        page.setContentsMargins(16, 14, 16, 14)
        lay = QVBoxLayout()
        page.addLayout(lay, 1)
        lay.addWidget(label("Voice", "title"))
        lay.addWidget(label("Script", "heading"))
        self.script = QPlainTextEdit()
        self.script.setPlaceholderText("Write what the persona says, e.g.\n\nHey everyone! Today I'm trying the new café downtown.")
        self.script.setMinimumHeight(70)
        lay.addWidget(self.script, 2)
        self.write_button = button("Write with the assistant…", icon=theme.icon("caption"),
                                   tip="Draft a script from a topic, at the persona's speaking rate")
        self.write_button.clicked.connect(self.open_writer)
        lay.addWidget(self.write_button, 0, Qt.AlignmentFlag.AlignLeft)
        form_box = QWidget()
        side = QVBoxLayout(form_box)
        side.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        side.addLayout(form)
        self.voice = QComboBox()
        self.speed = QDoubleSpinBox()
        self.speed.setRange(0.5, 2.0)
        self.speed.setSingleStep(0.05)
        self.speed.setValue(1.0)
        form.addRow("Voice", self.voice)
        form.addRow("Speed", self.speed)
        self.narrate_button = button("Narrate", "primary", theme.icon("voice"))
        self.narrate_button.clicked.connect(self.start_narration)
        form.addRow("", self.narrate_button)
        self.settings_box = VoiceSettingsBox(session, lambda: (self.voice.currentData(), self.speed.value()))
        side.addWidget(self.settings_box)
        # a picked voice names its engine (Kokoro, Piper, a clone model)
        self.voice.currentIndexChanged.connect(lambda _i: self.settings_box.follow_voice(self.voice.currentData()))
        self.voice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.voice.setMinimumContentsLength(12)
        self.samples_box = VoiceSamplesBox(session)
        side.addWidget(self.samples_box)
        side.addStretch(1)
        form_box.setFixedWidth(330)
        page.addWidget(scrolling(form_box))
        lay.addWidget(label("Takes", "heading"))
        takes = QHBoxLayout()
        self.takes = QListWidget()
        self.takes.setFixedWidth(220)
        self.takes.currentItemChanged.connect(lambda *_: self.show_take())
        takes.addWidget(self.takes)
        right = QVBoxLayout()
        self.waveform = WaveformWidget()
        right.addWidget(self.waveform)
        row = QHBoxLayout()
        self.play_button = button("Play", icon=theme.icon("play"))
        self.stop_button = button("Stop", icon=theme.icon("stop"))
        self.play_button.clicked.connect(self.play)
        self.stop_button.clicked.connect(self.stop)
        row.addWidget(self.play_button)
        row.addWidget(self.stop_button)
        self.take_info = label("", "muted", wrap=True)
        row.addWidget(self.take_info, 1)
        right.addLayout(row)
        self.lipsync = LipSyncBox(session, jobs, self.selected_take)
        right.addWidget(self.lipsync)
        self.words_box = WordsBox(session, jobs, self.selected_take)
        right.addWidget(self.words_box)
        right.addStretch(1)
        takes.addLayout(right, 1)
        lay.addLayout(takes, 5)
        self.position_timer = QTimer(self)
        self.position_timer.setInterval(50)
        self.position_timer.timeout.connect(self._tick)
        session.opened.connect(lambda _p: self.refresh())
        session.changed.connect(lambda what: what in ("assets", "persona") and self.refresh())
        self.refresh()

    def _voices(self) -> list[dict]:
        """Every voice of every engine (Kokoro first), as `studio voice list` shows them."""
        return voice_choices(ModelStore(self.session.settings))

    def refresh(self) -> None:
        p = self.session.project
        if self.voice.count() == 0:
            for v in self._voices():
                words = v["label"] + ("" if v["installed"] else "  (download in Tools ▸ Models)")
                self.voice.addItem(words, v["id"])
                self.voice.setItemData(self.voice.count() - 1,
                                       f"{v['engine']} · {v['licence']}"
                                       + ("" if v["commercial_use"] else " · no commercial use"),
                                       Qt.ItemDataRole.ToolTipRole)
        if p is not None:
            idx = self.voice.findData(p.persona.voice.voice_id)
            if idx >= 0:
                self.voice.setCurrentIndex(idx)
            self.speed.setValue(p.persona.voice.speed)
        current = self.takes.currentItem().data(Qt.ItemDataRole.UserRole) if self.takes.currentItem() else None
        self.takes.clear()
        for a in reversed(p.assets_of("narration") if p else []):
            dur = a.provenance.scores.get("duration_s")
            item = QListWidgetItem(f"{a.label or a.id}" + (f"  ({dur:.1f} s)" if dur else ""))
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            self.takes.addItem(item)
            if a.id == current:
                self.takes.setCurrentItem(item)
        if self.takes.currentItem() is None and self.takes.count():
            self.takes.setCurrentRow(0)
        self.narrate_button.setEnabled(p is not None and not p.read_only)

    def open_writer(self):  # noqa: ANN201 - the WriterDialog, or None without a project
        from .writer_dialog import open_writer  # noqa: PLC0415

        return open_writer(self, self.session, self.script)

    def params(self) -> dict:
        """The narrate job's parameters (see studio/actions/voice.py)."""
        return {"text": self.script.toPlainText(), "voice_id": self.voice.currentData(), "speed": self.speed.value()}

    def start_narration(self) -> str | None:
        p = self.session.project
        if p is None:
            return None
        text = self.script.toPlainText().strip()
        if not text:
            show_error(self, StudioError("Write the script first: the words the persona should say."))
            return None
        words = text.split()
        title = "Narrate: " + " ".join(words[:5]) + ("…" if len(words) > 5 else "")
        return self.jobs.start(p, "narrate", self.params(), title)

    def selected_take(self) -> str | None:
        """The narration asset id picked in Takes."""
        item = self.takes.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def selected_path(self) -> Path | None:
        item = self.takes.currentItem()
        p = self.session.project
        return p.asset_path(item.data(Qt.ItemDataRole.UserRole)) if item and p else None

    def show_take(self) -> None:
        item = self.takes.currentItem()
        p = self.session.project
        if hasattr(self, "lipsync"):
            self.lipsync.show_take()
        if hasattr(self, "words_box"):
            self.words_box.show_take()
        if item is None or p is None:
            self.waveform.set_audio(np.zeros(0, np.float32), 0.0, [])
            return
        aid = item.data(Qt.ItemDataRole.UserRole)
        try:
            peaks, duration = wav_peaks(p.asset_path(aid))
            words = word_timings(p, aid)
        except (OSError, wave.Error, StudioError) as e:
            self.take_info.setText(f"Cannot read this take: {e}")
            return
        self.waveform.set_audio(peaks, duration, words)
        a = p.asset(aid)
        self.take_info.setText(f"{a.provenance.engine or ''} — {len(words)} words — \"{a.provenance.parameters.get('text', '')[:120]}\"")

    def play(self) -> None:
        path = self.selected_path()
        if path is None:
            return
        if not playback.audio_output_available():
            self.take_info.setText(NO_AUDIO.replace("playing without sound", "the take cannot be heard here"))
            return
        try:
            if self.player is None:
                from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer  # noqa: PLC0415

                self._audio_out = QAudioOutput(self)
                self.player = QMediaPlayer(self)
                self.player.setAudioOutput(self._audio_out)
            self.player.setSource(QUrl.fromLocalFile(str(path)))
            self.player.play()
            self.position_timer.start()
        except Exception as e:  # noqa: BLE001 - no audio device
            show_error(self, e)

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop()
        self.position_timer.stop()
        self.waveform.position = None
        self.waveform.update()

    def _tick(self) -> None:
        if self.player is None:
            return
        self.waveform.position = self.player.position() / 1000.0
        self.waveform.update()
