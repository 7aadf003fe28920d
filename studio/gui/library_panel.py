"""The persona library: every persona project, with create / open / rename / duplicate / delete."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.library import delete_project, duplicate_project, library_entries, rename_project
from studio.core.project import Project, check_project_name, peek

from . import theme
from .dialogs import ConsentDialog, NameDialog, NewPersonaDialog, save_consent
from .errors import show_error
from .file_dialogs import existing_dir
from .images import thumbnail
from .persona_card import PersonaCard
from .session import ProjectSession
from .widgets import EmptyState, button, label

PATH_ROLE = Qt.ItemDataRole.UserRole
#: the folder a project lives in, shown as the row's second line
FOLDER_ROLE = Qt.ItemDataRole.UserRole + 1


def folder_text(folder: Path) -> str:
    """A project's parent folder as a row shows it ('~/…' under the home folder)."""
    parent = folder.expanduser().resolve().parent
    try:
        return "~/" + parent.relative_to(Path.home().resolve()).as_posix()
    except ValueError:
        return str(parent)


class ProjectRowDelegate(QStyledItemDelegate):
    """The persona's name, and under it in a dimmer colour the folder it lives in: two projects
    with the same name (one in the projects folder, one opened from elsewhere) stay apart."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget).adjusted(4, 0, -4, 0)
        fm = opt.fontMetrics
        top = rect.top() + (rect.height() - 2 * fm.height()) // 2
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setPen(opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        painter.drawText(QRect(rect.left(), top, rect.width(), fm.height()), Qt.AlignmentFlag.AlignLeft,
                         fm.elidedText(name, Qt.TextElideMode.ElideRight, rect.width()))
        dim = QColor(theme.colors()["muted"]) if not selected else opt.palette.color(QPalette.ColorRole.HighlightedText)
        if selected:
            dim.setAlpha(190)
        painter.setPen(dim)
        folder = str(index.data(FOLDER_ROLE) or "")
        painter.drawText(QRect(rect.left(), top + fm.height(), rect.width(), fm.height()), Qt.AlignmentFlag.AlignLeft,
                         fm.elidedText(folder, Qt.TextElideMode.ElideMiddle, rect.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), 2 * option.fontMetrics.height() + 10))


class LibraryPanel(QWidget):
    """Lists persona projects and shows the selected one's card."""

    title = "Personas"

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        head = QHBoxLayout()
        head.addWidget(label("Persona library", "title"))
        head.addStretch(1)
        self.new_button = button("New persona…", "primary", theme.icon("add"))
        self.open_button = button("Open folder…", icon=theme.icon("folder"))
        head.addWidget(self.open_button)
        head.addWidget(self.new_button)
        lay.addLayout(head)
        self.folder_line = label("", "muted")
        lay.addWidget(self.folder_line)

        split = QSplitter()
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setIconSize(QSize(40, 40))
        self.list.setSpacing(2)
        self.list.setItemDelegate(ProjectRowDelegate(self.list))
        self.list.currentItemChanged.connect(lambda *_: self._show_selected())
        self.list.itemDoubleClicked.connect(lambda item: self.open_path(Path(item.data(PATH_ROLE))))
        left_lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.rename_button = button("Rename…")
        self.duplicate_button = button("Duplicate…")
        self.delete_button = button("Delete…", "danger", theme.icon("delete"))
        for b in (self.rename_button, self.duplicate_button, self.delete_button):
            row.addWidget(b)
        left_lay.addLayout(row)
        split.addWidget(left)

        self.right = QStackedWidget()
        self.card = PersonaCard()
        self.empty = EmptyState(
            "No personas yet.\n\nA persona is one virtual character: their reference faces, voice, "
            "style and every post made for them. Create one to begin.",
            button("Create your first persona…", "primary", theme.icon("add")),
        )
        self.empty.findChild(type(self.new_button)).clicked.connect(self.new_persona)
        self.right.addWidget(self.empty)
        # the card scrolls when the window is short (its wrapped lines were cut at 1280x720)
        self.card_scroll = QScrollArea()
        self.card_scroll.setWidget(self.card)
        self.card_scroll.setWidgetResizable(True)
        self.card_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.card_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.right.addWidget(self.card_scroll)
        split.addWidget(self.right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([380, 620])
        lay.addWidget(split, 1)

        self.new_button.clicked.connect(self.new_persona)
        self.open_button.clicked.connect(self._browse)
        self.rename_button.clicked.connect(self.rename_selected)
        self.duplicate_button.clicked.connect(self.duplicate_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.card.open_requested.connect(self.open_path)
        self.card.consent_requested.connect(self.record_consent)
        self.card.commercial_safe_changed.connect(self.set_commercial_safe)
        session.opened.connect(lambda _p: self.refresh())
        session.changed.connect(lambda what: what in ("persona", "assets") and self._show_selected())
        self.refresh()

    # -- listing
    def refresh(self) -> None:
        settings = self.session.settings
        self.folder_line.setText(f"Projects folder: {settings.projects_dir}")
        current = self.selected_path()
        open_path = self.session.project.path.resolve() if self.session.project else None
        self.list.clear()
        for entry in library_entries(settings):
            item = QListWidgetItem(entry.name + ("  (open)" if entry.path.resolve() == open_path else ""))
            item.setData(PATH_ROLE, str(entry.path))
            item.setData(FOLDER_ROLE, folder_text(entry.path))
            item.setToolTip(str(entry.path) + ("\n(a recent project outside the projects folder)" if entry.recent_only else ""))
            item.setIcon(self._icon_for(entry.path))
            self.list.addItem(item)
            if current and entry.path.resolve() == current.resolve() or (current is None and entry.path.resolve() == open_path):
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        has = self.list.count() > 0
        for b in (self.rename_button, self.duplicate_button, self.delete_button):
            b.setEnabled(has)
        self._show_selected()

    def _icon_for(self, folder: Path):
        crops = sorted((folder / "refs").glob("*crop*.*"))[:1] if (folder / "refs").is_dir() else []
        if crops:
            pm = thumbnail(crops[0], 40)
            if not pm.isNull():
                return pm
        return theme.icon("persona")

    def selected_path(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(PATH_ROLE)) if item else None

    def _show_selected(self) -> None:
        folder = self.selected_path()
        if folder is None:
            self.right.setCurrentWidget(self.empty)
            return
        open_project = self.session.project
        is_open = open_project is not None and open_project.path.resolve() == folder.resolve()
        try:
            if is_open:
                persona, counts = open_project.persona, dict(Counter(a.kind for a in open_project.data.assets))
            else:  # read once per version of the file, not the whole project at every refresh
                persona, counts = peek(folder)
        except StudioError as e:
            self.right.setCurrentWidget(self.card_scroll)
            self.card.name.setText(folder.name)
            self.card.description.setText(e.message)
            return
        self.card.show_persona(persona, folder, counts, is_open)
        self.right.setCurrentWidget(self.card_scroll)

    # -- actions
    def new_persona(self) -> NewPersonaDialog:
        """File ▸ New persona…: the dialog creates the persona on Create; a name the studio refuses
        is explained in the dialog, which keeps the form, and the open persona stays open."""
        dlg = NewPersonaDialog(self, create=self._create)
        self.new_dialog = dlg  # kept for tests and so it is not collected while open
        dlg.open()
        return dlg

    def _create(self, persona) -> Project:  # noqa: ANN001 - a Persona
        """Create and open a project for `persona`; StudioError (nothing changed) if it cannot be."""
        parent = Path(self.session.settings.projects_dir).expanduser()
        parent.mkdir(parents=True, exist_ok=True)
        project = Project.create(parent, persona.name, persona)  # the open persona stays open until this works
        self.session.adopt(project)
        return project

    def create_persona(self, persona) -> Project | None:  # noqa: ANN001 - a Persona
        """Create a project for `persona` in the projects folder and open it (errors as a dialog)."""
        try:
            return self._create(persona)
        except StudioError as e:
            show_error(self, e)
            return None

    def open_path(self, folder: Path) -> None:
        window = self.window()
        opener = getattr(window, "open_project", None)
        if opener is not None:
            opener(folder)
        else:
            self.session.open(folder)

    def _browse(self) -> None:
        path = existing_dir(self, "Open a .persona folder", self.session.settings.projects_dir)
        if path:
            self.open_path(Path(path))

    def _release_if_open(self, folder: Path) -> bool:
        """Close `folder` if it is the open persona; whether it was."""
        p = self.session.project
        if p is not None and p.path.resolve() == folder.resolve():
            self.session.close()
            return True
        return False

    def rename_selected(self) -> None:
        folder = self.selected_path()
        if folder is None:
            return
        dlg = NameDialog("Rename persona", "New name:", folder.name.removesuffix(".persona"),
                         lambda name: self._rename(folder, name), self)
        self.name_dialog = dlg
        dlg.open()

    def _after(self, target: Path) -> Path:
        self.refresh()
        return target

    def _rename(self, folder: Path, name: str) -> Path:
        """Rename; the persona, if it was open, is open again under its new name afterwards."""
        check_project_name(name)  # a bad name is refused before the open persona is closed
        was_open = self._release_if_open(folder)
        try:
            target = rename_project(folder, name, self.session.settings)
        except StudioError:
            if was_open:
                self.session.open(folder)
            raise
        if was_open:
            self.session.open(target)
        return self._after(target)

    def rename(self, folder: Path, name: str) -> Path | None:
        try:
            return self._rename(folder, name)
        except StudioError as e:
            show_error(self, e)
            return None

    def duplicate_selected(self) -> None:
        folder = self.selected_path()
        if folder is None:
            return
        base = folder.name.removesuffix(".persona")
        dlg = NameDialog("Duplicate persona", "Name of the copy:", f"{base} copy",
                         lambda name: self._after(duplicate_project(folder, name, self.session.settings)), self)
        self.name_dialog = dlg
        dlg.open()

    def duplicate(self, folder: Path, name: str) -> Path | None:
        try:
            target = duplicate_project(folder, name, self.session.settings)
        except StudioError as e:
            show_error(self, e)
            return None
        self.refresh()
        return target

    def delete_selected(self) -> None:
        folder = self.selected_path()
        if folder is None:
            return
        answer = QMessageBox.question(
            self, "Delete persona",
            f"Move '{folder.name}' and every file in it (photos, stills, clips, exports) to the trash?\n\n"
            "You can restore it from the trash of your desktop.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(folder)

    def delete(self, folder: Path) -> bool:
        try:
            self._release_if_open(folder)
            delete_project(folder, self.session.settings)
        except StudioError as e:
            show_error(self, e)
            return False
        self.refresh()
        return True

    def set_commercial_safe(self, on: bool) -> None:
        """The persona card's switch: saved with the persona (what `studio persona set` does)."""
        project = self.session.project
        if project is None:
            return
        try:
            project.update_persona(commercial_safe=on)
        except StudioError as e:
            show_error(self, e)
            self.card._filling = True  # show what is stored, not the refused click
            self.card.commercial_safe.setChecked(project.persona.commercial_safe)
            self.card._filling = False

    def record_consent(self) -> None:
        project = self.session.project
        if project is None:
            return
        dlg = ConsentDialog(project.persona, self)
        if dlg.exec() == ConsentDialog.DialogCode.Accepted:
            try:
                save_consent(project, dlg)
            except StudioError as e:
                show_error(self, e)
