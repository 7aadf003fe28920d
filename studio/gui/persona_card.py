"""The persona's card: who they are, consent, voice, style and identity thumbnails."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from studio.core.persona import Persona

from . import theme
from .images import placeholder, thumbnail
from .widgets import button, label, set_role

THUMB = 72
COMMERCIAL_SAFE_TIP = ("Every step of this persona uses only models whose licences allow commercial use; the others are "
                       "greyed out with the reason, and every export says 'commercial use: allowed'. No face swap is "
                       "commercial-safe (every swapper's identity comes from insightface's non-commercial recognizer).")


def consent_line(persona: Persona) -> tuple[str, str]:
    """(text, theme role) describing the persona's kind and consent state."""
    if persona.kind == "synthetic":
        if persona.likeness is not None:
            return (f"Synthetic persona — you stated its face is no real person's "
                    f"({persona.likeness.stated_at[:10]})", "badge-good")
        return "Synthetic persona — no real person's likeness", "badge-good"
    if persona.consent is not None:
        c = persona.consent
        return f"Real person — consent from {c.granted_by} on {c.date}", "badge-good"
    if persona.demonstration_only:  # `studio demo`: a public-domain portrait of a real person
        return persona.likeness_line(), "badge-warn"
    return "Real person — no consent recorded: generation is blocked", "badge-bad"


class PersonaCard(QFrame):
    """Shows one persona; `open_requested` / `consent_requested` ask the window to act."""

    open_requested = Signal(object)  # project folder
    consent_requested = Signal()
    #: the user turned the commercial-safe switch on (True) or off (False)
    commercial_safe_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "card")
        self.folder: Path | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 16, 18, 16)
        lay.setSpacing(8)
        self.name = label("", "title")
        self.kind = label("", "badge-good")
        self.description = label("", "muted", wrap=True)
        lay.addWidget(self.name)
        lay.addWidget(self.kind)
        lay.addWidget(self.description)
        self.commercial_safe = QCheckBox("Commercial-safe: only models whose licences allow commercial use")
        self.commercial_safe.setToolTip(COMMERCIAL_SAFE_TIP)
        self.commercial_safe.toggled.connect(self._safe_toggled)
        lay.addWidget(self.commercial_safe)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        self.fields: dict[str, QLabel] = {}
        for row, key in enumerate(("Voice", "Style", "Checkpoint", "Formats", "Assets")):
            grid.addWidget(label(key, "muted"), row, 0, Qt.AlignmentFlag.AlignTop)
            value = label("", wrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, row, 1)
            self.fields[key] = value
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        lay.addSpacing(6)
        lay.addWidget(label("Identity", "heading"))
        self.faces_row = QHBoxLayout()
        self.faces_row.setSpacing(6)
        self.faces_holder = QWidget()
        self.faces_holder.setLayout(self.faces_row)
        lay.addWidget(self.faces_holder)
        self.faces_hint = label("", "muted", wrap=True)
        lay.addWidget(self.faces_hint)
        lay.addStretch(1)
        buttons = QHBoxLayout()
        self.open_button = button("Open persona", "primary", theme.icon("open"))
        self.open_button.clicked.connect(lambda: self.folder and self.open_requested.emit(self.folder))
        self.consent_button = button("Record consent…", icon=theme.icon("faces"))
        self.consent_button.clicked.connect(self.consent_requested)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.consent_button)
        buttons.addStretch(1)
        lay.addLayout(buttons)

    def _safe_toggled(self, on: bool) -> None:
        if not self._filling:
            self.commercial_safe_changed.emit(on)

    _filling = False

    def show_persona(self, persona: Persona, folder: Path, asset_counts: dict[str, int], is_open: bool) -> None:
        """Fill the card from a persona stored in `folder`."""
        self.folder = folder
        self._filling = True  # showing the stored state is not a change by the user
        self.commercial_safe.setChecked(persona.commercial_safe)
        self._filling = False
        self.commercial_safe.setEnabled(is_open)  # changed on the open persona (it is saved with it)
        self.name.setText(persona.name)
        text, role = consent_line(persona)
        self.kind.setText(text)
        set_role(self.kind, role)
        self.description.setText(persona.description or "No description yet.")
        v = persona.voice
        self.fields["Voice"].setText(f"{v.voice_id} ({v.engine}, speed {v.speed:g})")
        self.fields["Style"].setText(persona.style_prompt)
        loras = ", ".join(lo.model for lo in persona.loras)
        self.fields["Checkpoint"].setText(persona.checkpoint + (f" + {loras}" if loras else ""))
        self.fields["Formats"].setText(", ".join(persona.default_formats) or "—")
        counts = ", ".join(f"{n} {k}" for k, n in sorted(asset_counts.items())) or "none yet"
        self.fields["Assets"].setText(counts)
        while self.faces_row.count():
            item = self.faces_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for ref in persona.reference_faces[:8]:
            pm = thumbnail(folder / (ref.crop or ref.image), THUMB)
            thumb = QLabel()
            thumb.setPixmap(pm if not pm.isNull() else placeholder(THUMB, "missing"))
            thumb.setToolTip(ref.source_name)
            self.faces_row.addWidget(thumb)
        self.faces_row.addStretch(1)
        n = len(persona.reference_faces)
        self.faces_holder.setVisible(n > 0)  # an empty strip reads as a broken widget
        self.faces_hint.setText(
            f"{n} reference face{'s' if n != 1 else ''}; identity from "
            f"{', '.join(e.backend for e in persona.identity) or 'none yet'}."
            if n
            else "No reference faces yet. Open the persona and add 3–10 clear photos of the face."
        )
        self.open_button.setVisible(not is_open)
        self.consent_button.setVisible(is_open and persona.kind == "real")
        self.consent_button.setText("Update consent…" if persona.consent else "Record consent…")
