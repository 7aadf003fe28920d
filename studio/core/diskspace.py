"""Free disk space: check before long work, and turn "No space left on device" into a message.

A render that fills the disk half-way wastes minutes and leaves partial files; `require_free`
refuses before it starts ("the disk is full: 180 MB needed, 2 MB free on /media/x"), and
`disk_full` words an ENOSPC that happens anyway the same way.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from .errors import DiskFull

#: room kept free beyond an estimate: the project file, job files and the OS need some too
MARGIN = 8 * 2**20


def _mb(n: float) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 2**20:.1f} MB"


def free_bytes(path: str | os.PathLike[str]) -> int:
    """Bytes free for this user on the disk holding `path` (or its nearest existing parent)."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free


def is_disk_full(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) is ENOSPC / EDQUOT."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def disk_full(path: str | os.PathLike[str], need: int | None = None, what: str = "") -> DiskFull:
    """The DiskFull error for the disk holding `path`: what is needed (if known) and what is free."""
    try:
        free = _mb(free_bytes(path))
    except OSError:
        free = "unknown"
    need_text = f"{_mb(need)} needed, " if need else ""
    doing = f" for {what}" if what else ""
    return DiskFull(f"The disk is full: {need_text}{free} free on {Path(path)}{doing}. Free some space "
                    "(or move the project to a bigger disk) and run it again.")


def require_free(path: str | os.PathLike[str], need: int, what: str = "") -> None:
    """Raise DiskFull before starting work that writes about `need` bytes under `path`."""
    if free_bytes(path) < need + MARGIN:
        raise disk_full(path, need + MARGIN, what)


def same_disk(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def require_render_space(project_dir: str | os.PathLike[str], need: int, what: str) -> None:
    """Room for a render of about `need` bytes: it is written in the temp folder (the raw and the
    signed file side by side: twice), then moved into the project — three times on one disk."""
    import tempfile

    tmp = tempfile.gettempdir()
    if same_disk(project_dir, tmp):
        require_free(project_dir, 3 * need, what)
    else:
        require_free(project_dir, need, what)
        require_free(tmp, 2 * need, f"rendering {what} in {tmp}")
