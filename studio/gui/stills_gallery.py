"""The stills gallery: one tile per generated still with its identity badge and actions, and the
side-by-side compare dialog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.assets import Asset

from . import theme
from .images import placeholder, read_scaled
from .widgets import label

THUMB = 208

#: identity verdict -> theme role of its badge (see pipelines/faces/identity.py)
VERDICT_ROLES = {"same person": "badge-good", "uncertain": "badge-warn", "different": "badge-bad"}


@dataclass(frozen=True)
class Badge:
    """What a still's identity badge says, and in which colour."""

    text: str
    role: str
    tip: str


def identity_badge(asset: Asset) -> Badge:
    """The badge for a still from provenance.scores (identity 0–100 + verdict), if it was scored."""
    scores = asset.provenance.scores or {}
    value = scores.get("identity")
    verdict = scores.get("identity_verdict")
    if isinstance(value, (int, float)) and verdict:
        role = VERDICT_ROLES.get(str(verdict), "muted")
        return Badge(f"identity {value:.0f} · {verdict}", role,
                     "How much the face looks like the persona (0–100; 60 or more is the same person).")
    if verdict == "no face found":
        return Badge("no face found", "badge-warn", "No face was detected in this still, so it was not scored.")
    if verdict == "no identity":
        return Badge("not scored", "muted", "The persona has no identity yet: add reference photos in Faces.")
    return Badge("not scored", "muted", "This still has no identity score (edited or imported).")


def _tool(text: str, icon: str, tip: str, fn: Callable[[], None]) -> QToolButton:
    b = QToolButton()
    b.setText(text)
    if icon:
        b.setIcon(theme.icon(icon))
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    b.setToolTip(tip)
    b.clicked.connect(lambda _=False: fn())
    return b


class StillTile(QFrame):
    """A still: picture, identity badge, prompt, and favourite / compare / edit / delete."""

    def __init__(self, path: Path, asset: Asset, actions: StillActions):
        super().__init__()
        self.setProperty("role", "tile")
        self.asset = asset
        self.setFixedWidth(THUMB + 20)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(6)
        img = read_scaled(path, THUMB)
        pic = label("")
        if img.isNull():
            pic.setPixmap(placeholder(THUMB, "missing file"))
        else:
            from PySide6.QtGui import QPixmap

            pic.setPixmap(QPixmap.fromImage(img))
        pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pic.setMinimumHeight(THUMB)
        lay.addWidget(pic)
        b = identity_badge(asset)
        self.badge = label(b.text, b.role)
        self.badge.setToolTip(b.tip)
        lay.addWidget(self.badge)
        prov = asset.provenance
        caption = asset.label or prov.parameters.get("user_prompt", "")
        seed = f"seed {prov.seed}" if prov.seed is not None else ""
        what = {"sdxl-inpaint": "inpainted", "sdxl-outpaint": "outpainted"}.get(prov.pipeline, "")
        meta = " · ".join(x for x in (what, seed) if x)
        text = label(caption if not meta else f"{caption}\n{meta}", "muted", wrap=True)
        text.setMaximumHeight(52)
        lay.addWidget(text)
        row = QHBoxLayout()
        row.setSpacing(4)
        self.favourite = QToolButton()
        self.favourite.setCheckable(True)
        self.favourite.setChecked(asset.favourite)
        self.favourite.setIcon(theme.icon("star"))
        self.favourite.setToolTip("Favourite: keep this one for posts")
        self.favourite.toggled.connect(lambda on: actions.favourite(asset.id, on))
        row.addWidget(self.favourite)
        self.compare = QCheckBox("Compare")
        self.compare.setToolTip("Tick two stills, then press Compare selected")
        self.compare.toggled.connect(lambda _on: actions.selection_changed())
        row.addWidget(self.compare)
        row.addStretch(1)
        row.addWidget(_tool("", "delete", "Delete this still (moved to the project's .trash)", lambda: actions.delete(asset.id)))
        lay.addLayout(row)
        edit = QHBoxLayout()
        edit.setSpacing(4)
        edit.addWidget(_tool("Inpaint…", "", "Brush over a part of the still and repaint it", lambda: actions.inpaint(asset.id)))
        edit.addWidget(_tool("Outpaint…", "", "Extend the still to another aspect (e.g. 9:16)", lambda: actions.outpaint(asset.id)))
        edit.addStretch(1)
        lay.addLayout(edit)


@dataclass
class StillActions:
    """What a tile's buttons do (the panel fills these in)."""

    favourite: Callable[[str, bool], None]
    delete: Callable[[str], None]
    inpaint: Callable[[str], None]
    outpaint: Callable[[str], None]
    selection_changed: Callable[[], None]


class CompareDialog(QDialog):
    """Two stills side by side at the same height, each with its badge and seed."""

    def __init__(self, items: list[tuple[Path, Asset]], parent: QWidget | None = None, size: int = 560):
        super().__init__(parent)
        self.setWindowTitle("Compare stills")
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.images = []
        for path, asset in items:
            col = QVBoxLayout()
            pic = label("")
            img = read_scaled(path, size)
            from PySide6.QtGui import QPixmap

            pic.setPixmap(QPixmap.fromImage(img) if not img.isNull() else placeholder(size, "missing file"))
            pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.images.append(pic)
            col.addWidget(pic, 1)
            b = identity_badge(asset)
            col.addWidget(label(b.text, b.role))
            seed = asset.provenance.seed
            col.addWidget(label(f"{asset.id}" + (f" · seed {seed}" if seed is not None else ""), "muted"))
            row.addLayout(col)
        lay.addLayout(row, 1)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
