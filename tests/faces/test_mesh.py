"""MediaPipe's face mesh (the commercial-safe landmark source) on public-domain portraits, for real."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.faces.mesh import MESH_TO_68, FaceMesh, Roi, mesh_available, to68


def test_the_mesh_is_installed_and_used_by_the_embedded_analyzer(dlib_analyzer):
    assert mesh_available()
    assert dlib_analyzer.landmark_source == "mesh"
    assert dlib_analyzer.models_used() == ["dlib-face-models", "mediapipe-face-mesh"]


def test_embedded_face_models_are_commercial_except_the_68_point_fallback():
    from studio.core.model_catalog import CATALOG

    entries = {e.id: e for e in CATALOG}
    assert entries["dlib-face-models"].commercial_use and entries["mediapipe-face-mesh"].commercial_use
    assert not entries["dlib-landmarks68"].commercial_use
    assert "Apache-2.0" in entries["mediapipe-face-mesh"].licence


def test_mesh_agrees_with_dlib_68_on_the_portrait(portrait_face):
    """Our index map puts each iBUG point where dlib's (non-commercial) predictor puts it."""
    from pipelines.faces.dlib_backend import DlibAnalyzer

    rgb, face = portrait_face
    old = DlibAnalyzer(landmarks="dlib68").detect(rgb, embed=False)[0].landmarks68
    new = face.landmarks68
    eyes = np.linalg.norm(old[36:42].mean(0) - old[42:48].mean(0))
    err = np.linalg.norm(new - old, axis=1) / eyes
    assert np.median(err) < 0.06 and err[36:68].max() < 0.15  # eyes, nose, lips within a few px
    assert face.extra["mesh"].shape == (468, 3) and face.extra["mesh_score"] > 0.9
    assert len(set(MESH_TO_68.tolist())) == 68


def test_fit_follows_a_rotated_and_shifted_face(portrait_face):
    import cv2

    rgb, face = portrait_face
    mesh = FaceMesh()
    base, _ = mesh.fit_face(rgb, face.box, face.kps5[:2])
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 15, 1.0)
    m[:, 2] += (20, -10)
    turned = cv2.warpAffine(rgb, m, (w, h), borderMode=cv2.BORDER_REFLECT)
    expect = base[:, :2] @ m[:, :2].T + m[:, 2]
    got, score = mesh.fit(turned, Roi.from_mesh(np.column_stack([expect, base[:, 2]])))
    eyes = np.linalg.norm(expect[33] - expect[263])
    assert score > 0.9
    assert np.median(np.linalg.norm(got[:, :2] - expect, axis=1)) / eyes < 0.05


def test_no_face_in_a_flat_region_and_a_hog_false_positive_is_dropped(dlib_analyzer):
    mesh = FaceMesh()
    flat = np.full((256, 256, 3), 128, np.uint8)
    assert mesh.fit_face(flat, (64, 64, 192, 192)) is None
    assert dlib_analyzer.detect(flat) == []


def test_embedding_uses_the_commercial_5_point_alignment(dlib_analyzer, portrait_face):
    """Identity stays: the 5-point aligned embedding is the same person as the 68-point one."""
    from pipelines.faces import identity_score
    from pipelines.faces.dlib_backend import DlibAnalyzer

    rgb, face = portrait_face
    assert len(face.extra["shape"].parts()) == 5
    old = DlibAnalyzer(landmarks="dlib68").detect(rgb)[0].embedding
    assert identity_score(face.embedding, old, "dlib") > 90


@pytest.mark.parametrize("size", [(330, 330), (900, 900)])
def test_mesh_points_scale_with_the_image(portrait_face, size):
    import cv2

    rgb, face = portrait_face
    s = size[0] / rgb.shape[1]
    img = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
    box = tuple(v * s for v in face.box)
    got = FaceMesh().fit_face(img, box, face.kps5[:2] * s)
    assert got is not None
    l68 = to68(got[0]) / s
    eyes = np.linalg.norm(face.landmarks68[36:42].mean(0) - face.landmarks68[42:48].mean(0))
    assert np.median(np.linalg.norm(l68 - face.landmarks68, axis=1)) / eyes < 0.05


def test_a_turned_head_hog_misses_is_found_by_blazeface_and_fitted(dlib_analyzer):
    """scikit-image's 'camera' (CC0, Lav Varshney): a man in near-profile behind a camera."""
    import cv2
    from skimage import data

    from pipelines.faces.blazeface import BlazeFace, anchors

    assert anchors().shape == (896, 2)
    img = cv2.resize(np.repeat(data.camera()[..., None], 3, 2), (1024, 1024), interpolation=cv2.INTER_CUBIC)
    assert dlib_analyzer._detect_boxes(img, None) == []  # HOG: frontal faces only
    (box, score, kps), = BlazeFace().detect(img)
    assert score > 0.6 and 330 < box[0] < 400 and 220 < box[1] < 280 and 480 < box[2] < 560
    faces = dlib_analyzer.detect(img)
    assert len(faces) == 1 and faces[0].extra["mesh_score"] > 0.9 and faces[0].embedding.shape == (128,)
    x0, y0, x1, y1 = faces[0].box
    mouth = faces[0].landmarks68[48:68].mean(0)
    assert x0 < mouth[0] < x1 and (y0 + y1) / 2 < mouth[1] < y1 + 0.2 * (y1 - y0)
