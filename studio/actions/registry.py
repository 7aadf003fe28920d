"""Job kinds: one declaration per kind, and running one as a persistent job on this computer.

`@action("generate", label=..., inputs=..., resources=..., isolate=True)` registers a handler
`(ctx: JobContext, params) -> result` together with everything the rest of the studio needs to
know about its kind: the label the window shows, which params name input assets or files (what a
job bundle carries), what a farm worker reserves for it, and whether it must run outside the
window's process. The window, its job process and the farm read `kind_of(kind)`; nothing else
keeps a list of kinds. This module knows nothing of where a job runs (`studio.farm` does).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from studio.core.errors import BadInput, NotFound
from studio.core.jobs import Job, JobQueue
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import Progress, TaskContext

from .context import JobContext

_SKIP = {"registry", "context", "commercial", "__init__"}

#: A job handler: (context, params) -> result dict (e.g. {"assets": [...]}).
Handler = Callable[[JobContext, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Resources:
    """What one worker reserves for a job kind on a farm node, and which worker group runs it.

    A *group* is the kind of pipeline a worker keeps loaded: jobs of one group go to the same
    long-lived workers, so SDXL or SVD stays in GPU memory between jobs."""

    group: str
    gpus: float = 0.0
    cpus: float = 1.0

    def gpus_on(self, cluster_has_gpus: bool) -> float:
        """GPUs to reserve: the declared number on a GPU cluster, none on a CPU-only one."""
        return self.gpus if cluster_has_gpus else 0.0


@dataclass(frozen=True)
class JobKind:
    """Everything the studio knows about one kind of job."""

    name: str
    handler: Handler
    #: what the window's jobs dock and the CLI call it ("Generate stills")
    label: str
    #: params that name an input: an asset id of the project or a file on this computer
    inputs: tuple[str, ...] = ()
    #: params['target'] names a post or timeline whose assets the job reads (export)
    target: bool = False
    #: what a farm worker reserves; None = this kind changes the project itself and runs here only
    resources: Resources | None = None
    #: must run outside the window's process (it loads torch / large models)
    isolate: bool = False

    @property
    def travels(self) -> bool:
        """Whether its inputs can travel as a job bundle (job process, farm)."""
        return self.isolate or self.resources is not None


_KINDS: dict[str, JobKind] = {}


def action(
    name: str,
    *,
    label: str,
    inputs: tuple[str, ...] = (),
    target: bool = False,
    resources: Resources | None = None,
    isolate: bool = False,
) -> Callable[[Handler], Handler]:
    """Register a job handler with its kind's declaration (see `JobKind`)."""

    def register(fn: Handler) -> Handler:
        if name in _KINDS and _KINDS[name].handler is not fn:
            raise RuntimeError(f"job kind {name!r} is declared twice")
        _KINDS[name] = JobKind(name, fn, label, tuple(inputs), target, resources, isolate)
        return fn

    return register


def _load_all() -> None:
    """Import every module of this package; each registers its actions (imported on first use)."""
    import studio.actions as pkg

    for m in pkgutil.iter_modules(pkg.__path__):
        if m.name not in _SKIP:
            importlib.import_module(f"studio.actions.{m.name}")


def kind_of(name: str) -> JobKind:
    """The declaration of job kind `name` (NotFound for a kind this version does not have)."""
    if name not in _KINDS:
        _load_all()
    try:
        return _KINDS[name]
    except KeyError:
        raise NotFound(f"No action '{name}' in this version of Persona Studio.") from None


def handler_for(name: str) -> Handler:
    return kind_of(name).handler


def kinds() -> list[str]:
    _load_all()
    return sorted(_KINDS)


def all_kinds() -> list[JobKind]:
    _load_all()
    return [_KINDS[k] for k in sorted(_KINDS)]


def farm_kinds() -> list[str]:
    """The kinds a farm worker can run (those with resources)."""
    return [k.name for k in all_kinds() if k.resources is not None]


def farm_resources(name: str) -> Resources:
    """The farm resources of a kind, or BadInput when that kind only runs on this machine."""
    kind = kind_of(name)
    if kind.resources is None:
        raise BadInput(f"'{name}' jobs run on this machine only; the farm runs "
                       f"{', '.join(farm_kinds())}. Drop --farm.")
    return kind.resources


def queue_of(project: Project) -> JobQueue:
    return JobQueue(project.path / "jobs")


def bind(kind: str | Handler, project: Project, settings: Settings, store: ModelStore | None = None,
         job_id: str | None = None) -> Callable[[dict[str, Any], TaskContext], dict[str, Any]]:
    """A `(params, task) -> result` callable for JobQueue.run: the handler with its JobContext."""
    handler = handler_for(kind) if isinstance(kind, str) else kind
    declared = kind_of(kind) if isinstance(kind, str) else None
    store = store or ModelStore(settings)

    def work(params: dict[str, Any], task: TaskContext) -> dict[str, Any]:
        ctx = JobContext(project, settings, store, task, job_id)  # its store: the persona's policy
        if declared is not None:
            from .commercial import check_inputs

            check_inputs(ctx, declared.name, params, declared.target)
        return handler(ctx, params)

    return work


def run_here(
    project: Project,
    kind: str,
    params: dict[str, Any],
    settings: Settings,
    *,
    store: ModelStore | None = None,
    title: str = "",
    on_progress: Callable[[Job, Progress], None] | None = None,
    ctx: TaskContext | None = None,
    job: Job | None = None,
) -> Job:
    """Queue a job of `kind` in the project and run it here; returns the finished job.
    `job`: one already queued with this kind and params (the window queues first, to list it at once)."""
    kind_of(kind)  # an unknown kind fails before anything is queued
    queue = queue_of(project)
    job = job or queue.submit(kind, params, title or kind_of(kind).label)
    return queue.run(job, bind(kind, project, settings, store, job.id), on_progress=on_progress, ctx=ctx)


def resume_job(
    project: Project,
    job_id: str,
    settings: Settings,
    *,
    store: ModelStore | None = None,
    on_progress: Callable[[Job, Progress], None] | None = None,
    ctx: TaskContext | None = None,
) -> Job:
    """Run an interrupted, failed or cancelled job again from the start (steps a job kind can
    skip, e.g. a post's finished narration, are skipped by its handler); `ctx` carries the
    caller's cancel (Ctrl-C)."""
    queue = queue_of(project)
    job = queue.prepare_resume(job_id)
    return queue.run(job, bind(job.kind, project, settings, store, job.id), on_progress=on_progress, ctx=ctx)
