"""Calendar: the persona's planned posts by month or week. Drag an item to another day to
reschedule it (the page's Undo puts it back; the Edit menu's undo is the timeline's); select one to edit it on the right (calendar_item.py). "Render due this
week" queues a `post` job for every scripted item of the week, in the job process or on the farm
(the jobs dock's choice), and links each finished post back to its item."""

from __future__ import annotations

import calendar as pycal
from datetime import date, timedelta

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from studio.actions import plan
from studio.core.calendar import PlanItem, week_of
from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState

from . import theme
from .errors import show_error
from .file_dialogs import save_file
from .job_runner import JobRunner
from .session import ProjectSession
from .widgets import button, label
from .workers import JobController

MIME = "application/x-persona-plan-item"
STATE_COLOUR = {"idea": "muted", "scripted": "accent", "rendered": "warn", "approved": "good", "published": "border"}


class MoveItem(QUndoCommand):
    """Reschedule as an undoable step (Edit ▸ Undo puts it back)."""

    def __init__(self, session: ProjectSession, item_id: str, old: date, new: date, topic: str):
        super().__init__(f"Move '{topic[:30]}' to {new.isoformat()}")
        self.session, self.item_id, self.old, self.new = session, item_id, old, new

    def redo(self) -> None:
        if self.session.project is not None:
            plan.move_item(self.session.project, self.item_id, self.new)

    def undo(self) -> None:
        if self.session.project is not None:
            plan.move_item(self.session.project, self.item_id, self.old)


class ItemChip(QLabel):
    """One planned post in a day cell: click selects it, drag moves it to another day."""

    def __init__(self, item: PlanItem, panel: CalendarPanel, detailed: bool):
        when = f"{item.time} " if item.time else ""
        text = (f"{item.time or 'any time'}\n{item.topic}\n{item.state} · {', '.join(item.platforms)}" if detailed
                else f"{when}{item.topic}")
        super().__init__(text)
        self.item, self.panel = item, panel
        self.setToolTip(f"{item.date} {when}— {item.topic}\n{item.state}; {', '.join(item.platforms)}")
        c = theme.colors()
        selected = panel.selected_id == item.id
        self.setStyleSheet(
            f"QLabel {{ background: {c['selection'] if selected else c['raised']}; color: {c['text']};"
            f" border-left: 3px solid {c[STATE_COLOUR[item.state]]}; border-radius: 3px; padding: 1px 4px; }}")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._press = None

    def mousePressEvent(self, e) -> None:  # noqa: N802, ANN001
        self._press = e.position().toPoint()
        self.panel.select(self.item.id)

    def mouseMoveEvent(self, e) -> None:  # noqa: N802, ANN001
        if self._press is None or (e.position().toPoint() - self._press).manhattanLength() < 6:
            return
        drag = QDrag(self)
        drag.setMimeData(self.panel.mime_for(self.item.id))
        drag.setPixmap(self.grab())
        self._press = None
        drag.exec(Qt.DropAction.MoveAction)


class DayCell(QFrame):
    """One day of the grid: its number and its items; accepts dropped items."""

    def __init__(self, day: date, panel: CalendarPanel, in_month: bool, items: list[PlanItem], detailed: bool):
        super().__init__()
        self.day, self.panel = day, panel
        self.setAcceptDrops(True)
        self.setProperty("role", "card")
        self.setMinimumHeight(220 if detailed else 70)
        self.setMinimumWidth(64)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 3, 4, 3)
        lay.setSpacing(2)
        head = label(f"{pycal.day_abbr[day.weekday()]} {day.day}" if detailed else str(day.day),
                     "heading" if day == date.today() else ("" if in_month else "muted"))
        lay.addWidget(head)
        self.chips = [ItemChip(i, panel, detailed) for i in items]
        shown = self.chips if detailed else self.chips[:3]
        for chip in shown:
            lay.addWidget(chip)
        if len(self.chips) > len(shown):
            lay.addWidget(label(f"+{len(self.chips) - len(shown)} more", "muted"))
        lay.addStretch(1)

    def dragEnterEvent(self, e) -> None:  # noqa: N802, ANN001
        if e.mimeData().hasFormat(MIME):
            e.acceptProposedAction()

    def dropEvent(self, e) -> None:  # noqa: N802, ANN001
        if e.mimeData().hasFormat(MIME):
            item_id = bytes(e.mimeData().data(MIME)).decode()
            e.acceptProposedAction()
            self.panel.move_to(item_id, self.day)

    def mouseDoubleClickEvent(self, _e) -> None:  # noqa: N802, ANN001
        self.panel.new_item(self.day)


class CalendarPanel(QWidget):
    """Month / week grid on the left, the selected item's editor on the right."""

    title = "Calendar"
    #: the item id selected (or "")
    selected = Signal(str)

    def __init__(self, session: ProjectSession, jobs: JobController, parent: QWidget | None = None):
        super().__init__(parent)
        from .calendar_item import ItemEditor

        self.session, self.jobs = session, jobs
        self.mode = "month"
        self.anchor = date.today()
        self.selected_id = ""
        self.cells: dict[date, DayCell] = {}
        #: job id -> calendar item id, for the posts "Render due" started
        self.rendering: dict[str, str] = {}
        page = QHBoxLayout(self)
        page.setContentsMargins(16, 14, 16, 14)
        self.page_layout = page  # side by side when there is room, the editor below otherwise
        page.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # our minimumSizeHint decides
        left = QVBoxLayout()
        page.addLayout(left, 1)
        bar = QHBoxLayout()
        bar.addWidget(label("Calendar", "title"))
        prev, today, nxt = QPushButton("‹"), QPushButton("Today"), QPushButton("›")
        prev.clicked.connect(lambda: self.step(-1))
        nxt.clicked.connect(lambda: self.step(1))
        today.clicked.connect(lambda: self.go(date.today()))
        self.range_label = label("", "heading")
        self.month_button, self.week_button = QPushButton("Month"), QPushButton("Week")
        group = QButtonGroup(self)
        for b in (self.month_button, self.week_button):
            b.setCheckable(True)
            group.addButton(b)
        self.month_button.setChecked(True)
        self.month_button.clicked.connect(lambda: self.set_mode("month"))
        self.week_button.clicked.connect(lambda: self.set_mode("week"))
        for w in (prev, today, nxt, self.range_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.month_button)
        bar.addWidget(self.week_button)
        left.addLayout(bar)
        actions = QHBoxLayout()
        self.add_button = button("New post", icon=theme.icon("add"), tip="Plan a post on the selected day")
        self.add_button.clicked.connect(lambda: self.new_item(self.anchor))
        self.render_button = button("Render due this week", "primary", theme.icon("post"),
                                    tip="A post job for every scripted item of this week (job process or farm)")
        self.render_button.clicked.connect(self.render_due)
        self.ics_button = button("Export .ics…", icon=theme.icon("export"))
        self.ics_button.clicked.connect(self.export_ics)
        #: this page's own history of reschedules (the window's Edit ▸ Undo is the timeline's)
        self.moves = QUndoStack(self)
        self.undo_button = button("Undo", icon=theme.icon("undo"))
        self.undo_button.clicked.connect(self.moves.undo)
        self.redo_button = button("Redo", icon=theme.icon("redo"))
        self.redo_button.clicked.connect(self.moves.redo)
        self.moves.canUndoChanged.connect(self.undo_button.setEnabled)
        self.moves.canRedoChanged.connect(self.redo_button.setEnabled)
        self.moves.undoTextChanged.connect(lambda t: self.undo_button.setToolTip(f"Undo {t}"))
        self.moves.redoTextChanged.connect(lambda t: self.redo_button.setToolTip(f"Redo {t}"))
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        session.opened.connect(lambda _p: self.moves.clear())
        for w in (self.add_button, self.render_button, self.ics_button, self.undo_button, self.redo_button):
            actions.addWidget(w)
        actions.addStretch(1)
        left.addLayout(actions)
        self.status = label("Drag a post to another day to reschedule it; double-click a day to plan one.",
                            "muted", wrap=True)
        left.addWidget(self.status)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(4)
        left.addWidget(self.grid_host, 1)
        self.editor = ItemEditor(self)
        page.addWidget(self.editor)
        self.runner = JobRunner(self, session, jobs, self.status, self._post_finished)
        session.follow(self.refresh, "calendar", "posts", "persona")
        self.refresh()

    #: narrower than this, the item editor goes below the calendar instead of beside it (at
    #: 1280x720 with the docks open the page is ~780 px: side by side it scrolled sideways)
    SIDE_BY_SIDE_WIDTH = 1040
    #: the least the stacked layout needs (the toolbar row, with the page margins)
    STACKED_WIDTH = 700

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt API
        wide = event.size().width() >= self.SIDE_BY_SIDE_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.page_layout.direction() != direction:
            self.page_layout.setDirection(direction)
        super().resizeEvent(event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """As narrow as the stacked layout allows (the holder then never scrolls sideways)."""
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.STACKED_WIDTH), hint.height())

    # -- navigation
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        (self.month_button if mode == "month" else self.week_button).setChecked(True)
        self.refresh()

    def go(self, day: date) -> None:
        self.anchor = day
        self.refresh()

    def step(self, n: int) -> None:
        if self.mode == "week":
            self.go(self.anchor + timedelta(days=7 * n))
        else:
            y, m = divmod(self.anchor.year * 12 + self.anchor.month - 1 + n, 12)
            self.go(date(y, m + 1, 1))

    def days(self) -> list[date]:
        """The days the grid shows: the anchor's week, or 6 weeks from the Monday before the 1st."""
        if self.mode == "week":
            start = week_of(self.anchor)[0]
            return [start + timedelta(days=i) for i in range(7)]
        start = week_of(self.anchor.replace(day=1))[0]
        return [start + timedelta(days=i) for i in range(42)]

    # -- showing
    def refresh(self) -> None:
        p = self.session.project
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.cells = {}
        days = self.days()
        by_day: dict[date, list[PlanItem]] = {}
        for item in plan.items(p, days[0], days[-1]) if p else []:
            by_day.setdefault(item.date, []).append(item)
        for i, name in enumerate(pycal.day_abbr):
            if self.mode == "month":
                self.grid.addWidget(label(name, "muted"), 0, i, Qt.AlignmentFlag.AlignHCenter)
        for n, d in enumerate(days):
            cell = DayCell(d, self, d.month == self.anchor.month or self.mode == "week", by_day.get(d, []),
                           self.mode == "week")
            self.cells[d] = cell
            self.grid.addWidget(cell, 1 + n // 7, n % 7)
        if self.mode == "week":
            self.range_label.setText(f"{days[0]:%d %b} – {days[-1]:%d %b %Y}")
        else:
            self.range_label.setText(f"{self.anchor:%B %Y}")
        writable = p is not None and not p.read_only
        for b in (self.add_button, self.render_button):
            b.setEnabled(writable)
        self.ics_button.setEnabled(p is not None)
        if self.selected_id and (p is None or not any(i.id == self.selected_id for i in p.data.calendar)):
            self.selected_id = ""
        self.editor.show_item(self.item(self.selected_id) if self.selected_id else None)

    def item(self, item_id: str) -> PlanItem | None:
        p = self.session.project
        return next((i for i in p.data.calendar if i.id == item_id), None) if p else None

    def chip(self, item_id: str) -> ItemChip | None:
        return next((c for cell in self.cells.values() for c in cell.chips if c.item.id == item_id), None)

    def select(self, item_id: str) -> None:
        self.selected_id = item_id
        self.refresh()
        self.selected.emit(item_id)
        if item_id and self.page_layout.direction() == QBoxLayout.Direction.TopToBottom:
            self._bring_editor_into_view()

    def _bring_editor_into_view(self) -> None:
        """Stacked (narrow window): scroll the page holder so the editor of the chosen post shows."""
        from PySide6.QtWidgets import QScrollArea

        w = self.parentWidget()
        while w is not None and not isinstance(w, QScrollArea):
            w = w.parentWidget()
        if w is not None:
            w.ensureWidgetVisible(self.editor, 0, 0)

    # -- changes
    def mime_for(self, item_id: str) -> QMimeData:
        m = QMimeData()
        m.setData(MIME, item_id.encode())
        return m

    def move_to(self, item_id: str, day: date) -> None:
        item, p = self.item(item_id), self.session.project
        if item is None or p is None or item.date == day:
            return
        if p.read_only:
            show_error(self, StudioError(f"Cannot reschedule: {p.read_only_reason}."))
            return
        try:
            self.moves.push(MoveItem(self.session, item_id, item.date, day, item.topic))
        except StudioError as e:
            show_error(self, e)
            return
        self.status.setText(f"Moved '{item.topic}' to {day:%a %d %b}.")

    def new_item(self, day: date) -> PlanItem | None:
        p = self.session.project
        if p is None or p.read_only:
            return None
        try:
            item = plan.add_item(p, day, "New post")
        except StudioError as e:
            show_error(self, e)
            return None
        self.anchor = day
        self.select(item.id)
        self.editor.topic.setFocus()
        self.editor.topic.selectAll()
        return item

    def render_due(self) -> list[str]:
        """Queue a post job for each scripted item of the anchor's week; returns the job ids."""
        from studio.farm.calendar import planned_posts

        p = self.session.project
        if p is None:
            return []
        monday, sunday = week_of(self.anchor)
        try:
            pairs, skipped = planned_posts(p, monday, sunday)
        except StudioError as e:
            show_error(self, e)
            return []
        started = []
        for item, planned in pairs:
            job_id = self.runner.start("post", planned.params, f"Post: {item.topic[:40]}", "Rendering…")
            if job_id:
                self.rendering[job_id] = item.id
                started.append(job_id)
        skip = "; ".join(f"{i.topic[:24]}: {why}" for i, why in skipped)
        self.status.setText(f"Rendering {len(started)} post(s) due {monday:%d %b}–{sunday:%d %b}"
                            + (f" (skipped {skip})" if skip else "") if started or skipped
                            else f"Nothing is planned {monday:%d %b}–{sunday:%d %b}.")
        return started

    def _post_finished(self, job: Job) -> None:
        item_id = self.rendering.pop(job.id, None)
        p = self.session.project
        if item_id is None or p is None:
            return
        if job.state == JobState.done and (job.result or {}).get("post"):
            try:
                plan.link_post(p, item_id, job.result["post"])
            except StudioError as e:
                show_error(self, e)
            self.status.setText(f"{job.title}: rendered.")
        else:
            self.status.setText(f"{job.title}: {job.state.value}" + (f" — {job.error}" if job.error else ""))

    def export_ics(self, path: str | None = None) -> str | None:
        p = self.session.project
        if p is None:
            return None
        if path is None:
            path = save_file(self, "Export the calendar", f"{p.name}.ics", "iCalendar (*.ics)")
        if not path:
            return None
        try:
            plan.export_ics(p, path)
        except (StudioError, OSError) as e:
            show_error(self, e)
            return None
        self.status.setText(f"Wrote {len(p.data.calendar)} planned post(s) to {path}; import it into any calendar app.")
        return path
