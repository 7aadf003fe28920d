"""The dark theme (resources/theme/dark.qss + palette.json) and the SVG icon set."""

from __future__ import annotations

import json
from functools import cache, lru_cache

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from studio.core.paths import resources_dir


@lru_cache(maxsize=1)
def colors() -> dict[str, str]:
    """The theme's named colours (palette.json)."""
    return json.loads((resources_dir() / "theme" / "palette.json").read_text("utf-8"))


def color(name: str) -> QColor:
    return QColor(colors()[name])


def stylesheet() -> str:
    """dark.qss with every `@name` replaced by its palette colour (longest names first)."""
    qss = (resources_dir() / "theme" / "dark.qss").read_text("utf-8")
    for name in sorted(colors(), key=len, reverse=True):
        qss = qss.replace(f"@{name}", colors()[name])
    return qss


def palette() -> QPalette:
    """A QPalette matching the stylesheet, for widgets the QSS does not reach (dialogs, menus)."""
    c = colors()
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: c["window"],
        QPalette.ColorRole.WindowText: c["text"],
        QPalette.ColorRole.Base: c["base"],
        QPalette.ColorRole.AlternateBase: c["alt_base"],
        QPalette.ColorRole.Text: c["text"],
        QPalette.ColorRole.Button: c["raised"],
        QPalette.ColorRole.ButtonText: c["text"],
        QPalette.ColorRole.Highlight: c["selection"],
        QPalette.ColorRole.HighlightedText: c["text"],
        QPalette.ColorRole.ToolTipBase: c["raised"],
        QPalette.ColorRole.ToolTipText: c["text"],
        QPalette.ColorRole.PlaceholderText: c["muted"],
        QPalette.ColorRole.Link: c["accent"],
    }
    for role, value in roles.items():
        pal.setColor(role, QColor(value))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(c["muted"]))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(c["muted"]))
    return pal


def apply(app: QApplication) -> None:
    """Use the Fusion style with our palette and stylesheet."""
    app.setStyle("Fusion")
    app.setPalette(palette())
    app.setStyleSheet(stylesheet())


@cache
def icon(name: str) -> QIcon:
    """An icon from resources/icons/NAME.svg (an empty icon if there is none)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()
