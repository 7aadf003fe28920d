"""The Calendar page's editor for one planned post: topic, day, time, platforms, script, state,
captions per platform (counted against each platform's limit), the writing assistant, the publish
kit and the post URLs once published."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QTime, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTimeEdit,
    QWidget,
)

from studio.actions import plan
from studio.core.calendar import STATES, PlanItem
from studio.core.errors import StudioError
from studio.render.presets import PRESETS

from . import theme
from .errors import show_error
from .widgets import button, form_card, label, scrolling

if TYPE_CHECKING:
    from .calendar_panel import CalendarPanel

#: platform names short enough for two columns of the editor
SHORT = {"tiktok": "TikTok", "reels": "Reels", "shorts": "Shorts", "feed": "Feed 4:5", "square": "Square 1:1",
         "youtube": "YouTube 16:9", "x": "X"}


class ItemEditor(QWidget):
    """Edits the selected item; every button saves through studio.actions.plan."""

    def __init__(self, panel: CalendarPanel):
        super().__init__()
        from .writer_dialog import CaptionEditor

        self._caption_editor = CaptionEditor
        self.panel = panel
        self.item: PlanItem | None = None
        box, col = form_card("Planned post", 340)
        self.empty = label("Select a post in the calendar, or double-click a day to plan one.", "muted", wrap=True)
        col.addWidget(self.empty)
        self.body = QWidget()
        col.addWidget(self.body)
        lay = QFormLayout(self.body)
        lay.setContentsMargins(0, 0, 0, 0)
        self.topic = QLineEdit()
        lay.addRow("Topic", self.topic)
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.has_time = QCheckBox("at")
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        when = QHBoxLayout()
        when.addWidget(self.day, 1)
        when.addWidget(self.has_time)
        when.addWidget(self.time)
        lay.addRow("Day", when)
        grid = QGridLayout()
        self.platforms: dict[str, QCheckBox] = {}
        for i, p in enumerate(PRESETS.values()):
            b = QCheckBox(SHORT.get(p.id, p.name))
            b.setToolTip(f"{p.name} ({p.width}×{p.height})")
            self.platforms[p.id] = b
            grid.addWidget(b, i // 2, i % 2)
        lay.addRow("Platforms", grid)
        self.script = QPlainTextEdit()
        self.script.setPlaceholderText("The script (--- lines split scenes). Empty: still an idea.")
        self.script.setFixedHeight(120)
        lay.addRow("Script", self.script)
        row = QHBoxLayout()
        self.save_button = button("Save", "primary")
        self.save_button.clicked.connect(self.save)
        self.write_button = button("Write…", icon=theme.icon("caption"), tip="Draft script and captions with the assistant")
        self.write_button.clicked.connect(self.open_writer)
        self.delete_button = button("", icon=theme.icon("delete"), tip="Delete this planned post")
        self.delete_button.clicked.connect(self.delete)
        row.addWidget(self.save_button)
        row.addWidget(self.write_button)
        row.addWidget(self.delete_button)
        lay.addRow("", row)
        self.state = QComboBox()
        self.state.addItems(list(STATES))
        self.state_button = button("Set state")
        self.state_button.clicked.connect(lambda: self.set_state(self.state.currentText()))
        srow = QHBoxLayout()
        srow.addWidget(self.state, 1)
        srow.addWidget(self.state_button)
        lay.addRow("State", srow)
        self.post_label = label("", "muted", wrap=True)
        lay.addRow("Post", self.post_label)
        self.captions = QTabWidget()
        self.captions.setFixedHeight(200)
        lay.addRow("Captions", self.captions)
        self.caption_button = button("Save captions")
        self.caption_button.clicked.connect(self.save_captions)
        self.kit_button = button("Publish kit", icon=theme.icon("export"),
                                 tip="A folder per platform: export, cover, caption, SRT and a checklist")
        self.kit_button.clicked.connect(self.make_kit)
        krow = QHBoxLayout()
        krow.addWidget(self.caption_button)
        krow.addWidget(self.kit_button)
        lay.addRow("", krow)
        self.url_platform = QComboBox()
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://… the published post")
        self.url_button = button("Published")
        self.url_button.clicked.connect(self.mark_published)
        urow = QHBoxLayout()
        urow.addWidget(self.url_platform)
        urow.addWidget(self.url, 1)
        urow.addWidget(self.url_button)
        lay.addRow("Post URL", urow)
        self.message = label("", "muted", wrap=True)
        lay.addRow("", self.message)
        col.addStretch(1)
        self.editors: dict = {}
        from PySide6.QtWidgets import QVBoxLayout

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(box))
        self.show_item(None)

    def show_item(self, item: PlanItem | None) -> None:
        self.item = item
        self.empty.setVisible(item is None)
        self.body.setVisible(item is not None)
        if item is None:
            return
        p = self.panel.session.project
        self.topic.setText(item.topic)
        self.day.setDate(QDate(item.date.year, item.date.month, item.date.day))
        self.has_time.setChecked(item.time is not None)
        if item.time:
            hh, mm = (int(x) for x in item.time.split(":"))
            self.time.setTime(QTime(hh, mm))
        for pid, b in self.platforms.items():
            b.setChecked(pid in item.platforms)
        self.script.setPlainText(item.script)
        self.state.setCurrentText(item.state)
        post = None
        if item.post_id and p is not None:
            try:
                post = p.post(item.post_id)
            except StudioError:
                post = None
        self.post_label.setText(f"{post.title} — exports: {', '.join(post.exports) or 'none'}" if post else
                                "Not rendered yet.")
        self.captions.clear()
        self.editors = {}
        for pid in item.platforms:
            ed = self._caption_editor(pid)
            up = item.upload.get(pid)
            if up is not None:
                ed.set_upload(up.caption, up.hashtags)
            self.editors[pid] = ed
            self.captions.addTab(ed, PRESETS[pid].name)
        self.url_platform.clear()
        self.url_platform.addItems(item.platforms)
        published = ", ".join(f"{k}: {v}" for k, v in item.published.items())
        self.message.setText(f"Published — {published}" if published else "")
        writable = p is not None and not p.read_only
        for w in (self.save_button, self.write_button, self.delete_button, self.state_button, self.caption_button,
                  self.url_button):
            w.setEnabled(writable)

    def _run(self, fn, ok: str = ""):  # noqa: ANN001, ANN202
        p = self.panel.session.project
        if p is None or self.item is None:
            return None
        try:
            result = fn(p, self.item.id)
        except StudioError as e:
            self.message.setText(e.message)
            show_error(self, e)
            return None
        if ok:
            self.message.setText(ok)
        return result

    def save(self) -> PlanItem | None:
        d = self.day.date()
        from datetime import date

        day = date(d.year(), d.month(), d.day())
        t = self.time.time().toString("HH:mm") if self.has_time.isChecked() else None

        def change(p, ref):  # noqa: ANN001, ANN202
            plan.edit_item(p, ref, topic=self.topic.text(), script=self.script.toPlainText(),
                           platforms=[k for k, b in self.platforms.items() if b.isChecked()], time=t)
            return plan.move_item(p, ref, day)

        return self._run(change, "Saved.")

    def set_state(self, state: str) -> PlanItem | None:
        return self._run(lambda p, ref: plan.set_state(p, ref, state), f"Now {state}.")

    def save_captions(self) -> PlanItem | None:
        def change(p, ref):  # noqa: ANN001, ANN202
            item = None
            for pid, ed in self.editors.items():
                up = ed.upload()
                item = plan.set_upload(p, ref, pid, up.caption, up.hashtags)
            return item

        too_long = [pid for pid, ed in self.editors.items() if ed.update_count()]
        return self._run(change, "Captions saved." + (f" Over the limit: {', '.join(too_long)}." if too_long else ""))

    def mark_published(self) -> PlanItem | None:
        url, platform = self.url.text().strip(), self.url_platform.currentText() or None
        return self._run(lambda p, ref: plan.set_state(p, ref, "published", url=url, platform=platform),
                         "Marked published.")

    def delete(self) -> None:
        removed = self._run(plan.remove_item)
        if removed is not None:
            self.panel.status.setText(f"Deleted '{removed.topic}'.")

    def make_kit(self):  # noqa: ANN201 - the Kit, or None
        from studio.actions.publish_kit import make_kit

        kit = self._run(lambda p, ref: make_kit(p, ref))
        if kit is not None:
            warn = ("\nCheck: " + "; ".join(kit.warnings)) if kit.warnings else ""
            self.message.setText(f"Publish kit ready: {kit.folder}{warn}")
            self.last_kit = kit
        return kit

    def open_kit_folder(self) -> None:
        kit = getattr(self, "last_kit", None)
        if kit is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(kit.folder)))

    def open_writer(self):  # noqa: ANN201 - the WriterDialog
        from .writer_dialog import open_writer

        if self.item is None:
            return None
        return open_writer(self, self.panel.session, item=self.item)
