"""Run a job in a child process on this computer: the farm's bundles and results, without Ray.

Why: the window's interpreter must stay free to paint. A job run on a thread of the window's
process imports torch/diffusers/onnxruntime there and holds the GIL for up to hundreds of ms at a
time; a child process shares no GIL with the window. The window also holds the project's lock, so
the child cannot open the project: exactly the farm's situation. So the desktop builds the same
`JobBundle` (farm/bundle.py), the child runs it with the same `StudioWorker` (farm/worker.py) in a
throw-away mini-project, and the desktop verifies and registers the returned files
(farm/results.py). The calling thread only waits on a pipe.

A child lives on after its job (`LocalPool`), so the next job finds torch imported and, as on a
farm actor, models the pipelines cache still loaded. Children are daemons: they die with the
window. Progress comes back over the pipe; cancel is a multiprocessing Event the child relays to
the job's TaskContext.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from studio.actions.registry import kind_of
from studio.core.errors import StudioError
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import Cancelled, TaskContext

from .bundle import build_bundle
from .results import land_output

#: what a locally run job's provenance records as where it ran (results.land_output's "address")
LOCAL_ADDRESS = "local-process"
#: seconds a cancelled child gets to stop at its next step before it is killed
CANCEL_GRACE = 10.0
#: seconds between progress reports from the child
POLL = 0.05
#: the child's CPU priority (nice): the window's process wins the CPU on a small machine
CHILD_NICE = 5

_SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: no Qt, no inherited threads


def can_isolate(kind: str) -> bool:
    """Whether jobs of `kind` can run in a child process (their inputs travel as a bundle)."""
    return kind_of(kind).travels


def _child_main(conn: Any, cancel: Any, preload: Sequence[str]) -> None:
    """The child: import `preload`, then run bundles from `conn` one at a time until told to stop."""
    import importlib

    from .worker import StudioWorker

    try:
        os.nice(CHILD_NICE)
    except (OSError, AttributeError):
        pass
    for name in preload:  # the warm-up happens here, never in the window's interpreter
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - an absent optional backend is the job's business
            pass
    worker = StudioWorker("local")
    while True:
        try:
            bundle = conn.recv()
        except (EOFError, OSError):
            return
        if bundle is None:
            return
        finished = threading.Event()

        def relay(job_id: str = bundle.job_id, finished: threading.Event = finished) -> None:
            last = None
            while not finished.wait(POLL):
                if cancel.is_set():
                    worker.cancel(job_id)
                p = worker.progress()
                if p and p != last:
                    last = dict(p)
                    conn.send(("progress", last))

        thread = threading.Thread(target=relay, daemon=True)
        thread.start()
        reply = worker.run(bundle)
        finished.set()
        thread.join()
        reply.pop("node", None)  # it ran here: the desktop's messages need no farm node name
        conn.send(("reply", reply))


class LocalProcess:
    """One child process and the pipe and cancel flag that reach it."""

    def __init__(self, preload: Sequence[str] = ()):
        self.conn, child_conn = _SPAWN.Pipe()
        self.cancel = _SPAWN.Event()
        self.process = _SPAWN.Process(target=_child_main, args=(child_conn, self.cancel, tuple(preload)),
                                      name="studio-job", daemon=True)
        self.process.start()
        child_conn.close()  # the child holds its end; EOF here then means the child died
        self.busy = False
        self.jobs = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the child to exit; kill it if it does not."""
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout)
        self.conn.close()


class LocalPool:
    """Child processes for jobs: an idle one is reused (imports and loaded models stay warm)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.processes: list[LocalProcess] = []

    def warm(self, preload: Sequence[str] = ()) -> LocalProcess:
        """Start one idle child now, importing `preload` while the user reads the window."""
        with self._lock:
            idle = [p for p in self.processes if not p.busy and p.alive()]
            if idle:
                return idle[0]
            proc = LocalProcess(preload)
            self.processes.append(proc)
            return proc

    def acquire(self) -> LocalProcess:
        with self._lock:
            self.processes = [p for p in self.processes if p.busy or p.alive()]
            proc = next((p for p in self.processes if not p.busy), None)
            if proc is None:
                proc = LocalProcess()
                self.processes.append(proc)
            proc.busy = True
            proc.cancel.clear()
            return proc

    def release(self, proc: LocalProcess) -> None:
        with self._lock:
            proc.busy = False
            proc.jobs += 1

    def discard(self, proc: LocalProcess) -> None:
        """Stop a child that died or ignored a cancel; it is never handed out again."""
        with self._lock:
            if proc in self.processes:
                self.processes.remove(proc)
        proc.stop(timeout=0.5)

    def shutdown(self) -> None:
        with self._lock:
            procs, self.processes = self.processes, []
        for p in procs:
            p.stop()


def _wait_reply(proc: LocalProcess, job_id: str, ctx: TaskContext) -> dict[str, Any]:
    """Relay the child's progress into `ctx` until it replies; a cancel is passed on to the child."""
    cancel_at = 0.0
    while True:
        try:
            ready = proc.conn.poll(POLL * 2)
            msg = proc.conn.recv() if ready else None
        except (EOFError, OSError):
            raise StudioError("The job's process ended unexpectedly (out of memory?). Nothing was registered; "
                              "run the job again.") from None
        if msg is not None and msg[0] == "reply":
            return msg[1]
        if cancel_at:
            if time.monotonic() - cancel_at > CANCEL_GRACE:
                raise Cancelled("Cancelled (the job's process was stopped).")
            continue
        try:
            if msg is not None and msg[1].get("job") == job_id:
                ctx.progress(int(msg[1]["fraction"] * 1000), 1000, msg[1]["label"])  # raises Cancelled
            else:
                ctx.raise_if_cancelled()
        except Cancelled:
            proc.cancel.set()
            cancel_at = time.monotonic()


def process_work(pool: LocalPool, project: Project, kind: str, job_id: str,
                 settings: Settings) -> Callable[[dict[str, Any], TaskContext], dict]:
    """The work of job `job_id` (for JobQueue.run): run it in a child process of `pool`, with
    the caller's `settings` (the window's, saved or not)."""
    from .dispatch import _error_from

    def run(params: dict[str, Any], ctx: TaskContext) -> dict:
        ctx.progress(0, 1, "starting")
        # the child gets our settings and sees this computer's disk (models given as files are fine)
        bundle = build_bundle(project, kind, params, job_id, settings=settings)
        proc = pool.acquire()
        try:
            proc.conn.send(bundle)
            reply = _wait_reply(proc, job_id, ctx)
        except BaseException:
            pool.discard(proc)  # a cancel it ignored, a crash, or a stop: never reuse that child
            raise
        pool.release(proc)
        if reply["status"] == "cancelled":
            raise Cancelled("Cancelled by the user.")
        if reply["status"] == "failed":
            raise _error_from(reply)
        ctx.progress(999, 1000, "registering the results")
        result = land_output(project, reply["output"], job_id, LOCAL_ADDRESS)
        if params.get("out_dir"):
            exports = [a for a in result.get("assets", []) if project.asset(a).kind == "export"]
            from studio.render.export import copy_exports

            copy_exports(project, exports, params["out_dir"])
        return result

    return run
