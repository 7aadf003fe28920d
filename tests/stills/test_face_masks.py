"""`inpaint --protect-face / --target-face` with the real dlib face detector on the demo portrait."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.core.jobs import JobState
from tests.jobs import run_job

SIZE = 192  # the smallest size at which dlib's HOG detector still finds the portrait's face


@pytest.fixture(scope="module")
def small_portrait(tmp_path_factory):
    """The demo portrait at SIZE px as a file, its pixels, and dlib's face (68 landmarks) on it."""
    from pipelines.faces import open_analyzer
    from studio.core.paths import resources_dir

    im = Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB").resize((SIZE, SIZE), Image.LANCZOS)
    path = tmp_path_factory.mktemp("portrait") / "portrait-192.png"
    im.save(path)
    rgb = np.asarray(im)
    faces = open_analyzer(None, "dlib").detect(rgb, embed=False, landmarks=True)
    assert len(faces) == 1 and faces[0].landmarks68 is not None
    return path, rgb, faces[0]


def _hull(face) -> np.ndarray:
    """Pixels inside the convex hull of the 68 landmarks (brows, eyes, nose, mouth, jaw)."""
    import cv2

    m = np.zeros((SIZE, SIZE), np.uint8)
    cv2.fillConvexPoly(m, cv2.convexHull(np.asarray(face.landmarks68, np.int32)), 1)
    return m.astype(bool)


def test_face_mask_covers_the_landmark_hull_and_little_else(small_portrait):
    from pipelines.sdxl.edit import face_mask

    _, _, face = small_portrait
    hull = _hull(face)
    mask = face_mask(face, (SIZE, SIZE))
    assert hull.sum() > 500 and mask[hull].all()
    x0, y0, x1, y1 = face.box
    assert mask.sum() < 3 * (x1 - x0) * (y1 - y0)  # the face, not the picture
    assert not mask[-10:, :].any() and not mask[:, :10].any()  # shoulders/background stay out


def _inpaint(project, tiny_sdxl, path, **kw):
    job = run_job(project, "inpaint", {"still": str(path), "prompt": "a smiling face", "steps": 2, "seed": 4,
                                       "checkpoint": str(tiny_sdxl), **kw})
    assert job.state == JobState.done, job.error
    out = np.asarray(Image.open(project.asset_path(job.result["assets"][0])).convert("RGB"))
    return out, project.asset(job.result["assets"][0]).provenance


def test_target_face_repaints_the_face_only(project, tiny_sdxl, small_portrait):
    import torch

    from pipelines.sdxl.edit import face_mask

    torch.set_num_threads(1)
    path, rgb, face = small_portrait
    out, prov = _inpaint(project, tiny_sdxl, path, target_face=True)
    mask = face_mask(face, (SIZE, SIZE))
    changed = np.any(out != rgb, axis=-1)
    assert not changed[~mask].any()  # outside the face: byte-identical
    hull = _hull(face)
    assert changed[hull].mean() > 0.9  # the landmarks' hull is repainted
    assert prov.parameters["face"] == "targeted" and prov.parameters["mask_pixels"] == int(mask.sum())


def test_protect_face_keeps_the_face_exactly(project, tiny_sdxl, small_portrait, tmp_path):
    import torch

    from pipelines.sdxl.edit import face_mask

    torch.set_num_threads(1)
    path, rgb, face = small_portrait
    Image.fromarray(np.full((SIZE, SIZE), 255, np.uint8)).save(tmp_path / "all.png")  # repaint everything ...
    out, prov = _inpaint(project, tiny_sdxl, path, mask=str(tmp_path / "all.png"), protect_face=True)
    mask = face_mask(face, (SIZE, SIZE))
    hull = _hull(face)
    assert np.array_equal(out[hull], rgb[hull]) and np.array_equal(out[mask], rgb[mask])  # ... but the face
    changed = np.any(out != rgb, axis=-1)
    assert changed[~mask].mean() > 0.9
    assert prov.parameters["face"] == "protected" and prov.parameters["mask_pixels"] == SIZE * SIZE - int(mask.sum())


def test_both_face_flags_and_no_face_are_clear_errors(project, tiny_sdxl, small_portrait, tiny_params):
    path, _, _ = small_portrait
    job = run_job(project, "inpaint", {"still": str(path), "prompt": "x", "protect_face": True, "target_face": True,
                                       "checkpoint": str(tiny_sdxl)})
    assert job.state == JobState.failed and "not both" in job.error
    noise = run_job(project, "generate", tiny_params(n=1, max_rerolls=0, swap=False))
    job = run_job(project, "inpaint", {"still": noise.result["assets"][0], "prompt": "x", "target_face": True,
                                       "checkpoint": str(tiny_sdxl)})
    assert job.state == JobState.failed and "No face was found" in job.error
