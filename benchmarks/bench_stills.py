"""Stills: orchestration overhead of the `generate` action over calling diffusers directly,
and proof that the second job in a process does not reload the model (tiny random SDXL, CPU)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import Result

N, STEPS, SIZE = 4, 4, 64


def run() -> list[Result]:
    import torch

    from pipelines.sdxl.cache import shared_cache
    from pipelines.sdxl.generate import generator_for
    from studio.core.project import Project
    from tests.jobs import run_job
    from tests.tiny.sdxl import save_tiny_sdxl

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = save_tiny_sdxl(Path(tmp) / "tiny-sdxl")
        project = Project.create(tmp, "Bench")
        params = {"prompt": "reading in a cafe", "n": N, "keep": 1, "seed": 1, "size": f"{SIZE}x{SIZE}",
                  "steps": STEPS, "cfg": 5.0, "checkpoint": str(ckpt), "swap": False}
        shared_cache().clear()
        shared_cache().loads = 0
        t0 = time.perf_counter()
        run_job(project, "generate", params)  # first job: loads the model
        first = time.perf_counter() - t0
        from pipelines.device import plan_device
        from pipelines.sdxl.checkpoint import resolve_model
        from studio.core.models import ModelStore
        from studio.core.settings import Settings

        # the same cache entry the action used (a hit: `loads` stays 1)
        pipe = shared_cache().get(resolve_model(str(ckpt), ModelStore(Settings.load())), plan_device("auto", "auto")).txt2img
        persona = project.persona
        prompt = f"{persona.style_prompt}, reading in a cafe"

        def direct() -> None:
            for i in range(N):
                pipe(prompt=prompt, negative_prompt=persona.negative_prompt, width=SIZE, height=SIZE,
                     num_inference_steps=STEPS, guidance_scale=5.0, generator=generator_for(1 + i), output_type="np")

        def action() -> None:
            job = run_job(project, "generate", params)
            assert job.state.value == "done", job.error

        times_d, times_a = [], []
        for _ in range(7):  # interleaved, best of 7, so machine noise hits both alike
            t = time.perf_counter()
            direct()
            times_d.append(time.perf_counter() - t)
            t = time.perf_counter()
            action()
            times_a.append(time.perf_counter() - t)
        d, a = min(times_d), min(times_a)
        loads = shared_cache().loads
        project.close()
        shared_cache().clear()
    ratio = a / d
    return [
        Result("generate action vs direct diffusers (4 candidates, 4 steps, 64 px)", ratio, "x", "≤ 1.10", ratio <= 1.10,
               f"action {a * 1000:.0f} ms, direct {d * 1000:.0f} ms"),
        Result("model loads over 8 generate jobs in one process", loads, "loads", "= 1", loads == 1,
               f"first job (with load) {first * 1000:.0f} ms, later jobs {a * 1000:.0f} ms"),
    ]
