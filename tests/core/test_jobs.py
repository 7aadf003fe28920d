"""The persistent job queue: states, progress, cancel across processes, resume after a kill."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from studio.core.assets import Provenance
from studio.core.errors import BadInput, StudioError
from studio.core.jobs import JobQueue, JobState
from studio.core.project import Project
from studio.core.tasks import TaskContext


def _write_asset(project, params, ctx):
    """A real (tiny) job: writes `n` chunks to a staged file, then registers it."""
    staged = project.stage(".txt")
    with open(staged, "w") as fh:
        for i in range(params["n"]):
            fh.write(f"chunk {i}\n")
            ctx.progress(i + 1, params["n"], "writing")
            time.sleep(params.get("delay", 0))
    asset = project.register(staged, "audio", Provenance(pipeline="test", parameters=params))
    return {"assets": [asset.id]}


def _on(fn, project):
    """A (project, params, ctx) test function as the job's work (what actions.registry.bind makes)."""
    return lambda params, ctx: fn(project, params, ctx)


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path, "Ava") as p:
        yield p


def test_job_runs_to_done_with_progress(project):
    q = JobQueue(project.path / "jobs")
    seen = []
    job = q.submit("write", {"n": 5}, "Write five")
    job = q.run(job, _on(_write_asset, project), on_progress=lambda j, p: seen.append(p.fraction))
    assert job.state == JobState.done and job.progress == 1.0
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert project.asset(job.result["assets"][0]).kind == "audio"
    assert q.get(job.id).state == JobState.done  # persisted


def test_failed_job_keeps_user_message_and_internal_traceback(project):
    q = JobQueue(project.path / "jobs")

    def user_error(p, params, ctx):
        raise StudioError("The still has no face: pick another still.")

    def bug(p, params, ctx):
        return 1 / 0

    j1 = q.run(q.submit("a", {}), _on(user_error, project))
    assert j1.state == JobState.failed and j1.error.startswith("The still has no face") and j1.traceback is None
    j2 = q.run(q.submit("b", {}), _on(bug, project))
    assert j2.state == JobState.failed and "ZeroDivisionError" in j2.error and "Traceback" in j2.traceback


def test_cancel_in_process_leaves_no_asset(project):
    q = JobQueue(project.path / "jobs")
    ctx = TaskContext()
    job = q.submit("write", {"n": 200, "delay": 0.01})
    t = threading.Timer(0.2, ctx.cancel)
    t.start()
    job = q.run(job, _on(_write_asset, project), ctx=ctx)
    assert job.state == JobState.cancelled
    assert project.data.assets == []


def test_cancel_queued_and_finished(project):
    q = JobQueue(project.path / "jobs")
    job = q.submit("write", {"n": 1})
    assert q.request_cancel(job.id).state == JobState.cancelled
    with pytest.raises(BadInput, match="already cancelled"):
        q.request_cancel(job.id)


def _run_in_subprocess(folder, job_id):
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parent)!r})
        from test_jobs import _on, _write_asset
        from studio.core.jobs import JobQueue
        from studio.core.project import Project
        p = Project.open({str(folder)!r})
        q = JobQueue(p.path / "jobs")
        job = q.get({job_id!r})
        job = q.run(job, _on(_write_asset, p))
        print(job.state.value, flush=True)
    """)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def test_cancel_from_another_process(project):
    folder = project.path
    q = JobQueue(folder / "jobs")
    job = q.submit("write", {"n": 400, "delay": 0.01})
    project.close()
    proc = _run_in_subprocess(folder, job.id)
    deadline = time.time() + 20
    while q.get(job.id).state != JobState.running and time.time() < deadline:
        time.sleep(0.05)
    q.request_cancel(job.id)
    assert proc.communicate(timeout=30)[0].strip() == "cancelled"
    assert q.get(job.id).state == JobState.cancelled


def test_killed_worker_leaves_resumable_job_and_no_half_asset(project):
    folder = project.path
    q = JobQueue(folder / "jobs")
    job = q.submit("write", {"n": 300, "delay": 0.01})
    project.close()
    proc = _run_in_subprocess(folder, job.id)
    deadline = time.time() + 20
    while q.get(job.id).progress < 0.1 and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    found = q.get(job.id)
    assert found.state == JobState.queued and found.interrupted and found.attempts == 1
    with Project.open(folder) as p:  # the half-written staged file is gone, nothing registered
        assert p.data.assets == []
        assert not any((folder / ".staging").glob("*")) if (folder / ".staging").exists() else True
        resumed = q.run(q.prepare_resume(job.id), _on(_write_asset, p))
        assert resumed.state == JobState.done and resumed.attempts == 2
        assert len(p.data.assets) == 1
        assert p.asset_path(p.data.assets[0]).read_text().count("chunk") == 300


def test_resume_job_honours_the_callers_cancel(project, monkeypatch):
    """`studio jobs resume` passes its Ctrl-C context: a cancel stops the resumed job (it used to
    run to the end, because resume_job built its own context and ignored the CLI's)."""
    from studio.actions import registry
    from studio.actions.registry import action, resume_job
    from studio.core.settings import Settings

    registry.kinds()  # every real kind registered first, then a copy the test may add to
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))  # the test kind leaves with the test
    action("test.write", label="Write")(lambda jc, params: _write_asset(jc.project, params, jc.task))
    q = JobQueue(project.path / "jobs")
    job = q.run(q.submit("test.write", {"n": 3}), _on(lambda *a: 1 / 0, project))
    assert job.state == JobState.failed
    ctx = TaskContext()
    ctx.cancel()
    resumed = resume_job(project, job.id, Settings(), ctx=ctx)
    assert resumed.state == JobState.cancelled and project.data.assets == []
