"""A small looping video player for clip previews (QMediaPlayer + QVideoWidget).

QtMultimedia is imported when the first clip is loaded, so panels that never show a clip do not
pay for it (and tests without a media backend still build the panel).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from . import theme
from .widgets import button, label


class ClipPlayer(QWidget):
    """Video surface with Play/Pause and Loop."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.player = None
        self.video = None
        self.source: Path | None = None
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self.placeholder = label("Pick a clip to preview it.", "empty")
        self.placeholder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._lay.addWidget(self.placeholder, 1)
        row = QHBoxLayout()
        self.play_button = button("Play", icon=theme.icon("play"))
        self.play_button.clicked.connect(self.toggle)
        self.play_button.setEnabled(False)
        row.addWidget(self.play_button)
        self.loop = QCheckBox("Loop")
        self.loop.setChecked(True)
        self.loop.toggled.connect(self._set_loops)
        row.addWidget(self.loop)
        self.info = label("", "muted")
        row.addWidget(self.info, 1)
        self._lay.addLayout(row)

    def _ensure(self) -> None:
        if self.player is not None:
            return
        from PySide6.QtMultimedia import QMediaPlayer  # noqa: PLC0415 - only when a clip is shown
        from PySide6.QtMultimediaWidgets import QVideoWidget  # noqa: PLC0415

        self.video = QVideoWidget()
        self.video.setMinimumHeight(240)
        self._lay.replaceWidget(self.placeholder, self.video)
        self.placeholder.hide()
        self.player = QMediaPlayer(self)
        self.player.setVideoOutput(self.video)
        self.player.playbackStateChanged.connect(self._state_changed)
        self._set_loops(self.loop.isChecked())

    def load(self, path: Path) -> None:
        """Show a clip (paused on its first frame)."""
        self._ensure()
        self.source = Path(path)
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.play_button.setEnabled(True)
        self.info.setText(self.source.name)

    def _set_loops(self, on: bool) -> None:
        if self.player is not None:
            from PySide6.QtMultimedia import QMediaPlayer  # noqa: PLC0415

            self.player.setLoops(QMediaPlayer.Loops.Infinite if on else 1)

    def toggle(self) -> None:
        if self.player is None:
            return
        from PySide6.QtMultimedia import QMediaPlayer  # noqa: PLC0415

        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop()

    def _state_changed(self, state) -> None:  # noqa: ANN001
        from PySide6.QtMultimedia import QMediaPlayer  # noqa: PLC0415

        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setText("Pause" if playing else "Play")
        self.play_button.setIcon(theme.icon("pause" if playing else "play"))
