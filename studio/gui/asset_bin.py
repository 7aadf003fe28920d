"""The asset bin: every file of the project as a tile; drag tiles onto the timeline or outside.

A persona after years of work has thousands of assets: the bin lists them all at once with a
placeholder per kind and fills in the thumbnails of the tiles in view a few at a time (a time
budget per event-loop turn), so opening such a project paints at once and never stalls; tooltips
(with the commercial-use verdict) are made when asked for.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.assets import Asset

from .dragdrop import asset_mime
from .images import placeholder
from .media import media_thumbnail
from .session import ProjectSession
from .widgets import EmptyState

ID_ROLE = Qt.ItemDataRole.UserRole
THUMB = 96
#: milliseconds of thumbnail decoding per event-loop turn (the window stays at 60+ fps meanwhile)
THUMB_BUDGET_MS = 8
KIND_FILTERS = (("All", ()), ("Stills", ("still", "image")), ("Clips", ("clip",)),
                ("Audio", ("narration", "music", "audio")), ("Exports", ("export",)), ("References", ("reference",)))


def asset_icon(session: ProjectSession, asset: Asset, size: int = THUMB) -> QIcon:
    """The picture of a still, a frame of a clip, the waveform of narration and music; a labelled
    tile only for what has none (a document) or cannot be read."""
    path = session.project.asset_path(asset) if session.project else None
    if path is not None:
        pm = media_thumbnail(path, size)
        if not pm.isNull():
            return QIcon(pm)
    return QIcon(placeholder(size, asset.kind))


def _placeholder_icon(kind: str, size: int = THUMB, cache: dict = {}) -> QIcon:  # noqa: B006 - a cache
    """One placeholder per kind, drawn once (drawing 5,000 of them took most of a second)."""
    key = (kind, size)
    if key not in cache:
        cache[key] = QIcon(placeholder(size, kind))
    return cache[key]


class AssetList(QListWidget):
    """Icon view whose drags carry asset ids (for the timeline) and file URLs (for outside).

    Items start with their kind's placeholder; the thumbnails of the items in view are made on
    later event-loop turns (`fill_visible`), each turn within THUMB_BUDGET_MS."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._thumbed: set[str] = set()
        self._verdicts: dict | None = None
        self._filler = QTimer(self)
        self._filler.setSingleShot(True)
        self._filler.setInterval(0)
        self._filler.timeout.connect(self.fill_visible)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._filler.start())
        self.setUniformItemSizes(True)  # no per-item size query: laying out 5,000 tiles is cheap
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 18, THUMB + 34))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setWordWrap(True)

    def mimeData(self, items):  # noqa: N802 - Qt API
        ids = [i.data(ID_ROLE) for i in items]
        project = self.session.project
        files = [project.asset_path(i) for i in ids] if project else []
        return asset_mime(ids, files)

    def mimeTypes(self):  # noqa: N802
        return ["text/uri-list"]

    def reset_items(self) -> None:
        """Forget made thumbnails and tooltips (a new list or another project)."""
        self._thumbed.clear()
        self._verdicts = None
        self._filler.start()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt API
        super().resizeEvent(event)
        self._filler.start()

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt API
        super().showEvent(event)
        self._filler.start()

    def _visible_rows(self) -> range:
        """The rows in view. A static icon layout places items in order, so they are contiguous:
        probe the viewport at half-grid steps (a corner can fall between two tiles) and take the
        lowest and highest row found, plus a row of tiles either side."""
        if self.count() == 0:
            return range(0)
        vp, grid = self.viewport().rect(), self.gridSize()
        step_x, step_y = max(8, grid.width() // 2), max(8, grid.height() // 2)
        rows = [self.indexAt(QPoint(x, y)).row()
                for y in range(vp.top() + 2, vp.bottom() + step_y, step_y)
                for x in range(vp.left() + 2, vp.right() + step_x, step_x)]
        rows = [r for r in rows if r >= 0]
        if not rows:
            return range(0)
        per_row = max(1, vp.width() // max(1, grid.width()))
        return range(max(0, min(rows) - per_row), min(self.count(), max(rows) + 1 + per_row))

    def fill_visible(self) -> int:
        """Make the thumbnails of the items in view, for at most THUMB_BUDGET_MS; returns how many.
        Reschedules itself while some in view are still placeholders."""
        project = self.session.project
        if project is None or not self.isVisible():
            return 0
        t0, made = time.perf_counter(), 0
        for row in self._visible_rows():
            item = self.item(row)
            aid = item.data(ID_ROLE)
            if aid in self._thumbed:
                continue
            self._thumbed.add(aid)
            try:
                asset = project.asset(aid)
            except Exception:  # removed meanwhile; the next refresh drops the item
                continue
            item.setIcon(asset_icon(self.session, asset))
            made += 1
            if (time.perf_counter() - t0) * 1000 > THUMB_BUDGET_MS:
                self._filler.start()  # the rest on the next turn: input and painting come first
                break
        return made

    def viewportEvent(self, event) -> bool:  # noqa: N802, ANN001 - Qt API
        if event.type() == QEvent.Type.ToolTip:  # made when asked: 5,000 verdicts up front cost 0.2 s
            item = self.itemAt(event.pos())
            if item is not None and not item.toolTip():
                item.setToolTip(self._tooltip(item.data(ID_ROLE)))
        return super().viewportEvent(event)

    def _tooltip(self, asset_id: str) -> str:
        project = self.session.project
        if project is None:
            return ""
        from studio.render.licences import asset_verdicts, verdict_text  # noqa: PLC0415

        try:
            a = project.asset(asset_id)
        except Exception:
            return asset_id
        if self._verdicts is None:
            self._verdicts = asset_verdicts(project)
        verdict = self._verdicts.get(asset_id)
        tip = f"{a.id}\n{a.kind} — {a.path}\n{a.provenance.engine or a.provenance.pipeline}"
        return tip + (f"\n{verdict_text(verdict, short=True)}" if verdict is not None else "")


class AssetBin(QDockWidget):
    """Dockable asset bin with a kind filter."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__("Assets", parent)
        self.setObjectName("AssetBin")
        self.session = session
        holder = QWidget()
        lay = QVBoxLayout(holder)
        lay.setContentsMargins(6, 6, 6, 6)
        self.filter = QComboBox()
        for name, _kinds in KIND_FILTERS:
            self.filter.addItem(name)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        lay.addWidget(self.filter)
        self.stack = QStackedWidget()
        self.list = AssetList(session)
        self.empty = EmptyState("No assets yet. Stills, clips, narration and exports you make appear "
                                "here; drag them onto the timeline.")
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty)
        lay.addWidget(self.stack, 1)
        self.setWidget(holder)
        session.follow(self.refresh, "assets")
        self.refresh()

    def kinds(self) -> tuple[str, ...]:
        return KIND_FILTERS[self.filter.currentIndex()][1]

    def refresh(self) -> None:
        """List the assets of the chosen kinds, each with its kind's placeholder; the thumbnails
        of those in view follow on the next event-loop turns (AssetList.fill_visible)."""
        self.list.setUpdatesEnabled(False)
        self.list.clear()
        project = self.session.project
        assets = project.assets_of(*self.kinds()) if project else []
        for a in assets:
            if a.kind == "document":
                continue
            item = QListWidgetItem(_placeholder_icon(a.kind), a.label or a.id)
            item.setData(ID_ROLE, a.id)
            self.list.addItem(item)
        self.list.setUpdatesEnabled(True)
        self.list.reset_items()
        self.stack.setCurrentWidget(self.list if self.list.count() else self.empty)
