"""Run a studio job on the farm as an ordinary persistent job of the project.

`run_farm_job` queues the job in the project's JobQueue exactly like a local job, and runs it as
*farm work*: build the bundle, ship it once through Ray's object store, run it on a worker
actor, stream the worker's progress into the job file (so the jobs dock and `studio jobs list`
show it), forward cancel (job file flag, Ctrl-C, the window's cancel) to the worker's TaskContext,
retry on another worker when one dies, and register the verified results here. The JobQueue
keeps doing what it does for local jobs: states, errors, exit codes, cancel flags.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from studio.actions.registry import farm_resources, queue_of
from studio.core import errors
from studio.core.errors import StudioError
from studio.core.jobs import Job
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import Cancelled, Progress, TaskContext

from .bundle import build_bundle
from .pool import WorkerSlot, connect, get_pool, resolve_address
from .results import land_output

#: a job whose worker dies is sent again this many times before it fails
MAX_RETRIES = 2
#: seconds between progress polls of the worker (ray.wait returns at once when the job ends)
POLL = 0.2
#: seconds a cancelled worker gets to stop at its next step before its actor is killed
CANCEL_GRACE = 30.0


@dataclass
class FarmRecord:
    """What happened on the farm for one job: attempts and why earlier ones failed."""

    address: str
    attempts: int = 0
    lost_workers: list[str] = field(default_factory=list)
    node: str = ""
    seconds: float = 0.0


def _error_from(reply: dict[str, Any]) -> StudioError:
    """The worker's error as the same StudioError subclass (ModelMissing keeps its model ids)."""
    cls = getattr(errors, reply.get("type") or "", None)
    msg = reply["error"] + (f" (on farm worker {reply['node']})" if reply.get("node") else "")
    if cls is errors.ModelMissing:
        err: StudioError = errors.ModelMissing(msg, reply.get("model_ids"))
    elif isinstance(cls, type) and issubclass(cls, StudioError):
        err = cls(msg)
    else:
        err = StudioError(msg)
    err.exit_code = int(reply.get("exit_code") or 1)
    if reply.get("traceback"):
        err.worker_traceback = reply["traceback"]  # type: ignore[attr-defined]
    return err


def _watch(ray: Any, slot: WorkerSlot, run_ref: Any, job_id: str, ctx: TaskContext) -> dict[str, Any]:
    """Wait for the worker's reply, relaying progress and cancel; raises Ray's errors if it dies."""
    cancel_sent = 0.0
    last: tuple[float, str] | None = None
    try:
        while True:
            ready, _ = ray.wait([run_ref], timeout=POLL)
            if ready:
                return ray.get(run_ref)
            if cancel_sent:
                if time.monotonic() - cancel_sent > CANCEL_GRACE:  # last resort: it ignored the flag
                    get_pool().discard(slot)
                    raise Cancelled("Cancelled (the farm worker was stopped).")
                continue
            p = ray.get(slot.handle.progress.remote())
            if p and p.get("job") == job_id and (p["fraction"], p["label"]) != last:
                last = (p["fraction"], p["label"])
                ctx.progress(int(p["fraction"] * 1000), 1000, p["label"])  # raises Cancelled
            else:
                ctx.raise_if_cancelled()
    except (Cancelled, KeyboardInterrupt) as stop:
        if not cancel_sent:
            cancel_sent = time.monotonic()
            try:
                slot.handle.cancel.remote(job_id)
            except Exception:  # the actor is gone: nothing to cancel
                pass
        if isinstance(stop, KeyboardInterrupt):  # a second Ctrl-C: stop now, the worker stops on its own
            raise
        # wait (bounded) for the worker to stop, so nothing of this job runs on after us
        ready, _ = ray.wait([run_ref], timeout=CANCEL_GRACE)
        if not ready:
            get_pool().discard(slot)
        raise Cancelled("Cancelled by the user.") from None


def farm_work(project: Project, kind: str, job_id: str, address: str,
              record: FarmRecord, settings: Settings | None = None) -> Callable[[dict[str, Any], TaskContext], dict]:
    """The work of job `job_id` (for JobQueue.run): run its kind on the farm at `address`."""

    def run(params: dict[str, Any], ctx: TaskContext) -> dict:
        ray = connect(address, settings)
        from ray.exceptions import RayActorError, WorkerCrashedError

        res = farm_resources(kind)
        ctx.progress(0, 1, "packing the job for the farm")
        bundle = build_bundle(project, kind, params, job_id)
        bundle_ref = ray.put(bundle)  # shipped once; a retry reuses it
        pool = get_pool()
        t0 = time.monotonic()
        while True:
            slot = pool.acquire(res, ctx)
            record.attempts += 1
            try:
                reply = _watch(ray, slot, slot.handle.run.remote(bundle_ref), job_id, ctx)
            except (RayActorError, WorkerCrashedError) as e:
                pool.discard(slot)
                record.lost_workers.append(f"attempt {record.attempts}: {type(e).__name__}")
                if record.attempts > MAX_RETRIES:
                    raise StudioError(
                        f"The farm worker running this job died {record.attempts} times (out of GPU memory, a "
                        "node lost?). Nothing was registered; check the cluster with `studio farm status`."
                    ) from None
                ctx.progress(0, 1, f"worker lost; retrying on another worker (attempt {record.attempts + 1})")
                continue
            pool.release(slot)
            break
        record.seconds = time.monotonic() - t0
        if reply["status"] == "cancelled":
            raise Cancelled("Cancelled by the user.")
        if reply["status"] == "failed":
            raise _error_from(reply)
        output = reply["output"]
        record.node = output.node
        ctx.progress(999, 1000, "registering the results")
        result = land_output(project, output, job_id, address)
        if params.get("out_dir"):
            exports = [a for a in result.get("assets", []) if project.asset(a).kind == "export"]
            from studio.render.export import copy_exports

            copy_exports(project, exports, params["out_dir"])
        result["farm"] = {"address": address, "node": record.node, "attempts": record.attempts,
                          "lost_workers": record.lost_workers, "seconds": round(record.seconds, 3)}
        return result

    return run


def run_farm_job(
    project: Project,
    kind: str,
    params: dict[str, Any],
    settings: Settings,
    title: str = "",
    on_progress: Callable[[Job, Progress], None] | None = None,
    ctx: TaskContext | None = None,
    address: str | None = "default",
    job: Job | None = None,
) -> Job:
    """Queue a job of `kind` in the project (or take the queued `job`) and run it on the farm;
    returns the finished job. `settings` only name the farm ('default'): workers use their own."""
    farm_resources(kind)  # kinds the farm cannot run fail before a job is queued
    address = resolve_address(address, settings)
    connect(address, settings)  # refuses a cluster that lets anyone in, before a job is queued
    queue = queue_of(project)
    job = job or queue.submit(kind, params, title)
    job.title = job.title or kind
    record = FarmRecord(address)

    def track(j: Job, p: Progress) -> None:
        j.attempts = max(record.attempts, 1)  # saved with the next progress write
        if on_progress:
            on_progress(j, p)

    job = queue.run(job, farm_work(project, kind, job.id, address, record, settings), on_progress=track, ctx=ctx)
    job.attempts = max(record.attempts, 1)
    if record.lost_workers:
        job.label = f"{job.label} (after {len(record.lost_workers)} lost worker(s))"
    queue.save(job)
    return job
