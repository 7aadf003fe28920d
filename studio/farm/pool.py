"""The connection to a Ray cluster and the pool of worker actors this process uses.

Ray's connection is process-wide (`ray.init`), so the pool is too: one per process, shared by
every job this process sends (the CLI's batch threads, the window's job runner). The pool keeps
one or more actors per pipeline group, reuses an idle one (its models are still loaded), starts
another while the cluster has room for it, and otherwise stops the least recently used idle actor
of another group to free its GPU/CPU. The actors die with this process (they are not detached),
so an abandoned desktop never pins GPUs on the cluster.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from studio.actions.registry import Resources as JobResources
from studio.core.errors import BadInput, StudioError
from studio.core.settings import Settings
from studio.core.tasks import TaskContext

NAMESPACE = "persona-studio"
#: threads per worker actor: one runs the job, the others answer progress/cancel/info calls
ACTOR_THREADS = 4


def require_ray() -> Any:
    """The ray module, or a clear error naming the install command."""
    try:
        import ray
    except ImportError:
        raise StudioError("The render farm needs Ray: `pip install 'persona-studio[farm]'` "
                          "(or `pip install 'ray[default]'`).") from None
    return ray


def resolve_address(address: str | None, settings: Settings) -> str:
    """`--farm ADDRESS`, where 'default' means the address saved by `studio farm connect`."""
    if address in (None, "", "default"):
        saved = settings.farm_address
        if not saved:
            raise BadInput("No farm is set up. Run `studio farm connect ray://HOST:10001` (or give "
                           "--farm ADDRESS); docs/farm.md shows how to start a cluster.")
        return saved
    return address


#: address -> what the access check found (one check per address and process)
_ACCESS: dict[str, Any] = {}


def connect(address: str, settings: Settings | None = None, env: dict[str, str] | None = None, *,
            token: str | None = None, refuse_open: bool = True) -> Any:
    """Connect this process to the cluster at `address` ('auto', 'ray://host:10001', 'local').

    First the access check (auth.py): a cluster without token authentication is refused unless
    the user allowed it (`refuse_open=False` only to report it, `studio farm status`); a missing
    or wrong token fails at once with what to do. `token`: one typed but not saved (the window)."""
    from .auth import check_access, farm_token, hand_to_ray, require_safe

    ray = require_ray()
    settings = settings or Settings()
    if ray.is_initialized():  # one cluster per process; tests and the window connect once
        if address not in _ACCESS:
            gcs = None if address.startswith("ray://") else ray.get_runtime_context().gcs_address
            _ACCESS[address] = check_access(address, settings, farm_token(settings, token), refuse_open=False,
                                            connected_gcs=gcs)
        access = _ACCESS[address]
        access.allowed_open = settings.farm_allow_unauthenticated  # the user may have changed it meanwhile
        if refuse_open:
            require_safe(access)
        return ray
    found = farm_token(settings, token)
    access = check_access(address, settings, found, refuse_open=refuse_open)
    hand_to_ray(found, settings)
    kwargs: dict[str, Any] = {"namespace": NAMESPACE, "logging_level": "ERROR", "log_to_driver": False}
    if env:  # never the token: workers have their node's own (RAY_AUTH_TOKEN on every node)
        kwargs["runtime_env"] = {"env_vars": env}
    try:
        _init_with_retry(ray, None if address == "local" else address, kwargs)
    except Exception as e:  # ConnectionError, grpc errors, timeouts: all mean "cannot reach it"
        raise StudioError(
            f"Cannot reach the Ray cluster at {address} ({_reason(e)}). "
            "Is the head running (`ray start --head --port=6379 --ray-client-server-port=10001`)? See docs/farm.md."
        ) from None
    _ACCESS[address] = access
    return ray


#: seconds a head that answers but is still starting ("Initialization failure from server") gets
INIT_RETRY_SECONDS = 20.0
#: tries always made, however long each took: a cold head's first client server can take longer
#: than its own 30 s startup timeout on a busy machine, and the next one starts in seconds
INIT_MIN_TRIES = 3


def _init_with_retry(ray: Any, address: str | None, kwargs: dict[str, Any], pause: float = 1.0) -> None:
    """ray.init, tried again while a just-started head's client server refuses with an
    initialization failure (its port is open before its GCS is ready, or the per-client server
    it starts was slow); other errors at once."""
    deadline = time.monotonic() + INIT_RETRY_SECONDS
    tries = 0
    while True:
        tries += 1
        try:
            ray.init(address=address, **kwargs)
            return
        except ConnectionAbortedError as e:
            if "Initialization failure" not in str(e) or (tries >= INIT_MIN_TRIES and time.monotonic() > deadline):
                raise
            if ray.is_initialized():
                ray.shutdown()
            time.sleep(pause)


def _reason(e: Exception) -> str:
    """An exception in a few words: its first line and, for a server's traceback, its last."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    if not lines:
        return type(e).__name__
    first = f"{type(e).__name__}: {lines[0][:200]}"
    return first if len(lines) == 1 else f"{first} {lines[-1][:200]}"


def access_of(address: str) -> Any:
    """What the access check found for `address` in this process (after `connect`), or None."""
    return _ACCESS.get(address)


@dataclass
class WorkerSlot:
    """One worker actor and what it reserves."""

    handle: Any
    group: str
    cpus: float
    gpus: float
    busy: bool = False
    last_used: float = field(default_factory=time.monotonic)
    jobs: int = 0


class FarmPool:
    """Hands out worker actors by group, within the cluster's CPUs and GPUs."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.slots: list[WorkerSlot] = []
        self._totals: tuple[float, float, float] = (0.0, 0.0, 0.0)  # (read at, cpus, gpus)

    def totals(self) -> tuple[float, float]:
        """The cluster's (CPUs, GPUs), re-read every few seconds (nodes come and go)."""
        at, cpus, gpus = self._totals
        if time.monotonic() - at > 5.0:
            res = require_ray().cluster_resources()
            cpus, gpus = float(res.get("CPU", 0)), float(res.get("GPU", 0))
            self._totals = (time.monotonic(), cpus, gpus)
        return cpus, gpus

    def capacity(self, res: JobResources) -> int:
        """How many actors of this kind the cluster can hold at once."""
        cpus, gpus = self.totals()
        need_gpu = res.gpus_on(gpus > 0)
        by_cpu = int(cpus // res.cpus) if res.cpus else 64
        by_gpu = int(gpus // need_gpu) if need_gpu else by_cpu
        return max(1, min(by_cpu, by_gpu))

    def _fits(self, cpus: float, gpus: float) -> bool:
        total_cpu, total_gpu = self.totals()
        used_cpu = sum(s.cpus for s in self.slots)
        used_gpu = sum(s.gpus for s in self.slots)
        return used_cpu + cpus <= total_cpu and used_gpu + gpus <= total_gpu

    def _start(self, res: JobResources, gpus: float) -> WorkerSlot:
        ray = require_ray()
        from .worker import StudioWorker

        actor = ray.remote(StudioWorker).options(
            num_cpus=res.cpus, num_gpus=gpus, max_concurrency=ACTOR_THREADS, max_restarts=0,
        )
        slot = WorkerSlot(actor.remote(res.group), res.group, res.cpus, gpus, busy=True)
        self.slots.append(slot)
        return slot

    def acquire(self, res: JobResources, ctx: TaskContext | None = None) -> WorkerSlot:
        """An idle actor of the job's group (started if needed); waits while the cluster is full."""
        with self._cond:
            while True:
                gpus = res.gpus_on(self.totals()[1] > 0)
                idle = [s for s in self.slots if s.group == res.group and not s.busy]
                if idle:
                    slot = max(idle, key=lambda s: s.last_used)  # the warmest one
                    slot.busy = True
                    return slot
                if self._fits(res.cpus, gpus) or not self.slots:
                    return self._start(res, gpus)
                others = sorted((s for s in self.slots if not s.busy and s.group != res.group),
                                key=lambda s: s.last_used)
                if others:  # free the least recently used idle actor of another kind
                    self._kill(others[0])
                    continue
                if ctx is not None:
                    ctx.progress(0, 1, "waiting for a free farm worker")
                self._cond.wait(timeout=0.2)

    def release(self, slot: WorkerSlot) -> None:
        with self._cond:
            slot.busy = False
            slot.jobs += 1
            slot.last_used = time.monotonic()
            self._cond.notify_all()

    def discard(self, slot: WorkerSlot) -> None:
        """Forget an actor that died (or is stuck); its resources count as free again."""
        with self._cond:
            self._kill(slot)
            self._cond.notify_all()

    def _kill(self, slot: WorkerSlot) -> None:
        if slot in self.slots:
            self.slots.remove(slot)
        try:
            require_ray().kill(slot.handle, no_restart=True)
        except Exception:  # already gone
            pass

    def shutdown(self) -> None:
        with self._cond:
            for s in list(self.slots):
                self._kill(s)


_POOLS: dict[int, FarmPool] = {}  # one per process, like Ray's own connection


def get_pool() -> FarmPool:
    """This process's worker pool (created on first use)."""
    return _POOLS.setdefault(0, FarmPool())


def reset_pool() -> None:
    """Stop this process's worker actors (tests, `ray.shutdown`)."""
    pool = _POOLS.pop(0, None)
    if pool is not None:
        pool.shutdown()


def cluster_status() -> dict[str, Any]:
    """Nodes, their CPUs/GPUs and the models each node's studio install has (`studio farm status`)."""
    ray = require_ray()
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    from .worker import describe_node

    probe = ray.remote(num_cpus=0)(describe_node)
    nodes, refs = [], []
    for n in ray.nodes():
        if not n.get("Alive"):
            continue
        res = n.get("Resources", {})
        nodes.append({"node_id": n["NodeID"], "address": n.get("NodeManagerAddress"), "cpus": res.get("CPU", 0),
                      "gpus": res.get("GPU", 0), "memory_gb": round(res.get("memory", 0) / 2**30, 1)})
        refs.append(probe.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)).remote())
    for node, ref in zip(nodes, refs, strict=True):
        try:
            node.update(ray.get(ref, timeout=60))
        except Exception as e:  # a node without the studio installed still shows, with the reason
            node["error"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    pool = get_pool()
    workers = []
    for s in pool.slots:
        try:
            info = ray.get(s.handle.info.remote(), timeout=5)
        except Exception:
            info = {"group": s.group, "error": "not answering"}
        workers.append({**info, "cpus": s.cpus, "gpus": s.gpus})
    return {"nodes": nodes, "workers": workers}
