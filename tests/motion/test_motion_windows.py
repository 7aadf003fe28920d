"""Frame arithmetic of chained SVD windows and the letterbox fit (pure functions)."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.motion.windows import (
    chained_frame_count,
    crop_back,
    crossfade_join,
    fit_rect,
    letterbox,
    next_condition_index,
    svd_canvas,
    windows_needed,
)


@pytest.mark.parametrize("n,c", [(14, 4), (25, 4), (25, 0), (3, 1)])
def test_windows_cover_the_requested_frames(n, c):
    for total in range(1, 260):
        w = windows_needed(total, n, c)
        assert chained_frame_count(n, w, c) >= total
        if w > 1:  # one window fewer would not be enough
            assert chained_frame_count(n, w - 1, c) < total


def test_formula_for_a_ten_second_svd_xt_clip():
    # 10 s at 7 fps = 70 frames; 25-frame windows, 4-frame cross-fade: each window adds 20
    assert windows_needed(70, 25, 4) == 4
    assert chained_frame_count(25, 4, 4) == 25 + 3 * 20 == 85
    assert next_condition_index(25, 4) == 20


def test_crossfade_join_blends_the_overlap_and_drops_the_repeated_frame():
    a = [np.full((2, 2, 3), v, np.uint8) for v in (0, 10, 20, 30, 40)]
    b = [np.full((2, 2, 3), v, np.uint8) for v in (30, 100, 100, 200, 210)]  # b[0] repeats a[2], its conditioning frame
    out = crossfade_join(a, b, 2)
    assert len(out) == chained_frame_count(5, 2, 2) == 7
    assert [int(f[0, 0, 0]) for f in out] == [0, 10, 20, round(30 * 2 / 3 + 100 / 3), round(40 / 3 + 100 * 2 / 3), 200, 210]
    with pytest.raises(ValueError):
        windows_needed(10, 5, 4)


def test_letterbox_and_crop_back_keep_the_still_aspect():
    still = np.random.default_rng(0).integers(0, 255, (800, 800, 3), np.uint8)  # 1:1 post
    canvas = svd_canvas((800, 800))
    assert canvas == (1024, 576)
    portrait = svd_canvas((1080, 1920))
    assert portrait == (576, 1024)
    box = fit_rect((800, 800), canvas)
    assert box.rect == (224, 0, 576, 576)
    placed = letterbox(still, box)
    assert placed.shape == (576, 1024, 3)
    back = crop_back(placed, box)
    assert back.shape == (576, 576, 3)
    assert fit_rect((1080, 1920), portrait).rect == (0, 0, 576, 1024)  # 9:16 fills the portrait canvas
