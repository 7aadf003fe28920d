"""Foundation: project save latency and job bookkeeping overhead."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import Result, best_of
from studio.core.assets import Provenance
from studio.core.jobs import JobQueue
from studio.core.project import Project


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        p = Project.create(tmp, "Bench")
        for i in range(200):  # a project with a realistic number of assets
            f = p.stage(".txt")
            f.write_text(str(i))
            p.register(f, "still", Provenance(pipeline="bench", seed=i, parameters={"prompt": "x" * 200}))
        save = best_of(p.save, 5)
        q = JobQueue(Path(tmp) / "jobs")

        def one_job() -> None:
            job = q.submit("noop", {})
            q.run(job, lambda params, ctx: {"ok": True})

        job_overhead = best_of(one_job, 5)
        p.close()
    return [
        Result("project save (200 assets)", save * 1000, "ms", "≤ 50 ms", save < 0.05),
        Result("job submit+run bookkeeping", job_overhead * 1000, "ms", "≤ 20 ms", job_overhead < 0.02),
    ]
