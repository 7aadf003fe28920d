"""Export: pick presets and options, run the export job, and drag finished files out of the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDrag
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.assets import Asset
from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.project import Project
from studio.render.licences import asset_verdict, verdict_role, verdict_text
from studio.render.presets import PRESETS

from . import theme
from .dragdrop import file_mime
from .file_dialogs import existing_dir
from .images import IMAGE_SUFFIXES, placeholder, thumbnail
from .job_runner import JobRunner
from .media import media_thumbnail
from .session import ProjectSession
from .widgets import TileGallery, button, form_card, form_with_footer, label
from .workers import JobController

TILE_W = 200


def reveal_url(path: Path) -> QUrl:
    """The folder holding `path` (what "Show in folder" opens)."""
    return QUrl.fromLocalFile(str(Path(path).resolve().parent))


def cover_of(project: Project, export: Asset) -> Path | None:
    """The cover image made with an exported video (its thumbnail), if any."""
    for c in project.assets_of("export", "image"):
        if export.id in c.parents and Path(c.path).suffix.lower() in IMAGE_SUFFIXES:
            return project.asset_path(c)
    return None


#: the export's encoding speeds (studio.render.presets.ENCODE_SPEEDS), in the window's words
ENCODE_SPEED_WORDS = {"fast": "Fast (default)", "balanced": "Balanced", "best": "Best (slowest)"}

class ExportTile(QFrame):
    """One finished export: drag it into a file manager or an upload box; open or reveal it."""

    def __init__(self, path: Path, title: str, cover: Path | None = None, parent: QWidget | None = None,
                 verdict: dict | None = None):
        super().__init__(parent)
        self.setProperty("role", "tile")
        self.path = Path(path)
        self.setFixedWidth(TILE_W)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setToolTip(f"{self.path}\nDrag me into a folder or an upload page.")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        pic = label("")
        pm = thumbnail(cover, TILE_W - 16) if cover else media_thumbnail(self.path, TILE_W - 16)
        pic.setPixmap(pm if not pm.isNull() else placeholder(TILE_W - 16, self.path.suffix.lstrip(".").upper()))
        pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(pic)
        lay.addWidget(label(title, "heading", wrap=True))
        lay.addWidget(label(self.path.name, "muted", wrap=True))
        #: the commercial-use verdict stored with the export (render/licences.py), as a badge
        self.verdict = label(verdict_text(verdict, short=True), verdict_role(verdict), wrap=True)
        self.verdict.setVisible(verdict is not None)
        lay.addWidget(self.verdict)
        row = QHBoxLayout()
        # short words (the tooltips say the rest): "Show in folder" did not fit a tile and was elided
        self.open_button = open_b = QToolButton()
        open_b.setText("Open")
        open_b.setIcon(theme.icon("play"))
        open_b.setToolTip(f"Open {self.path.name} in your video player")
        open_b.clicked.connect(self.open_file)
        self.reveal_button = reveal = QToolButton()
        reveal.setText("Folder")
        reveal.setIcon(theme.icon("folder"))
        reveal.setToolTip(f"Show in folder: {self.path.parent}")
        reveal.clicked.connect(self.reveal)
        for b in (open_b, reveal):
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            row.addWidget(b)
        lay.addLayout(row)
        # its own row: three buttons side by side were elided on a 200 px tile
        self.verify_button = verify = QToolButton()
        verify.setText("Verify…")
        verify.setIcon(theme.icon("verify"))
        verify.setToolTip("Check the C2PA manifest, AI-generated tags, watermark and licences (studio verify)")
        verify.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        verify.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        verify.clicked.connect(self.verify)
        lay.addWidget(verify)
        self.verify_task = None
        self._press: QPoint | None = None

    def verify(self):  # noqa: ANN201 - the Task doing the check
        """Verify this file on a worker thread and show the verdict (see verify_dialog.py)."""
        from .verify_dialog import verify_in_background  # noqa: PLC0415

        self.verify_task = verify_in_background(self, self.path)
        return self.verify_task

    def open_file(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))

    def reveal(self) -> bool:
        return QDesktopServices.openUrl(reveal_url(self.path))

    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        if self._press is not None and (event.position().toPoint() - self._press).manhattanLength() >= QApplication.startDragDistance():
            self._press = None
            self.start_drag()

    def start_drag(self) -> Qt.DropAction:
        """Drag the file out: the mime data carries its file URL."""
        drag = QDrag(self)
        drag.setMimeData(file_mime([self.path]))
        drag.setPixmap(self.grab().scaledToWidth(120))
        return drag.exec(Qt.DropAction.CopyAction)


class ExportPanel(QWidget):
    """Preset checkboxes, output folder, provenance options, Export button and the exports."""

    title = "Export"

    def __init__(self, session: ProjectSession, jobs: JobController, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.setSpacing(16)
        box, left = form_card("Export", 380)
        left.addWidget(label("Formats", "muted"))
        grid = QGridLayout()
        self.preset_boxes: dict[str, QCheckBox] = {}
        for i, p in enumerate(PRESETS.values()):
            check = QCheckBox(f"{p.name}  ({p.width}×{p.height})")
            self.preset_boxes[p.id] = check
            grid.addWidget(check, i, 0)
        left.addLayout(grid)
        left.addWidget(label("Timeline", "muted"))
        self.timeline = QComboBox()
        left.addWidget(self.timeline)
        left.addWidget(label("Also copy the files to (optional)", "muted"))
        row = QHBoxLayout()
        self.out_dir = QLineEdit()
        self.out_dir.setPlaceholderText("Only inside the project's exports/ folder")
        browse = button("Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.out_dir, 1)
        row.addWidget(browse)
        left.addLayout(row)
        left.addWidget(label("Encoding", "muted"))
        self.encode_speed = QComboBox()
        for key, words in ENCODE_SPEED_WORDS.items():
            self.encode_speed.addItem(words, key)
        self.encode_speed.setToolTip("The same bit rate each way: fast takes about half the encoding time "
                                     "of balanced for nearly the same picture; best is slowest.")
        left.addWidget(self.encode_speed)
        self.ai_label = QCheckBox("Show an \"AI-generated\" label on the video")
        self.ai_label.setChecked(True)
        self.cover = QCheckBox("Make a cover image with the caption")
        left.addWidget(self.ai_label)
        left.addWidget(self.cover)
        left.addWidget(label("Provenance (C2PA manifest, models and licences) is always written into the file.",
                             "muted", wrap=True))
        self.export_button = button("Export", "primary", theme.icon("export"))
        self.export_button.clicked.connect(self.start_export)
        column, self.status = form_with_footer(box, self.export_button)
        lay.addWidget(column)

        right = QVBoxLayout()
        right.addWidget(label("Finished exports", "title"))
        right.addWidget(label("Drag a tile into a folder or a browser's upload box.", "muted", wrap=True))
        self.gallery = TileGallery("No exports yet. Lay out a timeline, tick the formats you post to and press Export.")
        self.flow, self.empty, self.scroll = self.gallery.flow, self.gallery.empty, self.gallery.scroll
        right.addWidget(self.gallery, 1)
        lay.addLayout(right, 1)
        self.runner = JobRunner(self, session, jobs, self.status, self._job_finished, self._update_state)
        session.follow(self.refresh, "assets", "timelines", "persona")
        self.refresh()

    def _browse(self) -> None:
        path = existing_dir(self, "Copy exports to")
        if path:
            self.out_dir.setText(path)

    def chosen_presets(self) -> list[str]:
        return [pid for pid, box in self.preset_boxes.items() if box.isChecked()]

    def params(self) -> dict:
        """The export job's parameters (see studio/actions/export.py)."""
        return {
            "target": self.timeline.currentData(),
            "presets": self.chosen_presets(),
            "label": self.ai_label.isChecked(),
            "out_dir": self.out_dir.text().strip() or None,
            "cover_caption": self.cover.isChecked(),
            "encode_speed": self.encode_speed.currentData(),
        }

    def start_export(self) -> str | None:
        """Start the export job; a form that cannot export says why (nothing starts)."""
        def prepare() -> tuple[dict, str]:
            if not self.chosen_presets():
                raise StudioError("Tick at least one format to export.")
            if self.timeline.currentData() is None:
                raise StudioError("This persona has no timeline yet: create one in the Timeline panel.")
            return self.params(), f"Export {', '.join(self.chosen_presets())}"

        return self.runner.start_checked("export", prepare, "Exporting…")

    def _job_finished(self, job: Job) -> None:
        if job.state == JobState.done:
            n = len([a for a in job.result.get("assets", []) if a])
            self.status.setText(f"{n} file{'s' if n != 1 else ''} exported: the newest tiles on the right.")
        else:
            self.status.setText(f"Export {job.state.value}" + (f": {job.error}" if job.error else ""))
        self._update_state()

    def export_assets(self) -> list[Asset]:
        p = self.session.project
        return [a for a in p.assets_of("export") if Path(a.path).suffix.lower() not in IMAGE_SUFFIXES] if p else []

    def refresh(self) -> None:
        p = self.session.project
        current = self.timeline.currentData()
        self.timeline.clear()
        if p is not None:
            for tl in p.data.timelines:
                self.timeline.addItem(f"{tl.name} ({tl.duration:.1f} s)", tl.id)
            idx = self.timeline.findData(current)
            self.timeline.setCurrentIndex(max(idx, 0))
            checked = set(self.chosen_presets()) or set(p.persona.default_formats)
            for pid, box in self.preset_boxes.items():
                box.setChecked(pid in checked)
        tiles = []
        for a in reversed(self.export_assets()):
            preset = a.provenance.parameters.get("preset", "")
            title = PRESETS[preset].name if preset in PRESETS else (a.label or a.id)
            tiles.append(ExportTile(p.asset_path(a), title, cover_of(p, a), verdict=asset_verdict(p, a)))
        self.gallery.set_tiles(tiles)
        self._update_state()

    def _update_state(self) -> None:
        p = self.session.project
        self.export_button.setEnabled(p is not None and not p.read_only and self.timeline.count() > 0
                                      and not self.runner.busy())
        self.export_button.setToolTip("" if self.timeline.count() else "Create a timeline first (Timeline panel).")
