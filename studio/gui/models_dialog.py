"""The models dialog: the catalogue with status, licence, download, import and search folders."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.models import ModelStore
from studio.core.settings import Settings
from studio.core.tasks import Progress

from . import theme
from .errors import show_error
from .file_dialogs import open_file
from .widgets import button, label
from .workers import Task

COLUMNS = ("Model", "Kind", "Status", "Licence", "Commercial use", "Size", "Found in")
STATUS_COLOR = {"present": "good", "missing": "muted", "corrupt": "bad"}


def human_size(n: int | None) -> str:
    if not n:
        return "—"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000:
            return f"{size:.0f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


class ModelsWidget(QWidget):
    """Catalogue table plus download / import / verify; used by the dialog."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.store = ModelStore(settings)
        self.task: Task | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.addWidget(label("Models", "title"))
        self.folders = label("", "muted", wrap=True)
        lay.addWidget(self.folders)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(COLUMNS)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        # licences can be a sentence long: a bounded column (full text in the tooltip) leaves the
        # model names room instead of pushing the table into a horizontal scroll
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(3, 240)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # row heights follow the column widths (they change when the dialog is laid out / resized)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        lay.addWidget(self.table, 1)
        self.notes = label("Select a model to see where it comes from.", "muted", wrap=True)
        lay.addWidget(self.notes)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.hide()
        lay.addWidget(self.bar)
        row = QHBoxLayout()
        self.download_button = button("Download", "primary", theme.icon("export"))
        self.import_button = button("Import file…", icon=theme.icon("folder"))
        self.verify_button = button("Verify")
        self.cancel_button = button("Cancel download", icon=theme.icon("cancel"))
        self.cancel_button.hide()
        for b in (self.download_button, self.import_button, self.verify_button, self.cancel_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.download_button.clicked.connect(self.download_selected)
        self.import_button.clicked.connect(self.import_selected)
        self.verify_button.clicked.connect(self.verify_selected)
        self.cancel_button.clicked.connect(lambda: self.task and self.task.cancel())
        self.refresh()

    def refresh(self) -> None:
        s = self.settings
        extra = s.comfyui_dirs + s.a1111_dirs + s.extra_model_dirs
        self.folders.setText(
            f"Searched: {self.store.root}, the Hugging Face cache ({s.hf_cache_dir()})"
            + (f", {', '.join(extra)}" if extra else ", and any ComfyUI / A1111 folders you add in Settings.")
        )
        entries = self.store.entries()
        self.table.setRowCount(len(entries))
        for r, e in enumerate(entries):
            info = self.store.locate(e.id)
            status = info.status + (" (embedded)" if e.embedded and info.status == "present" else "")
            cells = (
                f"{e.name}\n{e.id}", e.kind, status, e.licence,
                "yes" if e.commercial_use else "no — non-commercial", human_size(e.size), info.where or "—",
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, e.id)
                item.setToolTip(text)
                if c == 2:
                    item.setForeground(theme.color(STATUS_COLOR[info.status]))
                if c == 4 and not e.commercial_use:
                    item.setForeground(theme.color("warn"))
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        self._selection_changed()

    def selected_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _selection_changed(self) -> None:
        mid = self.selected_id()
        busy = self.task is not None
        self.download_button.setEnabled(mid is not None and not busy)
        self.import_button.setEnabled(mid is not None and not busy)
        self.verify_button.setEnabled(mid is not None and not busy)
        if mid:
            e = self.store.entry(mid)
            where = self.store.locate(mid)
            self.notes.setText(
                (f"At {where.path}. " if where.path else self.store.how_to_get(mid) + " ")
                + (e.notes or "")
            )

    def download_selected(self) -> None:
        mid = self.selected_id()
        if mid is None:
            return
        store = self.store
        self.task = Task(lambda ctx: store.download(mid, ctx), self)
        self.task.progress.connect(self._on_progress)
        self.task.done.connect(lambda _p: self._task_over(f"Downloaded {mid}."))
        self.task.error.connect(self._task_failed)
        self.bar.setValue(0)
        self.bar.show()
        self.cancel_button.show()
        self._selection_changed()
        self.task.start()

    def _on_progress(self, p: Progress) -> None:
        self.bar.setValue(int(p.fraction * 1000))
        self.bar.setFormat(p.label)
        self.bar.setTextVisible(bool(p.label))

    def _task_over(self, message: str) -> None:
        self.task = None
        self.bar.hide()
        self.cancel_button.hide()
        self.notes.setText(message)
        self.refresh()

    def _task_failed(self, exc: BaseException) -> None:
        from studio.core.tasks import Cancelled

        self._task_over("Download cancelled." if isinstance(exc, Cancelled) else "Download failed.")
        if not isinstance(exc, Cancelled):
            show_error(self, exc)

    def import_selected(self) -> None:
        mid = self.selected_id()
        if mid is None:
            return
        path = open_file(self, f"Import a file for {mid}", "", "Model files (*.safetensors *.onnx *.ckpt *.bin *.pth *.dat *.zip);;All files (*)")
        if path:
            self.import_file(mid, path)

    def import_file(self, model_id: str, path: str) -> None:
        try:
            dest = self.store.import_file(model_id, path)
        except Exception as e:  # noqa: BLE001 - shown as a dialog
            show_error(self, e)
            return
        self._task_over(f"Imported {model_id} → {dest}")

    def verify_selected(self) -> None:
        mid = self.selected_id()
        if mid is None:
            return
        store = self.store
        self.task = Task(lambda ctx: store.verify(mid), self)
        self.task.done.connect(lambda result: self._task_over(result[1]))
        self.task.error.connect(self._task_failed)
        self.notes.setText(f"Checking {mid} (sha256)…")
        self.task.start()


class ModelsDialog(QDialog):
    """The models catalogue in a window of its own (Tools ▸ Models…)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.resize(1100, 640)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 8)
        self.models = ModelsWidget(settings, self)
        lay.addWidget(self.models)
        close = button("Close")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        row.setContentsMargins(16, 0, 16, 0)
        lay.addLayout(row)
