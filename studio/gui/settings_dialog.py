"""Settings: model folders (ours, ComfyUI, A1111, extra), device, ONNX provider, low VRAM, defaults,
render farm, writing assistant."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.secrets import forget_secret, hint, read_secret, save_secret
from studio.core.settings import Settings

from .file_dialogs import existing_dir
from .widgets import label, set_role
from .workers import Task


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
        path = existing_dir(self, "Add a folder")
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
    browse.clicked.connect(lambda: (p := existing_dir(w, "Choose a folder", edit.text())) and edit.setText(p))
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
        # a secret like the farm token (core/secrets.py, 0600 file), never in settings.json
        self.hf_token, self.forget_hf_token = self._secret_row(
            "hf_token", "for gated models (SVD), from huggingface.co/settings/tokens")
        f.addRow("Hugging Face token", _row(self.hf_token, self.forget_hf_token))
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
        self.pickle = QCheckBox("Allow pickle weights (.ckpt / .pt / .bin can run code; only from sources you trust)")
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

        farm = QGroupBox("Render farm")
        r = QFormLayout(farm)
        row = QHBoxLayout()
        self.farm_address = QLineEdit(settings.farm_address or "")
        self.farm_address.setPlaceholderText("ray://HOST:10001 (empty: every job runs on this computer)")
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_farm)
        row.addWidget(self.farm_address, 1)
        row.addWidget(self.test_button)
        r.addRow("Ray address", row)
        # the token is a secret: kept in its own 0600 file (core/secrets.py), never in settings.json
        saved = read_secret("farm_token")
        self.farm_token = QLineEdit()
        self.farm_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.farm_token.setPlaceholderText(f"saved ({hint(saved)}); type to replace" if saved else
                                           "the cluster's token (`ray get-auth-token` on the head)")
        self.forget_token = QPushButton("Forget")
        self.forget_token.setToolTip("Delete the saved farm token from this computer")
        self.forget_token.setEnabled(bool(saved))
        self.forget_token.clicked.connect(self._forget_token)
        token_row = QHBoxLayout()
        token_row.addWidget(self.farm_token, 1)
        token_row.addWidget(self.forget_token)
        r.addRow("Token", token_row)
        self.farm_open = QCheckBox("Allow a farm without authentication (only on a network you trust)")
        self.farm_open.setChecked(settings.farm_allow_unauthenticated)
        self.farm_open.setToolTip("Anyone who can reach such a cluster can run code on it and read the faces, "
                                  "voices and scripts your jobs carry (docs/farm.md, Security).")
        r.addRow("", self.farm_open)
        self.farm_result = label("With an address, the Jobs panel offers \"Run on farm\" (docs/farm.md).",
                                 "muted", wrap=True)
        r.addRow("", self.farm_result)
        lay.addWidget(farm)
        self._farm_task: Task | None = None
        from .writer_settings import WriterSettingsBox  # noqa: PLC0415

        self.writer = WriterSettingsBox(settings)
        lay.addWidget(self.writer)

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
        s.farm_address = self.farm_address.text().strip() or None
        s.farm_allow_unauthenticated = self.farm_open.isChecked()
        if self.farm_token.text().strip():
            save_secret("farm_token", self.farm_token.text())
            self.farm_token.clear()
        if self.hf_token.text().strip():
            save_secret("hf_token", self.hf_token.text())
            self.hf_token.clear()
        self.writer.apply(s)
        s.save()
        return s

    # -- render farm
    def test_farm(self) -> Task | None:
        """Ask the cluster at the typed address for its nodes, on a worker thread (Ray can take
        seconds to answer or to give up); the answer or the error shows under the address."""
        address = self.farm_address.text().strip()
        if not address:
            self.farm_result.setText("Type the address of the cluster's head first, e.g. ray://10.0.0.5:10001.")
            return None
        self.test_button.setEnabled(False)
        self.farm_result.setText(f"Connecting to {address}…")
        set_role(self.farm_result, "muted")
        trial = self.settings.model_copy(update={"farm_allow_unauthenticated": self.farm_open.isChecked()})
        typed = self.farm_token.text().strip() or None
        self._farm_task = task = Task(lambda _ctx: farm_status(address, trial, typed), self)
        task.done.connect(self._farm_answered)
        task.error.connect(self._farm_failed)
        return task.start()

    def _farm_answered(self, status: dict) -> None:
        self.test_button.setEnabled(True)
        self.farm_result.setText(farm_summary(status))
        warn = (status.get("access") or {}).get("warning")
        set_role(self.farm_result, "badge-warn" if warn else "badge-good")

    def _forget_token(self) -> None:
        forget_secret("farm_token")
        self.farm_token.clear()
        self.farm_token.setPlaceholderText("the cluster's token (`ray get-auth-token` on the head)")
        self.forget_token.setEnabled(False)

    def _secret_row(self, name: str, empty_hint: str) -> tuple[QLineEdit, QPushButton]:
        """A password field for secret `name` (typing replaces it on Save) and its Forget button."""
        saved = read_secret(name)
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setPlaceholderText(f"saved ({hint(saved)}); type to replace" if saved else empty_hint)
        forget = QPushButton("Forget")
        forget.setToolTip("Delete it from this computer")
        forget.setEnabled(bool(saved))

        def do_forget() -> None:
            forget_secret(name)
            edit.clear()
            edit.setPlaceholderText(empty_hint)
            forget.setEnabled(False)

        forget.clicked.connect(do_forget)
        return edit, forget

    def _farm_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        msg = exc.message if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}"
        self.farm_result.setText(msg)
        set_role(self.farm_result, "badge-bad")


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for i, w in enumerate(widgets):
        row.addWidget(w, 1 if i == 0 else 0)
    return row


def farm_status(address: str, settings: Settings, token: str | None = None) -> dict:
    """Connect to the Ray cluster at `address` (with a typed, unsaved `token`) and describe it, with
    who it lets in (`studio farm status`'s calls); an open cluster is reported, not refused."""
    from studio.farm.pool import access_of, cluster_status, connect

    connect(address, settings, token=token, refuse_open=False)
    access = access_of(address)
    return {"access": access.as_dict() if access else None, **cluster_status()}


def farm_summary(status: dict) -> str:
    """'2 node(s), 3 GPU(s), 32 CPU(s)' and any node that could not answer."""
    nodes = status.get("nodes", [])
    gpus = sum(float(n.get("gpus") or 0) for n in nodes)
    cpus = sum(float(n.get("cpus") or 0) for n in nodes)
    lines = [f"Connected: {len(nodes)} node(s), {gpus:g} GPU(s), {cpus:g} CPU(s)."]
    access = status.get("access") or {}
    if access.get("warning"):
        lines.insert(0, "⚠ " + access["warning"])
    elif access.get("checked"):
        lines.append(f"Authentication: token ({access.get('token')}); TLS {'on' if access.get('tls') else 'off'}.")
    for n in nodes:
        name = n.get("host") or n.get("address") or n.get("node_id", "?")[:8]
        detail = n.get("error") or f"{len(n.get('models', []))} model(s) installed"
        lines.append(f"• {name}: {float(n.get('gpus') or 0):g} GPU, {float(n.get('cpus') or 0):g} CPU — {detail}")
    return "\n".join(lines)
