"""Jobs run with the settings their caller hands in, never with what happens to be on disk."""

from __future__ import annotations

from studio.core.settings import Settings
from studio.render.certs import make_dev_identity
from tests.jobs import run_job


def _memory_settings(tmp_path) -> Settings:
    """Settings with a signing certificate of their own, never saved (the window's unsaved edits)."""
    make_dev_identity(tmp_path / "my-cert")
    settings = Settings()
    settings.c2pa_cert = str(tmp_path / "my-cert" / "c2pa-dev-chain.pem")
    settings.c2pa_key = str(tmp_path / "my-cert" / "c2pa-dev-key.pem")
    assert not Settings.path().exists()  # nothing on disk says so
    return settings


def _signer(project, job) -> str:
    video = next(project.asset(a) for a in job.result["assets"] if project.asset(a).provenance.pipeline == "export")
    return video.provenance.model_extra["signer"]


def test_a_job_here_signs_with_settings_that_exist_only_in_memory(project, tmp_path):
    p, tl, _ = project
    settings = _memory_settings(tmp_path)
    job = run_job(p, "export", {"target": tl.id, "presets": ["reels"], "size": [90, 160]}, settings=settings)
    assert job.state.value == "done", job.error
    assert _signer(p, job) == settings.c2pa_cert
    default = run_job(p, "export", {"target": tl.id, "presets": ["reels"], "size": [90, 160]}, settings=Settings())
    assert _signer(p, default) != settings.c2pa_cert  # the local development CA


def test_the_job_process_gets_the_callers_settings(project, tmp_path):
    """The window's job process (a child interpreter) runs with the window's settings object."""
    from studio.actions.registry import queue_of
    from studio.farm.local import LocalPool, process_work

    p, tl, _ = project
    settings = _memory_settings(tmp_path)
    pool = LocalPool()
    try:
        q = queue_of(p)
        job = q.submit("export", {"target": tl.id, "presets": ["reels"], "size": [90, 160]})
        job = q.run(job, process_work(pool, p, "export", job.id, settings))
    finally:
        pool.shutdown()
    assert job.state.value == "done", job.error
    assert _signer(p, job) == settings.c2pa_cert
