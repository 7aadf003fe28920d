"""Errors the user can act on.

Every expected failure is a `StudioError` whose message says what went wrong *and what to do*.
The CLI prints the message and exits with `exit_code`; the GUI shows it in a dialog. Neither
shows a traceback for these.
"""

from __future__ import annotations


class StudioError(Exception):
    """A failure the user can understand and act on (exit code 1)."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class BadInput(StudioError):
    """The user gave something we cannot use: a missing file, a wrong value (exit code 2)."""

    exit_code = 2


class ProjectError(StudioError):
    """A persona project cannot be opened or saved."""


class ProjectCorrupt(ProjectError):
    """project.json is not valid JSON or does not match the schema."""


class SchemaTooNew(ProjectError):
    """project.json was written by a newer Persona Studio."""


class ProjectLocked(ProjectError):
    """Another process has the project open for writing."""


class ReadOnlyProject(ProjectError):
    """A write was attempted on a project opened read-only."""


class NotFound(BadInput):
    """An asset, job, model or file named by the user does not exist."""


class ModelMissing(StudioError):
    """A model needed for this step is not installed; the message names the download command."""

    def __init__(self, message: str, model_ids: list[str] | None = None):
        super().__init__(message)
        self.model_ids = model_ids or []


class ChecksumMismatch(StudioError):
    """A model file's sha256 differs from the catalogue: the file is corrupt or a different file."""


class DownloadFailed(StudioError):
    """A download could not be completed (offline, server error); the message says what to do."""


class ConsentRequired(StudioError):
    """A real person's likeness is used without a recorded consent."""


class DiskFull(StudioError):
    """The disk ran out of space (or would): the message says how much is needed and free."""
