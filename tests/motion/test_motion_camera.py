"""The OpenCV camera-motion engine: exact duration/fps/size, and the face stays in frame."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.motion.camera import MOVES, CameraMotion, CameraRequest, ease
from pipelines.video_io import encoder_args, probe, read_frames
from studio.core.jobs import JobState
from studio.core.project import Project
from tests.jobs import run_job


def test_ease_is_smooth_and_monotonic():
    ts = np.linspace(0, 1, 50)
    e = np.array([ease(t) for t in ts])
    assert e[0] == 0 and e[-1] == 1 and np.all(np.diff(e) >= 0)
    assert e[1] - e[0] < 1e-3 and e[-1] - e[-2] < 1e-3  # starts and stops gently


@pytest.mark.parametrize("move", MOVES)
def test_face_box_stays_inside_every_frame(portrait, dlib_analyzer, move):
    face = dlib_analyzer.detect(portrait)[0].box
    cam = CameraMotion(CameraRequest(portrait, face, size=(1080, 1920), fps=30, seconds=6, move=move, strength=2.0))
    assert len(cam.plan.face_out) == 180
    for x0, y0, x1, y1 in cam.plan.face_out:
        assert 0 <= x0 < x1 <= 1080 and 0 <= y0 < y1 <= 1920
    zooms = [w.zoom for w in cam.plan.fg]
    assert zooms[-1] >= zooms[0]


def test_clip_duration_fps_size_and_real_face_in_frame(tmp_path, portrait, dlib_analyzer):
    face = dlib_analyzer.detect(portrait)[0].box
    cam = CameraMotion(CameraRequest(portrait, face, size=(270, 480), fps=24, seconds=1.5, move="parallax"))
    out = tmp_path / "clip.mp4"
    assert cam.render(out) == 36
    info = probe(out, count=True)
    assert (info.width, info.height, info.fps, info.frames) == (270, 480, 24.0, 36)
    assert info.seconds == pytest.approx(1.5, abs=0.05)
    frames = list(read_frames(out))
    for i in (0, 17, 35):  # the real detector finds the face inside the decoded frame
        found = dlib_analyzer.detect(frames[i], embed=False)
        assert found, f"no face in frame {i}"
        x0, y0, x1, y1 = found[0].box
        assert x0 >= -2 and y0 >= -2 and x1 <= 272 and y1 <= 482


def test_animate_camera_default_engine_without_svd(tmp_path):
    from studio.core.paths import resources_dir

    p = Project.create(tmp_path, "Cam")
    still = p.import_file(resources_dir() / "demo" / "portrait.jpg", "still")
    job = run_job(p, "motion.animate", {"still": still.id, "size": "240x426", "seconds": 1, "fps": 12, "seed": 1})
    assert job.state == JobState.done, job.error
    clip = p.asset(job.result["assets"][0])
    assert clip.provenance.engine == "camera motion (OpenCV)" and clip.parents == [still.id]
    assert clip.provenance.parameters["face_found"] is True
    info = probe(p.asset_path(clip), count=True)
    assert (info.width, info.height, info.frames) == (240, 426, 12)
    p.close()


def test_encoder_args_are_edit_friendly():
    assert encoder_args()[:6] == ["-c:v", "libx264", "-preset", "veryfast", "-crf", "12"]
    assert "yuv420p" in encoder_args() and "ffv1" in encoder_args("ffv1")


def test_animate_with_repair_records_per_frame_scores(tmp_path, portrait, persona_identity):
    from studio.core.paths import resources_dir

    p = Project.create(tmp_path, "Scored")
    p.update_persona(identity=persona_identity.persona.identity)
    still = p.import_file(resources_dir() / "demo" / "portrait.jpg", "still")
    params = {"still": still.id, "size": "360x640", "seconds": 1, "fps": 6, "repair": True, "repair_with": "reproject"}
    job = run_job(p, "motion.animate", params)
    assert job.state == JobState.done, job.error
    scores = p.asset(job.result["assets"][0]).provenance.scores
    frames = scores["identity_frames"]
    assert frames["status"] == "not needed" and len(frames["before"]) == 6
    assert all(s >= 60 for s in frames["after"]) and scores["identity"] >= 60
    checks = [m for m in p.asset(job.result["assets"][0]).provenance.models if m.role == "identity check"]
    assert checks and all(m.licence and m.commercial_use is not None for m in checks)  # were bare ids
    p.close()
