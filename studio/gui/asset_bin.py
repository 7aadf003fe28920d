"""The asset bin: every file of the project as a tile; drag tiles onto the timeline or outside."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
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


class AssetList(QListWidget):
    """Icon view whose drags carry asset ids (for the timeline) and file URLs (for outside)."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
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
        self.list.clear()
        project = self.session.project
        assets = project.assets_of(*self.kinds()) if project else []
        for a in assets:
            if a.kind == "document":
                continue
            item = QListWidgetItem(asset_icon(self.session, a), a.label or a.id)
            item.setData(ID_ROLE, a.id)
            item.setToolTip(f"{a.id}\n{a.kind} — {a.path}\n{a.provenance.engine or a.provenance.pipeline}")
            self.list.addItem(item)
        self.stack.setCurrentWidget(self.list if self.list.count() else self.empty)
