"""The persona's voice settings and cloning samples (what `studio voice set|sample|show` change)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from studio.actions.voice import add_voice_sample, set_voice, voice_engine
from studio.core.errors import StudioError
from studio.core.models import ModelStore

from . import theme
from .errors import show_error
from .file_dialogs import open_file
from .session import ProjectSession
from .widgets import button, label

#: voice character presets (pipelines/tts/voice_character.py); the pitch and formant rows show the numbers
CHARACTER_WORDS = {"none": "As spoken", "female": "Female", "male": "Male", "custom": "Custom"}
ENGINE_WORDS = {"piper": "Piper (offline voices)", "kokoro": "Kokoro-82M (downloadable voices)",
                "chatterbox": "Chatterbox (clone, commercial use OK)",
                "xtts": "XTTS-v2 (clone, non-commercial)"}
AUDIO_FILTER = "Audio (*.wav *.mp3 *.flac *.ogg *.m4a)"


class VoiceSettingsBox(QGroupBox):
    """Engine, variation, rhythm, language; Save writes them (with the Voice page's voice and speed)
    into the persona, as `studio voice set` does. `current_voice()` gives the page's (voice id, speed)."""

    def __init__(self, session: ProjectSession, current_voice, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__("Persona's voice", parent)
        self.session = session
        self.current_voice = current_voice
        form = QFormLayout(self)
        self.engine = QComboBox()
        for key, words in ENGINE_WORDS.items():
            self.engine.addItem(words, key)
        self.engine.currentIndexChanged.connect(lambda _i: self._engine_changed())
        self.engine.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.engine.setMinimumContentsLength(14)  # the long engine names must not widen the column
        form.addRow("Engine", self.engine)
        self.noise_scale = QDoubleSpinBox()
        self.noise_scale.setRange(0.0, 2.0)
        self.noise_scale.setSingleStep(0.05)
        self.noise_scale.setDecimals(3)
        self.noise_scale.setToolTip("Piper's voice variation (noise scale); 0.667 is the voice's default")
        form.addRow("Variation", self.noise_scale)
        self.noise_w = QDoubleSpinBox()
        self.noise_w.setRange(0.0, 2.0)
        self.noise_w.setSingleStep(0.05)
        self.noise_w.setDecimals(3)
        self.noise_w.setToolTip("Piper's rhythm variation (noise w); 0.8 is the voice's default")
        form.addRow("Rhythm", self.noise_w)
        self.language = QLineEdit()
        self.language.setToolTip("Language code for XTTS, e.g. en, de, fr")
        form.addRow("Language", self.language)
        self.exaggeration = QDoubleSpinBox()
        self.exaggeration.setRange(0.0, 2.0)
        self.exaggeration.setSingleStep(0.1)
        self.exaggeration.setToolTip("Chatterbox emotion: 0.5 neutral, higher is more expressive")
        form.addRow("Emotion", self.exaggeration)
        # the voice character: Praat's change gender on every narration, timing kept
        self.character = QComboBox()
        for key, words in CHARACTER_WORDS.items():
            self.character.addItem(words, key)
        self.character.setToolTip("Pitch and formant shift of every narration (Praat's change gender); "
                                  "word timings and lip-sync stay as spoken")
        self.character.activated.connect(lambda _i: self._preset())
        form.addRow("Character", self.character)
        self.pitch = QLineEdit()
        self.pitch.setPlaceholderText("keep")
        self.pitch.setToolTip("New median pitch in Hz (e.g. 210), a shift in semitones (e.g. +3st), or empty to keep")
        form.addRow("Pitch", self.pitch)
        self.formant = QDoubleSpinBox()
        self.formant.setRange(0.5, 2.0)
        self.formant.setSingleStep(0.01)
        self.formant.setDecimals(2)
        self.formant.setToolTip("Formant shift ratio: 1 unchanged; 1.1–1.2 a smaller vocal tract (female), below 1 larger")
        form.addRow("Formants ×", self.formant)
        self.form = form
        self.save_button = button("Save as persona's voice", icon=theme.icon("voice"),
                                  tip="The voice, speed and these settings become the persona's (studio voice set)")
        self.save_button.clicked.connect(self.save)
        form.addRow("", self.save_button)
        self.saved = label("", "muted", wrap=True)
        form.addRow("", self.saved)
        session.follow(self.refresh, "persona")
        self.refresh()

    def _preset(self) -> None:
        """A character preset fills in its pitch and formant shift."""
        from pipelines.tts.voice_character import PRESETS

        ch = PRESETS.get(self.character.currentData())
        if ch is not None:
            self.pitch.setText(f"{ch.pitch_hz:g}" if ch.pitch_hz > 0 else "")
            self.formant.setValue(ch.formant_shift)

    def _show_character(self, v) -> None:  # noqa: ANN001 - VoiceSettings
        from pipelines.tts.voice_character import PRESETS

        self.pitch.setText(f"{v.pitch_hz:g}" if v.pitch_hz > 0 else (f"{v.pitch_semitones:+g}st" if v.pitch_semitones else ""))
        self.formant.setValue(v.formant_shift)
        now = (v.formant_shift, v.pitch_hz, v.pitch_semitones, v.pitch_range)
        key = next((k for k, c in PRESETS.items() if (c.formant_shift, c.pitch_hz, c.pitch_semitones, c.pitch_range) == now),
                   "custom")
        self.character.setCurrentIndex(max(self.character.findData(key), 0))

    def _engine_changed(self) -> None:
        engine = self.engine.currentData()
        self.form.setRowVisible(self.language, engine == "xtts")
        self.form.setRowVisible(self.noise_scale, engine == "piper")
        self.form.setRowVisible(self.noise_w, engine == "piper")
        self.form.setRowVisible(self.exaggeration, engine == "chatterbox")

    def follow_voice(self, voice_id: str | None) -> None:
        """Show the engine that speaks the voice picked on the page."""
        if voice_id:
            self.engine.setCurrentIndex(max(self.engine.findData(voice_engine(voice_id)), 0))

    def refresh(self) -> None:
        p = self.session.project
        if p is not None:
            v = p.persona.voice
            self.engine.setCurrentIndex(max(self.engine.findData(v.engine), 0))
            self.noise_scale.setValue(v.noise_scale)
            self.noise_w.setValue(v.noise_w)
            self.language.setText(v.language)
            self.exaggeration.setValue(v.exaggeration)
            self._show_character(v)
            from studio.actions.voice import voice_character

            ch = voice_character(v)
            self.saved.setText(f"Now: {v.engine} / {v.voice_id}, speed {v.speed:.2f}"
                               + ("" if ch.neutral else f"; {ch.describe()}"))
        self._engine_changed()
        self.save_button.setEnabled(p is not None and not p.read_only)

    def save(self) -> dict | None:
        """Write the settings into the persona (BadInput etc. become a dialog); the new voice dict."""
        p = self.session.project
        if p is None:
            return None
        engine = self.engine.currentData()
        voice_id, speed = self.current_voice()
        if voice_id and voice_engine(voice_id) != engine:
            voice_id = None  # the engine's own default voice (or the persona's, if it is that engine's)
        try:
            return set_voice(p, ModelStore(self.session.settings), engine=engine, voice_id=voice_id, speed=speed,
                             noise_scale=self.noise_scale.value(), noise_w=self.noise_w.value(),
                             language=self.language.text().strip() or None,
                             exaggeration=self.exaggeration.value() if engine == "chatterbox" else None,
                             character=None if self.character.currentData() == "custom" else self.character.currentData(),
                             pitch=self.pitch.text().strip() or "keep", formant_shift=self.formant.value())
        except StudioError as e:
            show_error(self, e)
            return None


class VoiceSamplesBox(QGroupBox):
    """The recordings XTTS clones the voice from; Add sample… imports one (`studio voice sample`)."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__("Cloning samples", parent)
        self.session = session
        lay = QVBoxLayout(self)
        lay.addWidget(label("6–30 s of clean speech each; Chatterbox and XTTS-v2 clone the voice from them.", "muted", wrap=True))
        self.list = QListWidget()
        self.list.setFixedHeight(72)
        lay.addWidget(self.list)
        self.add_button = button("Add sample…", icon=theme.icon("add"))
        self.add_button.clicked.connect(self._browse)
        lay.addWidget(self.add_button)
        session.follow(self.refresh, "persona")
        self.refresh()

    def refresh(self) -> None:
        p = self.session.project
        self.list.clear()
        for s in (p.persona.voice.reference_samples if p else []):
            self.list.addItem(Path(s).name)
        if p is not None and not p.persona.voice.reference_samples:
            self.list.addItem("(none yet)")
        self.add_button.setEnabled(p is not None and not p.read_only)

    def _browse(self) -> None:
        path = open_file(self, "A recording of the voice", "", AUDIO_FILTER)
        if path:
            self.add(path)

    def add(self, path: str | Path) -> str | None:
        """Import `path` as a cloning sample; the new asset id, or None (the reason is shown)."""
        p = self.session.project
        if p is None:
            return None
        try:
            return add_voice_sample(p, path).id
        except StudioError as e:
            show_error(self, e)
            return None
