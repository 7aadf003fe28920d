"""Small dialogs: new persona, consent record, ask for a name."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.persona import ConsentRecord, Persona

from .widgets import label


class NewPersonaDialog(QDialog):
    """Name, description, synthetic or real, style: enough to create a persona project."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New persona")
        self.setMinimumWidth(460)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Mara Quinn")
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
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        form.addRow("Likeness", kinds)
        form.addRow("Style prompt", self.style)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def persona(self) -> Persona:
        return Persona(
            name=self.name.text().strip() or "Untitled",
            description=self.description.text().strip(),
            kind="real" if self.real.isChecked() else "synthetic",
            style_prompt=self.style.toPlainText().strip() or Persona.model_fields["style_prompt"].default,
        )


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
        path, _ = QFileDialog.getOpenFileName(self, "Signed release", "", "Documents (*.pdf *.jpg *.jpeg *.png);;All files (*)")
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
