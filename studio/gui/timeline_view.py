"""The track view: lanes of clips you can move, trim by their handles, split and delete.

Every gesture ends in one of the core's reversible EditCommands, sent to `edit_requested`; the
view never changes the timeline itself, it is rebuilt from the project after each edit.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from studio.core.timeline import AddClip, Clip, EditCommand, ReplaceClip, Timeline, Track, snap_time

from . import theme
from .dragdrop import ASSET_MIME, asset_ids

HEADER = 96  # px of track names on the left
RULER = 24
LANE = 38  # five lanes and the ruler fit the dock's default height
HANDLE = 7  # px at each clip end that trims instead of moving
SNAP_PX = 8

TRACK_COLORS = {"video": "#3d6fa8", "overlay": "#6b5aa8", "narration": "#3f8f6a", "music": "#8a6a34", "captions": "#8a4a64"}
#: which asset kinds each track kind takes
ACCEPTS = {
    "video": ("still", "image", "clip"),
    "overlay": ("still", "image", "clip"),
    "narration": ("narration", "audio"),
    "music": ("music", "audio", "narration"),
    "captions": (),
}


class ClipItem(QGraphicsRectItem):
    """One clip on a lane; dragging its body moves it, dragging an end trims it."""

    def __init__(self, view: TrackView, track: Track, clip: Clip, y: float, label: str):
        super().__init__(0, 0, max(clip.duration * view.pps, 4), LANE - 8)
        self.view = view
        self.track = track
        self.clip = clip
        self.label = label
        self.setPos(HEADER + clip.start * view.pps, y + 4)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setBrush(QBrush(QColor(TRACK_COLORS.get(track.kind, "#555"))))
        self.setPen(QPen(QColor("#111"), 1))
        self.setToolTip(f"{label}\n{clip.start:.2f}s – {clip.end:.2f}s")
        self._mode = ""
        self._press_x = 0.0

    def paint(self, painter: QPainter, option, widget=None) -> None:  # noqa: ANN001
        r = self.rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = self.brush().color()
        painter.setBrush(color.lighter(135) if self.isSelected() else color)
        painter.setPen(QPen(QColor(theme.colors()["accent"]) if self.isSelected() else QColor("#111"), 2 if self.isSelected() else 1))
        painter.drawRoundedRect(r, 4, 4)
        painter.setBrush(QColor(255, 255, 255, 60))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRect(QRectF(r.left(), r.top(), HANDLE - 3, r.height()))
        painter.drawRect(QRectF(r.right() - HANDLE + 3, r.top(), HANDLE - 3, r.height()))
        painter.setPen(QColor("#f0f0f0"))
        text_rect = self.text_rect()
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, self.shown_text(painter.fontMetrics()))

    def text_rect(self) -> QRectF:
        """Where the label goes: inside the clip, clear of its trim handles (less when narrow)."""
        r = self.rect()
        pad = HANDLE if r.width() > 3 * HANDLE else 1
        return r.adjusted(pad + 1, 0, -pad, 0)

    def shown_text(self, metrics: QFontMetrics) -> str:
        """The label elided to the clip's width (the tooltip has it whole)."""
        width = int(self.text_rect().width())
        if width <= 0:
            return ""
        text = metrics.elidedText(self.label, Qt.TextElideMode.ElideRight, width)
        if text.strip("…"):
            return text
        # too narrow for a letter and "…": the first letters that fit say more than a lone "…"
        n = len(self.label)
        while n and metrics.horizontalAdvance(self.label[:n]) > width:
            n -= 1
        return self.label[:n]

    def _mode_at(self, x: float) -> str:
        w = self.rect().width()
        if x <= HANDLE and w > 3 * HANDLE:
            return "trim-left"
        if x >= w - HANDLE and w > 3 * HANDLE:
            return "trim-right"
        return "move"

    def hoverMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        mode = self._mode_at(event.pos().x())
        self.setCursor(Qt.CursorShape.SizeHorCursor if mode.startswith("trim") else Qt.CursorShape.OpenHandCursor)

    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001
        self._mode = self._mode_at(event.pos().x())
        self._press_x = event.scenePos().x()
        if not (event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.scene().clearSelection()
        self.setSelected(True)
        self.view.clip_selected.emit(self.clip.id)
        event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        after = self.edited(event.scenePos().x() - self._press_x)
        self.setPos(HEADER + after.start * self.view.pps, self.pos().y())
        self.setRect(0, 0, max(after.duration * self.view.pps, 4), LANE - 8)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802, ANN001
        dx = event.scenePos().x() - self._press_x
        after = self.edited(dx)
        if abs(dx) >= 1 and after != self.clip:
            labels = {"move": "Move clip", "trim-left": "Trim clip start", "trim-right": "Trim clip end"}
            self.view.edit_requested.emit(ReplaceClip(before=self.clip, after=after, label=labels[self._mode]))
        self._mode = ""

    def edited(self, dx: float) -> Clip:
        """The clip as it would be after dragging `dx` pixels in the current mode (snapped)."""
        c, pps = self.clip, self.view.pps
        snap = lambda t: self.view.snapped(t, exclude=c.id)  # noqa: E731
        limit = self.view.source_length(c)
        if self._mode == "trim-right":
            end = snap(c.end + dx / pps)
            out = c.in_point + max(end - c.start, 0.05) * c.speed
            if limit is not None:
                out = min(out, limit)
            return c.model_copy(update={"out_point": out})
        if self._mode == "trim-left":
            start = snap(c.start + dx / pps)
            start = max(start, c.start - c.in_point / c.speed, 0.0)
            start = min(start, c.end - 0.05)
            return c.model_copy(update={"start": start, "in_point": c.in_point + (start - c.start) * c.speed})
        start = c.start + dx / pps
        snapped_start = snap(start)
        snapped_end = snap(start + c.duration)
        if snapped_start != start:
            start = snapped_start
        elif snapped_end != start + c.duration:
            start = snapped_end - c.duration
        return c.model_copy(update={"start": max(start, 0.0)})


class TrackView(QGraphicsView):
    """Lanes, clips, ruler and playhead for one timeline."""

    edit_requested = Signal(object)  # EditCommand
    playhead_moved = Signal(float)
    clip_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAcceptDrops(True)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.pps = 60.0  # pixels per second
        self.timeline: Timeline | None = None
        self.playhead = 0.0
        self.asset_info: Callable[[str], tuple[str, str, float | None] | None] = lambda _id: None
        self._lengths: dict[str, float | None] = {}
        self._playhead_item = None

    # -- data
    def set_timeline(self, tl: Timeline | None) -> None:
        selected = self.selected_clip_id()
        self.timeline = tl
        self.rebuild()
        if selected:
            for item in self.clip_items():
                item.setSelected(item.clip.id == selected)

    def source_length(self, clip: Clip) -> float | None:
        """Length of a clip's source media (None for stills: they stretch freely)."""
        if clip.asset_id is None:
            return None
        info = self.asset_info(clip.asset_id)
        return info[2] if info else None

    def snapped(self, t: float, exclude: str | None = None) -> float:
        """`t` snapped to a clip edge, 0 or the playhead within SNAP_PX (the core's snap_time)."""
        if self.timeline is None:
            return t
        return snap_time(self.timeline, t, SNAP_PX / self.pps, exclude=exclude, extra=(self.playhead,))

    def clip_items(self) -> list[ClipItem]:
        return [i for i in self.scene().items() if isinstance(i, ClipItem)]

    def selected_clip_id(self) -> str | None:
        for item in self.scene().selectedItems():
            if isinstance(item, ClipItem):
                return item.clip.id
        return None

    def time_at(self, x_scene: float) -> float:
        return max((x_scene - HEADER) / self.pps, 0.0)

    def track_at(self, y_scene: float) -> Track | None:
        if self.timeline is None:
            return None
        i = int((y_scene - RULER) // LANE)
        return self.timeline.tracks[i] if 0 <= i < len(self.timeline.tracks) else None

    # -- drawing
    def rebuild(self) -> None:
        scene = self.scene()
        scene.clear()
        self._playhead_item = None
        tl = self.timeline
        if tl is None:
            return
        c = theme.colors()
        length = max(tl.duration + 10.0, 30.0)
        width = HEADER + length * self.pps
        height = RULER + LANE * len(tl.tracks)
        scene.setSceneRect(0, 0, width, height)
        scene.addRect(0, 0, width, RULER, QPen(Qt.PenStyle.NoPen), QBrush(QColor(c["panel"])))
        step = 1 if self.pps >= 40 else 5
        font = QFont()
        font.setPointSize(8)
        for s in range(0, int(length) + 1, step):
            x = HEADER + s * self.pps
            scene.addLine(x, RULER - 6, x, RULER, QPen(QColor(c["muted"])))
            text = scene.addText(f"{s // 60}:{s % 60:02d}", font)
            text.setDefaultTextColor(QColor(c["muted"]))
            text.setPos(x + 2, 0)
        for i, track in enumerate(tl.tracks):
            y = RULER + i * LANE
            lane_bg = c["base"] if i % 2 else c["alt_base"]
            scene.addRect(HEADER, y, width - HEADER, LANE, QPen(QColor(c["border"])), QBrush(QColor(lane_bg)))
            scene.addRect(0, y, HEADER, LANE, QPen(QColor(c["border"])), QBrush(QColor(c["panel"])))
            name = scene.addText(track.name or track.kind.title())
            name.setDefaultTextColor(QColor(c["text"]))
            name.setPos(8, y + (LANE - name.boundingRect().height()) / 2)
            for clip in track.clips:
                scene.addItem(ClipItem(self, track, clip, y, self._label(clip)))
        self._playhead_item = scene.addLine(0, 0, 0, height, QPen(QColor(c["bad"]), 2))
        self._playhead_item.setZValue(10)
        self.set_playhead(self.playhead, emit=False)

    def _label(self, clip: Clip) -> str:
        if clip.text:  # a caption clip is a word or a line: the words themselves, no quotes
            return clip.text
        info = self.asset_info(clip.asset_id) if clip.asset_id else None
        return info[0] if info else (clip.asset_id or "clip")

    def set_playhead(self, t: float, emit: bool = True) -> None:
        self.playhead = max(t, 0.0)
        if self._playhead_item is not None:
            x = HEADER + self.playhead * self.pps
            line = self._playhead_item.line()
            self._playhead_item.setLine(x, 0, x, line.y2())
        if emit:
            self.playhead_moved.emit(self.playhead)

    def set_zoom(self, pps: float) -> None:
        self.pps = min(max(pps, 5.0), 400.0)
        self.rebuild()

    # -- mouse: the ruler and empty lanes move the playhead
    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001
        pos = self.mapToScene(event.position().toPoint())
        item = self.itemAt(event.position().toPoint())
        if not isinstance(item, ClipItem) and pos.x() >= HEADER:
            self.scene().clearSelection()
            self.set_playhead(self.time_at(pos.x()))
            return
        super().mousePressEvent(event)

    def wheelEvent(self, event) -> None:  # noqa: N802, ANN001
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.set_zoom(self.pps * (1.2 if event.angleDelta().y() > 0 else 1 / 1.2))
            return
        super().wheelEvent(event)

    # -- drops from the asset bin
    def dragEnterEvent(self, event) -> None:  # noqa: N802, ANN001
        if event.mimeData().hasFormat(ASSET_MIME) and self.timeline is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802, ANN001
        pos = self.mapToScene(event.position().toPoint())
        cmds = self.drop_commands(asset_ids(event.mimeData()), pos)
        for cmd in cmds:
            self.edit_requested.emit(cmd)
        if cmds:
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop_commands(self, ids: list[str], pos: QPointF) -> list[EditCommand]:
        """AddClip commands for assets dropped at `pos`: on that lane if it takes the kind, else
        on the first lane that does; several assets are laid end to end."""
        if self.timeline is None:
            return []
        start = self.snapped(self.time_at(pos.x()))
        under = self.track_at(pos.y())
        cmds: list[EditCommand] = []
        for aid in ids:
            info = self.asset_info(aid)
            if info is None:
                continue
            _label, kind, length = info
            track = under if under is not None and kind in ACCEPTS[under.kind] else next(
                (t for t in self.timeline.tracks if kind in ACCEPTS[t.kind]), None)
            if track is None:
                continue
            out = length if length else 3.0
            clip = Clip(asset_id=aid, start=start, in_point=0.0, out_point=out)
            cmds.append(AddClip(track=track.id, clip=clip, label="Add clip"))
            start += clip.duration
        return cmds
