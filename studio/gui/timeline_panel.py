"""The timeline dock: track view, preview, and the edit / playback toolbar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.timeline import AddClip, Clip, EditCommand, RemoveClip, SplitClip, Timeline

from . import playback, theme
from .errors import show_error
from .formats import FORMATS
from .media import duration_of
from .playback import NO_AUDIO, AudioFollower, PlaybackClock, has_audio
from .session import ProjectSession
from .timeline_preview import PreviewWidget
from .timeline_view import LANE, RULER, TrackView
from .widgets import EmptyState, button, label

CAPTION_SECONDS = 2.0
#: QSettings key of the user's track/preview split
SPLIT_KEY = "timeline/split"


class TrackSplit(QSplitter):
    """Tracks on the left, preview on the right. The first time it is laid out at a real width it
    gives the tracks the room (the preview alone wanted everything: the tracks opened 50 px wide,
    labels cut to "Overl", no clip in sight); after that it keeps what the user dragged, remembered
    in `ui_state` (the window's QSettings) across sessions."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)
        self.ui_state = None  # QSettings, set by the window
        self._placed = False
        self.splitterMoved.connect(lambda _pos, _i: self._remember())

    def default_sizes(self, total: int) -> list[int]:
        """Tracks get what the preview (a 9:16 frame at the split's height) does not need."""
        preview = int(min(max(self.height() * 9 / 16 + 24, 200), total * 0.34))
        return [total - preview, preview]

    def place(self) -> None:
        """Restore the remembered split, or lay out the default one (tracks first)."""
        total = self.width() - self.handleWidth()
        if total <= 0:
            return
        self._placed = True
        state = self.ui_state.value(SPLIT_KEY) if self.ui_state is not None else None
        if isinstance(state, QByteArray) and self.restoreState(state):
            sizes = self.sizes()
            if sizes and sizes[0] >= 0.3 * total:
                return
        self.setSizes(self.default_sizes(total))

    def _remember(self) -> None:
        if self.ui_state is not None:
            self.ui_state.setValue(SPLIT_KEY, self.saveState())

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        if not self._placed and self.isVisible():
            self.place()

    def showEvent(self, event) -> None:  # noqa: N802, ANN001
        super().showEvent(event)
        if not self._placed:
            self.place()


def tool(icon: str, tip: str, shortcut: str = "") -> QToolButton:
    b = QToolButton()
    b.setIcon(theme.icon(icon))
    b.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
    return b


class TimelinePanel(QWidget):
    """Edits the project's first timeline through the session's undo stack."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.timeline_id: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 6)
        bar = QHBoxLayout()
        self.play_button = tool("play", "Play / pause", "Space")
        self.split_button = tool("split", "Split the selected clip at the playhead", "S")
        self.delete_button = tool("delete", "Delete the selected clip", "Del")
        self.caption_button = tool("caption", "Add a caption at the playhead", "C")
        self.zoom_in = tool("add", "Zoom in (Ctrl+wheel)")
        self.zoom_out = QToolButton()
        self.zoom_out.setText("–")
        self.zoom_out.setToolTip("Zoom out (Ctrl+wheel)")
        self.format = QComboBox()
        for f in FORMATS:
            self.format.addItem(f.label, f.id)
        self.format.setCurrentIndex(max(self.format.findData("reels"), 0))
        self.safe = QCheckBox("Safe zone")
        self.safe.setChecked(True)
        for w in (self.play_button, self.split_button, self.delete_button, self.caption_button, self.zoom_out, self.zoom_in):
            bar.addWidget(w)
        self.notice = label("", "badge-warn")  # e.g. no sound device while playing
        bar.addWidget(self.notice)
        bar.addStretch(1)
        bar.addWidget(self.format)
        bar.addWidget(self.safe)
        lay.addLayout(bar)

        self.stack = QStackedWidget()
        self.create_button = button("Create a timeline", "primary", theme.icon("timeline"))
        self.empty = EmptyState("This persona has no timeline yet. A timeline lays out video, "
                                "narration, music and captions for one post.", self.create_button)
        self.no_project = EmptyState("Open a persona to edit its timeline.")
        self.split = TrackSplit()
        self.view = TrackView()
        self.preview = PreviewWidget()
        self.split.addWidget(self.view)
        self.split.addWidget(self.preview)
        for w in (self.no_project, self.empty, self.split):
            self.stack.addWidget(w)
        lay.addWidget(self.stack, 1)

        self.view.asset_info = self._asset_info
        self.preview.resolve = self._resolve
        self.view.edit_requested.connect(self.apply)
        self.view.playhead_moved.connect(self._on_playhead)
        self.create_button.clicked.connect(self.create_timeline)
        self.play_button.clicked.connect(self.toggle_play)
        self.split_button.clicked.connect(self.split_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.caption_button.clicked.connect(self.add_caption_prompt)
        self.zoom_in.clicked.connect(lambda: self.view.set_zoom(self.view.pps * 1.25))
        self.zoom_out.clicked.connect(lambda: self.view.set_zoom(self.view.pps / 1.25))
        self.format.currentIndexChanged.connect(self._format_changed)
        self.safe.toggled.connect(self._safe_toggled)
        for key, fn in (("Space", self.toggle_play), ("S", self.split_selected),
                        ("Delete", self.delete_selected), ("C", self.add_caption_prompt)):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)

        self.clock = PlaybackClock(self)
        self.clock.tick.connect(self._on_tick)
        self.clock.stopped.connect(self._on_stopped)
        self.audio: AudioFollower | None = None
        self._pending = False
        session.opened.connect(lambda _p: self.reload())
        session.changed.connect(lambda what: what in ("timelines", "assets", "persona") and self.schedule_reload())
        self.reload()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Tall enough for the toolbar, the ruler and every lane of a new timeline."""
        hint = super().sizeHint()
        m = self.layout().contentsMargins()
        lanes = RULER + LANE * len(Timeline.empty().tracks) + 2 * self.view.frameWidth()
        scrollbar = self.view.horizontalScrollBar().sizeHint().height()
        bar = self.layout().itemAt(0).sizeHint().height()
        return QSize(hint.width(), m.top() + m.bottom() + bar + self.layout().spacing() + lanes + scrollbar)

    # -- model
    def current(self) -> Timeline | None:
        p = self.session.project
        if p is None or not p.data.timelines:
            return None
        try:
            return p.timeline(self.timeline_id)
        except StudioError:
            return p.data.timelines[0]

    def _asset_info(self, asset_id: str) -> tuple[str, str, float | None] | None:
        p = self.session.project
        if p is None:
            return None
        try:
            a = p.asset(asset_id)
        except StudioError:
            return None
        return (a.label or a.id, a.kind, duration_of(p.asset_path(a)))

    def _resolve(self, asset_id: str) -> Path | None:
        p = self.session.project
        try:
            return p.asset_path(asset_id) if p else None
        except StudioError:
            return None

    def schedule_reload(self) -> None:
        """Rebuild after the current event (never inside a clip item's own mouse handler)."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.reload)

    def reload(self) -> None:
        self._pending = False
        p = self.session.project
        tl = self.current()
        self.timeline_id = tl.id if tl else None
        self.session.undo.set_timeline(self.timeline_id)  # Edit ▸ Undo acts on the shown timeline
        if p is None:
            self.stack.setCurrentWidget(self.no_project)
        elif tl is None:
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.split)
            self.preview.caption_style = p.persona.caption_style
        self.view.set_timeline(tl)
        self.preview.show_time(tl, self.view.playhead)

    # -- edits
    def create_timeline(self) -> None:
        p = self.session.project
        if p is None:
            return
        tl = Timeline.empty()
        p.put_timeline(tl)
        self.timeline_id = tl.id
        self.reload()

    def apply(self, cmd: EditCommand) -> None:
        if self.timeline_id is None:
            return
        try:
            self.session.edit_timeline(self.timeline_id, cmd)
        except StudioError as e:
            show_error(self, e)

    def split_selected(self) -> None:
        tl, cid = self.current(), self.view.selected_clip_id()
        if tl is None or cid is None:
            return
        try:
            self.apply(SplitClip.at(tl, cid, self.view.playhead))
        except StudioError as e:
            show_error(self, e)

    def delete_selected(self) -> None:
        cid = self.view.selected_clip_id()
        if cid is not None:
            self.apply(RemoveClip(clip_id=cid))

    def add_caption_prompt(self) -> None:
        if self.current() is None:
            return
        text, ok = QInputDialog.getText(self, "Add caption", "Caption text:")
        if ok and text.strip():
            self.add_caption(text.strip())

    def add_caption(self, text: str, seconds: float = CAPTION_SECONDS) -> None:
        tl = self.current()
        if tl is None:
            return
        clip = Clip(start=self.view.playhead, out_point=seconds, text=text)
        self.apply(AddClip(track=tl.track("captions").id, clip=clip, label="Add caption"))

    # -- preview and playback
    def _on_playhead(self, t: float) -> None:
        self.preview.show_time(self.current(), t)
        if self.clock.playing:
            self.clock.play(t, self.clock.end)
            self._follow_audio(t, start=True)

    def _format_changed(self) -> None:
        from .formats import format_by_id

        self.preview.format = format_by_id(self.format.currentData())
        self.preview.update()

    def _safe_toggled(self, on: bool) -> None:
        self.preview.show_safe = on
        self.preview.update()

    def toggle_play(self) -> None:
        tl = self.current()
        if tl is None:
            return
        if self.clock.playing:
            self.clock.stop()
            return
        start = self.view.playhead if self.view.playhead < tl.duration else 0.0
        silent = has_audio(tl) and not playback.audio_output_available()
        self.notice.setText(NO_AUDIO if silent else "")  # the playhead moves, but say why it is quiet
        self.clock.play(start, max(tl.duration, 0.1))
        self.play_button.setIcon(theme.icon("pause"))
        self._follow_audio(start, start=True)

    def _follow_audio(self, t: float, start: bool = False) -> None:
        tl = self.current()
        if tl is None:
            return
        try:
            if self.audio is None:
                self.audio = AudioFollower(self._resolve)
            self.audio.follow(tl, t, start=start)
        except Exception:  # noqa: BLE001 - no audio device: play silently rather than fail
            self.audio = None

    def _on_tick(self, t: float) -> None:
        self.view.set_playhead(t, emit=False)
        self.preview.show_time(self.current(), t)
        self._follow_audio(t)

    def _on_stopped(self) -> None:
        self.play_button.setIcon(theme.icon("play"))
        if self.audio is not None:
            self.audio.stop()


class TimelineDock(QDockWidget):
    """The timeline panel in a dock at the bottom of the window."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None, ui_state=None):  # noqa: ANN001
        super().__init__("Timeline", parent)
        self.setObjectName("TimelineDock")
        self.panel = TimelinePanel(session)
        self.panel.split.ui_state = ui_state  # QSettings: the split the user chose is kept
        self.setWidget(self.panel)
