"""Words of a take on the Voice page: correct them before export (`studio words set`), or transcribe
a recording or video into a new take (`studio transcribe`): captions for any audio."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio.actions.transcribe import set_words
from studio.actions.voice import word_timings
from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState

from . import theme
from .errors import show_error
from .file_dialogs import open_file
from .job_runner import JobRunner
from .session import ProjectSession
from .widgets import button, label
from .workers import JobController

MEDIA_FILTER = "Audio or video (*.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mov *.mkv *.webm)"


class WordsBox(QGroupBox):
    """The selected take's words as editable text; Save re-times the edit from the old words."""

    def __init__(self, session: ProjectSession, jobs: JobController, take, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__("Words (captions)", parent)
        self.session = session
        self.take = take
        col = QVBoxLayout(self)
        col.setContentsMargins(8, 6, 8, 6)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("The words of the selected take appear here; correct them and save.")
        self.text.setFixedHeight(64)
        col.addWidget(self.text)
        row = QHBoxLayout()
        self.save_button = button("Save words", icon=theme.icon("caption"),
                                  tip="Corrected words keep the times of the words they replace (studio words set)")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        self.transcribe_button = button("Transcribe a recording…", icon=theme.icon("add"),
                                        tip="Word-timed captions for your own recording or a video (studio transcribe)")
        self.transcribe_button.clicked.connect(self._browse)
        row.addWidget(self.transcribe_button)
        row.addStretch(1)
        col.addLayout(row)
        self.status = label("", "muted", wrap=True)
        col.addWidget(self.status)
        self.runner = JobRunner(self, session, jobs, self.status, self._job_finished)
        self.show_take()

    def show_take(self) -> None:
        p, take = self.session.project, self.take()
        words = word_timings(p, take) if p is not None and take else []
        self.text.setPlainText(" ".join(str(w["word"]) for w in words))
        editable = p is not None and not p.read_only
        self.save_button.setEnabled(editable and bool(take))
        self.transcribe_button.setEnabled(editable)

    def save(self) -> list[dict] | None:
        """Write the edited words into the take (errors become a dialog); the new words."""
        p, take = self.session.project, self.take()
        if p is None or not take:
            return None
        try:
            words = set_words(p, take, text=self.text.toPlainText())
        except StudioError as e:
            show_error(self, e)
            return None
        self.status.setText(f"{len(words)} words saved; rebuild the captions on the timeline to use them.")
        return words

    def _browse(self) -> None:
        path = open_file(self, "A recording or video to caption", "", MEDIA_FILTER)
        if path:
            self.transcribe(path)

    def transcribe(self, source: str, script: str | None = None) -> str | None:
        """Start a transcribe job for a file or asset; the job id."""
        return self.runner.start("transcribe", {"source": source, "script": script, "engine": "auto"},
                                 "Transcribe", queued="Listening…")

    def _job_finished(self, job: Job) -> None:
        if job.state == JobState.done:
            r = job.result or {}
            self.status.setText(f"New take {r['assets'][0]}: {r['words']} words ({r['method']} by {r['engine']}).")
        else:
            self.status.setText(f"Transcription {job.state.value}" + (f": {job.error}" if job.error else ""))
