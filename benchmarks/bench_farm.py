"""Render farm: 8 tiny-SDXL stills here one after another vs on a local 2-worker Ray cluster,
and the per-job cost of going through the farm (bundle, object store, actor call, landing)."""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.common import Result

JOBS = 8


def _params(seed: int, steps: int = 16) -> dict:
    return {"prompt": "reading in a cafe", "n": 1, "keep": 1, "seed": seed, "size": "64x64", "steps": steps,
            "cfg": 5.0, "checkpoint": "tiny-sdxl", "max_rerolls": 0, "swap": False}


def run() -> list[Result]:
    try:
        import ray
    except ImportError:
        return [Result("farm", 0, "", detail="skipped: ray is not installed (pip install 'persona-studio[farm]')")]
    import torch

    from studio.core.models import ModelStore
    from studio.core.project import Project
    from studio.core.settings import Settings
    from studio.farm.pool import NAMESPACE, reset_pool
    from tests.jobs import run_job
    from tests.tiny.sdxl import save_tiny_sdxl

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        old_home = os.environ.get("PERSONA_STUDIO_HOME")
        os.environ["PERSONA_STUDIO_HOME"] = str(home)
        store = ModelStore(Settings(models_dir=str(home / "data" / "models")))
        store.import_file("tiny-sdxl", save_tiny_sdxl(Path(tmp) / "tiny-sdxl"), kind="sdxl-checkpoint")
        root = str(Path(__file__).resolve().parents[1])
        ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE, logging_level="ERROR", log_to_driver=False,
                 runtime_env={"env_vars": {"PERSONA_STUDIO_HOME": str(home), "PYTHONPATH": root, "OMP_NUM_THREADS": "1"}})
        p = Project.create(tmp, "Bench")
        try:
            run_job(p, "generate", _params(0), "warm-up")  # load the model here once
            t0 = time.perf_counter()
            for i in range(JOBS):
                assert run_job(p, "generate", _params(i), "local").state.value == "done"
            local = time.perf_counter() - t0

            def farm(i: int, steps: int = 16) -> float:
                t = time.perf_counter()
                job = run_job(p, "generate", _params(i, steps), "farm", farm="auto")
                assert job.state.value == "done", job.error
                return time.perf_counter() - t

            with ThreadPoolExecutor(2) as pool:  # start both workers and load the model in each
                list(pool.map(farm, range(2)))
                t0 = time.perf_counter()
                list(pool.map(farm, range(JOBS)))
                farmed = time.perf_counter() - t0

            # dispatch overhead: the same 1-step job on a warm worker vs here
            here = min(_timed(lambda: run_job(p, "generate", _params(99, 1), "here")) for _ in range(5))
            there = min(farm(99, 1) for _ in range(5))
        finally:
            p.close()
            reset_pool()
            ray.shutdown()
            if old_home is None:
                os.environ.pop("PERSONA_STUDIO_HOME", None)
            else:
                os.environ["PERSONA_STUDIO_HOME"] = old_home
    speedup = local / farmed
    overhead = (there - here) * 1000
    load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        Result(f"{JOBS} tiny stills here, one after another", local, "s", detail=load),
        Result(f"{JOBS} tiny stills on a 2-worker farm", farmed, "s"),
        Result("farm speed-up (2 workers, 2 cores)", speedup, "×", "≥ 1.7×", speedup >= 1.7, load),
        Result("farm dispatch overhead per job", overhead, "ms", "≤ 50 ms", overhead <= 50,
               f"1-step job: {there * 1000:.0f} ms on the farm vs {here * 1000:.0f} ms here"),
    ]


def _timed(fn) -> float:  # noqa: ANN001
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    for r in run():
        print(r.line())
