"""Jobs on a real local Ray cluster: real tiny models, bundles, results registered on the desktop,
cancel, a worker killed mid-job, and the same bytes locally and on the farm."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

ray = pytest.importorskip("ray")

from studio.actions.registry import queue_of  # noqa: E402
from studio.core.jobs import JobState  # noqa: E402
from tests.jobs import run_job  # noqa: E402

#: a script long enough (about 4 s of CPU) to cancel or kill it while it runs
LONG = " ".join(f"This is sentence number {i} of a long narration for the farm." for i in range(1, 13))


def _busy_slot(timeout: float = 60.0):
    """The pool's worker that is running a job, once it reports progress."""
    from studio.farm.pool import get_pool

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for slot in list(get_pool().slots):
            if slot.busy:
                p = ray.get(slot.handle.progress.remote())
                if p and p["fraction"] > 0.05:
                    return slot
        time.sleep(0.05)
    raise AssertionError("no farm job started")


def _in_thread(fn):
    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("job", fn()), daemon=True)
    t.start()
    return t, box


def test_narration_and_still_run_on_the_farm_like_here(farm, project, still_params):
    narr = run_job(project, "narrate", {"text": "Hello from the farm."}, "Narrate", farm=farm)
    assert narr.state == JobState.done, narr.error
    assert narr.attempts == 1 and narr.result["farm"]["attempts"] == 1
    a = project.asset(narr.result["assets"][0])
    assert a.kind == "narration" and a.provenance.model_extra["farm"]["job"] == narr.id
    assert project.sidecar(a, ".words.json").is_file() and project.sidecar(a, ".phonemes.json").is_file()
    assert narr.result["path"] == str(project.asset_path(a))  # worker paths became desktop paths
    assert project.asset_path(a).stat().st_size == a.size

    local = run_job(project, "narrate", {"text": "Hello from the farm."}, "Narrate")
    b = project.asset(local.result["assets"][0])
    assert b.sha256 == a.sha256  # same audio, bit for bit
    assert project.sidecar(b, ".words.json").read_bytes() == project.sidecar(a, ".words.json").read_bytes()

    still = run_job(project, "generate", still_params, "Still", farm=farm)
    assert still.state == JobState.done, still.error
    s_farm = project.asset(still.result["assets"][0])
    s_local = project.asset(run_job(project, "generate", still_params, "Still").result["assets"][0])
    assert s_farm.kind == "still" and s_farm.provenance.seed == 7
    assert s_farm.sha256 == s_local.sha256  # same seed, same pixels on the farm and here
    assert s_farm.provenance.parameters["checkpoint"] == "tiny-sdxl"

    # an animate job ships the still to the worker and its clip points back at the desktop's still
    clip = run_job(project, "motion.animate", {"still": s_farm.id, "engine": "camera", "size": "64x64",
                                               "seconds": 0.5, "fps": 10, "seed": 1}, "Animate", farm=farm)
    assert clip.state == JobState.done, clip.error
    c = project.asset(clip.result["assets"][0])
    assert c.kind == "clip" and c.parents == [s_farm.id] and c.provenance.parameters["still"] == s_farm.id
    assert {j.state for j in queue_of(project).list()} == {JobState.done}


def test_cancel_reaches_the_worker_and_registers_nothing(farm, project):
    t, box = _in_thread(lambda: run_job(project, "narrate", {"text": LONG}, "Long", farm=farm))
    _busy_slot()
    end = time.monotonic() + 30  # the desktop writes the worker's progress to the job file a moment later
    while True:
        running = [j for j in queue_of(project).list() if j.state == JobState.running]
        if (running and running[0].progress > 0) or time.monotonic() > end:
            break
        time.sleep(0.05)
    assert len(running) == 1 and running[0].progress > 0  # the worker's progress is in the job file
    queue_of(project).request_cancel(running[0].id)  # what `studio jobs cancel` and the window do
    t.join(60)
    job = box["job"]
    assert job.state == JobState.cancelled
    assert project.assets_of("narration") == []
    assert not list((project.path / "audio").iterdir())


def test_a_killed_worker_is_replaced_and_the_job_completes_once(farm, project):
    t, box = _in_thread(lambda: run_job(project, "narrate", {"text": LONG}, "Long", farm=farm))
    slot = _busy_slot()
    os.kill(ray.get(slot.handle.pid.remote()), signal.SIGKILL)
    t.join(120)
    job = box["job"]
    assert job.state == JobState.done, job.error
    assert job.attempts == 2 and queue_of(project).get(job.id).attempts == 2
    assert job.result["farm"]["lost_workers"] and len(project.assets_of("narration")) == 1
    assert len(list((project.path / "audio").glob("*.wav"))) == 1


def test_a_model_missing_on_the_worker_is_named(farm, project, still_params):
    job = run_job(project, "generate", {**still_params, "checkpoint": "sdxl-base-1.0"}, "Still", farm=farm)
    assert job.state == JobState.failed
    assert "studio models download sdxl-base-1.0" in job.error and "farm worker" in job.error
    assert job.error_code == 2 and project.assets_of("still") == []


def test_batch_of_posts_on_the_farm_with_a_summary(farm, project, tmp_path, capsys):
    from studio.cli.main import main
    from studio.core.paths import resources_dir
    from studio.core.project import Project

    plan = tmp_path / "week.yaml"
    plan.write_text(
        "defaults: {presets: [tiktok], engine: camera, size: [90, 160], export_size: [90, 160]}\n"
        "posts:\n"
        f"  - {{title: Monday, script: Good morning from the farm., still: {resources_dir() / 'demo' / 'portrait.jpg'}}}\n"
        "  - {title: Broken, script: Bad preset., presets: [nope]}\n", "utf-8")
    folder = str(project.path)
    project.close()
    assert main(["batch", folder, str(plan), "--farm", farm]) == 1  # one post failed
    text = capsys.readouterr().out
    assert "Monday" in text and "done" in text and "tiktok" in text and "No export preset 'nope'" in text
    with Project.open(folder, read_only=True) as p:
        post = next(x for x in p.data.posts if x.title == "Monday")
        tl = p.timeline(post.timeline_id)
        video = p.asset(post.exports["tiktok"])  # post, timeline and exports point at desktop assets
        assert p.asset_path(video).stat().st_size > 1000 and video.kind == "export"
        for clip in (c for t in tl.tracks for c in t.clips if c.asset_id):
            assert p.asset_path(p.asset(clip.asset_id)).is_file()
        talking = p.asset(tl.track("video").clips[0].asset_id)
        # camera-engine posts lip-sync the still itself in one frame loop (no intermediate clip)
        assert {p.asset(x).kind for x in talking.parents} == {"image", "narration"}
