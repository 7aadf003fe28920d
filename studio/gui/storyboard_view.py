"""The Post page's storyboard: scene cards with thumbnails.

`ScriptScenes` shows the script being written as scene cards (split the way `studio post` splits
it); drag a card to reorder the scenes, right-click to choose what a scene shows — the script
text is rewritten with its `---` lines, so the text stays the one truth. `PostStoryboard` shows a
made post's scenes (a frame of each scene's clip, its cut times and identity score), re-rolls
one scene into N candidates ranked by identity, picks among them, and tries a look on a frame.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.storyboard import TRANSITIONS, VISUAL_WORDS, script_from_scenes, split_script
from studio.render.looks import list_looks

from .file_dialogs import open_file
from .images import placeholder
from .media import media_thumbnail
from .widgets import button, label

CARD = 96
ROW = Qt.ItemDataRole.UserRole


class SceneStrip(QListWidget):
    """Scene cards in a row; dragging one to another place emits `reordered` (the new order)."""

    reordered = Signal(list)

    def __init__(self, parent: QWidget | None = None, draggable: bool = True):
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(CARD, CARD))
        self.setGridSize(QSize(CARD + 36, CARD + 58))
        self.setWordWrap(True)
        self.setFixedHeight(CARD + 78)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setMovement(QListWidget.Movement.Snap if draggable else QListWidget.Movement.Static)
        if draggable:
            self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
            self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.model().rowsMoved.connect(lambda *_: self.reordered.emit(self.order()))

    def order(self) -> list[int]:
        """The original index of each card, left to right."""
        return [self.item(i).data(ROW) for i in range(self.count())]

    def set_cards(self, cards: list[tuple[QPixmap, str, str]]) -> None:
        """(thumbnail, text under it, tooltip) per scene."""
        self.clear()
        for n, (pm, text, tip) in enumerate(cards):
            item = QListWidgetItem(QIcon(pm), text)
            item.setData(ROW, n)
            item.setToolTip(tip)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            self.addItem(item)


def _thumb(path: Path | None, text: str) -> QPixmap:
    if path is not None and path.is_file():
        pm = media_thumbnail(path, CARD)
        if not pm.isNull():
            return pm
    return placeholder(CARD, text)


class ScriptScenes(QWidget):
    """The script's scenes as cards under the script box (see the module docstring)."""

    def __init__(self, script: QPlainTextEdit, project: Callable[[], object],
                 default_still: Callable[[], str | None] = lambda: None, parent: QWidget | None = None):
        super().__init__(parent)
        self.script, self.project, self.default_still = script, project, default_still
        self.scenes: list[dict] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.heading = label("Scenes: write '---' between scenes, or blank lines between paragraphs", "muted", wrap=True)
        lay.addWidget(self.heading)
        self.strip = SceneStrip(self)
        self.strip.reordered.connect(self._reorder)
        self.strip.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.strip.customContextMenuRequested.connect(self._menu)
        lay.addWidget(self.strip)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.refresh)
        script.textChanged.connect(self._timer.start)
        self.refresh()

    def refresh(self) -> None:
        text = self.script.toPlainText().strip()
        try:
            self.scenes = split_script(text) if text else []
            self.heading.setText(f"{len(self.scenes)} scene(s) — drag to reorder, right-click to choose the picture"
                                 if len(self.scenes) > 1 else "Scenes: write '---' between scenes, or blank "
                                 "lines between paragraphs")
        except StudioError as e:
            self.scenes = []
            self.heading.setText(e.message)
        cards = []
        for n, sc in enumerate(self.scenes, 1):
            v = sc.get("visual") or {}
            kind = v.get("kind", "talking")
            src = v.get("source") or (None if kind == "broll" or v.get("prompt") else self.default_still())
            path = self._path_of(src) if src else None
            words = sc["text"].replace("\n", " ")
            enter = f" ← {sc['transition']}" if n > 1 and sc.get("transition") not in (None, "cut") else ""
            cards.append((_thumb(path, kind), f"{n} · {kind}{enter}\n{words[:28]}{'…' if len(words) > 28 else ''}",
                          f"{VISUAL_WORDS.get(kind, kind)}\n{words}"))
        self.strip.set_cards(cards)
        self.strip.setVisible(len(cards) > 1)  # one scene is just the script: no cards to arrange

    def _path_of(self, ref: str) -> Path | None:
        p = self.project()
        if p is None:
            return None
        try:
            return p.resolve_input(ref)[0]  # type: ignore[attr-defined]
        except StudioError:
            return None

    def _write(self, scenes: list[dict]) -> None:
        self.script.setPlainText(script_from_scenes(scenes) if len(scenes) > 1 or any(
            s.get("visual") or s.get("look") for s in scenes) else scenes[0]["text"])
        self.refresh()

    def _reorder(self, order: list[int]) -> None:
        if sorted(order) == list(range(len(self.scenes))) and order != list(range(len(self.scenes))):
            self._write([self.scenes[i] for i in order])

    def set_visual(self, index: int, kind: str, source: str | None = None) -> None:
        """Make scene `index` show `kind` (from `source` for B-roll)."""
        scenes = [dict(s) for s in self.scenes]
        visual = {k: v for k, v in (scenes[index].get("visual") or {}).items() if k not in ("kind", "source")}
        visual["kind"] = kind
        if source:
            visual["source"] = source
        scenes[index]["visual"] = visual
        self._write(scenes)

    def set_field(self, index: int, key: str, value: str | None) -> None:
        scenes = [dict(s) for s in self.scenes]
        if value in (None, "", "none", "cut"):
            scenes[index].pop(key, None)
        else:
            scenes[index][key] = value
        self._write(scenes)

    def _menu(self, pos) -> None:  # noqa: ANN001 - QPoint
        item = self.strip.itemAt(pos)
        if item is None:
            return
        i = item.data(ROW)
        menu = QMenu(self)
        menu.addAction("The persona talking", lambda: self.set_visual(i, "talking"))
        menu.addAction("A still with a camera move", lambda: self.set_visual(i, "still"))
        menu.addAction("A motion-model clip", lambda: self.set_visual(i, "motion"))
        menu.addAction("B-roll photo or video…", lambda: self._broll(i))
        if i > 0:
            enter = menu.addMenu("Transition into it")
            for t in TRANSITIONS:
                enter.addAction(t, lambda t=t: self.set_field(i, "transition", t))
        looks = menu.addMenu("Look of this scene")
        looks.addAction("none", lambda: self.set_field(i, "look", None))
        for name, _ in list_looks():
            looks.addAction(name, lambda n=name: self.set_field(i, "look", n))
        menu.exec(self.strip.mapToGlobal(pos))

    def _broll(self, index: int) -> None:
        path = open_file(self, "B-roll photo or video", "",
                         "Photos and videos (*.jpg *.jpeg *.png *.webp *.mp4 *.mov *.m4v *.webm)")
        if path:
            self.set_visual(index, "broll", str(path))


class PostStoryboard(QWidget):
    """A made post's scenes: thumbnails, cut times, identity; re-roll, pick a candidate, try a look."""

    def __init__(self, session, start_job: Callable[[str, dict, str], object], parent: QWidget | None = None):  # noqa: ANN001
        super().__init__(parent)
        self.session, self.start_job = session, start_job
        self.post_id: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.heading = label("", "muted", wrap=True)
        lay.addWidget(self.heading)
        self.strip = SceneStrip(self, draggable=False)
        self.strip.currentRowChanged.connect(lambda _r: self._show_candidates())
        lay.addWidget(self.strip)
        self.reroll_button = button("Re-roll scene…", tip="Make N new candidates for the selected scene, ranked by "
                                    "identity; the other scenes stay as they are")
        self.reroll_button.clicked.connect(self.reroll)
        top = QHBoxLayout()
        top.addWidget(self.reroll_button)
        top.addStretch(1)
        lay.addLayout(top)
        row = QHBoxLayout()
        self.look = QComboBox()
        self.look.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.look.setMinimumContentsLength(12)
        self.look.addItem("No look", "none")
        for name, what in list_looks():
            self.look.addItem(f"{name} — {what}", name)
        row.addWidget(self.look, 1)
        self.preview_button = button("Preview", tip="The selected scene's frame with this look")
        self.preview_button.clicked.connect(self.preview)
        row.addWidget(self.preview_button)
        self.apply_button = button("Apply", tip="Give the post this look and export it again")
        self.apply_button.clicked.connect(self.apply_look)
        row.addWidget(self.apply_button)
        lay.addLayout(row)
        self.candidates = SceneStrip(self, draggable=False)
        self.candidates.setFixedHeight(CARD + 60)
        self.candidates.itemDoubleClicked.connect(self._pick)
        self.candidates.setToolTip("Double-click a candidate to use it for this scene")
        lay.addWidget(self.candidates)
        self.preview_label = QLabel()
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.preview_label)
        self.refresh()

    def _post(self):  # noqa: ANN202
        p = self.session.project
        if p is None:
            return None
        boards = [x for x in p.data.posts if x.storyboard is not None]
        return boards[-1] if boards else None

    def refresh(self) -> None:
        p, post = self.session.project, self._post()
        self.setVisible(post is not None)
        if post is None:
            self.post_id = None
            return
        self.post_id = post.id
        board = post.storyboard
        state = "" if post.state == "ready" else " — not finished: resume its job in the Jobs dock"
        self.heading.setText(f"Storyboard of “{post.title}”{state}")
        cards = []
        for n, s in enumerate(board.scenes, 1):
            m = s.made
            path = p.asset_path(m.clip) if m and m.clip else None
            when = f"{m.start:.1f}–{m.end:.1f} s" if m else "not made"
            ident = f" · id {m.identity:.0f}" if m and m.identity is not None else ""
            cards.append((_thumb(path, s.visual.kind), f"{n} · {s.visual.kind}\n{when}{ident}",
                          f"{VISUAL_WORDS[s.visual.kind]}\n“{s.text}”"
                          + (f"\nidentity: {m.identity_verdict}" if m and m.identity_verdict else "")))
        row = max(self.strip.currentRow(), 0)
        self.strip.set_cards(cards)
        self.strip.setCurrentRow(min(row, len(cards) - 1))
        self._show_candidates()

    def selected(self) -> int:
        return max(self.strip.currentRow(), 0) + 1

    def _show_candidates(self) -> None:
        p, post = self.session.project, self._post()
        self.candidates.clear()
        if p is None or post is None:
            return
        scene = post.storyboard.scenes[self.selected() - 1]
        m = scene.made
        if not m or len(m.candidates) < 2:
            self.candidates.hide()
            return
        cards = []
        for n, c in enumerate(m.candidates, 1):
            score = m.candidate_scores.get(c)
            chosen = " ✓" if c in (m.still, m.clip) else ""
            cards.append((_thumb(p.asset_path(c), "?"), f"{n}{chosen}\nid {score:.0f}" if score is not None
                          else f"{n}{chosen}", c))
        self.candidates.set_cards(cards)
        self.candidates.show()

    def reroll(self) -> None:
        if self.post_id is None:
            return
        n = self.selected()
        prompt, ok = QInputDialog.getText(self, f"Re-roll scene {n}", "Prompt for new stills (empty: the scene's "
                                          "own, or the persona's other stills):", QLineEdit.EchoMode.Normal, "")
        if not ok:
            return
        count, ok = QInputDialog.getInt(self, f"Re-roll scene {n}", "Candidates:", 3, 1, 16)
        if ok:
            self.start_job("scene.reroll", {"post": self.post_id, "scene": n, "prompt": prompt.strip() or None,
                                            "candidates": count}, f"Re-roll scene {n}")

    def _pick(self, item: QListWidgetItem) -> None:
        if self.post_id is not None:
            n = self.selected()
            self.start_job("scene.pick", {"post": self.post_id, "scene": n, "candidate": item.data(ROW) + 1},
                           f"Pick candidate {item.data(ROW) + 1} for scene {n}")

    def preview(self) -> Path | None:
        """Render the selected scene's frame with the chosen look; shown under the strip."""
        p = self.session.project
        if p is None or self.post_id is None:
            return None
        import tempfile

        from studio.actions.looks import preview_look  # noqa: PLC0415

        out = Path(tempfile.mkdtemp(prefix="studio-look-")) / "preview.png"
        try:
            preview_look(p, self.look.currentData(), out, post_ref=self.post_id, scene=self.selected(), width=360)
        except StudioError as e:
            self.heading.setText(e.message)
            return None
        self.preview_label.setPixmap(QPixmap(str(out)).scaledToHeight(240, Qt.TransformationMode.SmoothTransformation))
        return out

    def apply_look(self) -> None:
        p, post = self.session.project, self._post()
        if p is None or post is None:
            return
        from studio.actions.looks import set_look  # noqa: PLC0415

        try:
            set_look(p, post.id, self.look.currentData())
        except StudioError as e:
            self.heading.setText(e.message)
            return
        self.start_job("export", {"target": post.id, "presets": list(post.presets), "label": True},
                       f"Export {post.title} with look {self.look.currentData()}")


