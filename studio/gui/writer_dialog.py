"""The writing assistant's dialog: topic and length in, the draft streaming in as it is written, a
Cancel that stops it at once, then the script (editable), hook and openings, and a caption per
platform with its character count against the platform's limit.

Opened from the Voice and Post pages ("Write…": the script goes back into their script box) and
from the Calendar ("Write" on an item: the draft is saved into the item)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.calendar import PlanItem
from studio.core.errors import StudioError
from studio.core.tasks import Cancelled
from studio.render.presets import PRESETS

from . import theme
from .errors import show_error
from .session import ProjectSession
from .widgets import button, label, set_role
from .workers import Task


class _Stream(QObject):
    """Text deltas from the worker thread, delivered on the window's thread (queued signal)."""

    text = Signal(str, str)


class CaptionEditor(QWidget):
    """One platform's caption + hashtags with a live count against its limit."""

    def __init__(self, preset: str, parent: QWidget | None = None):
        super().__init__(parent)
        from studio.render.platforms import limits_for

        self.preset = preset
        self.limits = limits_for(preset)
        lay = QVBoxLayout(self)
        self.caption = QPlainTextEdit()
        self.hashtags = QLineEdit()
        self.hashtags.setPlaceholderText("#hashtags")
        self.count = label("", "muted")
        lay.addWidget(self.caption, 1)
        lay.addWidget(self.hashtags)
        lay.addWidget(self.count)
        self.caption.textChanged.connect(self.update_count)
        self.hashtags.textChanged.connect(self.update_count)
        self.update_count()

    def upload(self):  # noqa: ANN201 - UploadText
        from studio.core.calendar import UploadText
        from studio.render.platforms import clean_hashtags

        return UploadText(caption=self.caption.toPlainText().strip(), hashtags=clean_hashtags(self.hashtags.text()))

    def set_upload(self, caption: str, hashtags: list[str]) -> None:
        self.caption.setPlainText(caption)
        self.hashtags.setText(" ".join(f"#{t}" for t in hashtags))

    def update_count(self) -> list[str]:
        from studio.render.platforms import text_length, upload_problems

        up = self.upload()
        problems = upload_problems(self.preset, up)
        n = text_length(self.preset, up.text())
        tags = f", {len(up.hashtags)}/{self.limits.hashtags_max} hashtags" if self.limits.hashtags_max else ""
        self.count.setText(f"{n} / {self.limits.caption_max} characters{tags}" + (" — too long" if problems else ""))
        set_role(self.count, "badge-bad" if problems else "muted")
        return problems


class WriterDialog(QDialog):
    """Draft with the assistant. `on_script(text)` receives the script when the user takes it;
    with `item`, 'Save to calendar' puts the draft into that calendar item."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None, *, topic: str = "",
                 item: PlanItem | None = None, on_script: Callable[[str], object] | None = None):
        super().__init__(parent)
        self.session = session
        self.item = item
        self.on_script = on_script
        self.result: dict | None = None
        self.task: Task | None = None
        self.streamed: list[tuple[str, str]] = []
        self.setWindowTitle("Writing assistant")
        self.resize(900, 680)
        self._stream = _Stream(self)
        self._stream.text.connect(self._on_text)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.topic = QLineEdit(topic or (item.topic if item else ""))
        self.topic.setPlaceholderText("What the post is about, e.g. my 5 a.m. run through the old town")
        form.addRow("Topic", self.topic)
        self.seconds = QSpinBox()
        self.seconds.setRange(5, 600)
        self.seconds.setValue(30)
        self.seconds.setSuffix(" s spoken")
        form.addRow("Length", self.seconds)
        grid = QGridLayout()
        self.platforms: dict[str, QCheckBox] = {}
        chosen = set(item.platforms) if item and item.platforms else set(
            session.project.persona.default_formats if session.project else [])
        for i, p in enumerate(PRESETS.values()):
            b = QCheckBox(p.name)
            b.setChecked(p.id in chosen)
            self.platforms[p.id] = b
            grid.addWidget(b, i // 4, i % 4)
        form.addRow("Captions for", grid)
        lay.addLayout(form)
        row = QHBoxLayout()
        self.write_button = button("Write", "primary", theme.icon("caption"))
        self.write_button.clicked.connect(self.start)
        self.cancel_button = button("Cancel", icon=theme.icon("cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.status = label(self._backend_words(), "muted", wrap=True)
        row.addWidget(self.write_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.status, 1)
        lay.addLayout(row)
        self.tabs = QTabWidget()
        self.live = QPlainTextEdit()
        self.live.setReadOnly(True)
        self.live.setPlaceholderText("The draft appears here as the model writes it.")
        self.tabs.addTab(self.live, "Writing")
        self.script = QPlainTextEdit()
        self.tabs.addTab(self.script, "Script")
        self.openings = QListWidget()
        self.openings.itemDoubleClicked.connect(lambda it: self.use_opening(it.text()))
        self.tabs.addTab(self.openings, "Hook && openings")
        self.captions = QTabWidget()
        self.tabs.addTab(self.captions, "Captions")
        lay.addWidget(self.tabs, 1)
        foot = QHBoxLayout()
        self.use_button = button("Use script", "primary")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_script)
        self.use_button.setVisible(on_script is not None)
        self.save_button = button("Save to calendar")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_to_item)
        self.save_button.setVisible(item is not None)
        close = button("Close")
        close.clicked.connect(self.close)
        foot.addStretch(1)
        foot.addWidget(self.use_button)
        foot.addWidget(self.save_button)
        foot.addWidget(close)
        lay.addLayout(foot)

    def _backend_words(self) -> str:
        s = self.session.settings
        if s.writer_backend == "endpoint":
            return f"Writes with {s.writer_endpoint_model or '?'} at {s.writer_endpoint or '(no endpoint set)'}."
        return f"Writes with the local model {s.writer_model} (Settings ▸ Writing assistant)."

    def chosen_platforms(self) -> list[str]:
        return [pid for pid, b in self.platforms.items() if b.isChecked()]

    # -- writing
    def start(self) -> Task | None:
        p = self.session.project
        if p is None or (self.task is not None and self.cancel_button.isEnabled()):
            return None
        topic, seconds, platforms = self.topic.text().strip(), float(self.seconds.value()), self.chosen_platforms()
        if not topic:
            show_error(self, StudioError("Give the topic of the post first."))
            return None
        from studio.core.secrets import read_secret

        settings = self.session.settings.model_copy(deep=True)
        key = read_secret("writer_api_key")
        emit = self._stream.text.emit

        def work(ctx):  # noqa: ANN001, ANN202 - runs on a worker thread
            from studio.actions.writing import open_backend, write
            from studio.core.models import ModelStore

            backend = open_backend(settings, ModelStore(settings), key)
            return write(p, backend, topic=topic, seconds=seconds, platforms=platforms or None, item=self.item,
                         task=ctx, on_text=emit)

        self.live.clear()
        self.streamed = []
        self._part = ""
        self.write_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("Writing…")
        set_role(self.status, "muted")
        self.tabs.setCurrentWidget(self.live)
        self.task = task = Task(work, self)
        task.done.connect(self._done)
        task.error.connect(self._failed)
        return task.start()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Cancelling…")

    def _on_text(self, part: str, delta: str) -> None:
        self.streamed.append((part, delta))
        if part != self._part:
            heading = {"script": "Script", "openings": "Hook and openings"}.get(part, part.replace("upload:", "Caption: "))
            self.live.moveCursor(QTextCursor.MoveOperation.End)
            self.live.insertPlainText(("\n\n" if self._part else "") + f"── {heading} ──\n")
            self._part = part
        self.live.moveCursor(QTextCursor.MoveOperation.End)
        self.live.insertPlainText(delta)

    def _finish(self) -> None:
        self.write_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _done(self, res: dict) -> None:
        self._finish()
        self.result = res
        self.script.setPlainText(res["script"])
        self.openings.clear()
        if res["hook"]:
            self.openings.addItem(res["hook"])
        self.openings.addItems(res["openings"])
        self.captions.clear()
        self.editors: dict[str, CaptionEditor] = {}
        for pid, up in res["upload"].items():
            ed = CaptionEditor(pid)
            ed.set_upload(up["caption"], up["hashtags"])
            self.editors[pid] = ed
            self.captions.addTab(ed, PRESETS[pid].name)
        r = res["rate"]
        rate = (f"{r['words_per_second']:.2f} words/s from {r['narrations']} narration(s)" if r["source"] == "narrations"
                else f"{r['words_per_second']:.2f} words/s (default)")
        self.status.setText(f"{res['words']} words ≈ {res['seconds']:.0f} s at {rate}; "
                            f"{len(res['scenes'])} scene(s). Written by {res['backend']} "
                            f"(licence: {res['model'].get('licence')}).")
        self.use_button.setEnabled(bool(res["script"]))
        self.save_button.setEnabled(True)
        self.tabs.setCurrentWidget(self.script)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.status.setText("Cancelled.")
            return
        self.status.setText(exc.message if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}")
        set_role(self.status, "badge-bad")
        show_error(self, exc, "Writing assistant")

    # -- taking the draft
    def use_opening(self, line: str) -> None:
        """Replace the script's first sentence with the chosen opening."""
        import re

        text = self.script.toPlainText()
        m = re.match(r"\s*.+?[.!?…](\s|$)", text, re.S)
        rest = text[m.end():] if m else ""
        self.script.setPlainText(line.strip() + (" " + rest.lstrip() if rest.strip() else ""))
        self.tabs.setCurrentWidget(self.script)

    def use_script(self) -> None:
        """Hand the script to the page that opened the dialog, its scenes as paragraphs (the Voice
        and Post pages narrate it; the storyboard splits it at the paragraphs)."""
        from pipelines.writing.writer import scenes_as_paragraphs

        if self.on_script is not None:
            self.on_script(scenes_as_paragraphs(self.script.toPlainText().strip()))
        self.accept()

    def save_to_item(self) -> None:
        """The (edited) script and captions into the calendar item; captions over a limit are kept
        as drafts, the publish kit refuses them until they fit."""
        from studio.actions.writing import save_to_item

        p = self.session.project
        if p is None or self.item is None or self.result is None:
            return
        res = dict(self.result)
        res["script"] = self.script.toPlainText().strip()
        res["upload"] = {pid: ed.upload().model_dump() for pid, ed in getattr(self, "editors", {}).items()}
        try:
            self.item = save_to_item(p, self.item.id, res)
        except StudioError as e:
            show_error(self, e)
            return
        too_long = [pid for pid, ed in getattr(self, "editors", {}).items() if ed.update_count()]
        self.status.setText(f"Saved to the calendar ({self.item.state})."
                            + (f" Shorten the {', '.join(too_long)} caption(s) before publishing." if too_long else ""))

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001
        if self.task is not None and self.cancel_button.isEnabled():
            self.task.cancel()
        super().closeEvent(event)


def open_writer(parent: QWidget, session: ProjectSession, script_box: QPlainTextEdit | None = None,
                item: PlanItem | None = None) -> WriterDialog | None:
    """Open the assistant; with `script_box`, the script it writes goes into that box."""
    if session.project is None:
        return None
    on_script = (lambda text: script_box.setPlainText(text)) if script_box is not None else None
    dlg = WriterDialog(session, parent, item=item, on_script=on_script)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    dlg.open()
    return dlg
