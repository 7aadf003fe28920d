"""Settings ▸ Writing assistant: a local GGUF model (llama-cpp-python) or the user's own
OpenAI-compatible endpoint (Ollama, llama.cpp server, LM Studio), with a connection test."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.models import ModelStore
from studio.core.settings import Settings

from .file_dialogs import open_file
from .widgets import label, set_role
from .workers import Task


class WriterSettingsBox(QGroupBox):
    """The writing assistant's part of the Settings dialog; `apply(settings)` writes it back."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__("Writing assistant", parent)
        self.settings = settings
        f = QFormLayout(self)
        self.local = QRadioButton("Local model (runs on this computer)")
        self.endpoint = QRadioButton("My own endpoint (OpenAI-compatible: Ollama, llama.cpp server, LM Studio)")
        (self.endpoint if settings.writer_backend == "endpoint" else self.local).setChecked(True)
        f.addRow("Backend", self.local)
        f.addRow("", self.endpoint)
        row = QHBoxLayout()
        self.model = QComboBox()
        store = ModelStore(settings)
        for e in store.entries():
            if e.kind == "llm":
                state = store.locate(e.id).status
                self.model.addItem(f"{e.name} — {e.licence}" + ("" if state == "present" else " (not downloaded)"), e.id)
        if settings.writer_model.lower().endswith(".gguf"):
            self.model.addItem(settings.writer_model, settings.writer_model)
        self.model.setCurrentIndex(max(0, self.model.findData(settings.writer_model)))
        pick = QPushButton("File…")
        pick.clicked.connect(self._pick_file)
        row.addWidget(self.model, 1)
        row.addWidget(pick)
        f.addRow("Local model", row)
        self.url = QLineEdit(settings.writer_endpoint or "")
        self.url.setPlaceholderText("http://127.0.0.1:11434/v1 (Ollama) — empty: no endpoint")
        self.endpoint_model = QLineEdit(settings.writer_endpoint_model)
        self.endpoint_model.setPlaceholderText("the model name it serves, e.g. qwen2.5:1.5b-instruct")
        from studio.core.secrets import hint, read_secret

        self.key = QLineEdit()  # never shown back: the saved key stays in its 0600 file
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        saved = read_secret("writer_api_key")
        self.key.setPlaceholderText(f"saved ({hint(saved)}); type to replace, a space to forget" if saved
                                    else "only if the server asks for one")
        test_row = QHBoxLayout()
        self.test_button = QPushButton("Test")
        self.test_button.clicked.connect(self.test_endpoint)
        test_row.addWidget(self.url, 1)
        test_row.addWidget(self.test_button)
        f.addRow("Endpoint URL", test_row)
        f.addRow("Model name", self.endpoint_model)
        f.addRow("API key", self.key)
        self.result = label("Your text is sent only to the model chosen here: the local one never leaves this "
                            "computer; an endpoint gets what you ask it to write.", "muted", wrap=True)
        f.addRow("", self.result)
        self._task: Task | None = None

    def _pick_file(self) -> None:
        path = open_file(self, "A GGUF instruct model", "", "GGUF models (*.gguf)")
        if path:
            self.model.addItem(path, path)
            self.model.setCurrentIndex(self.model.count() - 1)

    def apply(self, s: Settings) -> None:
        s.writer_backend = "endpoint" if self.endpoint.isChecked() else "local"
        s.writer_model = self.model.currentData() or s.writer_model
        s.writer_endpoint = self.url.text().strip() or None
        s.writer_endpoint_model = self.endpoint_model.text().strip()
        if self.key.text():
            from studio.core.secrets import save_secret

            save_secret("writer_api_key", self.key.text())  # blank (a space) forgets it
            self.key.clear()

    def test_endpoint(self) -> Task | None:
        """List the endpoint's models on a worker thread and say whether the named one is there."""
        from pipelines.writing.chat import OpenAIChat
        from studio.core.secrets import read_secret

        url, name = self.url.text().strip(), self.endpoint_model.text().strip()
        key = self.key.text().strip() or read_secret("writer_api_key")
        try:
            chat = OpenAIChat(url, name or "?", key)
        except StudioError as e:
            self._show(e.message, False)
            return None
        self.test_button.setEnabled(False)
        self._show(f"Asking {url}…", None)
        self._task = task = Task(lambda _ctx: chat.list_models(), self)
        task.done.connect(lambda ids: self._answered(ids, name))
        task.error.connect(lambda e: self._show(e.message if isinstance(e, StudioError) else str(e), False))
        return task.start()

    def _answered(self, ids: list[str], name: str) -> None:
        served = ", ".join(ids) or "no models"
        if name and name in ids:
            self._show(f"Connected. It serves {served}.", True)
        else:
            self._show(f"Connected. It serves {served}" + (f"; '{name}' is not among them." if name else
                                                          "; type one of them as the model name."), False)

    def _show(self, text: str, ok: bool | None) -> None:
        self.test_button.setEnabled(True)
        self.result.setText(text)
        set_role(self.result, "muted" if ok is None else ("badge-good" if ok else "badge-bad"))
