"""The farm worker: a long-lived Ray actor that runs studio jobs from bundles.

One actor per pipeline group (each job kind's `Resources`, studio/actions) lives on a node; because the pipelines cache
loaded models process-wide, a second SDXL job on the same actor skips loading the checkpoint.
The actor is threaded (`max_concurrency`): `run` works in one thread while the desktop calls
`progress` and `cancel` from others, which is how progress streams back and cancel reaches the
job's TaskContext. Nothing here touches the desktop's disk: the job runs in a temp mini-project.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import traceback
from typing import Any

from studio.core.errors import StudioError
from studio.core.settings import Settings
from studio.core.tasks import Cancelled, Progress, TaskContext

from .bundle import JobBundle, open_bundle
from .results import collect_outputs


class StudioWorker:
    """Runs one job at a time; `progress`/`cancel` may be called while it runs."""

    def __init__(self, group: str, settings: Settings | None = None):
        self.group = group
        #: this worker's own settings (its model folders); a job process gets the desktop's per bundle
        self._settings = settings
        self._lock = threading.Lock()
        self._job_id: str | None = None
        self._cancel = threading.Event()
        self._progress: dict[str, Any] | None = None
        self.jobs_run = 0
        sweep_leftovers()

    # -- called by the desktop while a job runs
    def progress(self) -> dict[str, Any] | None:
        """The running job's last progress: {'job', 'fraction', 'label'} (None when idle)."""
        return self._progress

    def cancel(self, job_id: str) -> bool:
        """Cancel `job_id` if it is the one running here (a late cancel never hits the next job)."""
        with self._lock:
            if self._job_id == job_id:
                self._cancel.set()
                return True
        return False

    def info(self) -> dict[str, Any]:
        """Where this worker runs and what it has done (`studio farm status`)."""
        return {"group": self.group, "pid": os.getpid(), "node": socket.gethostname(), "jobs_run": self.jobs_run,
                "busy": self._job_id}

    def settings(self) -> Settings:
        """The worker's own settings, read once (a farm worker is an entry point of its own)."""
        if self._settings is None:
            self._settings = Settings.load()
        return self._settings

    def pid(self) -> int:
        return os.getpid()

    def ping(self) -> bool:
        return True

    # -- the job
    def run(self, bundle: JobBundle) -> dict[str, Any]:
        """Run the bundle's job; returns {'status': done|cancelled|failed, ...} (never raises for job errors)."""
        from studio.actions.registry import bind

        with self._lock:
            self._job_id = bundle.job_id
            self._cancel.clear()
            self._progress = {"job": bundle.job_id, "fraction": 0.0, "label": "starting on the farm"}
        # the bundle's files (the persona's faces, voice samples, scripts) live here only while the
        # job runs: removed when it ends, however it ends; a killed worker's are swept by the next
        tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        project = None

        def on_progress(p: Progress) -> None:
            self._progress = {"job": bundle.job_id, "fraction": p.fraction, "label": p.label}

        try:
            project = open_bundle(bundle, tmp)
            ctx = TaskContext(on_progress, cancel_event=self._cancel)
            ctx.raise_if_cancelled()
            settings = Settings.model_validate(bundle.settings) if bundle.settings else self.settings()
            result = bind(bundle.kind, project, settings, job_id=bundle.job_id)(dict(bundle.params), ctx) or {}
            return {"status": "done", "output": collect_outputs(project, bundle, result, socket.gethostname())}
        except Cancelled:
            return {"status": "cancelled"}
        except StudioError as e:
            return {"status": "failed", "error": e.message, "exit_code": e.exit_code, "type": type(e).__name__,
                    "model_ids": getattr(e, "model_ids", None), "node": socket.gethostname()}
        except Exception as e:  # a bug: keep the worker's traceback for the job file
            return {"status": "failed", "error": f"Internal error on the farm worker {socket.gethostname()}: "
                    f"{type(e).__name__}: {e}", "exit_code": 1, "type": "Exception",
                    "traceback": traceback.format_exc(), "node": socket.gethostname()}
        finally:
            if project is not None:
                project.close()
            shutil.rmtree(tmp, ignore_errors=True)
            with self._lock:
                self._job_id = None
                self._progress = None
                self.jobs_run += 1


#: prefix of a job's temporary mini-project on a worker, named studio-farm-<worker pid>-<random>
#: (tempfile.mkdtemp), so sweep_leftovers can tell a dead worker's folder from a running one's
TMP_PREFIX = "studio-farm-"


def sweep_leftovers(root: str | None = None) -> list[str]:
    """Delete the job folders of workers on this node that died mid-job (out of memory, killed):
    their pid is in the folder name and no longer runs. Returns what was removed."""
    from studio.core.lock import pid_alive

    root = root or tempfile.gettempdir()
    removed = []
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(TMP_PREFIX):
            continue
        pid = name[len(TMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
            removed.append(name)
    return removed


def describe_node() -> dict[str, Any]:
    """This node's host, studio version and installed models (run on every node by `farm status`)."""
    from studio import __version__
    from studio.core.models import ModelStore

    store = ModelStore(Settings.load())
    models = []
    for entry in store.entries():
        info = store.locate(entry.id)
        if info.status == "present":
            models.append({"id": entry.id, "kind": entry.kind, "where": info.where})
    return {"host": socket.gethostname(), "pid": os.getpid(), "studio_version": __version__,
            "models_dir": str(store.root), "models": models}
