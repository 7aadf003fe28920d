"""Faces page tools: score any image or clip against the persona (`faces.score`) and swap the persona's
face into one (`faces.swap`, as `studio faces score` / `studio swap` run them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QWidget

from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.models import ModelStore

from . import theme
from .errors import show_error
from .file_dialogs import open_file
from .images import IMAGE_SUFFIXES
from .job_runner import JobRunner
from .licence_gate import persona_store
from .session import ProjectSession
from .widgets import button, label
from .workers import JobController

MEDIA_FILTER = "Images and clips (*.jpg *.jpeg *.png *.webp *.mp4 *.mov *.mkv *.webm)"


def score_words(result: dict) -> str:
    """One line per face (or per scored frame) from a `faces.score` result."""
    if not result.get("frames"):
        faces = result.get("faces") or []
        if not faces:
            return "No face found in this picture."
        return "\n".join(f"Face {i + 1}: {f['score']:.0f} — {f['verdict']}" for i, f in enumerate(faces))
    scores = [f["score"] for fr in result["frames"] for f in fr["faces"][:1]]
    if not scores:
        return f"No face found in the {len(result['frames'])} frames checked."
    return (f"{len(result['frames'])} frames checked: mean {sum(scores) / len(scores):.0f}, worst {min(scores):.0f}, "
            f"best {max(scores):.0f} (largest face per frame).")


def missing_swap_models(store: ModelStore) -> list[str]:
    """The face-swap models not installed here: none when a swapper is (GHOST or inswapper),
    else what the automatic one (GHOST, Apache-2.0 weights) needs."""
    from pipelines.faces.swappers import installed_swapper

    if installed_swapper(store) is not None:
        return []
    return [m for m in ("ghost_2_256", "crossface_ghost", "buffalo_l-det", "buffalo_l-rec") if store.find(m) is None]


class FaceTools(QWidget):
    """'Score an image…' and 'Swap face into…' buttons with a result line under them."""

    def __init__(self, session: ProjectSession, jobs: JobController,
                 open_models: Callable[[], object] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.open_models = open_models
        self.last_result: dict | None = None
        self.models_box: QMessageBox | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.score_button = button("Score an image…", icon=theme.icon("faces"),
                                   tip="How much each face in an image or clip looks like the persona (0–100)")
        self.score_button.clicked.connect(lambda: self._browse(self.score))
        self.swap_button = button("Swap face into…", icon=theme.icon("stills"),
                                  tip="Put the persona's face into an image or a clip (GHOST or inswapper + the insightface models)")
        self.swap_button.clicked.connect(lambda: self._browse(self.swap))
        lay.addWidget(self.score_button)
        lay.addWidget(self.swap_button)
        self.result = label("", "muted", wrap=True)
        lay.addWidget(self.result, 1)
        self.runner = JobRunner(self, session, jobs, self.result, self._job_finished)
        session.follow(self._gate, "persona")
        self._gate()

    def _gate(self) -> None:
        """Grey the swap button with the reason when the persona is commercial-safe."""
        p = self.session.project
        refused = persona_store(ModelStore(self.session.settings), p).refusal_reason("buffalo_l-rec") if p else None
        self.swap_button.setEnabled(not refused)
        self.swap_button.setToolTip(
            f"No face swap for this persona: {refused} (every swapper's identity comes from it)." if refused
            else "Put the persona's face into an image or a clip (GHOST or inswapper + the insightface models)")

    def _browse(self, then: Callable[[str], object]) -> None:
        path = open_file(self, "Pick an image or a clip", "", MEDIA_FILTER)
        if path:
            then(path)

    def score(self, path: str | Path) -> str | None:
        """Start `faces.score` for an image or clip (every 5th frame of a clip)."""
        p = self.session.project
        if p is not None and not p.persona.identity and not p.persona.reference_faces:
            show_error(self, StudioError("Add reference photos first: the score compares faces with the persona's."))
            return None
        every = 1 if Path(path).suffix.lower() in IMAGE_SUFFIXES else 5
        return self.runner.start("faces.score", {"path": str(path), "every": every}, f"Score {Path(path).name}")

    def swap(self, path: str | Path) -> str | None:
        """Start `faces.swap`; when its models are missing, say which and offer the Models dialog instead."""
        p = self.session.project
        if p is None:
            return None
        store = ModelStore(self.session.settings)
        refused = persona_store(store, p).refusal_reason("buffalo_l-rec")
        if refused:  # the button is greyed with this reason; a call from elsewhere is told too
            show_error(self, StudioError(f"No face swap for this persona: {refused}. Every swapper takes the "
                                         "persona's identity from insightface's non-commercial recognizer."))
            return None
        missing = missing_swap_models(store)
        if missing:
            self.ask_for_models(missing)
            return None
        return self.runner.start("faces.swap", {"target": str(path), "face": "largest", "restore": True},
                           f"Swap face into {Path(path).name}")

    def ask_for_models(self, missing: list[str]) -> QMessageBox:
        """'Face swap needs …' with a button that opens Tools ▸ Models."""
        box = QMessageBox(QMessageBox.Icon.Information, "Face swap needs models",
                          "Face swap needs these models, not installed yet:\n\n" + "\n".join(f"• {m}" for m in missing)
                          + "\n\nDownload them in the Models dialog (or run `studio models download "
                          + " ".join(missing) + "`). GHOST's weights are Apache-2.0; the insightface models (the "
                          "persona's identity for every swapper) are for non-commercial research use only.",
                          QMessageBox.StandardButton.Close, self)
        models = box.addButton("Open Models…", QMessageBox.ButtonRole.AcceptRole)
        models.setEnabled(self.open_models is not None)
        models.clicked.connect(lambda: self.open_models() if self.open_models else None)
        self.models_box = box
        box.open()
        return box

    def _job_finished(self, job: Job) -> None:
        if job.state != JobState.done:
            self.result.setText(f"{job.title}: {job.state.value}" + (f" — {job.error}" if job.error else ""))
            return
        r = self.last_result = dict(job.result or {})
        if job.kind == "faces.score":
            self.result.setText(f"{job.title.removeprefix('Score ')}: {score_words(r)}  ({r.get('backend')})")
        else:
            s = r.get("scores") or {}
            ident = "no face found" if s.get("identity") is None else f"identity {s['identity']:.0f} — {s.get('identity_verdict')}"
            self.result.setText(f"Swapped: {r['assets'][0]} in the asset bin ({ident}).")
