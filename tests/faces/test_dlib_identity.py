"""The real embedded dlib models on the public-domain astronaut portrait."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from pipelines.faces import (
    PersonaIdentity,
    fuse_identity,
    identity_score,
    score_for_provenance,
    verdict,
)
from studio.core.persona import IdentityEmbedding, Persona


def _score(analyzer, rgb, ref_embedding) -> tuple[float, str]:
    faces = analyzer.detect(rgb)
    assert faces, "no face found in a transformed copy of the portrait"
    s = identity_score(faces[0].embedding, ref_embedding, "dlib")
    return s, verdict(s)


def test_detects_one_face_with_landmarks_in_place(dlib_analyzer, portrait):
    faces = dlib_analyzer.detect(portrait)
    assert len(faces) == 1  # the false positive on the suit (HOG score ~0.07) is filtered
    f = faces[0]
    x0, y0, x1, y1 = f.box
    assert 60 < f.width < 140 and 150 < x0 < 220 and 60 < y0 < 120
    le, re, nose, ml, mr = f.kps5
    assert le[0] < re[0]  # index 0 is the eye on the image's left
    eyes_y = (le[1] + re[1]) / 2
    assert eyes_y < nose[1] < (ml[1] + mr[1]) / 2  # eyes above nose above mouth
    for p in f.kps5:
        assert x0 <= p[0] <= x1 and y0 <= p[1] <= y1
    assert f.landmarks68.shape == (68, 2)
    assert f.embedding.shape == (128,)


def test_same_image_scores_same_person(dlib_analyzer, portrait):
    e = dlib_analyzer.detect(portrait)[0].embedding
    s = identity_score(e, fuse_identity([e]), "dlib")
    assert s > 95 and verdict(s) == "same person"


@pytest.mark.parametrize("transform", ["flip", "rescale", "jpeg30"])
def test_transformed_copies_stay_same_person(dlib_analyzer, portrait_face, transform):
    rgb, face = portrait_face
    if transform == "flip":
        img = rgb[:, ::-1].copy()
    elif transform == "rescale":
        img = np.asarray(Image.fromarray(rgb).resize((330, 330), Image.Resampling.BICUBIC))
    else:
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=30)
        img = np.asarray(Image.open(buf).convert("RGB"))
    s, v = _score(dlib_analyzer, img, face.embedding)
    assert v == "same person", f"{transform}: score {s:.1f}"
    assert s < 100.0 or transform == "flip"  # a changed image is not bit-identical


def test_other_face_scores_lower(dlib_analyzer, portrait_face):
    # A heavily distorted face (squeezed, shifted colours) must score clearly lower than the original.
    rgb, face = portrait_face
    squeezed = np.asarray(Image.fromarray(rgb).resize((512, 300)))
    faces = dlib_analyzer.detect(squeezed)
    if faces:
        assert identity_score(faces[0].embedding, face.embedding, "dlib") < 95


def test_score_calibration_points():
    a = np.zeros(128, np.float32)
    for d, expected in ((0.59, "same person"), (0.65, "uncertain"), (0.8, "different")):
        b = a.copy()
        b[0] = d
        assert verdict(identity_score(b, a, "dlib")) == expected
    u = np.zeros(512, np.float32)
    u[0] = 1
    for cos, expected in ((0.45, "same person"), (0.33, "uncertain"), (0.1, "different")):
        v = np.zeros(512, np.float32)
        v[0], v[1] = cos, np.sqrt(1 - cos**2)
        assert verdict(identity_score(v, u, "insightface")) == expected


def test_fuse_identity_per_backend():
    rng = np.random.default_rng(0)
    d = [rng.standard_normal(128).astype(np.float32) for _ in range(3)]
    np.testing.assert_allclose(fuse_identity(d), np.mean(d, axis=0), rtol=1e-5, atol=1e-6)
    i = [rng.standard_normal(512) for _ in range(3)]
    fused = fuse_identity(i)
    assert abs(np.linalg.norm(fused) - 1) < 1e-5


def test_non_face_image_has_no_face(dlib_analyzer):
    from skimage import data

    assert dlib_analyzer.detect(data.coffee()) == []
    gradient = np.tile(np.linspace(0, 255, 400, dtype=np.uint8)[None, :, None], (300, 1, 3))
    assert dlib_analyzer.detect(gradient) == []


def test_persona_identity_and_provenance(dlib_analyzer, portrait_face):
    rgb, face = portrait_face
    persona = Persona(
        name="Ann", identity=[IdentityEmbedding(backend="dlib", vector=face.embedding.tolist())]
    )
    ident = PersonaIdentity(persona, dlib_analyzer)
    assert ident.available
    best = ident.best(rgb)
    assert best is not None and best.verdict == "same person"
    prov = score_for_provenance(ident, rgb)
    assert prov["identity_backend"] == "dlib" and prov["identity"] > 95
    assert (
        score_for_provenance(ident, np.full((200, 200, 3), 128, np.uint8))["identity_verdict"]
        == "no face found"
    )
    empty = PersonaIdentity(Persona(name="Bob"), dlib_analyzer)
    assert not empty.available
    assert score_for_provenance(empty, rgb)["identity"] is None
