"""The user's secrets (the render farm's token, ...): one file each in the config folder, readable
by the user only (mode 0600), written so that no moment exists where another user could read it.

Secrets are never part of settings.json (settings travel with jobs to the window's job process),
never written into a project, a job file or a log, and never printed whole (`hint` shows the
last four characters). The Hugging Face token is one of them (hf_token.py says where downloads
look for a token).
"""

from __future__ import annotations

import os
from pathlib import Path

from .settings import config_dir

#: secret name -> file name in the config folder
FILES = {"farm_token": "farm_token", "writer_api_key": "writer_api_key", "hf_token": "hf_token"}


def secret_file(name: str) -> Path:
    """Where secret `name` is kept."""
    return config_dir() / FILES[name]


def read_secret(name: str) -> str | None:
    """The saved secret, or None."""
    try:
        text = secret_file(name).read_text("utf-8").strip()
    except (FileNotFoundError, PermissionError, UnicodeDecodeError, IsADirectoryError):
        return None
    return text or None


def save_secret(name: str, value: str) -> Path:
    """Keep `value` (mode 0600, written atomically, no trailing newline); empty forgets it."""
    value = value.strip()
    path = secret_file(name)
    if not value:
        forget_secret(name)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, value.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.name == "posix":
        os.chmod(tmp, 0o600)  # an old tmp file of the same name kept its mode; umask cannot widen it
    os.replace(tmp, path)
    return path


def forget_secret(name: str) -> None:
    secret_file(name).unlink(missing_ok=True)


def hint(value: str | None) -> str:
    """How a secret may be shown: its last four characters."""
    return f"…{value[-4:]}" if value else "none"
