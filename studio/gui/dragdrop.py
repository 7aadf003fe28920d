"""Mime data for drags: project assets inside the window, and plain files out of it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QUrl

#: Asset ids (one per line) dragged from the asset bin onto the timeline.
ASSET_MIME = "application/x-persona-studio-assets"


def file_mime(paths: Iterable[str | Path]) -> QMimeData:
    """Mime data carrying local files as URLs, which file managers and browser upload boxes accept."""
    mime = QMimeData()
    urls = [QUrl.fromLocalFile(str(Path(p).resolve())) for p in paths]
    mime.setUrls(urls)
    mime.setText("\n".join(u.toLocalFile() for u in urls))
    return mime


def asset_mime(asset_ids: Iterable[str], files: Iterable[str | Path] = ()) -> QMimeData:
    """Asset ids for drops inside the window, plus their files for drops outside it."""
    mime = file_mime(files)
    mime.setData(ASSET_MIME, QByteArray("\n".join(asset_ids).encode("utf-8")))
    return mime


def asset_ids(mime: QMimeData) -> list[str]:
    if not mime.hasFormat(ASSET_MIME):
        return []
    return [s for s in bytes(mime.data(ASSET_MIME).data()).decode("utf-8").splitlines() if s]


def local_files(mime: QMimeData) -> list[Path]:
    """Local files in a drop (remote URLs are ignored)."""
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
