"""Identity repair on a real face clip: a camera move over the public-domain portrait in which
some frames show another real person (scikit-image's LFW subset)."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.motion.camera import CameraMotion, CameraRequest
from pipelines.motion.identity_repair import IdentityRepair, smooth_keypoints
from tests.motion.conftest import other_face_crop, put_other_face

BAD = (4, 5, 9)


@pytest.fixture
def clip_with_bad_frames(portrait, dlib_analyzer):
    face = dlib_analyzer.detect(portrait)[0].box
    frames = list(CameraMotion(CameraRequest(portrait, face, size=(288, 512), fps=10, seconds=1.2)).frames())
    other = other_face_crop(dlib_analyzer)
    for i in BAD:
        frames[i] = put_other_face(frames[i], dlib_analyzer, other)
    return frames


def test_bad_frames_found_and_reprojection_restores_identity(clip_with_bad_frames, persona_identity):
    frames = clip_with_bad_frames
    repair = IdentityRepair(persona_identity, fps=10, method="reproject")
    out, report = repair.run(frames)
    assert report.bad_frames == list(BAD)
    assert all(report.before[i] < 50 for i in BAD)  # "different" person
    assert all(s >= 60 for i, s in enumerate(report.before) if i not in BAD)
    assert report.status == "repaired" and report.repaired_frames == list(BAD)
    assert all(report.after[i] >= 60 > report.before[i] for i in BAD)  # the persona is back
    for i, f in enumerate(out):
        if i not in BAD:
            assert f is frames[i]  # good frames untouched, byte for byte
        else:
            assert not np.array_equal(f, frames[i])
    prov = report.provenance()
    assert len(prov["before"]) == len(prov["after"]) == len(frames) and prov["min_after"] >= 60


def test_without_swap_models_the_clip_is_kept_and_models_named(clip_with_bad_frames, persona_identity):
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    repair = IdentityRepair.open(persona_identity, ModelStore(Settings.load()), "swap", fps=10)
    out, report = repair.run(clip_with_bad_frames)
    assert report.status == "not repaired"
    # the automatic swapper's downloads: GHOST (Apache-2.0 weights) and the identity's models
    assert set(report.missing_models) == {"ghost_2_256", "crossface_ghost", "buffalo_l-det", "buffalo_l-rec"}
    assert "studio models download" in report.message
    assert all(a is b for a, b in zip(out, clip_with_bad_frames, strict=True))
    assert report.after == report.before and report.bad_frames == list(BAD)


def test_a_commercial_safe_persona_gets_no_swap_repair_and_is_told_why(clip_with_bad_frames, persona_identity):
    from studio.core.licence_policy import LicencePolicy
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    safe = ModelStore(Settings.load()).restricted(LicencePolicy("Astro"))
    repair = IdentityRepair.open(persona_identity, safe, "swap", fps=10)
    out, report = repair.run(clip_with_bad_frames)
    assert report.status == "not repaired" and repair.models_used() == []
    assert "buffalo_l-rec is non-commercial" in report.message and "--repair-with reproject" in report.message
    assert all(a is b for a, b in zip(out, clip_with_bad_frames, strict=True))


def test_tiny_onnx_swapper_reswaps_only_the_bad_frames(tmp_path, portrait, dlib_analyzer):
    """The tiny inswapper cannot restore an identity; this checks selection and the real swap path."""
    from pipelines.faces import FaceSwapper, PersonaIdentity, fuse_identity, open_analyzer
    from studio.core.models import ModelStore
    from studio.core.persona import IdentityEmbedding, Persona
    from studio.core.settings import Settings
    from tests.tiny.onnx_faces import install_tiny_face_models

    ref = dlib_analyzer.detect(portrait)[0]
    other = other_face_crop(dlib_analyzer)
    frames = [portrait.copy() for _ in range(6)]
    for i in (2, 3):
        frames[i] = put_other_face(frames[i], dlib_analyzer, other)
    install_tiny_face_models(tmp_path / "models", faces=[(ref.box, ref.kps5)], image_size=portrait.shape[:2])
    store = ModelStore(Settings.load())
    analyzer = open_analyzer(store, "insightface")
    emb = analyzer.detect(portrait)[0].embedding
    persona = Persona(name="Astro", identity=[IdentityEmbedding(backend="insightface", vector=fuse_identity([emb]).tolist())])
    identity = PersonaIdentity(persona, analyzer)
    # the tiny detector answers in whole-image coordinates, so detect on every frame (no region search)
    repair = IdentityRepair(identity, threshold=99.0, fps=10, swapper=FaceSwapper.open(store), detect_every=1)
    out, report = repair.run(frames)
    assert report.bad_frames == [2, 3] and report.status == "repaired"
    for i, f in enumerate(out):
        assert (f is frames[i]) == (i not in (2, 3))
    for i in (2, 3):
        changed = np.any(out[i] != frames[i], axis=2)
        ys, xs = np.nonzero(changed)
        x0, y0, x1, y1 = ref.box  # only the face region (the aligned crop around it) was re-swapped
        m = 0.6 * max(x1 - x0, y1 - y0)
        assert changed.any() and xs.min() >= x0 - m and xs.max() <= x1 + m
        assert ys.min() >= y0 - m and ys.max() <= y1 + m


def test_keypoint_smoothing_is_centred_and_respects_gaps():
    pts = [np.full((5, 2), v, np.float32) for v in (0, 0, 10, 0, 0)] + [None, np.full((5, 2), 7, np.float32)]
    sm = smooth_keypoints(pts)
    assert 0 < sm[2][0, 0] < 10 and sm[1][0, 0] > 0 and sm[3][0, 0] == pytest.approx(sm[1][0, 0])
    assert sm[5] is None and sm[6][0, 0] == 7  # no smoothing across a frame without a face


@pytest.mark.weights
def test_inswapper_restores_identity(clip_with_bad_frames, portrait):
    """With the real insightface models installed, a swap brings the persona back."""
    from pipelines.faces import PersonaIdentity, fuse_identity, open_analyzer
    from studio.core.models import ModelStore
    from studio.core.persona import IdentityEmbedding, Persona
    from studio.core.settings import Settings

    store = ModelStore(Settings.load())
    if any(store.find(m) is None for m in ("inswapper_128", "buffalo_l-det", "buffalo_l-rec")):
        pytest.skip("needs inswapper_128 and buffalo_l (studio models download …)")
    analyzer = open_analyzer(store, "insightface")
    emb = analyzer.detect(portrait)[0].embedding
    persona = Persona(name="Astro", identity=[IdentityEmbedding(backend="insightface", vector=fuse_identity([emb]).tolist())])
    repair = IdentityRepair.open(PersonaIdentity(persona, analyzer), store, "swap", fps=10)
    _, report = repair.run(clip_with_bad_frames)
    assert report.bad_frames and all(report.after[i] > report.before[i] for i in report.bad_frames)
