"""`JobContext`: everything a job handler may use, handed in by whoever starts the job.

The CLI, the window, the window's job process and a farm worker each build one: the project the
job works on, the settings *of that caller* (the window's settings reach its jobs even when they
were never saved), the model store, the device plan and the TaskContext for progress and cancel.
Handlers never read settings from disk and never learn where they run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from studio.core.licence_policy import policy_for
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import TaskContext

if TYPE_CHECKING:  # pipelines.device imports torch lazily; only for the annotation here
    from pipelines.device import DevicePlan


@dataclass
class JobContext:
    """The project, settings, model store, device plan and progress/cancel of one running job."""

    project: Project
    settings: Settings
    store: ModelStore
    task: TaskContext = field(default_factory=TaskContext)
    #: the job's id in the project's queue (None for a handler called directly, e.g. in a test)
    job_id: str | None = None
    _plans: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The commercial-safe switch, for every handler at once: a persona set to it gets a store
        # that neither finds nor records a model whose licence forbids commercial use.
        self.store = self.store.restricted(policy_for(self.project.persona))

    @classmethod
    def for_project(cls, project: Project, settings: Settings, store: ModelStore | None = None,
                    task: TaskContext | None = None, job_id: str | None = None) -> JobContext:
        """A context with a store made from `settings` when none is given."""
        return cls(project, settings, store or ModelStore(settings), task or TaskContext(), job_id)

    # -- progress and cancel: the TaskContext's, so a handler reads like a pipeline
    def progress(self, step: int, total: int, label: str = "") -> None:
        self.task.progress(step, total, label)

    def raise_if_cancelled(self) -> None:
        self.task.raise_if_cancelled()

    @property
    def cancelled(self) -> bool:
        return self.task.cancelled

    def sub(self, start: float, end: float) -> JobContext:
        """The same context for a sub-step covering `start..end` of this one's progress."""
        return replace(self, task=self.task.sub(start, end))

    # -- where models run
    def device_plan(self, low_vram: bool | str | None = None, min_free_bytes: int | None = None) -> DevicePlan:
        """CUDA fp16 / offload / CPU for a diffusion model, from the settings and free VRAM.

        `low_vram`: True/'on' forces the low-memory plan, False/'off' never uses it, None or 'auto'
        follows the settings (whose 'auto' decides from free VRAM)."""
        from pipelines.device import LOW_VRAM_BYTES, plan_device

        if low_vram is True:
            low = "on"
        elif low_vram is False:
            low = "off"
        elif low_vram in (None, "auto"):
            low = self.settings.low_vram
        else:
            low = str(low_vram)
        key = (self.settings.device, low, min_free_bytes)
        if key not in self._plans:
            self._plans[key] = plan_device(self.settings.device, low, min_free_bytes or LOW_VRAM_BYTES)
        return self._plans[key]
