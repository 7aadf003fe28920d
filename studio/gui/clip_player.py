"""A small looping video player for clip previews (QMediaPlayer + QVideoWidget).

A picked clip shows its first frame as a poster until Play (the video surface stays black until it
plays, and does not show in screenshots). QtMultimedia is imported at the first Play, so panels
that never play a clip do not pay for it (and tests without a media backend still build the panel).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from . import theme
from .media import frame_at
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
        self.surface = QStackedWidget()
        self.surface.setMinimumHeight(160)
        self.placeholder = label("Pick a clip to preview it.", "empty")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.poster = QLabel()
        self.poster.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.poster.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._poster_image = QPixmap()
        self.surface.addWidget(self.placeholder)
        self.surface.addWidget(self.poster)
        self._lay.addWidget(self.surface, 1)
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
        self.surface.addWidget(self.video)
        self.player = QMediaPlayer(self)
        self.player.setVideoOutput(self.video)
        self.player.playbackStateChanged.connect(self._state_changed)
        self._set_loops(self.loop.isChecked())

    def load(self, path: Path) -> None:
        """Show a clip: its first frame until Play."""
        self.source = Path(path)
        if self.player is not None:
            self.player.stop()
            self.player.setSource(QUrl.fromLocalFile(str(path)))
        img = frame_at(path, 0.0, max_size=1080)
        self._poster_image = QPixmap.fromImage(img) if not img.isNull() else QPixmap()
        self._show_poster()
        self.play_button.setEnabled(True)
        self.info.setText(self.source.name)

    def _show_poster(self) -> None:
        if self._poster_image.isNull():
            self.surface.setCurrentWidget(self.placeholder)
            return
        self.poster.setPixmap(self._poster_image.scaled(self.surface.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                        Qt.TransformationMode.SmoothTransformation))
        self.surface.setCurrentWidget(self.poster)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        if self.surface.currentWidget() is self.poster:
            self._show_poster()

    def _set_loops(self, on: bool) -> None:
        if self.player is not None:
            from PySide6.QtMultimedia import QMediaPlayer  # noqa: PLC0415

            self.player.setLoops(QMediaPlayer.Loops.Infinite if on else 1)

    def toggle(self) -> None:
        if self.source is None:
            return
        if self.player is None:
            self._ensure()
            self.player.setSource(QUrl.fromLocalFile(str(self.source)))
        self.surface.setCurrentWidget(self.video)
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
