"""A real person's likeness needs recorded consent before any step that uses it."""

from __future__ import annotations

import pytest

from studio.core.jobs import JobState
from studio.core.persona import ConsentRecord, Persona
from studio.core.project import Project
from tests.jobs import run_job

STEPS = [
    ("narrate", {"text": "Hello."}),
    ("motion.animate", {"still": "x.png", "engine": "camera"}),
    ("lipsync", {"visual": "x.png", "narration": "x.wav"}),
    ("generate", {"prompt": "a portrait"}),
    ("post", {"script": "Hello.", "presets": ["reels"]}),
    ("export", {"target": "post-x", "presets": ["reels"]}),
    ("faces.swap", {"target": "x.png"}),
]


@pytest.mark.parametrize("kind, params", STEPS, ids=[k for k, _ in STEPS])
def test_real_persona_without_consent_is_refused_before_any_work(tmp_path, kind, params):
    with Project.create(tmp_path, "Ann", Persona(name="Ann", kind="real")) as p:
        job = run_job(p, kind, params, kind)
        assert job.state == JobState.failed
        assert "no consent record" in job.error and "studio consent" in job.error
        assert p.data.assets == []


def test_with_consent_the_step_runs(tmp_path):
    consent = ConsentRecord(subject_name="Ann", granted_by="Ann", date="2026-01-02")
    with Project.create(tmp_path, "Ann", Persona(name="Ann", kind="real", consent=consent)) as p:
        job = run_job(p, "narrate", {"text": "Hello."}, "narrate")
        assert job.state == JobState.done and len(p.assets_of("narration")) == 1
