"""The yuv420p fast path of the camera engine matches the RGB frames it replaces."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipelines.motion.camera import CameraMotion, CameraRequest
from pipelines.video_io import read_frames, rgb_to_i420


def test_rgb_to_i420_matches_opencv_luma_and_averages_chroma():
    rng = np.random.default_rng(0)
    rgb = cv2.resize(rng.integers(0, 256, (20, 12, 3), dtype=np.uint8), (64, 96), interpolation=cv2.INTER_CUBIC)
    yuv = rgb_to_i420(rgb)
    ref = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    assert yuv.shape == (144, 64)
    assert np.array_equal(yuv[:96], ref[:96])  # luma is OpenCV's BT.601 limited range
    back = cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)
    assert cv2.PSNR(back, rgb) > 24  # saturated random colours: 4:2:0 costs some chroma
    assert cv2.PSNR(back, rgb) >= cv2.PSNR(cv2.cvtColor(ref, cv2.COLOR_YUV2RGB_I420), rgb) - 0.5


@pytest.mark.parametrize("move", ["push-in", "parallax"])
def test_yuv_render_matches_rgb_frames(tmp_path, portrait, dlib_analyzer, move):
    face = dlib_analyzer.detect(portrait, embed=False)[0].box
    cam = CameraMotion(CameraRequest(portrait, face, size=(270, 480), fps=12, seconds=1, move=move))
    assert cam.render(tmp_path / "c.mp4", crf=12) == 12
    decoded = list(read_frames(tmp_path / "c.mp4"))
    rgb = list(cam.frames())
    assert len(decoded) == len(rgb) == 12
    for i in (0, 6, 11):  # same picture up to codec noise (the parallax person is composited too)
        assert cv2.PSNR(decoded[i], rgb[i]) > 34, (move, i)
