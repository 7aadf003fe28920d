"""Where the studio's bundled resources are (source checkout, editable install or app bundle)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The `resources/` folder: style presets, themes, icons, SDXL configs, demo material."""
    env = os.environ.get("PERSONA_STUDIO_RESOURCES")
    if env:
        return Path(env)
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller bundle
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"
