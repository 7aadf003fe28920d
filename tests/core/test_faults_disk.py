"""Fault campaign (issue 16): a disk that fills. Every step says "the disk is full: N MB needed,
M free", the job ends failed with that reason (not "running", later "interrupted at 95 %"), and
no partial file is left in .staging. Real small tmpfs mounts (see conftest.py)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.assets import Provenance
from studio.core.errors import DiskFull
from studio.core.jobs import JobQueue, JobState
from studio.core.project import Project

ROOT = Path(__file__).resolve().parents[2]
MESSAGE = r"The disk is full: .*MB needed, .*MB free"


def fill(folder: Path) -> Path:
    """Write a file in `folder` until the disk is full; the file stays (the disk stays full)."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError as e:
            assert e.errno == errno.ENOSPC
    return filler


def staging(p: Project) -> list[str]:
    s = p.path / ".staging"
    return sorted(os.listdir(s)) if s.exists() else []


def test_export_refuses_before_rendering_when_the_disk_cannot_hold_it(tmpfs, portrait):
    from PIL import Image

    from studio.core.timeline import AddClip, Clip, Timeline

    disk = tmpfs.mount("3m")
    photo = disk.parent / "still.png"
    Image.fromarray(portrait).resize((256, 256)).save(photo)
    with Project.create(disk, "Ava") as p:
        still = p.import_file(photo, "image")
        p.put_timeline(AddClip(track="video", clip=Clip(asset_id=still.id, start=0, out_point=4)).apply(
            Timeline.empty()))
        folder = p.path
    r = subprocess.run([sys.executable, "-m", "studio.cli.main", "export", str(folder), "--preset", "reels"],
                       capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 1 and "Traceback" not in r.stderr
    import re

    assert re.search(MESSAGE, r.stderr), r.stderr
    with Project.open(folder) as p:
        (job,) = JobQueue(p.path / "jobs").list()
        assert job.state == JobState.failed and re.search(MESSAGE, job.error)
        assert staging(p) == [] and p.assets_of("export") == []
        p.save()  # the project is fine


def test_a_file_moved_into_a_full_disk_leaves_no_partial_copy(tmpfs, tmp_path):
    disk = tmpfs.mount("3m")
    big = tmp_path / "render.mp4"  # another disk: the move copies
    big.write_bytes(os.urandom(5 * 2**20))
    with Project.create(disk, "Ava") as p:
        with pytest.raises(DiskFull, match=MESSAGE) as e:
            p.stage_file(big)
        assert "5 MB needed" in e.value.message
        assert staging(p) == []
        p.save()


def test_register_on_a_full_disk_registers_nothing_and_frees_what_it_staged(tmpfs):
    disk = tmpfs.mount("1m")
    with Project.create(disk, "Ava") as p:
        f = p.stage(".png")
        f.write_bytes(b"x" * 100_000)
        filler = fill(disk)
        saved = (p.path / "project.json").read_text()
        with pytest.raises(DiskFull, match="The disk is full"):
            p.register(f, "still", Provenance(pipeline="sdxl"))
        assert p.data.assets == [] and staging(p) == [] and os.listdir(p.path / "stills") == []
        assert (p.path / "project.json").read_text() == saved  # the atomic save left the old file
        filler.unlink()
        p.save()
    with Project.open(disk / "Ava.persona", read_only=True) as q:
        assert q.data.assets == []


def test_a_job_that_fills_the_disk_ends_failed_with_the_reason(tmpfs):
    disk = tmpfs.mount("1m")
    with Project.create(disk, "Ava") as p:
        q = JobQueue(p.path / "jobs")
        job = q.submit("export", {})

        def work(params, ctx):
            for i in range(3):
                ctx.progress(i, 3, "rendering")
            fill(p.path)  # the render filled the disk and crashed on it
            raise OSError(errno.ENOSPC, "No space left on device")

        done = q.run(job, work)
        assert done.state == JobState.failed and "The disk is full" in done.error
        on_disk = json.loads((p.path / "jobs" / f"{job.id}.json").read_text())
        assert on_disk["state"] == "failed" and "The disk is full" in on_disk["error"]  # not left "running"
        assert on_disk["traceback"] is None


def test_ffmpeg_filling_the_disk_says_so(tmpfs):
    from studio.render.ffmpeg import run_ffmpeg

    disk = tmpfs.mount("1m")
    args = ["-f", "lavfi", "-i", "testsrc2=size=640x480:rate=30:duration=10", "-c:v", "mpeg4", "-q:v", "1",
            str(disk / "out.mp4")]
    with pytest.raises(DiskFull, match="The disk is full"):
        run_ffmpeg(args, duration=10)
