"""File pickers: the desktop's own dialog where Qt has one (GNOME, KDE, Windows, macOS), else Qt's
dialog at a size where its Name, Size, Type and Date columns all fit (its 632x412 default cut the
Size and Date columns)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QFileDialog, QHeaderView, QTreeView, QWidget

#: the size of Qt's own dialog (the desktop's dialog sizes itself)
DIALOG_SIZE = QSize(960, 600)


def make_dialog(parent: QWidget | None, caption: str, folder: str = "", filters: str = "",
                mode: QFileDialog.FileMode = QFileDialog.FileMode.ExistingFile) -> QFileDialog:
    """A file dialog; when Qt builds its own (no native one here) it is sized and its columns fit."""
    dlg = QFileDialog(parent, caption, folder, filters)
    dlg.setFileMode(mode)
    if mode == QFileDialog.FileMode.Directory:
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
    tree = dlg.findChild(QTreeView, "treeView")  # only there when Qt's own widgets are used
    if tree is not None:
        dlg.resize(DIALOG_SIZE)
        dlg.setViewMode(QFileDialog.ViewMode.Detail)
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, header.count()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    return dlg


def _run(dlg: QFileDialog) -> list[str]:
    return dlg.selectedFiles() if dlg.exec() == QFileDialog.DialogCode.Accepted else []


def open_file(parent: QWidget | None, caption: str, folder: str = "", filters: str = "") -> str:
    """One existing file, or '' when cancelled."""
    files = _run(make_dialog(parent, caption, folder, filters))
    return files[0] if files else ""


def open_files(parent: QWidget | None, caption: str, folder: str = "", filters: str = "") -> list[str]:
    """Existing files (several may be picked), or [] when cancelled."""
    return _run(make_dialog(parent, caption, folder, filters, QFileDialog.FileMode.ExistingFiles))


def existing_dir(parent: QWidget | None, caption: str, folder: str = "") -> str:
    """An existing folder, or '' when cancelled."""
    files = _run(make_dialog(parent, caption, folder, "", QFileDialog.FileMode.Directory))
    return files[0] if files else ""


def save_file(parent: QWidget | None, caption: str, name: str = "", filters: str = "") -> str:
    """A file name to write (the dialog asks before replacing a file), or '' when cancelled."""
    dlg = make_dialog(parent, caption, "", filters, QFileDialog.FileMode.AnyFile)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    if name:
        dlg.selectFile(name)
    files = _run(dlg)
    return files[0] if files else ""
