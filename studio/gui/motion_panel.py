"""Motion: pick a still, an engine (camera motion, Wan 2.2 or Stable Video Diffusion) and its settings,
run `motion.animate`; the clips made so far with their engine and identity, and a looping preview."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pipelines.motion.camera import MOVES
from studio.actions.motion import SVD_IDS
from studio.actions.motion_engine import WAN_IDS
from studio.core.assets import Asset
from studio.core.jobs import Job, JobState
from studio.core.models import ModelStore
from studio.core.text import short_title

from . import theme
from .clip_player import ClipPlayer
from .images import placeholder, thumbnail
from .job_runner import JobRunner
from .licence_gate import grey_refused, persona_store
from .media import media_thumbnail
from .session import ProjectSession
from .widgets import EmptyState, button, form_card, form_with_footer, label
from .workers import JobController

#: what motion.animate takes: any image asset (stills, imported images, reference photos)
SOURCE_KINDS = ("still", "image", "reference")
KIND_WORDS = {"still": "still", "image": "image", "reference": "reference photo"}
SIZES = ("1080x1920", "1080x1350", "1080x1080", "1920x1080")
ID_ROLE = Qt.ItemDataRole.UserRole


def clip_summary(asset: Asset) -> str:
    """'camera motion (OpenCV) · push-in · identity 71' — what a clip row says about a clip."""
    prov = asset.provenance
    parts = [prov.engine or prov.pipeline]
    move = prov.parameters.get("move")
    if move and prov.pipeline == "motion.camera":
        parts.append(str(move))
    frames, fps = prov.parameters.get("frames"), prov.parameters.get("fps_out") or prov.parameters.get("fps")
    if frames and fps:
        parts.append(f"{float(frames) / float(fps):.1f} s")
    scores = prov.scores or {}
    if isinstance(scores.get("identity"), (int, float)):
        parts.append(f"identity {scores['identity']:.0f} (worst frame)")
    elif isinstance(scores.get("identity_still"), (int, float)):
        parts.append(f"identity {scores['identity_still']:.0f}")
    elif isinstance(scores.get("identity_frames"), dict) and scores["identity_frames"].get("status") == "no identity":
        parts.append("not scored")
    return " · ".join(parts)


class MotionPanel(QWidget):
    """Turn a still into a short clip."""

    title = "Motion"

    def __init__(self, session: ProjectSession, jobs: JobController, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.setSpacing(16)
        lay.addWidget(self._build_form())
        right = QVBoxLayout()
        right.addWidget(label("Clips", "title"))
        self.player = ClipPlayer()
        right.addWidget(self.player, 3)
        self.clips = QListWidget()
        self.clips.setIconSize(QSize(64, 64))
        self.clips.currentItemChanged.connect(lambda *_: self._show_clip())
        right.addWidget(self.clips, 2)
        self.empty = EmptyState("No clips yet.\nPick a still on the left and press Animate: the clip plays here.")
        right.addWidget(self.empty, 2)
        lay.addLayout(right, 1)
        self.runner = JobRunner(self, session, jobs, self.status, self._job_finished, self._update_state)
        session.follow(self.refresh, "assets", "project", "persona")
        self.refresh()

    def _build_form(self) -> QWidget:
        box, col = form_card("Animate a still", 380)
        self.still = QComboBox()
        self.still.setIconSize(QSize(48, 48))
        self.still.currentIndexChanged.connect(lambda _i: self._update_state())
        col.addWidget(self.still)
        self.no_still = label("This persona has no images yet: make a still in Stills, add a reference "
                              "photo in Faces or import an image in the asset bin, and it appears here.",
                              "muted", wrap=True)
        col.addWidget(self.no_still)
        self.form = form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.engine = QComboBox()
        self.engine.currentIndexChanged.connect(lambda _i: self._engine_changed())
        form.addRow("Engine", self.engine)
        self.motion_prompt = QLineEdit()
        self.motion_prompt.setPlaceholderText("e.g. she laughs and turns to the camera")
        self.motion_prompt.setToolTip("Wan 2.2: what should move (empty: the still's prompt + subtle natural motion)")
        form.addRow("Motion prompt", self.motion_prompt)
        self.move_combo = QComboBox()
        for m in MOVES:
            self.move_combo.addItem(m, m)
        self.move_combo.setToolTip("push-in: slow zoom towards the face; pan: a sideways drift; "
                                   "parallax: the person moves more than the background")
        form.addRow("Camera move", self.move_combo)
        self.motion = QSpinBox()
        self.motion.setRange(1, 255)
        self.motion.setValue(127)
        self.motion.setToolTip("How much moves (SVD's motion bucket; for the camera, 127 = normal strength)")
        form.addRow("Motion amount", self.motion)
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.2, 60.0)
        self.seconds.setSingleStep(0.5)
        self.seconds.setValue(6.0)
        self.seconds.setSuffix(" s")
        form.addRow("Length", self.seconds)
        self.fps = QSpinBox()
        self.fps.setRange(1, 60)
        self.fps.setValue(30)
        form.addRow("Frames/s", self.fps)
        self.size = QComboBox()
        self.size.setEditable(True)
        self.size.addItems(SIZES)
        self.size.setToolTip("Output size in pixels (width x height)")
        form.addRow("Size", self.size)
        self.steps = QSpinBox()
        self.steps.setRange(1, 100)
        self.steps.setValue(25)
        form.addRow("Steps", self.steps)
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2**31 - 2)
        self.seed.setValue(-1)
        self.seed.setSpecialValueText("random")
        form.addRow("Seed", self.seed)
        col.addLayout(form)
        self.engine_note = label("", "muted", wrap=True)
        col.addWidget(self.engine_note)
        self.animate_button = button("Animate", "primary", theme.icon("motion"))
        self.animate_button.clicked.connect(self.animate)
        column, self.status = form_with_footer(box, self.animate_button)
        return column

    # -- engines
    def _installed(self, ids: tuple[str, ...]) -> str | None:
        store = ModelStore(self.session.settings)
        return next((m for m in ids if store.find(m) is not None), None)

    def _fill_engines(self) -> None:
        current = self.engine.currentData() or "camera"
        svd, wan = self._installed(SVD_IDS), self._installed(WAN_IDS)
        self.engine.blockSignals(True)
        self.engine.clear()
        self.engine.addItem("Camera motion (built in)", "camera")
        self.engine.addItem("Wan 2.2 TI2V-5B · commercial use OK" if wan else "Wan 2.2 (not installed)", "wan")
        self.engine.setItemData(1, "Apache-2.0: clips may be sold. 720p at 24 fps from the still and a motion prompt.",
                                Qt.ItemDataRole.ToolTipRole)
        self.engine.addItem(f"SVD — Stable Video Diffusion ({svd}) · non-commercial" if svd else "SVD (not installed)",
                            "svd")
        self.engine.setItemData(2, "SVD community licence: no commercial use.", Qt.ItemDataRole.ToolTipRole)
        for row, ok in ((1, wan), (2, svd)):
            if not ok:
                self.engine.model().item(row).setEnabled(False)
        self.engine.addItem("Automatic", "auto")
        safe = persona_store(ModelStore(self.session.settings), self.session.project)
        if svd and grey_refused(self.engine, safe, {"svd": svd}):
            svd = None  # greyed with the reason: a commercial-safe persona's job would refuse it
        usable = {"camera", "auto"} | ({"wan"} if wan else set()) | ({"svd"} if svd else set())
        i = self.engine.findData(current if current in usable else "camera")
        self.engine.setCurrentIndex(max(i, 0))
        self.engine.blockSignals(False)
        self._svd, self._wan = svd, wan
        self._engine_changed()

    def _engine_changed(self) -> None:
        engine = self.engine.currentData() or "camera"
        camera, svd, wan = engine == "camera", engine == "svd", engine == "wan"
        auto_gen = engine == "auto" and (self._wan or self._svd)
        self.form.setRowVisible(self.move_combo, not (svd or wan))
        self.form.setRowVisible(self.motion, not wan)
        self.form.setRowVisible(self.motion_prompt, wan or engine == "auto")
        self.form.setRowVisible(self.steps, not camera)
        self.form.setRowVisible(self.seed, not camera)
        # each engine's own frame rate and steps, unless the user changed them
        fps = 24 if wan or (engine == "auto" and self._wan) else 7 if svd or (engine == "auto" and self._svd) else 30
        if self.fps.value() in (7, 24, 30):
            self.fps.setValue(fps)
        if self.steps.value() in (25, 50):
            self.steps.setValue(50 if wan or (engine == "auto" and self._wan) else 25)
        if camera:
            note = "A face-aware camera move over the still, made with OpenCV: fast, and the face stays exactly the persona's."
        elif wan:
            note = ("Wan 2.2 TI2V-5B animates the scene from the still and the motion prompt at 720p, 24 fps "
                    "(Apache-2.0, clips may be sold; needs an NVIDIA GPU with 10 GB or more). Frames are checked "
                    "against the persona and repaired.")
        elif svd:
            note = ("Stable Video Diffusion animates the scene itself (needs an NVIDIA GPU with 8 GB or more; "
                    "very slow on a CPU; non-commercial licence). Frames are checked against the persona and repaired.")
        else:
            note = ("Automatic: Wan 2.2, then SVD, when installed and the GPU has the memory; otherwise camera "
                    "motion. The finished job says which it used and why."
                    + ("" if auto_gen else " Neither is installed (Tools ▸ Models), so this will be camera motion."))
        self.engine_note.setText(note)

    # -- lists
    def refresh(self) -> None:
        p = self.session.project
        current = self.still.currentData()
        self.still.blockSignals(True)
        self.still.clear()
        # stills first (what this panel is for), then imported images, then reference photos
        order = {k: i for i, k in enumerate(SOURCE_KINDS)}
        sources = sorted(p.assets_of(*SOURCE_KINDS), key=lambda a: a.created_at, reverse=True) if p else []
        sources.sort(key=lambda a: order[a.kind])
        for a in sources:
            pm = thumbnail(p.asset_path(a), 96)
            text = f"{short_title(a.label or a.id)}  ({KIND_WORDS[a.kind]})"
            self.still.addItem(QIcon(pm) if not pm.isNull() else QIcon(placeholder(96, a.kind)), text, a.id)
            self.still.setItemData(self.still.count() - 1, f"{KIND_WORDS[a.kind]}: {a.path}", Qt.ItemDataRole.ToolTipRole)
        i = self.still.findData(current)
        self.still.setCurrentIndex(max(i, 0))
        self.still.blockSignals(False)
        self.still.setVisible(bool(sources))
        self.no_still.setVisible(not sources)
        self._fill_engines()
        selected = self.clips.currentItem().data(ID_ROLE) if self.clips.currentItem() else None
        self.clips.blockSignals(True)
        self.clips.clear()
        clips = sorted(p.assets_of("clip"), key=lambda a: a.created_at, reverse=True) if p else []
        for a in clips:
            item = QListWidgetItem(f"{a.label or a.id}\n{clip_summary(a)}")
            item.setData(ID_ROLE, a.id)
            pm = media_thumbnail(p.asset_path(a), 64)  # the clip's own frame (a talking clip has no still parent)
            if not pm.isNull():
                item.setIcon(QIcon(pm))
            self.clips.addItem(item)
            if a.id == selected:
                self.clips.setCurrentItem(item)
        self.clips.blockSignals(False)
        self.clips.setVisible(bool(clips))
        self.player.setVisible(bool(clips))
        self.empty.setVisible(not clips)
        if clips and self.clips.currentItem() is None:
            self.clips.setCurrentRow(0)
        self._update_state()

    def _update_state(self) -> None:
        p = self.session.project
        self.animate_button.setEnabled(p is not None and not p.read_only and self.still.count() > 0
                                       and not self.runner.busy())

    def _show_clip(self) -> None:
        p = self.session.project
        item = self.clips.currentItem()
        if p is None or item is None:
            self.player.stop()
            return
        self.player.load(p.asset_path(item.data(ID_ROLE)))

    # -- jobs
    def params(self) -> dict:
        """The motion.animate parameters from the form (see studio/actions/motion.py)."""
        engine = self.engine.currentData() or "camera"
        params = {"still": self.still.currentData(), "engine": engine, "motion": self.motion.value(),
                  "seconds": self.seconds.value(), "fps": self.fps.value(), "size": self.size.currentText().strip()}
        if engine not in ("svd", "wan"):
            params["move"] = self.move_combo.currentData()
        if engine in ("wan", "auto") and self.motion_prompt.text().strip():
            params["prompt"] = self.motion_prompt.text().strip()
        if engine != "camera":
            params["steps"] = self.steps.value()
            if self.seed.value() >= 0:
                params["seed"] = self.seed.value()
        return params

    def animate(self) -> str | None:
        p = self.session.project
        if p is None or self.still.currentData() is None:
            return None
        params = self.params()

        def prepare() -> tuple[dict, str]:
            source = p.asset(params["still"])  # raises StudioError when it was removed meanwhile
            return params, f"Animate {short_title(source.label or source.id, 30)}"

        return self.runner.start_checked("motion.animate", prepare)

    def _job_finished(self, job: Job) -> None:
        result = job.result or {}
        if job.state == JobState.done:
            msg = f"Done: {result.get('engine', '')}, {result.get('frames', '?')} frames."
            if result.get("engine_choice", "").startswith("auto"):
                msg += f"\n{result['engine_choice']}"
            if result.get("repair_message"):
                msg += f"\n{result['repair_message']}"
            self.status.setText(msg)
        else:
            self.status.setText(f"{job.title}: {job.state.value}")
        self.refresh()
        if job.state == JobState.done and result.get("assets"):
            for i in range(self.clips.count()):
                if self.clips.item(i).data(ID_ROLE) == result["assets"][0]:
                    self.clips.setCurrentRow(i)
