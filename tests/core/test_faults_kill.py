"""Fault campaign (issue 16): `studio faces add` killed with SIGKILL at any moment, then resumed.

The step is idempotent: the same file (same sha256, same face) is the same reference, so a job
killed after it registered the photo but before it saved the persona finishes on resume instead of
adding the face twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from studio.core.assets import sha256_file
from studio.core.jobs import JobQueue, JobState
from studio.core.project import Project

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

#: `studio` that SIGKILLs itself right after the photo is registered, before the persona is saved
KILLED_IN_ITS_SAVE = textwrap.dedent("""
    import os, signal, sys
    from studio.core.project import Project
    real = Project.update_persona
    def update_persona(self, **changes):
        if "reference_faces" in changes:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, **changes)
    Project.update_persona = update_persona
    from studio.cli.main import main
    sys.exit(main(sys.argv[1:]))
""")


@pytest.fixture
def photo(tmp_path, portrait):
    from PIL import Image

    path = tmp_path / "face.jpg"
    Image.fromarray(portrait).save(path, quality=95)
    return path


def _studio(*args, script: str | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-c", script, *map(str, args)] if script else [sys.executable, "-m", "studio.cli.main",
                                                                         *map(str, args)]
    return subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _resume_all(folder: Path) -> None:
    with Project.open(folder, read_only=True) as p:
        jobs = JobQueue(p.path / "jobs").list()
    for job in jobs:
        if job.state != JobState.done:
            r = _studio("jobs", "resume", folder, job.id)
            out, err = r.communicate(timeout=300)
            assert r.returncode == 0, err


def _check_one_reference(folder: Path, photo: Path) -> None:
    digest = sha256_file(photo)
    with Project.open(folder, read_only=True) as p:
        refs = [a for a in p.assets_of("reference") if a.sha256 == digest]
        assert len(refs) == 1, [a.id for a in refs]
        assert [r.id for r in p.persona.reference_faces] == [refs[0].id]
        assert {e.backend for e in p.persona.identity} >= {"dlib"}
        assert all(j.state == JobState.done for j in JobQueue(p.path / "jobs").list())
        assert not (p.path / ".staging").exists() or not os.listdir(p.path / ".staging")


def test_killed_inside_its_save_then_resumed_adds_the_face_once(tmp_path, photo):
    Project.create(tmp_path, "Ava").close()
    folder = tmp_path / "Ava.persona"
    r = _studio("faces", "add", folder, photo, "--not-a-real-person", script=KILLED_IN_ITS_SAVE)
    r.communicate(timeout=300)
    assert r.returncode == -signal.SIGKILL
    with Project.open(folder, read_only=True) as p:
        assert len(p.assets_of("reference")) == 1 and p.persona.reference_faces == []  # registered, not saved
        (job,) = JobQueue(p.path / "jobs").list()
        assert job.state == JobState.queued and job.interrupted  # the dead process's job is resumable
    _resume_all(folder)
    _check_one_reference(folder, photo)
    # adding the same file again is the same reference too
    again = _studio("faces", "add", folder, photo, "--not-a-real-person")
    again.communicate(timeout=300)
    assert again.returncode == 0
    _check_one_reference(folder, photo)


def test_killed_at_random_moments_then_resumed_never_duplicates(tmp_path, photo):
    rnd = random.Random(16)
    Project.create(tmp_path, "Ava").close()
    folder = tmp_path / "Ava.persona"
    for _ in range(3):
        r = _studio("faces", "add", folder, photo, "--not-a-real-person")
        t0 = time.monotonic()
        jobs = folder / "jobs"
        while time.monotonic() - t0 < 60 and not any(jobs.glob("job-*.json")) and r.poll() is None:
            time.sleep(0.02)
        time.sleep(rnd.uniform(0.0, 2.5))  # anywhere from loading the models to saving the persona
        r.send_signal(signal.SIGKILL)
        r.communicate(timeout=60)
        _resume_all(folder)
        _check_one_reference(folder, photo)
