"""Lip-sync on the Voice page: the selected narration take + a clip or still → a talking clip
(the `lipsync` action, as `studio lipsync` runs it), with its sync score."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from studio.core.assets import Asset
from studio.core.jobs import Job, JobState
from studio.core.text import short_title

from . import theme
from .images import placeholder
from .job_runner import JobRunner
from .media import media_thumbnail
from .session import ProjectSession
from .widgets import button, label
from .workers import JobController

VISUAL_KINDS = ("clip", "still", "image", "reference")
ENGINES = (("auto", "Automatic"), ("musetalk", "MuseTalk 1.5 (GPU)"), ("wav2lip", "Wav2Lip (non-commercial)"),
           ("landmarks", "Talking photo (built in)"))
#: (param, label, tooltip, default, maximum, step) of the talking-photo controls
CONTROLS = (
    ("expressiveness", "Expression", "Mouth size, brow raises and nods: 0 calm, 1 natural, 2 lively", 1.0, 2.0, 0.1),
    ("blink_rate", "Blinks/min", "Blinks a minute (people blink 10-20 times while talking; 0 = none)", 15.0, 40.0, 1.0),
    ("head_motion", "Head", "Head sway, nods and breathing: 0 still, 1 natural, 2 more", 1.0, 2.0, 0.1),
)


def sync_words(scores: dict) -> str:
    """'sync r=0.71 (offset +20 ms), 14 blinks/min, head roll 2.1°' from a talking clip's scores."""
    r, off = scores.get("sync_correlation"), scores.get("sync_offset_ms")
    if not isinstance(r, int | float):
        return "sync not measured"
    text = f"sync r={r:.2f}" + (f" (offset {off:+.0f} ms)" if isinstance(off, int | float) else "")
    blinks, roll = scores.get("blinks_per_min"), scores.get("head_roll_range_deg")
    if isinstance(blinks, int | float):
        text += f", {blinks:.0f} blinks/min"
    if isinstance(roll, int | float):
        text += f", head roll {roll:.1f}°"
    return text


def talking_clips(assets: list[Asset], narration_id: str) -> list[Asset]:
    """The lip-synced clips made from one narration take, newest first."""
    out = [a for a in assets if a.kind == "clip" and a.provenance.pipeline == "lipsync" and narration_id in a.parents]
    return sorted(out, key=lambda a: a.created_at, reverse=True)


class LipSyncBox(QGroupBox):
    """Pick what to animate; `take()` gives the narration take chosen on the page."""

    def __init__(self, session: ProjectSession, jobs: JobController, take, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__("Lip-sync this take", parent)
        self.session = session
        self.jobs = jobs
        self.take = take
        self.last_result: dict | None = None
        # one compact row (the Voice page shares its height with the timeline dock)
        col = QVBoxLayout(self)
        col.setContentsMargins(8, 6, 8, 6)
        row = QHBoxLayout()
        self.visual = QComboBox()
        self.visual.setIconSize(QSize(24, 24))
        self.visual.setToolTip("The clip or still whose mouth moves with the narration")
        row.addWidget(self.visual, 2)
        self.engine = QComboBox()
        for key, words in ENGINES:
            self.engine.addItem(words, key)
        self.engine.setToolTip("Automatic: MuseTalk when it is installed (Tools ▸ Models) and a GPU is there, "
                               "else the built-in landmark mouth. Wav2Lip only when chosen: non-commercial.")
        for combo in (self.visual, self.engine):  # long asset names must not widen the window
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        row.addWidget(self.engine, 1)
        self.controls: dict[str, QDoubleSpinBox] = {}
        for key, words, tip, default, top, step in CONTROLS:
            spin = QDoubleSpinBox()
            spin.setRange(0.0, top)
            spin.setSingleStep(step)
            spin.setDecimals(0 if step >= 1 else 1)
            spin.setValue(default)
            spin.setPrefix(f"{words} ")
            spin.setToolTip(tip + " (built-in engine)")
            self.controls[key] = spin
            row.addWidget(spin)
        self.run_button = button("Lip-sync", "primary", theme.icon("faces"))
        self.run_button.clicked.connect(self.start)
        row.addWidget(self.run_button)
        col.addLayout(row)
        self.result = label("", "muted", wrap=True)
        col.addWidget(self.result)
        self.runner = JobRunner(self, session, jobs, self.result, self._job_finished,
                                lambda: self.run_button.setEnabled(False))
        session.follow(self.refresh, "assets")
        self.refresh()

    def refresh(self) -> None:
        p = self.session.project
        current = self.visual.currentData()
        self.visual.clear()
        order = {k: i for i, k in enumerate(VISUAL_KINDS)}
        visuals = sorted(p.assets_of(*VISUAL_KINDS), key=lambda a: a.created_at, reverse=True) if p else []
        # talking clips last: lip-syncing a clip that already talks is rarely what the user wants
        visuals.sort(key=lambda a: (order[a.kind], a.provenance.pipeline == "lipsync"))
        for a in visuals:
            pm = media_thumbnail(p.asset_path(a), 64)  # a clip's frame, a still's picture
            self.visual.addItem(QIcon(pm if not pm.isNull() else placeholder(64, a.kind)),
                                f"{short_title(a.label or a.id, 34)}  ({a.kind})", a.id)
        self.visual.setCurrentIndex(max(self.visual.findData(current), 0))
        self.show_take()

    def show_take(self) -> None:
        """The sync scores of the talking clips already made from the selected take."""
        p, take = self.session.project, self.take()
        busy = self.runner.busy()
        self.run_button.setEnabled(p is not None and not p.read_only and take is not None
                                   and self.visual.count() > 0 and not busy)
        if busy:
            return
        made = talking_clips(p.data.assets, take) if p is not None and take else []
        self.result.setText("; ".join(f"{a.id}: {sync_words(a.provenance.scores)}" for a in made[:3])
                            if made else "No talking clip from this take yet.")

    def params(self) -> dict:
        """The lipsync job's parameters (see studio/actions/lipsync.py)."""
        return {"visual": self.visual.currentData(), "narration": self.take(), "engine": self.engine.currentData(),
                "fps": 30.0, "restore": False, **{k: spin.value() for k, spin in self.controls.items()}}

    def start(self) -> str | None:
        if self.session.project is None or self.take() is None or self.visual.currentData() is None:
            return None
        return self.runner.start("lipsync", self.params(), "Lip-sync")

    def _job_finished(self, job: Job) -> None:
        self.show_take()
        if job.state == JobState.done:
            r = self.last_result = dict(job.result or {})
            self.result.setText(f"Talking clip {r['assets'][0]} by {r.get('engine')}: {sync_words(r)}, "
                                f"{r.get('frames')} frames.")
        else:
            self.result.setText(f"Lip-sync {job.state.value}" + (f": {job.error}" if job.error else ""))
