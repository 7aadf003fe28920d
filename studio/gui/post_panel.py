"""Post: a finished post in one go — the `post` action (what `studio post` runs): script, still
(or the best one), formats, music, motion engine and camera move; the exports appear as tiles."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from pipelines.motion.camera import MOVES
from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.text import short_title
from studio.render.captions import TEMPLATES
from studio.render.licences import asset_verdict, stored_verdict, verdict_text
from studio.render.looks import list_looks
from studio.render.presets import PRESETS

from . import theme
from .export_panel import ExportTile, cover_of
from .file_dialogs import open_file
from .images import IMAGE_SUFFIXES, placeholder, thumbnail
from .job_runner import JobRunner
from .session import ProjectSession
from .storyboard_view import PostStoryboard, ScriptScenes
from .widgets import TileGallery, button, form_card, form_with_footer, label
from .workers import JobController

STILL_KINDS = ("still", "image", "reference")
MUSIC_KINDS = ("music", "audio")
ENGINES = (("auto", "Automatic"), ("camera", "Camera motion (built in)"), ("svd", "SVD (Stable Video Diffusion)"))
#: Draft: motion and exports small (like `studio demo --quick`), for a quick look before the real post
DRAFT_SIZE, DRAFT_EXPORT = [360, 640], [270, 480]
#: posts whose exports are shown as tiles
SHOWN_POSTS = 6
#: px of the still thumbnails in the Still dropdown
STILL_ICON = 24


def post_summary(result: dict, verdict: dict | None = None) -> str:
    """What `studio post` prints about a finished post, in one paragraph (`verdict`: the one stored
    with its exports, see render/licences.py)."""
    sync = result.get("sync_correlation")
    return (f"Post ready: still {result.get('still')} ({result.get('still_source')}), motion by "
            f"{result.get('motion_engine')}, lip-sync by {result.get('lipsync_engine')}"
            + (f" (sync r={sync:.2f})" if isinstance(sync, int | float) else "")
            + f". {len(result.get('exports') or {})} export(s)."
            + (f" {verdict_text(verdict)}" if verdict is not None else ""))


class PostPanel(QWidget):
    """Script + choices on the left, a Make post button; the posts' exports on the right."""

    title = "Post"

    def __init__(self, session: ProjectSession, jobs: JobController, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.last_result: dict | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.setSpacing(16)
        lay.addWidget(self._build_form())
        right = QVBoxLayout()
        right.addWidget(label("Posts", "title"))
        right.addWidget(label("Each post's exports; drag a tile into a folder or an upload box.", "muted", wrap=True))
        self.gallery = TileGallery("No posts yet. Write what the persona says and press Make post:\n"
                                   "still → motion → narration → lip-sync → captions → exports, in one job.")
        self.flow, self.empty = self.gallery.flow, self.gallery.empty
        self.runner = JobRunner(self, session, jobs, self.status, self._job_finished, self._update_state)
        self.storyboard = PostStoryboard(session, lambda kind, params, title: self.runner.start(kind, params, title))
        right.addWidget(self.storyboard)
        right.addWidget(self.gallery, 1)
        lay.addLayout(right, 1)
        session.follow(self.refresh, "assets", "posts", "persona")
        self.refresh()

    def _build_form(self) -> QWidget:
        box, col = form_card("Make a post", 400)
        col.addWidget(label("Script", "muted"))
        self.script = QPlainTextEdit()
        self.script.setPlaceholderText("What the persona says, e.g.\nMorning run done! Who else is up this early?")
        self.script.setFixedHeight(84)
        col.addWidget(self.script)
        self.scenes_view = ScriptScenes(self.script, lambda: self.session.project, self._card_still)
        col.addWidget(self.scenes_view)
        self.write_button = button("Write with the assistant…", icon=theme.icon("caption"),
                                   tip="Draft the script (and captions) from a topic in the persona's voice")
        self.write_button.clicked.connect(self.open_writer)
        col.addWidget(self.write_button)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.still = QComboBox()
        # one height whatever the items: 40 px icons made the row grow to twice its height at the
        # first re-layout (e.g. when the status line changed after Make post)
        self.still.setIconSize(QSize(STILL_ICON, STILL_ICON))
        self.still.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.still.setMinimumContentsLength(16)
        form.addRow("Still", self.still)
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("optional: generate a new still (SDXL)")
        self.prompt.setToolTip("When filled, a new still is generated from this prompt instead of using the one above.")
        form.addRow("Prompt", self.prompt)
        self.engine = QComboBox()
        for key, words in ENGINES:
            self.engine.addItem(words, key)
        self.engine.currentIndexChanged.connect(lambda _i: self.form.setRowVisible(
            self.move_combo, self.engine.currentData() != "svd"))
        self.engine.setToolTip("Automatic: SVD when it is installed and an NVIDIA GPU is present, else camera motion")
        form.addRow("Motion", self.engine)
        self.move_combo = QComboBox()
        for m in MOVES:
            self.move_combo.addItem(m, m)
        form.addRow("Camera move", self.move_combo)
        music_row = QHBoxLayout()
        self.music = QComboBox()
        music_row.addWidget(self.music, 1)
        browse = button("", icon=theme.icon("folder"), tip="Choose a music file")
        browse.setFixedWidth(36)
        browse.clicked.connect(self._browse_music)
        music_row.addWidget(browse)
        form.addRow("Music", music_row)
        self.post_title = QLineEdit()
        self.post_title.setPlaceholderText("default: the script's first words")
        form.addRow("Title", self.post_title)
        self.look = QComboBox()
        self.look.addItem("No look", None)
        for name, what in list_looks():
            self.look.addItem(f"{name} — {what}", name)
        form.addRow("Look", self.look)
        self.captions = QComboBox()
        for name, what in TEMPLATES.items():
            self.captions.addItem(f"{name} — {what}", name)
        self.captions.activated.connect(self._set_caption_template)
        form.addRow("Captions", self.captions)
        self.form = form
        col.addLayout(form)
        col.addWidget(label("Formats", "muted"))
        grid = QGridLayout()
        self.preset_boxes: dict[str, QCheckBox] = {}
        for i, p in enumerate(PRESETS.values()):
            b = QCheckBox(p.name)
            b.setToolTip(f"{p.width}×{p.height}")
            self.preset_boxes[p.id] = b
            grid.addWidget(b, i // 2, i % 2)
        col.addLayout(grid)
        self.ai_label = QCheckBox("Show an \"AI-generated\" label on the video")
        self.ai_label.setChecked(True)
        col.addWidget(self.ai_label)
        self.draft = QCheckBox("Draft: small and quick")
        self.draft.setToolTip("Motion at 360×640 and exports inside 270×480: a quick look before the real post")
        col.addWidget(self.draft)
        self.post_button = button("Make post", "primary", theme.icon("post"))
        self.post_button.clicked.connect(self.make_post)
        column, self.status = form_with_footer(box, self.post_button)
        return column

    # -- lists
    def refresh(self) -> None:
        p = self.session.project
        current = self.still.currentData()
        self.still.clear()
        self.still.addItem("Best still (automatic)", None)  # the 24 px star blew up oddly at 40 px
        self.still.setItemData(0, "Your favourite still, else the one most like the persona, else the newest",
                               Qt.ItemDataRole.ToolTipRole)
        order = {k: i for i, k in enumerate(STILL_KINDS)}
        stills = sorted(p.assets_of(*STILL_KINDS), key=lambda a: a.created_at, reverse=True) if p else []
        stills.sort(key=lambda a: order[a.kind])
        for a in stills:
            pm = thumbnail(p.asset_path(a), 2 * STILL_ICON)
            self.still.addItem(QIcon(pm if not pm.isNull() else placeholder(2 * STILL_ICON, a.kind)),
                               f"{short_title(a.label or a.id, 36)}  ({a.kind})", a.id)
        # the post action picks only among stills and reference photos (pick_still): with none, an
        # imported image must be chosen by hand
        can_pick = any(a.kind in ("still", "reference") for a in stills)
        self.still.model().item(0).setEnabled(can_pick)
        i = self.still.findData(current)
        self.still.setCurrentIndex(i if i > 0 or (i == 0 and can_pick) else (0 if can_pick or len(stills) == 0 else 1))
        music = self.music.currentData()
        self.music.clear()
        self.music.addItem("No music", None)
        samples = set(p.persona.voice.reference_samples) if p else set()
        for a in (p.assets_of(*MUSIC_KINDS) if p else []):
            if a.path not in samples:  # voice-cloning samples are audio assets too, but not music
                self.music.addItem(short_title(a.label or a.id), a.id)
        if music and self.music.findData(music) < 0:
            self.music.addItem(Path(music).name, music)
        self.music.setCurrentIndex(max(self.music.findData(music), 0))
        if p is not None and not any(b.isChecked() for b in self.preset_boxes.values()):
            for pid, b in self.preset_boxes.items():
                b.setChecked(pid in p.persona.default_formats)
        if p is not None:
            self.captions.setCurrentIndex(max(self.captions.findData(p.persona.caption_style.template), 0))
        self.storyboard.refresh()
        self._fill_tiles()
        self._update_state()

    def _card_still(self) -> str | None:
        """The still the script's talking cards show: the chosen one, else the one the post would pick."""
        p = self.session.project
        if p is None:
            return None
        from studio.actions.post import pick_still  # noqa: PLC0415

        return self.still.currentData() or pick_still(p)

    def _set_caption_template(self, _index: int) -> None:
        p = self.session.project
        if p is not None and not p.read_only:
            style = p.persona.caption_style.model_copy(update={"template": self.captions.currentData()})
            p.update_persona(caption_style=style)

    def _fill_tiles(self) -> None:
        p = self.session.project
        posts = list(reversed(p.data.posts))[:SHOWN_POSTS] if p else []
        tiles = []
        for post in posts:
            for preset, aid in post.exports.items():
                try:
                    a = p.asset(aid)
                except StudioError:
                    continue  # an export removed by hand
                if Path(a.path).suffix.lower() in IMAGE_SUFFIXES:
                    continue
                name = PRESETS[preset].name if preset in PRESETS else preset
                tiles.append(ExportTile(p.asset_path(a), f"{short_title(post.title)} · {name}", cover_of(p, a),
                                        verdict=asset_verdict(p, a)))
        self.gallery.set_tiles(tiles)

    def _update_state(self) -> None:
        p = self.session.project
        self.post_button.setEnabled(p is not None and not p.read_only and not self.runner.busy())

    def _browse_music(self) -> None:
        path = open_file(self, "Music for the post", "", "Audio (*.wav *.mp3 *.flac *.ogg *.m4a)")
        if path:
            self.set_music_file(path)

    def set_music_file(self, path: str | Path) -> None:
        """Use a file from outside the project as the music bed (the job imports it)."""
        self.music.addItem(Path(path).name, str(path))
        self.music.setCurrentIndex(self.music.count() - 1)

    def open_writer(self):  # noqa: ANN201 - the WriterDialog, or None without a project
        from .writer_dialog import open_writer  # noqa: PLC0415

        return open_writer(self, self.session, self.script)

    # -- the job
    def chosen_presets(self) -> list[str]:
        return [pid for pid, b in self.preset_boxes.items() if b.isChecked()]

    def params(self) -> dict:
        """The post job's parameters (see studio/actions/post.py), as `studio post` sends them."""
        engine = self.engine.currentData()
        params = {"script": self.script.toPlainText().strip(), "still": self.still.currentData(),
                  "look": self.look.currentData(),
                  "prompt": self.prompt.text().strip() or None, "presets": self.chosen_presets(),
                  "music": self.music.currentData(), "engine": engine,
                  "move": self.move_combo.currentData() if engine != "svd" else "push-in",
                  "label": self.ai_label.isChecked(), "title": self.post_title.text().strip() or None}
        if self.draft.isChecked():
            params.update(size=DRAFT_SIZE, export_size=DRAFT_EXPORT)
        return params

    def make_post(self) -> str | None:
        if self.session.project is None:
            return None
        params = self.params()

        def prepare() -> tuple[dict, str]:
            from studio.actions.voice import check_script  # noqa: PLC0415 - the CLI's own check
            from studio.core.storyboard import storyboard_params  # noqa: PLC0415

            params["script"] = check_script(params["script"])
            params.update(storyboard_params(params["script"]))  # the scene cards, as `studio post` reads them
            if not params["presets"]:
                raise StudioError("Tick at least one format to post to.")
            words = " ".join(sc["text"] for sc in params["storyboard"]["scenes"])
            return params, f"Post: {params['title'] or short_title(words)}"

        return self.runner.start_checked("post", prepare)

    def _job_finished(self, job: Job) -> None:
        if job.state == JobState.done:
            self.last_result = dict(job.result or {})
            p = self.session.project
            verdict = stored_verdict(p, self.last_result.get("assets") or []) if p is not None else None
            self.status.setText(post_summary(self.last_result, verdict))
        else:
            self.status.setText(f"{job.title}: {job.state.value}" + (f" — {job.error}" if job.error else ""))
        self.refresh()
