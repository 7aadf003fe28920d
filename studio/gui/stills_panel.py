"""Stills: prompt, style, aspect, candidates, seed and model (automatic, FLUX.2 [klein], Z-Image-Turbo
or an SDXL checkpoint) -> the `generate` job; a gallery of the persona's stills with identity badges,
favourite, compare, inpaint, outpaint and delete."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImageReader
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pipelines.sdxl.sizes import BUCKETS
from pipelines.sdxl.styles import list_styles
from studio.actions.stills_engine import AUTO_ORDER, SDXL_DEFAULT
from studio.core.errors import StudioError
from studio.core.jobs import Job, JobState
from studio.core.models import ModelStore
from studio.core.text import short_title

from . import theme
from .errors import show_error
from .file_dialogs import existing_dir, open_file
from .job_runner import JobRunner
from .licence_gate import grey_out, grey_refused, persona_store
from .mask_dialog import InpaintDialog, OutpaintDialog
from .session import ProjectSession
from .stills_gallery import CompareDialog, StillActions, StillTile
from .widgets import TileGallery, button, form_card, form_with_footer, label
from .workers import JobController

BROWSE_FILE = "\x00browse-file"
BROWSE_FOLDER = "\x00browse-folder"
AUTO = "auto"
STILL_KINDS = ("still",)


def auto_model(store: ModelStore, sdxl: str = SDXL_DEFAULT) -> str | None:
    """The model 'Automatic' would take here, going by what is installed (the job also weighs VRAM)."""
    return next((m for m in (*AUTO_ORDER, sdxl) if store.find(m) is not None), None)


def checkpoint_problem(store: ModelStore, ref: str, sdxl: str = SDXL_DEFAULT) -> str | None:
    """Why `ref` (automatic, store id, file or diffusers folder) cannot be used right now, or None."""
    if not ref:
        return "Pick a model."
    if ref == AUTO:
        if auto_model(store, sdxl) is None:
            return ("No image model is installed, so stills cannot be made yet. Download FLUX.2 [klein] 4B "
                    "(Apache-2.0, uses the persona's reference photos) or Z-Image-Turbo in Models, or pick an "
                    "SDXL checkpoint file or folder you already have.")
        return None
    ids = {e.id for e in store.entries()}
    if ref in ids:
        if store.find(ref) is None:
            return (f"The checkpoint {store.entry(ref).name} is not installed, so stills cannot be made yet. "
                    "Download or import it in Models, or pick a checkpoint file or folder you already have.")
        return None
    p = Path(ref).expanduser()
    if not p.exists():
        return f"The checkpoint {ref} does not exist any more. Pick another one."
    if p.is_dir() and not (p / "model_index.json").is_file():
        return f"{p.name} is a folder but not a diffusers pipeline (it has no model_index.json)."
    return None


class StillsPanel(QWidget):
    """Make consistent stills of the persona and manage them."""

    title = "Stills"

    def __init__(self, session: ProjectSession, jobs: JobController, open_models: Callable[[], object] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.open_models = open_models
        self.store = ModelStore(session.settings)
        #: asks before deleting; tests replace it
        self.confirm: Callable[[str], bool] = self._confirm
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.setSpacing(16)
        lay.addWidget(self._build_form())
        right = QVBoxLayout()
        head = QHBoxLayout()
        head.addWidget(label("Stills", "title"))
        head.addStretch(1)
        self.compare_button = button("Compare selected", tip="Tick Compare on two stills")
        self.compare_button.clicked.connect(self.compare_selected)
        head.addWidget(self.compare_button)
        right.addLayout(head)
        right.addLayout(self._build_notes())
        self.gallery = TileGallery("No stills yet.\nDescribe a scene on the left and press Generate: the best "
                                   "candidates appear here with how much they look like the persona.")
        self.flow, self.empty = self.gallery.flow, self.gallery.empty
        right.addWidget(self.gallery, 1)
        lay.addLayout(right, 1)
        self.runner = JobRunner(self, session, jobs, self.status, self._job_finished, self._update_state)
        session.follow(self.refresh, "assets", "persona", "project")
        self.refresh()

    # -- the form
    def _build_notes(self) -> QVBoxLayout:
        """Above the gallery: what stops generating (missing checkpoint) and what weakens it."""
        col = QVBoxLayout()
        self.banner = QFrame()
        self.banner.setProperty("role", "tile")
        banner_lay = QVBoxLayout(self.banner)
        self.banner_text = label("", "badge-warn", wrap=True)
        banner_lay.addWidget(self.banner_text)
        self.models_button = button("Open Models…", icon=theme.icon("models"))
        self.models_button.clicked.connect(lambda: self.open_models and self.open_models())
        banner_lay.addWidget(self.models_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.identity_hint = label("", "muted", wrap=True)
        col.addWidget(self.banner)
        col.addWidget(self.identity_hint)
        return col

    def _build_form(self) -> QWidget:
        box, col = form_card("New stills", 380)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("What the persona is doing, e.g.\nreading in a café by the window, morning light")
        self.prompt.setFixedHeight(80)
        col.addWidget(self.prompt)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.style = QComboBox()
        self.style.addItem("None (persona style only)", "")
        for s in list_styles():
            self.style.addItem(s.name, s.name)
            self.style.setItemData(self.style.count() - 1, s.description, Qt.ItemDataRole.ToolTipRole)
        form.addRow("Style", self.style)
        self.aspect = QComboBox()
        for a in ("9:16", "4:5", "1:1", "16:9"):
            w, h = BUCKETS[a]
            self.aspect.addItem(f"{a}  ({w}×{h})", a)
        form.addRow("Aspect", self.aspect)
        self.size = QLineEdit()
        self.size.setPlaceholderText("optional, e.g. 896x1152")
        self.size.setToolTip("An exact size in pixels (multiples of 8); overrides the aspect")
        form.addRow("Exact size", self.size)
        self.count = QSpinBox()
        self.count.setRange(1, 64)
        self.count.setValue(4)
        self.count.setToolTip("How many candidates to make; the best are kept")
        self.keep = QSpinBox()
        self.keep.setRange(1, 64)
        self.keep.setValue(1)
        self.keep.setToolTip("How many of the candidates to keep (highest identity score first)")
        self.count.valueChanged.connect(lambda v: self.keep.setMaximum(v))
        row = QHBoxLayout()
        row.addWidget(self.count)
        row.addWidget(label("keep", "muted"))
        row.addWidget(self.keep)
        form.addRow("Candidates", row)
        self.steps = QSpinBox()
        self.steps.setRange(0, 200)
        self.steps.setValue(0)
        self.steps.setSpecialValueText("model default")
        self.steps.setToolTip("Denoising steps: more is slower and a little finer (the model's own: "
                              "4 FLUX.2 [klein], 8 Z-Image-Turbo, 30 SDXL)")
        form.addRow("Steps", self.steps)
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2**31 - 2)
        self.seed.setValue(-1)
        self.seed.setSpecialValueText("random")
        self.seed.setToolTip("The same seed and settings make the same image; 'random' picks a new one")
        form.addRow("Seed", self.seed)
        col.addLayout(form)
        col.addWidget(label("Model", "heading"))
        self.checkpoint = QComboBox()
        self.checkpoint.setToolTip("Automatic takes the best installed model whose licence allows commercial use "
                                   "(FLUX.2 [klein], then Z-Image-Turbo, then SDXL)")
        self.checkpoint.activated.connect(self._checkpoint_picked)
        col.addWidget(self.checkpoint)
        self.generate_button = button("Generate", "primary", theme.icon("stills"))
        self.generate_button.clicked.connect(self.generate)
        column, self.status = form_with_footer(box, self.generate_button)
        return column

    def _fill_checkpoints(self) -> None:
        current = self.checkpoint.currentData()
        p = self.session.project
        persona_model = p.persona.checkpoint if p else SDXL_DEFAULT
        wanted = current or (AUTO if persona_model == SDXL_DEFAULT else persona_model)
        self.checkpoint.blockSignals(True)
        self.checkpoint.clear()
        safe = persona_store(self.store, p)  # a commercial-safe persona: what its jobs may use
        picked = auto_model(safe, persona_model)
        auto_name = self.store.entry(picked).name if picked in {e.id for e in self.store.entries()} else picked
        self.checkpoint.addItem(f"Automatic ({auto_name})" if picked else "Automatic (no model installed)", AUTO)
        refs = [AUTO]
        entries = self.store.entries()
        for e in [e for e in entries if e.kind == "image-model"] + [e for e in entries if e.kind == "sdxl-checkpoint"]:
            installed = self.store.find(e.id) is not None
            verdict = "commercial use OK" if e.commercial_use else "non-commercial"
            self.checkpoint.addItem(f"{e.name} · {verdict}{'' if installed else '  (not installed)'}", e.id)
            self.checkpoint.setItemData(self.checkpoint.count() - 1, f"{e.licence}. {e.notes}".strip(),
                                        Qt.ItemDataRole.ToolTipRole)
            refs.append(e.id)
        if wanted and wanted not in refs:
            self.checkpoint.addItem(Path(wanted).name or wanted, wanted)
        self.checkpoint.addItem("Browse for a .safetensors file…", BROWSE_FILE)
        self.checkpoint.addItem("Browse for a diffusers folder…", BROWSE_FOLDER)
        if grey_refused(self.checkpoint, safe) or safe.policy is not None:
            unknown = f"a file's licence is not known, and '{p.persona.name}' is set to commercial-safe" if p else ""
            for data in (BROWSE_FILE, BROWSE_FOLDER):
                grey_out(self.checkpoint, self.checkpoint.findData(data), unknown)
        i = self.checkpoint.findData(wanted)
        self.checkpoint.setCurrentIndex(max(i, 0))
        self.checkpoint.blockSignals(False)

    def set_checkpoint(self, ref: str) -> None:
        """Select a checkpoint by store id, file or folder (added to the list if new)."""
        i = self.checkpoint.findData(ref)
        if i < 0:
            self.checkpoint.insertItem(self.checkpoint.count() - 2, Path(ref).name or ref, ref)
            i = self.checkpoint.findData(ref)
        self.checkpoint.setCurrentIndex(i)
        self._update_state()

    def _checkpoint_picked(self, index: int) -> None:
        data = self.checkpoint.itemData(index)
        if data == BROWSE_FILE:
            path = open_file(self, "SDXL checkpoint", "", "Checkpoints (*.safetensors *.ckpt)")
        elif data == BROWSE_FOLDER:
            path = existing_dir(self, "Diffusers model folder (SDXL, FLUX.2 [klein], Z-Image)")
        else:
            self._update_state()
            return
        if path:
            self.set_checkpoint(path)
        else:
            self._fill_checkpoints()
            self._update_state()

    def _update_state(self) -> None:
        p = self.session.project
        problem = checkpoint_problem(self.store, self.checkpoint.currentData() or "", p.persona.checkpoint) if p else None
        self.banner.setVisible(bool(problem))
        self.banner_text.setText(problem or "")
        self.models_button.setVisible(problem is not None and self.open_models is not None)
        self.generate_button.setEnabled(p is not None and not p.read_only and not problem and not self.runner.busy())
        if p is not None and not p.persona.identity:
            self.identity_hint.setText("The persona has no reference faces yet, so stills will not be scored "
                                       "or face-swapped. Add photos in Faces first for a consistent face.")
        else:
            self.identity_hint.setText("")
        self.identity_hint.setVisible(bool(self.identity_hint.text()))

    # -- gallery
    def refresh(self) -> None:
        p = self.session.project
        self.store = ModelStore(self.session.settings)
        self._fill_checkpoints()
        stills = sorted(p.assets_of(*STILL_KINDS), key=lambda a: a.created_at, reverse=True) if p else []
        actions = StillActions(self.set_favourite, self.delete, self.inpaint, self.outpaint, self._selection_changed)
        self.gallery.set_tiles([StillTile(p.asset_path(a), a, actions) for a in stills])
        self._selection_changed()
        self._update_state()

    def tiles(self) -> list[StillTile]:
        return self.gallery.tiles()

    def _selection_changed(self) -> None:
        n = sum(t.compare.isChecked() for t in self.tiles())
        self.compare_button.setEnabled(n == 2)
        self.compare_button.setText("Compare selected" if n != 1 else "Tick one more to compare")
        self.compare_button.setVisible(self.flow.count() >= 2)

    def compare_selected(self) -> CompareDialog | None:
        p = self.session.project
        picked = [t.asset for t in self.tiles() if t.compare.isChecked()]
        if p is None or len(picked) != 2:
            return None
        dlg = CompareDialog([(p.asset_path(a), a) for a in picked], self)
        dlg.open()
        return dlg

    # -- jobs
    def params(self) -> dict:
        """The generate job's parameters from the form (see studio/actions/stills.py)."""
        params = {"prompt": self.prompt.toPlainText().strip(), "n": self.count.value(), "keep": self.keep.value(),
                  **self._model_params(edit=False)}
        if self.size.text().strip():
            params["size"] = self.size.text().strip()
        else:
            params["format"] = self.aspect.currentData()
        if self.style.currentData():
            params["style"] = self.style.currentData()
        if self.seed.value() >= 0:
            params["seed"] = self.seed.value()
        return params

    def _model_params(self, edit: bool) -> dict:
        """steps (unless 'model default') and the picked model; an edit on Automatic keeps the still's model."""
        params = {"steps": self.steps.value()} if self.steps.value() > 0 else {}
        model = self.checkpoint.currentData()
        image_models = {e.id for e in self.store.entries() if e.kind == "image-model"}
        if model == AUTO:
            if not edit:
                params["model"] = AUTO
        elif model in image_models:
            params["model"] = model
        else:  # an SDXL checkpoint id, or a file / diffusers folder (its model_index says which model)
            params["checkpoint"] = model
        return params

    def _start(self, kind: str, params: dict, title: str) -> str | None:
        return self.runner.start(kind, params, title, queued=f"{title}: queued")

    def generate(self) -> str | None:
        params = self.params()
        if not params["prompt"]:
            self.status.setText("Describe the scene first.")
            self.prompt.setFocus()
            return None
        return self._start("generate", params, f"Stills: {short_title(params['prompt'])}")

    def _job_finished(self, job: Job) -> None:
        if job.state == JobState.done:
            result = job.result or {}
            warnings = result.get("warnings") or []
            made = f" Made with {result['engine']} ({result.get('model_choice', '')})." if result.get("engine") else ""
            self.status.setText("Done." + made + ("\n" + "\n".join(warnings) if warnings else ""))
        else:
            self.status.setText(f"{job.title}: {job.state.value}")
        self.refresh()

    # -- tile actions
    def set_favourite(self, asset_id: str, on: bool) -> None:
        p = self.session.project
        if p is not None and not p.read_only:
            p.update_asset(asset_id, favourite=on)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Delete still?", text)
        return answer == QMessageBox.StandardButton.Yes

    def delete(self, asset_id: str) -> bool:
        p = self.session.project
        if p is None or p.read_only:
            return False
        if not self.confirm(f"Delete {asset_id}? The file is moved to the project's .trash folder."):
            return False
        try:
            p.remove_asset(asset_id)
        except StudioError as e:
            show_error(self, e)
            return False
        self.refresh()
        return True

    def _prompt_of(self, asset_id: str) -> str:
        a = self.session.project.asset(asset_id)
        return str(a.provenance.parameters.get("user_prompt") or "")

    def inpaint(self, asset_id: str) -> InpaintDialog | None:
        p = self.session.project
        if p is None:
            return None
        dlg = InpaintDialog(p.asset_path(asset_id), self._prompt_of(asset_id), self)
        dlg.accepted.connect(lambda: self.start_inpaint(asset_id, dlg))
        dlg.open()
        return dlg

    def start_inpaint(self, asset_id: str, dlg: InpaintDialog) -> str | None:
        p = self.session.project
        # the mask is a job input: kept next to the job files so a resumed job still finds it
        mask = dlg.canvas.save_mask(p.path / "jobs" / "inputs" / f"mask-{uuid.uuid4().hex[:8]}.png")
        params = {"still": asset_id, "mask": str(mask), **self._model_params(edit=True)}
        if dlg.prompt.text().strip():
            params["prompt"] = dlg.prompt.text().strip()
        return self._start("inpaint", params, f"Inpaint {asset_id}")

    def outpaint(self, asset_id: str) -> OutpaintDialog | None:
        p = self.session.project
        if p is None:
            return None
        size = QImageReader(str(p.asset_path(asset_id))).size()
        dlg = OutpaintDialog((size.width(), size.height()), self._prompt_of(asset_id), self)
        dlg.accepted.connect(lambda: self.start_outpaint(asset_id, dlg.aspect.currentData(), dlg.prompt.text()))
        dlg.open()
        return dlg

    def start_outpaint(self, asset_id: str, to: str, prompt: str = "") -> str | None:
        params = {"still": asset_id, "to": to, **self._model_params(edit=True)}
        if prompt.strip():
            params["prompt"] = prompt.strip()
        return self._start("outpaint", params, f"Outpaint {asset_id} to {to}")
