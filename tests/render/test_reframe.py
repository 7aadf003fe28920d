"""Face-aware reframe: the crop window follows a face moving across a wide frame (real dlib)."""

from __future__ import annotations

import subprocess

import dlib
import numpy as np
import pytest
from PIL import Image

from studio.core.timeline import Clip, Timeline
from studio.render.face_track import face_keyframes_video
from studio.render.ffmpeg import ffmpeg_exe
from studio.render.graph import Source, build_export_args
from studio.render.presets import get_preset
from studio.render.reframe import crop_size, reframe_filter, smooth_keyframes, window_positions

W, H, DUR, FPS = 960, 320, 2.0, 15


def face_x(t: float) -> float:
    """Centre x of the pasted portrait at time t (moves left to right)."""
    return 160 + (W - 320) * t / DUR


def hog(rgb: np.ndarray) -> list[tuple[float, float, float]]:
    rects = dlib.get_frontal_face_detector()(np.ascontiguousarray(rgb), 0)
    return [((r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2, float(r.width())) for r in rects]


@pytest.fixture(scope="module")
def moving_face(tmp_path_factory):
    from studio.core.paths import resources_dir

    face = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB").resize((320, 320)))
    path = tmp_path_factory.mktemp("reframe") / "moving.mp4"
    proc = subprocess.Popen(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}",
         "-r", str(FPS), "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", str(path)],
        stdin=subprocess.PIPE)
    for i in range(int(DUR * FPS)):
        frame = np.full((H, W, 3), 40, np.uint8)
        x = round(face_x(i / FPS) - 160)
        frame[:, x:x + 320] = face
        proc.stdin.write(frame.tobytes())
    proc.stdin.close()
    assert proc.wait() == 0
    return path


@pytest.fixture(scope="module")
def keys(moving_face):
    return face_keyframes_video(moving_face, hog, sample_fps=5, analysis_width=W)


def test_keyframes_track_the_face_and_window_contains_it(keys):
    assert len(keys) >= 8
    errors = [abs(cx - face_x(t)) for t, cx, _ in keys]
    assert max(errors) < 40, errors  # detector centre vs where we pasted the face
    cw, ch = crop_size(W, H, 9 / 16)
    assert (cw, ch) == (180, 320)
    for t, x, _ in window_positions(W, H, cw, ch, smooth_keyframes(keys)):
        assert x <= face_x(t) - 40 and face_x(t) + 40 <= x + cw or x in (0, W - cw)
    centre = reframe_filter(W, H, 9 / 16)
    assert centre == f"crop=180:320:{(W - 180) // 2}:0"


def test_rendered_reframe_keeps_the_face_in_frame(moving_face, keys):
    tl = Timeline.empty()
    clip = Clip(asset_id="v", start=0, out_point=DUR)
    tl = tl.with_clips(tl.track("video"), [clip])
    preset = get_preset("reels").scaled(270)
    out = moving_face.with_name("reframed.mp4")
    args = build_export_args(tl, {"v": Source(str(moving_face), "video", W, H, DUR)}, preset, out,
                             face_keys={clip.id: keys})
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args], check=True)
    for t in (0.3, 1.0, 1.7):
        raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", str(t), "-i", str(out), "-frames:v", "1",
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
        frame = np.frombuffer(raw, np.uint8).reshape(preset.height, preset.width, 3)
        found = hog(frame)
        assert found, f"no face in the reframed output at {t}s"
        cx = found[0][0]
        assert abs(cx - preset.width / 2) < preset.width * 0.25  # face stays near the middle


def test_studio_face_analyzer_drives_reframe_on_the_portrait(portrait):
    from studio.core.models import ModelStore
    from studio.core.settings import Settings
    from studio.render.face_track import default_detector, face_keyframes_image

    keys = face_keyframes_image(portrait, default_detector(ModelStore(Settings())))
    assert len(keys) == 1
    _, cx, cy = keys[0]
    h, w = portrait.shape[:2]
    assert 0.25 * w < cx < 0.75 * w and 0.15 * h < cy < 0.75 * h
    assert reframe_filter(w, h, 9 / 16, keys).startswith("crop=288:512:x=")
