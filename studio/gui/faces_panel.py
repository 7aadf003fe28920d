"""Reference faces: drop photos in, see each detected face and its quality, remove, record consent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.persona import ReferenceFace

from . import theme
from .dialogs import ConsentDialog, save_consent
from .dragdrop import local_files
from .errors import show_error
from .face_tools import FaceTools
from .file_dialogs import open_files
from .images import IMAGE_SUFFIXES, placeholder, read_scaled, with_box
from .job_runner import JobRunner
from .persona_card import consent_line
from .session import ProjectSession
from .widgets import TileGallery, button, label, set_role
from .workers import JobController

THUMB = 180


def quality_text(q: dict[str, float]) -> str:
    """One line from the quality scores the faces action stored."""
    parts = []
    for key, fmt in (("face_px", "{:.0f} px face"), ("sharpness", "sharpness {:.0f}"), ("brightness", "brightness {:.0f}"),
                     ("yaw", "yaw {:.0f}°"), ("det_score", "detector {:.2f}")):
        if key in q:
            parts.append(fmt.format(q[key]))
    return ", ".join(parts) or "quality not measured"


class FaceTile(QFrame):
    """One accepted reference: the photo with its face box, quality line and a remove button."""

    def __init__(self, panel: FacesPanel, folder: Path, ref: ReferenceFace):
        super().__init__()
        self.setProperty("role", "tile")
        self.ref = ref
        self.setFixedWidth(THUMB + 20)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        img = read_scaled(folder / ref.image, THUMB)
        if img.isNull():
            pm = placeholder(THUMB, "missing file")
        else:
            from PySide6.QtGui import QImageReader, QPixmap

            size = QImageReader(str(folder / ref.image))
            size.setAutoTransform(True)
            s = size.size()
            pm = with_box(QPixmap.fromImage(img), ref.box, (s.width(), s.height()))
        pic = label("")
        pic.setPixmap(pm)
        pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(pic)
        lay.addWidget(label(ref.source_name, "heading", wrap=True))
        ok = label("accepted", "badge-good")
        lay.addWidget(ok)
        lay.addWidget(label(quality_text(ref.quality), "muted", wrap=True))
        remove = QToolButton()
        remove.setText("Remove")
        remove.setIcon(theme.icon("delete"))
        remove.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        remove.clicked.connect(lambda: panel.remove(ref.id))
        lay.addWidget(remove)


class FacesPanel(QWidget):
    """Drop photos here (or Add photos…) to run the faces.add job."""

    title = "Faces"

    def __init__(self, session: ProjectSession, jobs: JobController, open_models: Callable[[], object] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.setAcceptDrops(True)
        self.rejected: list[dict] = []
        #: the question before a synthetic persona's first face: 'synthetic', 'real' or 'cancel'
        self.ask_likeness: Callable[[list[Path]], str] = self._ask_likeness
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        head = QHBoxLayout()
        head.addWidget(label("Reference faces", "title"))
        head.addStretch(1)
        self.consent_button = button("Record consent…", icon=theme.icon("faces"))
        self.consent_button.clicked.connect(self.record_consent)
        self.add_button = button("Add photos…", "primary", theme.icon("add"))
        self.add_button.clicked.connect(self._browse)
        head.addWidget(self.consent_button)
        head.addWidget(self.add_button)
        lay.addLayout(head)
        self.consent = label("", "badge-good", wrap=True)
        lay.addWidget(self.consent)
        lay.addWidget(label("Drop 3–10 clear photos of the face from your file manager anywhere on this page. "
                            "Each is checked (one face, large enough, sharp, lit, facing the camera).", "muted", wrap=True))
        self.tools = FaceTools(session, jobs, open_models)
        lay.addWidget(self.tools)
        self.status = label("", "muted", wrap=True)
        lay.addWidget(self.status)
        self.rejected_label = label("", "badge-bad", wrap=True)
        lay.addWidget(self.rejected_label)
        self.gallery = TileGallery("No reference faces yet.\nDrag photos of the persona's face here.")
        self.flow, self.empty = self.gallery.flow, self.gallery.empty
        lay.addWidget(self.gallery, 1)
        self.runner = JobRunner(self, session, jobs, self.status, self._job_finished)
        session.follow(self.refresh, "persona", "assets")
        self.refresh()

    def refresh(self) -> None:
        p = self.session.project
        refs = p.persona.reference_faces if p else []
        self.gallery.set_tiles([FaceTile(self, p.path, ref) for ref in refs])
        if p is not None:
            text, role = consent_line(p.persona)
            self.consent.setText(text)
            set_role(self.consent, role)
            self.consent_button.setVisible(p.persona.kind == "real")
        self.rejected_label.setText("\n".join(f"Rejected {Path(r['photo']).name}: {r['reason']}" for r in self.rejected))
        self.rejected_label.setVisible(bool(self.rejected))
        self.add_button.setEnabled(p is not None and not p.read_only)
        self.tools.setEnabled(p is not None and not p.read_only)

    # -- drops
    def dragEnterEvent(self, event) -> None:  # noqa: N802, ANN001
        if any(f.suffix.lower() in IMAGE_SUFFIXES for f in local_files(event.mimeData())):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802, ANN001
        photos = [f for f in local_files(event.mimeData()) if f.suffix.lower() in IMAGE_SUFFIXES]
        if photos and self.add_photos(photos):
            event.acceptProposedAction()

    def _browse(self) -> None:
        files = open_files(self, "Reference photos", "", "Images (*.jpg *.jpeg *.png *.webp)")
        if files:
            self.add_photos([Path(f) for f in files])

    def add_photos(self, photos: list[Path]) -> str | None:
        """Start the faces.add job for these photos (see studio/actions/faces.py). A synthetic
        persona's first face first asks whether it is an identifiable real person."""
        p = self.session.project
        if p is None:
            return None
        params: dict = {"photos": [str(f) for f in photos]}
        if p.persona.needs_likeness_statement():
            answer = self.ask_likeness(photos)
            if answer == "real":  # then it needs their consent, and the persona becomes real
                if not self.record_consent():
                    return None
            elif answer == "synthetic":
                params.update(not_a_real_person=True, stated_in="window")
            else:
                return None
        n = len(photos)
        return self.runner.start("faces.add", params, f"Add {n} reference photo{'s' if n != 1 else ''}",
                                 f"Checking {n} photo{'s' if n != 1 else ''}…")

    def _ask_likeness(self, photos: list[Path]) -> str:
        p = self.session.project
        box = QMessageBox(QMessageBox.Icon.Question, "Is this a real person?",
                          f"'{p.persona.name if p else ''}' is a synthetic persona: its face is invented, "
                          "no real person's likeness. Is the face in "
                          f"{photos[0].name if len(photos) == 1 else f'these {len(photos)} photos'} invented, "
                          "not an identifiable real person?\n\nThe studio only generates a real person's "
                          "likeness with their recorded consent; your answer is stored with the persona.",
                          QMessageBox.StandardButton.NoButton, self)
        choices = {
            box.addButton("Invented: not a real person", QMessageBox.ButtonRole.AcceptRole): "synthetic",
            box.addButton("A real person: record consent…", QMessageBox.ButtonRole.ActionRole): "real",
        }
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return choices.get(box.clickedButton(), "cancel")

    def remove(self, ref_id: str) -> str | None:
        return self.runner.start("faces.remove", {"ref_id": ref_id}, "Remove a reference face", "Removing…")

    def _job_finished(self, job: Job) -> None:
        if job.kind == "faces.add" and job.state == JobState.done:
            self.rejected = list(job.result.get("rejected", []))
        if job.state == JobState.done:
            self.status.setText(f"{job.title}: {job.result.get('summary') or 'done'}")
        else:
            self.status.setText(f"{job.title}: {job.state.value}" + (f" — {job.error}" if job.error else ""))
        self.refresh()

    def record_consent(self) -> bool:
        """Ask for and store a consent record (the persona becomes a real person); whether it was."""
        p = self.session.project
        if p is None:
            return False
        dlg = ConsentDialog(p.persona, self)
        if dlg.exec() != ConsentDialog.DialogCode.Accepted:
            return False
        try:
            save_consent(p, dlg)
        except StudioError as e:
            show_error(self, e)
            return False
        return True
