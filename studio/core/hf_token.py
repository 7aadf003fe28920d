"""The user's Hugging Face token: where it comes from, and a safe place to keep the one typed in.

Order: the `HF_TOKEN` environment variable, then the token saved from our Settings / `studio
models login`, then the hub's own saved login (`hf auth login`). The saved token is one of the
user's secrets (core/secrets.py: its own file, mode 0600, never in settings.json, a project or a
log); `describe` shows only its last four characters.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .secrets import forget_secret, hint, read_secret, save_secret, secret_file


@dataclass(frozen=True)
class Token:
    """A token and where it came from ('HF_TOKEN', 'settings', 'hf login')."""

    value: str
    source: str

    def describe(self) -> str:
        return f"a token from {self.source} ({hint(self.value)})"


def token_file() -> Path:
    return secret_file("hf_token")


def saved_token() -> str | None:
    """The token saved from Settings / `studio models login`, or None."""
    return read_secret("hf_token")


def save_token(value: str) -> Path:
    """Keep `value` for later downloads (core/secrets.py: mode 0600, atomic); empty clears it."""
    return save_secret("hf_token", value)


def clear_token() -> None:
    forget_secret("hf_token")


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
