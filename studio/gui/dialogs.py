"""Small dialogs: new persona, consent record, ask for a persona name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.persona import NAME_MAX, ConsentRecord, Persona
from studio.core.project import check_project_name

from .file_dialogs import open_file
from .widgets import label


def name_field(text: str = "", placeholder: str = "") -> QLineEdit:
    """A persona-name field that takes no more than a persona name may have (NAME_MAX)."""
    field = QLineEdit(text)
    field.setMaxLength(NAME_MAX)
    field.setPlaceholderText(placeholder)
    field.setToolTip(f"Up to {NAME_MAX} characters; the name is also the project folder's name, "
                     "so / \\ : * ? \" < > | cannot be used.")
    return field


class _Checked(QDialog):
    """A dialog whose OK runs `apply`, which may refuse with a StudioError: then the message shows
    in the dialog, which stays open with what the user typed (nothing else changes)."""

    def _init_checked(self, apply: Callable[[], object] | None) -> None:
        self.apply = apply
        self.result_value: object = None
        self.problem = label("", "badge-bad", wrap=True)
        self.problem.setVisible(False)

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setVisible(True)

    def accept(self) -> None:
        if self.apply is not None:
            try:
                self.result_value = self.apply()
            except StudioError as e:
                self.show_problem(e.message)
                return
        super().accept()


class NewPersonaDialog(_Checked):
    """Name, description, synthetic or real, style: enough to create a persona project.

    `create(persona)` makes the project when Create is pressed; a name it refuses (or any other
    StudioError) is shown in the dialog, which stays open with the form as typed."""

    def __init__(self, parent: QWidget | None = None, create: Callable[[Persona], object] | None = None):
        super().__init__(parent)
        self.setWindowTitle("New persona")
        self.setMinimumWidth(460)
        self._init_checked((lambda: create(self.persona())) if create is not None else None)
        form = QFormLayout()
        self.name = name_field(placeholder="e.g. Mara Quinn")
        self.name_hint = label(f"Up to {NAME_MAX} characters; also the project folder's name.", "muted")
        name_box = QVBoxLayout()
        name_box.setSpacing(2)
        name_box.addWidget(self.name)
        name_box.addWidget(self.name_hint)
        self.description = QLineEdit()
        self.description.setPlaceholderText("Who the persona is, in a sentence")
        self.synthetic = QRadioButton("Synthetic (invented face)")
        self.real = QRadioButton("A real person (needs their consent)")
        self.synthetic.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.synthetic)
        group.addButton(self.real)
        kinds = QVBoxLayout()
        kinds.addWidget(self.synthetic)
        kinds.addWidget(self.real)
        self.style = QPlainTextEdit(Persona.model_fields["style_prompt"].default)
        self.style.setFixedHeight(64)
        form.addRow("Name", name_box)
        form.addRow("Description", self.description)
        form.addRow("Likeness", kinds)
        form.addRow("Style prompt", self.style)
        self.buttons = buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(lambda _t: self.problem.setVisible(False))
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.problem)
        lay.addWidget(buttons)

    def persona(self) -> Persona:
        """The persona as filled in; BadInput (in our words) for a name that cannot be used."""
        name = check_project_name(self.name.text() or "Untitled")
        return Persona(
            name=name,
            description=self.description.text().strip(),
            kind="real" if self.real.isChecked() else "synthetic",
            style_prompt=self.style.toPlainText().strip() or Persona.model_fields["style_prompt"].default,
        )


class NameDialog(_Checked):
    """Ask for a persona name (rename, duplicate): `apply(name)` runs on OK and may refuse it."""

    def __init__(self, title: str, prompt: str, text: str, apply: Callable[[str], object] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self._init_checked((lambda: apply(self.name.text())) if apply is not None else None)
        self.name = name_field(text)
        self.name.selectAll()
        self.name.textChanged.connect(lambda _t: self.problem.setVisible(False))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(label(prompt))
        lay.addWidget(self.name)
        lay.addWidget(label(f"Up to {NAME_MAX} characters.", "muted"))
        lay.addWidget(self.problem)
        lay.addWidget(buttons)


class ConsentDialog(QDialog):
    """Record who agreed to the use of a real person's likeness (and the signed release)."""

    def __init__(self, persona: Persona, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Consent for {persona.name}")
        self.setMinimumWidth(500)
        c = persona.consent
        self.subject = QLineEdit(c.subject_name if c else persona.name)
        self.granted_by = QLineEdit(c.granted_by if c else "")
        self.granted_by.setPlaceholderText("The person themself, or their guardian")
        self.date = QDateEdit(QDate.fromString(c.date, "yyyy-MM-dd") if c else QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.scope = QLineEdit(c.scope if c else ConsentRecord.model_fields["scope"].default)
        self.document = QLineEdit()
        self.document.setPlaceholderText("Signed release (PDF or photo), optional")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        doc_row = QHBoxLayout()
        doc_row.addWidget(self.document, 1)
        doc_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Person", self.subject)
        form.addRow("Consent given by", self.granted_by)
        form.addRow("Date", self.date)
        form.addRow("Scope", self.scope)
        form.addRow("Release", doc_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Record consent")
        for w in (self.subject, self.granted_by):
            w.textChanged.connect(lambda _=None: ok.setEnabled(bool(self.subject.text().strip() and self.granted_by.text().strip())))
        ok.setEnabled(bool(self.subject.text().strip() and self.granted_by.text().strip()))
        lay = QVBoxLayout(self)
        lay.addWidget(label(
            "The studio only generates a real person's likeness with their recorded consent. "
            "The record is stored in the project and in every asset's provenance.", "muted", wrap=True))
        lay.addLayout(form)
        lay.addWidget(self.buttons)

    def _browse(self) -> None:
        path = open_file(self, "Signed release", "", "Documents (*.pdf *.jpg *.jpeg *.png);;All files (*)")
        if path:
            self.document.setText(path)

    def document_path(self) -> Path | None:
        text = self.document.text().strip()
        return Path(text) if text else None

    def record(self, document_rel: str | None = None) -> ConsentRecord:
        return ConsentRecord(
            subject_name=self.subject.text().strip(),
            granted_by=self.granted_by.text().strip(),
            date=self.date.date().toString("yyyy-MM-dd"),
            scope=self.scope.text().strip() or ConsentRecord.model_fields["scope"].default,
            document=document_rel,
        )


def save_consent(project, dialog: ConsentDialog) -> None:
    """Store the dialog's consent record (and its release document) in the open project."""
    doc = dialog.document_path()
    rel = project.import_file(doc, "document", label="consent release").path if doc else None
    project.update_persona(consent=dialog.record(rel), kind="real")
