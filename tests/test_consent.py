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


def test_the_demo_persona_is_a_real_persons_photo_for_demonstration_only(tmp_path):
    """`studio demo` shows NASA's portrait of a real person: marked real, no consent, a likeness
    statement saying so; its steps run and its exports say they are not for publishing."""
    from pipelines.tts.voice_character import PRESETS
    from studio.actions.voice import voice_character
    from studio.cli.demo_cmds import DEMO_SCRIPT, demo_persona

    persona = demo_persona()
    assert persona.kind == "real" and persona.consent is None and persona.demonstration_only
    line = persona.likeness_line()
    assert "Eileen Collins" in line and "not for publishing" in line and "no real person" not in line
    assert persona.name in DEMO_SCRIPT  # the persona says her own name
    assert voice_character(persona.voice) == PRESETS["female"]  # a woman's face, a woman's voice
    with Project.create(tmp_path, "Demo", persona) as p:
        persona.require_consent("make posts of them")  # let through: demonstration only
        job = run_job(p, "narrate", {"text": "Hello."}, "narrate")
        assert job.state == JobState.done
        assert "voice character: Praat change gender, formant ×1.18, pitch 210 Hz" in p.assets_of("narration")[0].provenance.engine


def test_a_real_face_without_consent_is_only_ever_a_demonstration():
    from pydantic import ValidationError

    from studio.core.persona import LikenessStatement

    with pytest.raises(ValidationError, match="only for demonstration"):
        LikenessStatement(not_a_real_person=False, subject="Ann", source="a photo I found")
    with pytest.raises(ValidationError, match="only for demonstration"):
        LikenessStatement(not_a_real_person=False, purpose="demonstration")  # who and from where
    stated = Persona(name="Ann", kind="real", likeness=LikenessStatement())  # "invented" does not unlock a real persona
    with pytest.raises(Exception, match="no consent record"):
        stated.require_consent("speak as them")
