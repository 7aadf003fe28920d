"""Verify an exported file (what `studio verify FILE` prints): C2PA manifest state, AI-generated tags,
invisible watermark and the licence verdict, in a dialog. The check runs on a worker thread
(reading the manifest and probing a video takes a moment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from studio.render.licences import verdict_role, verdict_text

from .errors import show_error
from .file_dialogs import open_file
from .widgets import label
from .workers import Task

EXPORT_FILTER = "Exports (*.mp4 *.mov *.jpg *.jpeg *.png *.webp);;All files (*)"


def report_rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, text, theme role) rows for a `verify_file` report — the same facts the CLI prints."""
    c = report.get("c2pa", {})
    rows: list[tuple[str, str, str]] = []
    if not c.get("present"):
        rows.append(("C2PA manifest", "none", "badge-bad"))
    else:
        ok_state = c.get("state") in ("Valid", "Trusted") and not c.get("failures")
        state = f"{c.get('state') or 'unknown'}" + ("" if ok_state else " — the file was changed after signing")
        rows.append(("C2PA manifest", state, "badge-good" if ok_state else "badge-bad"))
        rows.append(("Signed by", (c.get("issuer") or "unknown issuer")
                     + ("" if c.get("trusted") else " (not a trusted certificate: local development CA)"),
                     "" if c.get("trusted") else "muted"))
        if c.get("actions"):
            rows.append(("Actions", ", ".join(a for a in c["actions"] if a), ""))
        sources = c.get("digital_source_types") or []
        ai = any(s.endswith("trainedAlgorithmicMedia") for s in sources)
        rows.append(("AI source type", ", ".join(s.rsplit("/", 1)[-1] for s in sources) or "none",
                     "badge-good" if ai else "badge-bad"))
    meta = report.get("metadata") or {}
    tagged = any("AI-generated" in str(v) for v in meta.values() if v)
    rows.append(("AI-generated tag", "present" if tagged else "missing", "badge-good" if tagged else "badge-bad"))
    if "watermark" in report:
        w = report["watermark"]
        if not w.get("found"):
            rows.append(("Watermark", "not found", "badge-bad"))
        else:
            match = "" if not w.get("expected") else (", matches the manifest" if w.get("matches_manifest")
                                                      else ", does NOT match the manifest")
            rows.append(("Watermark", f"found (confidence {w.get('confidence')}){match}",
                         "badge-good" if not w.get("expected") or w.get("matches_manifest") else "badge-bad"))
    else:
        rows.append(("Watermark", "not checked: videos carry none (stills and covers do)", "muted"))
    studio = c.get("studio") or {}
    verdict = report.get("commercial_use")
    if verdict is None and studio.get("commercial_use") is not None:
        verdict = {"verdict": studio["commercial_use"], "models": studio.get("models") or []}
    if verdict is not None:  # one wording for every place a verdict shows (render/licences.py)
        rows.append(("Licences", verdict_text(verdict, short=True), verdict_role(verdict)))
    else:
        rows.append(("Licences", "no licence verdict recorded in the file", "muted"))
    return rows


def verdict_line(report: dict[str, Any]) -> str:
    """The headline: what passed, naming only the checks that were made (a video has no invisible
    watermark, so "…and watermark are intact" over a row saying videos carry none was two stories)."""
    if not report.get("ok"):
        n = len(report.get("problems") or [])
        return f"Verification failed: {n} problem{'s' if n != 1 else ''} (listed below)." if n else "Verification failed."
    checked = ["the C2PA manifest", "the AI-generated tag"]
    if "watermark" in report:
        checked.append("the invisible watermark")
    return f"Verified: {', '.join(checked[:-1])} and {checked[-1]} are intact."


class VerifyDialog(QDialog):
    """The verdict for one file, row by row, and the problems that made it fail."""

    def __init__(self, report: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(f"Verify — {Path(report['file']).name}")
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        ok = bool(report.get("ok"))
        self.verdict = label(verdict_line(report), "badge-good" if ok else "badge-bad", wrap=True)
        lay.addWidget(self.verdict)
        lay.addWidget(label(report["file"], "muted", wrap=True))
        form = QFormLayout()
        self.rows: dict[str, str] = {}
        for field, text, role in report_rows(report):
            value = label(text, role, wrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(field, value)
            self.rows[field] = text
        lay.addLayout(form)
        self.problems = list(report.get("problems") or [])
        if self.problems:
            lay.addWidget(label("Problems:\n" + "\n".join(f"• {p}" for p in self.problems), "badge-bad", wrap=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)


def verify_in_background(parent: QWidget, path: str | Path) -> Task:
    """Check `path` on a worker thread, then open the VerifyDialog (or the error) over `parent`.
    The Task's `done` signal carries the report; the dialog is kept on `parent.verify_dialog`."""
    from studio.render.verify import verify_file

    task = Task(lambda _ctx: verify_file(path), parent)

    def shown(report: dict[str, Any]) -> None:
        dlg = VerifyDialog(report, parent)
        parent.verify_dialog = dlg  # kept for tests and so it is not collected while open
        dlg.open()

    task.done.connect(shown)
    task.error.connect(lambda e: show_error(parent, e, "Verify"))
    return task.start()


def ask_and_verify(parent: QWidget, folder: str = "") -> Task | None:
    """File ▸ Verify export…: pick a file, then verify it."""
    path = open_file(parent, "Verify an exported file", folder, EXPORT_FILTER)
    return verify_in_background(parent, path) if path else None
