"""Errors as dialogs: a StudioError shows its message; anything else a short line + details."""

from __future__ import annotations

import traceback

from PySide6.QtWidgets import QMessageBox, QWidget

from studio.core.errors import StudioError


def error_box(parent: QWidget | None, exc: BaseException, title: str = "Persona Studio") -> QMessageBox:
    """Build (not show) the dialog for `exc`.

    Expected failures carry a message that says what to do, so that is all the user sees. An
    unexpected error gets one short line and the traceback under "Show Details…".
    """
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    if isinstance(exc, StudioError):
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(exc.message)
    else:
        box.setIcon(QMessageBox.Icon.Critical)
        box.setText(
            f"Something went wrong: {type(exc).__name__}: {exc}\n\n"
            "Your project was not changed by the failed step. If it happens again, please report it "
            "with the details below."
        )
        box.setDetailedText("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_error(parent: QWidget | None, exc: BaseException, title: str = "Persona Studio") -> QMessageBox:
    """Show the error dialog without blocking the event loop (window-modal)."""
    box = error_box(parent, exc, title)
    box.open()
    return box


def show_message(parent: QWidget | None, message: str, title: str = "Persona Studio") -> QMessageBox:
    """A plain failure message (e.g. a job's error text)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.open()
    return box
