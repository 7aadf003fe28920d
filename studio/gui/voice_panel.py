"""Voice: write a script, pick a voice, narrate as a job, play takes with their waveform and words."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.actions.voice import voice_choices, word_timings
from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.models import ModelStore
from studio.core.text import short_title

from . import playback, theme
from .errors import show_error
from .job_runner import JobRunner
from .licence_gate import grey_refused, persona_store
from .lipsync_box import LipSyncBox
from .playback import NO_AUDIO
from .session import ProjectSession
from .voice_settings import VoiceSamplesBox, VoiceSettingsBox
from .waveform import WaveformWidget, wav_peaks, word_label_layout  # noqa: F401 - the page's parts
from .widgets import button, label, scrolling
from .words_box import WordsBox
from .workers import JobController


class VoicePanel(QWidget):
    """Script editor, voice picker, narrate button, takes list with waveform and playback."""

    title = "Voice"

    def __init__(self, session: ProjectSession, jobs: JobController, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.player = None
        # script and takes on the left (scrolling when the window is short: the page shares its
        # height with the timeline dock); the voice, its settings and samples in a column on the right
        page = QHBoxLayout(self)
        page.setContentsMargins(16, 14, 16, 14)
        page.setSpacing(16)
        left_w = QWidget()
        lay = QVBoxLayout(left_w)
        lay.setContentsMargins(0, 0, 6, 0)
        left = QScrollArea()
        left.setWidget(left_w)
        left.setWidgetResizable(True)
        left.setFrameShape(QFrame.Shape.NoFrame)
        left.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page.addWidget(left, 1)
        lay.addWidget(label("Voice", "title"))
        lay.addWidget(label("Script", "heading"))
        self.script = QPlainTextEdit()
        self.script.setPlaceholderText("Write what the persona says, e.g.\n\nHey everyone! Today I'm trying the new café downtown.")
        self.script.setFixedHeight(110)
        lay.addWidget(self.script)
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
        self.status = label("", "muted", wrap=True)
        side.addWidget(self.status)
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
        # the takes above their waveform (side by side they needed a 1000 px wide page)
        lay.addWidget(label("Takes", "heading"))
        self.takes = QListWidget()
        self.takes.setFixedHeight(76)
        self.takes.currentItemChanged.connect(lambda *_: self.show_take())
        lay.addWidget(self.takes)
        self.waveform = WaveformWidget()
        lay.addWidget(self.waveform)
        row = QHBoxLayout()
        self.play_button = button("Play", icon=theme.icon("play"))
        self.stop_button = button("Stop", icon=theme.icon("stop"))
        self.play_button.clicked.connect(self.play)
        self.stop_button.clicked.connect(self.stop)
        row.addWidget(self.play_button)
        row.addWidget(self.stop_button)
        self.take_info = label("", "muted", wrap=True)
        row.addWidget(self.take_info, 1)
        lay.addLayout(row)
        self.lipsync = LipSyncBox(session, jobs, self.selected_take)
        lay.addWidget(self.lipsync)
        self.words_box = WordsBox(session, jobs, self.selected_take)
        lay.addWidget(self.words_box)
        lay.addStretch(1)
        self.position_timer = QTimer(self)
        self.position_timer.setInterval(50)
        self.position_timer.timeout.connect(self._tick)
        self.runner = JobRunner(self, session, jobs, self.status, self._job_finished, self._update_state)
        session.follow(self.refresh, "assets", "persona")
        self.refresh()

    def _voices(self) -> list[dict]:
        """Every voice of every engine (Kokoro first), as `studio voice list` shows them."""
        return voice_choices(ModelStore(self.session.settings))

    def refresh(self) -> None:
        p = self.session.project
        safe_on = bool(p and p.persona.commercial_safe)
        if self.voice.count() and getattr(self, "_filled_safe", False) != safe_on:
            self.voice.clear()  # the commercial-safe switch moved: grey (or un-grey) the voices again
        if self.voice.count() == 0:
            self._filled_safe = safe_on
            voices = self._voices()
            for v in voices:
                words = v["label"] + ("" if v["installed"] else "  (download in Tools ▸ Models)")
                self.voice.addItem(words, v["id"])
                self.voice.setItemData(self.voice.count() - 1,
                                       f"{v['engine']} · {v['licence']}"
                                       + ("" if v["commercial_use"] else " · no commercial use"),
                                       Qt.ItemDataRole.ToolTipRole)
            from studio.core.licence_policy import voice_models

            grey_refused(self.voice, persona_store(ModelStore(self.session.settings), p),
                         {v["id"]: voice_models(v["engine"], v["id"])[0] for v in voices})
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
        self._update_state()

    def _update_state(self) -> None:
        p = self.session.project
        self.narrate_button.setEnabled(p is not None and not p.read_only and not self.runner.busy())

    def open_writer(self):  # noqa: ANN201 - the WriterDialog, or None without a project
        from .writer_dialog import open_writer  # noqa: PLC0415

        return open_writer(self, self.session, self.script)

    def params(self) -> dict:
        """The narrate job's parameters (see studio/actions/voice.py)."""
        return {"text": self.script.toPlainText(), "voice_id": self.voice.currentData(), "speed": self.speed.value()}

    def start_narration(self) -> str | None:
        """Start the narrate job (a refused script is said in a dialog, nothing starts)."""
        def prepare() -> tuple[dict, str]:
            text = self.script.toPlainText().strip()
            if not text:
                raise StudioError("Write the script first: the words the persona should say.")
            return self.params(), f"Narrate: {short_title(text, 36)}"

        return self.runner.start_checked("narrate", prepare, "Narrating…")

    def _job_finished(self, job: Job) -> None:
        self._update_state()
        if job.state != JobState.done:
            self.status.setText(f"Narration {job.state.value}" + (f": {job.error}" if job.error else ""))
            return
        new = (job.result.get("assets") or [None])[0]
        for i in range(self.takes.count()):  # the new take is the one shown
            if self.takes.item(i).data(Qt.ItemDataRole.UserRole) == new:
                self.takes.setCurrentRow(i)
        self.status.setText("New take ready: it is first under Takes.")

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
