"""The user's Hugging Face token: where it comes from, and a safe place to keep the one typed in.

Order: the `HF_TOKEN` environment variable, then the token saved from our Settings / `studio
models login`, then the hub's own saved login (`hf auth login`). The saved token is a file of its
own in our config folder, readable by the user only (mode 0600); it is never part of settings.json
(settings travel with farm jobs), never written into a project and never printed (`describe`
shows only its last four characters).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .settings import config_dir


@dataclass(frozen=True)
class Token:
    """A token and where it came from ('HF_TOKEN', 'settings', 'hf login')."""

    value: str
    source: str

    def describe(self) -> str:
        return f"a token from {self.source} (…{self.value[-4:]})"


def token_file() -> Path:
    return config_dir() / "hf_token"


def saved_token() -> str | None:
    """The token saved from Settings, or None."""
    try:
        text = token_file().read_text("utf-8").strip()
    except (FileNotFoundError, PermissionError, UnicodeDecodeError):
        return None
    return text or None


def save_token(value: str) -> Path:
    """Keep `value` for later downloads (mode 0600, written atomically); empty clears it."""
    value = value.strip()
    path = token_file()
    if not value:
        clear_token()
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    # created 0600 from the start: no moment where another user could read it
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, (value + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.name == "posix":
        os.chmod(tmp, 0o600)  # umask cannot widen it, but an existing tmp file kept its old mode
    os.replace(tmp, path)
    return path


def clear_token() -> None:
    token_file().unlink(missing_ok=True)


def current_token() -> Token | None:
    """The token a download sends, or None (then gated repositories answer 401)."""
    env = os.environ.get("HF_TOKEN", "").strip()
    if env:
        return Token(env, "HF_TOKEN")
    saved = saved_token()
    if saved:
        return Token(saved, "settings")
    try:
        from huggingface_hub import get_token

        hub = get_token()
    except ImportError:  # pragma: no cover - huggingface_hub is a dependency
        hub = None
    return Token(hub, "hf login") if hub else None
