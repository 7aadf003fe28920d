"""Settings: model folders (ours, ComfyUI, A1111, extra), device, ONNX provider, low VRAM, defaults."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.settings import Settings

from .widgets import label


class FolderList(QWidget):
    """An editable list of folders (add with a picker, remove the selected one)."""

    def __init__(self, folders: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.addItems(folders)
        self.list.setFixedHeight(64)
        lay.addWidget(self.list, 1)
        col = QVBoxLayout()
        add = QPushButton("Add…")
        remove = QPushButton("Remove")
        add.clicked.connect(self._add)
        remove.clicked.connect(lambda: self.list.takeItem(self.list.currentRow()))
        col.addWidget(add)
        col.addWidget(remove)
        col.addStretch(1)
        lay.addLayout(col)

    def _add(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Add a folder")
        if path:
            self.list.addItem(path)

    def folders(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


def _folder_edit(text: str) -> QWidget:
    w = QWidget()
    lay = QHBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    edit = QLineEdit(text)
    browse = QPushButton("Browse…")
    browse.clicked.connect(lambda: (p := QFileDialog.getExistingDirectory(w, "Choose a folder", edit.text())) and edit.setText(p))
    lay.addWidget(edit, 1)
    lay.addWidget(browse)
    w.edit = edit  # type: ignore[attr-defined]
    return w


class SettingsDialog(QDialog):
    """Edits a Settings object; `apply()` writes the values back and saves them."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Settings")
        self.setMinimumWidth(620)
        lay = QVBoxLayout(self)

        folders = QGroupBox("Model folders")
        f = QFormLayout(folders)
        self.models_dir = _folder_edit(settings.models_dir)
        self.hf_cache = QLineEdit(settings.hf_cache or "")
        self.hf_cache.setPlaceholderText(f"default: {settings.hf_cache_dir()}")
        self.comfyui = FolderList(settings.comfyui_dirs)
        self.a1111 = FolderList(settings.a1111_dirs)
        self.extra = FolderList(settings.extra_model_dirs)
        f.addRow("Downloads go to", self.models_dir)
        f.addRow("Hugging Face cache", self.hf_cache)
        f.addRow("ComfyUI installs", self.comfyui)
        f.addRow("AUTOMATIC1111 / Forge", self.a1111)
        f.addRow("Other folders", self.extra)
        lay.addWidget(folders)

        device = QGroupBox("Device")
        d = QFormLayout(device)
        self.device = QComboBox()
        self.device.addItems(["auto", "cuda", "cpu"])
        self.device.setCurrentText(settings.device)
        self.onnx = QComboBox()
        self.onnx.addItems(["auto", "cuda", "cpu"])
        self.onnx.setCurrentText(settings.onnx_provider)
        self.low_vram = QComboBox()
        self.low_vram.addItems(["auto", "on", "off"])
        self.low_vram.setCurrentText(settings.low_vram)
        self.pickle = QCheckBox("Allow .ckpt / .pt checkpoints (they can run code; only from sources you trust)")
        self.pickle.setChecked(settings.allow_pickle_checkpoints)
        d.addRow("Torch device", self.device)
        d.addRow("ONNX Runtime provider", self.onnx)
        d.addRow("Low-VRAM mode (offload)", self.low_vram)
        d.addRow("", self.pickle)
        lay.addWidget(device)

        defaults = QGroupBox("Defaults")
        g = QFormLayout(defaults)
        self.projects_dir = _folder_edit(settings.projects_dir)
        g.addRow("Projects folder", self.projects_dir)
        lay.addWidget(defaults)
        lay.addWidget(label("\"auto\" uses CUDA when a GPU is found and turns on offloading below 12 GB of VRAM.", "muted", wrap=True))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.accepted.connect(self.apply)

    def apply(self) -> Settings:
        s = self.settings
        s.models_dir = self.models_dir.edit.text().strip() or s.models_dir  # type: ignore[attr-defined]
        s.hf_cache = self.hf_cache.text().strip() or None
        s.comfyui_dirs = self.comfyui.folders()
        s.a1111_dirs = self.a1111.folders()
        s.extra_model_dirs = self.extra.folders()
        s.device = self.device.currentText()
        s.onnx_provider = self.onnx.currentText()
        s.low_vram = self.low_vram.currentText()
        s.allow_pickle_checkpoints = self.pickle.isChecked()
        s.projects_dir = self.projects_dir.edit.text().strip() or s.projects_dir  # type: ignore[attr-defined]
        s.save()
        return s
