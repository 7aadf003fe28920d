"""SCRFD + ArcFace + inswapper + restorer code paths on tiny ONNX models with the real I/O layout."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from pipelines.faces import (
    FaceRestorer,
    FaceSwapper,
    FaceTracker,
    align_crop,
    open_analyzer,
    paste_back,
)
from pipelines.faces.align import (
    feather_mask,
    invert_affine,
    match_colour,
    template,
    transform_points,
)
from pipelines.faces.scrfd_arcface import SCRFD, anchor_centers, nms
from studio.core.errors import ModelMissing
from studio.core.models import ModelStore
from studio.core.settings import Settings
from tests.tiny.onnx_faces import build_tiny_inswapper, build_tiny_scrfd


def test_tiny_models_have_the_real_layout(tiny_models):
    det = onnx.load(str(tiny_models["buffalo_l-det"]))
    assert [i.name for i in det.graph.input] == ["input.1"]
    shapes = [[d.dim_value for d in o.type.tensor_type.shape.dim] for o in det.graph.output]
    assert shapes == [
        [12800, 1],
        [3200, 1],
        [800, 1],
        [12800, 4],
        [3200, 4],
        [800, 4],
        [12800, 10],
        [3200, 10],
        [800, 10],
    ]
    sw = onnx.load(str(tiny_models["inswapper_128"]))
    assert {i.name for i in sw.graph.input} == {"target", "source"}
    assert sw.graph.initializer[-1].name == "emap" and list(sw.graph.initializer[-1].dims) == [
        512,
        512,
    ]


def test_scrfd_decode_and_nms_recover_the_encoded_faces(tmp_path):
    faces = [
        (
            (100.0, 120.0, 260.0, 300.0),
            [[140, 190], [220, 190], [180, 230], [150, 265], [210, 265]],
        ),
        ((400.0, 60.0, 460.0, 130.0), [[415, 85], [445, 85], [430, 100], [418, 115], [442, 115]]),
    ]
    path = build_tiny_scrfd(tmp_path / "det.onnx", faces, image_size=(480, 640))
    boxes, scores, kps = SCRFD(path)(np.zeros((480, 640, 3), np.uint8))
    assert len(boxes) == 2  # each face was encoded twice (shifted box); NMS keeps one per face
    got = sorted(zip(boxes.tolist(), kps.tolist(), strict=True))
    for (b, k), (eb, ek) in zip(got, sorted(faces), strict=True):
        np.testing.assert_allclose(b, eb, atol=0.5)
        np.testing.assert_allclose(k, ek, atol=0.5)
    assert np.all(scores >= 0.85)


def test_anchor_layout_and_nms():
    c = anchor_centers(640, 640, 32)
    assert (
        c.shape == (800, 2)
        and tuple(c[0]) == (0, 0)
        and tuple(c[1]) == (0, 0)
        and tuple(c[2]) == (32, 0)
    )
    b = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], np.float32)
    assert nms(b, np.array([0.9, 0.8, 0.7])) == [0, 2]


def test_open_analyzer_prefers_insightface_and_embeds(tiny_models, portrait_face):
    rgb, dface = portrait_face
    analyzer = open_analyzer(ModelStore(Settings.load()))
    assert analyzer.backend == "insightface"
    faces = analyzer.detect(rgb)
    assert len(faces) == 1
    f = faces[0]
    np.testing.assert_allclose(f.box, dface.box, atol=1.0)
    np.testing.assert_allclose(f.kps5, dface.kps5, atol=1.0)
    assert f.embedding.shape == (512,) and abs(np.linalg.norm(f.embedding) - 1) < 1e-5
    # same face -> same embedding; a different face crop -> a different one
    again = analyzer.embed(rgb.copy(), f)
    assert float(again @ f.embedding) > 0.999
    other = analyzer.embed(rgb[:, ::-1].copy(), f)
    assert float(other @ f.embedding) < 0.999


def test_prefer_insightface_without_models_names_download():
    with pytest.raises(ModelMissing, match="studio models download buffalo_l-det buffalo_l-rec"):
        open_analyzer(ModelStore(Settings.load()), prefer="insightface")
    assert open_analyzer(ModelStore(Settings.load())).backend == "dlib"


def test_align_inverse_round_trip_within_one_pixel(portrait_face):
    rgb, face = portrait_face
    crop, m = align_crop(rgb, face.kps5, 112)
    # least squares puts the landmarks near the template (a real face is not the mean face)
    assert np.abs(transform_points(face.kps5, m) - template(112)).max() < 7.0
    back = transform_points(transform_points(face.kps5, m), invert_affine(m))
    assert np.abs(back - face.kps5).max() < 1.0
    # a bright dot inside the crop returns to its place (±1 px) after the inverse warp
    dot = np.zeros_like(rgb)
    y, x = int(face.kps5[2][1]), int(face.kps5[2][0])
    dot[y - 1 : y + 2, x - 1 : x + 2] = 255
    dcrop, _ = align_crop(dot, face.kps5, 256)
    restored = paste_back(
        np.zeros_like(rgb),
        dcrop,
        align_crop(dot, face.kps5, 256)[1],
        mask=np.ones((256, 256), np.float32),
    )
    ys, xs = np.nonzero(restored[..., 0] > 60)
    assert abs(ys.mean() - y) <= 1.0 and abs(xs.mean() - x) <= 1.0


def test_paste_back_changes_only_the_face_region(portrait_face):
    rgb, face = portrait_face
    crop, m = align_crop(rgb, face.kps5, 128)
    out = paste_back(rgb, 255 - crop, m)
    changed = np.any(out != rgb, axis=2)
    ys, xs = np.nonzero(changed)
    corners = transform_points(
        np.array([[0, 0], [128, 0], [0, 128], [128, 128]], np.float32), invert_affine(m)
    )
    assert changed.sum() > 3000
    assert xs.min() >= corners[:, 0].min() - 1 and xs.max() <= corners[:, 0].max() + 1
    assert ys.min() >= corners[:, 1].min() - 1 and ys.max() <= corners[:, 1].max() + 1
    assert not changed[:35].any() and not changed[:, :140].any() and not changed[200:].any()


def test_similarity_transform_is_umeyama():
    from skimage.transform import SimilarityTransform

    from pipelines.faces.align import similarity_transform

    src = np.random.default_rng(1).uniform(0, 500, (5, 2))
    expected = SimilarityTransform.from_estimate(src, template(112)).params[:2]
    np.testing.assert_allclose(similarity_transform(src, template(112)), expected, atol=1e-4)
    rot = np.array([[0.0, -2.0, 30.0], [2.0, 0.0, -5.0]])  # exact similarity -> exact recovery
    np.testing.assert_allclose(
        similarity_transform(src, transform_points(src, rot)), rot, atol=1e-3
    )


def test_feather_mask_and_colour_transfer():
    mask = feather_mask(128)
    assert (
        mask[64, 64] == pytest.approx(1.0, abs=1e-3) and mask[0, 0] < 0.01 and 0 < mask[10, 64] < 1
    )
    rng = np.random.default_rng(0)
    src = rng.integers(0, 120, (64, 64, 3), dtype=np.uint8)
    ref = rng.integers(100, 255, (64, 64, 3), dtype=np.uint8)
    out = match_colour(src, ref)
    assert (
        abs(out.astype(float).mean() - ref.mean()) < abs(src.astype(float).mean() - ref.mean()) / 4
    )


def test_face_swap_end_to_end(tiny_models, portrait_face):
    rgb, _ = portrait_face
    store = ModelStore(Settings.load())
    analyzer = open_analyzer(store)
    swapper = FaceSwapper.open(store)
    assert swapper.emap.shape == (512, 512)
    target = analyzer.detect(rgb)[0]
    source = -target.embedding  # a different identity
    out = swapper.swap(rgb, target, source)
    changed = np.any(out != rgb, axis=2)
    x0, y0, x1, y1 = target.box
    cx, cy = int((x0 + x1) / 2), int((y0 + y1) / 2)
    assert changed[cy - 10 : cy + 10, cx - 10 : cx + 10].all()  # the face changed
    assert not changed[:30].any() and not changed[-100:].any()  # the rest did not
    # the swap depends on the source identity through emap
    assert np.abs(swapper.latent(source) - swapper.latent(target.embedding)).sum() > 0.1
    raw = swapper.swap_crop(align_crop(rgb, target.kps5, 128)[0], source)
    raw2 = swapper.swap_crop(align_crop(rgb, target.kps5, 128)[0], target.embedding)
    assert np.abs(raw.astype(int) - raw2).mean() > 1
    with pytest.raises(Exception, match="512"):
        swapper.latent(np.zeros(128, np.float32))


def test_emap_is_read_from_the_last_initializer(tmp_path):
    p = build_tiny_inswapper(tmp_path / "sw.onnx", seed=3)
    model = onnx.load(str(p))
    expected = onnx.numpy_helper.to_array(model.graph.initializer[-1])
    np.testing.assert_array_equal(FaceSwapper(p).emap, expected)


def test_swapper_and_restorer_missing():
    store = ModelStore(Settings.load())
    with pytest.raises(
        ModelMissing, match="studio models download inswapper_128 buffalo_l-det buffalo_l-rec"
    ):
        FaceSwapper.open(store)
    assert FaceRestorer.open(store) is None


def test_restorer_and_codeformer_inputs(tiny_models, tmp_path, portrait_face):
    from tests.tiny.onnx_faces import build_tiny_restorer

    rgb, face = portrait_face
    r = FaceRestorer.open(ModelStore(Settings.load()))
    assert r is not None and r.model_id == "gfpgan-1.4" and r.size == 512
    out = r.restore(rgb, face)
    changed = np.any(out != rgb, axis=2)
    assert changed[int(face.center[1]), int(face.center[0])] and not changed[:20].any()
    cf = FaceRestorer(build_tiny_restorer(tmp_path / "cf.onnx", codeformer=True))
    assert np.array_equal(cf.restore(rgb, face), out)  # same maths, plus the fidelity input


def test_tracker_detects_sparsely_and_smooths(dlib_analyzer, portrait):
    canvas = np.full((576, 1024, 3), 90, np.uint8)
    frames = []
    for i in range(12):
        c = canvas.copy()
        x = 200 + i * 6
        c[32:544, x : x + 512] = portrait
        frames.append((c, x))
    tr = FaceTracker(dlib_analyzer, every=6, embed=False)
    lefts = []
    for c, x in frames:
        faces = tr.update(c)
        assert len(faces) == 1 and faces[0].extra["track_id"] == 0
        lefts.append(faces[0].box[0] - x)
    assert tr.full_detections == 2  # frames 0 and 6; the rest were tracked in a region
    assert np.ptp(lefts) < 15  # the box follows the moving face
