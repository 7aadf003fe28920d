"""kill -9 during each step of `studio post`: the resumed job reuses every step it finished, and a
post stopped during its export never looks finished (issue 16 item 3). Real processes, real media."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.core.jobs import JobQueue, JobState
from studio.core.project import Project

SCRIPT = """--- talking
Hi, I'm Nova. This is a post in three scenes.
--- still, move: pan
Here the camera moves over my photo while I keep talking.
--- talking
And here I am again, to say goodbye.
"""
ROOT = Path(__file__).resolve().parents[1]


def _studio(home: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PERSONA_STUDIO_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "studio.cli.main", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_at(proc: subprocess.Popen, folder: Path, at: float, timeout: float = 300) -> float:
    """SIGKILL the process once its post job's progress reaches `at`; returns the progress then."""
    q = JobQueue(folder / "jobs")
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, f"the post ended before {at:.0%}: {proc.stderr.read().decode()[-400:]}"
        running = [j for j in q.list() if j.kind == "post" and j.state == JobState.running]
        if running and running[0].progress >= at:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return running[0].progress
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the post never reached {at:.0%}")


def _state(folder: Path) -> dict:
    with Project.open(folder, read_only=True) as p:
        (post,) = p.data.posts
        board = post.storyboard
        return {
            "post": post,
            "narration": board.narration,
            "made": {i: s.made.model_dump() for i, s in enumerate(board.scenes) if s.made},
            "counts": {k: sum(a.provenance.pipeline == k for a in p.data.assets)
                       for k in ("narration", "narration.part", "lipsync", "motion.camera", "export")},
        }


@pytest.mark.timeout(900)
def test_kill_during_each_step_resumes_from_the_last_finished_step(tmp_path):
    home = tmp_path / "home"
    (tmp_path / "post.txt").write_text(SCRIPT, "utf-8")
    env_run = _studio(home, "new", "Nova", "--dir", str(tmp_path))
    assert env_run.wait() == 0
    folder = tmp_path / "Nova.persona"
    from studio.core.paths import resources_dir

    assert _studio(home, "faces", "add", str(folder), str(resources_dir() / "demo" / "portrait.jpg"),
                   "--not-a-real-person").wait() == 0
    proc = _studio(home, "post", str(folder), "--script", str(tmp_path / "post.txt"), "--draft", "-p", "reels")
    # 1. during the narration (0.2-0.3 of the bar) or just after it
    _kill_at(proc, folder, 0.21)
    q = JobQueue(folder / "jobs")
    (job,) = [j for j in q.list() if j.kind == "post"]
    assert job.state == JobState.queued and job.interrupted  # found interrupted, resumable
    first = _state(folder)
    assert first["post"].state == "making" and not first["post"].exports
    # 2. resume, killed while scene 2 (the camera move) is being made
    _kill_at(_studio(home, "jobs", "resume", str(folder), job.id), folder, 0.47)
    second = _state(folder)
    if first["narration"]:
        assert second["narration"] == first["narration"]
    assert second["counts"]["narration"] == 1, "the finished narration is reused, not made again"
    for i, made in first["made"].items():
        assert second["made"][i] == made
    assert 0 in second["made"], "scene 1 was finished before the kill"
    # 3. resume, killed during the export: the post must not look finished
    _kill_at(_studio(home, "jobs", "resume", str(folder), job.id), folder, 0.8)
    third = _state(folder)
    assert third["post"].state == "making" and third["post"].exports == {}
    assert third["post"].timeline_id is not None and len(third["made"]) == 3
    for i, made in second["made"].items():
        assert third["made"][i] == made
    # 4. resume to the end: every step reused, the export made once
    done = _studio(home, "jobs", "resume", str(folder), job.id)
    assert done.wait(timeout=600) == 0, done.stderr.read().decode()[-600:]
    final = _state(folder)
    assert final["post"].state == "ready" and set(final["post"].exports) == {"reels"}
    assert final["made"] == third["made"] and final["post"].timeline_id == third["post"].timeline_id
    assert final["counts"] == {"narration": 1, "narration.part": 2, "lipsync": 2, "motion.camera": 1, "export": 1}
    assert q.get(job.id).state == JobState.done and q.get(job.id).attempts == 4
