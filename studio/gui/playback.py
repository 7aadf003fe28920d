"""Playback: a clock that moves the playhead, and audio players that follow it.

QtMultimedia is imported on the first Play so it costs nothing at start-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

from studio.core.timeline import Timeline

AUDIO_TRACKS = ("narration", "music")
NO_AUDIO = "No audio device found: playing without sound."


def audio_output_available() -> bool:
    """Whether the system has a sound output to play to (Qt lists none on a machine without one,
    and a player then plays silently)."""
    from PySide6.QtMultimedia import QMediaDevices  # noqa: PLC0415 - only when playing

    return bool(QMediaDevices.audioOutputs())


def has_audio(timeline: Timeline) -> bool:
    """Whether any unmuted audio track of `timeline` has a clip."""
    return any(t.kind in AUDIO_TRACKS and not t.muted and t.clips for t in timeline.tracks)


class PlaybackClock(QObject):
    """Moves time forward while playing; `tick(t)` ~25 times a second."""

    tick = Signal(float)
    stopped = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(40)
        self.timer.timeout.connect(self._advance)
        self._t0 = 0.0
        self._wall0 = 0.0
        self.end = 0.0

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def play(self, start: float, end: float) -> None:
        self._t0, self._wall0, self.end = start, time.monotonic(), end
        self.timer.start()

    def stop(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.stopped.emit()

    def now(self) -> float:
        return self._t0 + (time.monotonic() - self._wall0)

    def _advance(self) -> None:
        t = self.now()
        if t >= self.end:
            self.tick.emit(self.end)
            self.stop()
            return
        self.tick.emit(t)


class AudioFollower:
    """One media player per audio track, kept on the clip under the playhead."""

    def __init__(self, resolve: Callable[[str], Path | None]):
        self.resolve = resolve
        self._players: dict[str, tuple[object, object]] = {}
        self._current: dict[str, str | None] = {}

    def _player(self, track_id: str):
        if track_id not in self._players:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer  # noqa: PLC0415

            out = QAudioOutput()
            player = QMediaPlayer()
            player.setAudioOutput(out)
            self._players[track_id] = (player, out)
        return self._players[track_id][0]

    def follow(self, timeline: Timeline, t: float, start: bool = False) -> None:
        """Play each audio track's clip at `t` from the right position (re-seek on `start`)."""
        for track in timeline.tracks:
            if track.kind not in AUDIO_TRACKS or track.muted:
                continue
            clip = next((c for c in track.clips if c.start <= t < c.end and c.asset_id), None)
            key = clip.id if clip else None
            if not start and self._current.get(track.id) == key:
                continue
            self._current[track.id] = key
            player = self._player(track.id)
            player.stop()
            if clip is None:
                continue
            path = self.resolve(clip.asset_id)
            if path is None:
                continue
            player.setSource(QUrl.fromLocalFile(str(path)))
            player.setPosition(int((clip.in_point + (t - clip.start) * clip.speed) * 1000))
            player.setPlaybackRate(clip.speed)
            self._players[track.id][1].setVolume(min(clip.volume, 1.0))
            player.play()

    def stop(self) -> None:
        for player, _out in self._players.values():
            player.stop()
        self._current.clear()
