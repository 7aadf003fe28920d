"""GHOST face swap (ghost_N_256 + crossface_ghost) through the real code, on tiny ONNX graphs with
the real input/output names and shapes; the contract checked against FaceFusion's definitions."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from pipelines.faces import GhostSwapper, align_crop, open_analyzer, open_swapper
from pipelines.faces.align import ARCFACE_V1, template
from pipelines.faces.swappers import installed_swapper
from studio.core.errors import BadInput, ModelMissing
from studio.core.licence_policy import LicencePolicy, NotCommercial
from studio.core.models import ModelStore
from studio.core.settings import Settings
from tests.tiny.onnx_faces import build_tiny_ghost, build_tiny_ghost_converter, install_tiny_ghost


@pytest.fixture
def ghost_models(tiny_models, tmp_path):
    return {**tiny_models, **install_tiny_ghost(tmp_path / "models")}


def test_tiny_ghost_graphs_have_the_real_layout(tmp_path):
    sw = onnx.load(str(build_tiny_ghost(tmp_path / "g.onnx")))
    dims = {i.name: [d.dim_value for d in i.type.tensor_type.shape.dim] for i in sw.graph.input}
    assert dims == {"target": [1, 3, 256, 256], "source": [1, 512]}
    conv = onnx.load(str(build_tiny_ghost_converter(tmp_path / "c.onnx")))
    assert [i.name for i in conv.graph.input] == ["input"] and [o.name for o in conv.graph.output] == ["output"]


def test_ghost_template_is_facefusions_arcface_112_v1():
    # FaceFusion's 'arcface_112_v1' fractions × 256 (the eyes at 45.7 % of the height, the mouth
    # corners at 77.7 %): lower and narrower than insightface's 112 template scaled to 256
    t = template(256, "arcface_v1")
    np.testing.assert_allclose(t[0], [90.8114, 116.8869], atol=1e-3)
    np.testing.assert_allclose(t[4], [158.9417, 198.88], atol=1e-3)
    assert np.abs(template(224, "arcface") / 224 - ARCFACE_V1).max() > 0.02


def test_ghost_swap_end_to_end(ghost_models, portrait_face):
    rgb, _ = portrait_face
    store = ModelStore(Settings.load())
    assert installed_swapper(store) == "ghost_2_256"  # GHOST is the automatic choice when installed
    swapper = open_swapper(store)
    assert isinstance(swapper, GhostSwapper) and swapper.size == 256
    assert swapper.models_used() == ["ghost_2_256", "crossface_ghost", "buffalo_l-rec"]
    target = open_analyzer(store).detect(rgb)[0]
    source = -target.embedding
    out = swapper.swap(rgb, target, source)
    changed = np.any(out != rgb, axis=2)
    x0, y0, x1, y1 = target.box
    cx, cy = int((x0 + x1) / 2), int((y0 + y1) / 2)
    assert changed[cy - 10 : cy + 10, cx - 10 : cx + 10].all()  # the face changed
    assert not changed[:30].any() and not changed[-100:].any()  # the rest did not
    # the source runs through the converter, which sees only the direction of the embedding
    np.testing.assert_allclose(swapper.latent(source * 7.0), swapper.latent(source), rtol=1e-5, atol=1e-5)
    assert swapper.latent(source).shape == (1, 512)
    crop = align_crop(rgb, target.kps5, 256, kind="arcface_v1")[0]
    a, b = swapper.swap_crop(crop, source), swapper.swap_crop(crop, target.embedding)
    assert a.dtype == np.uint8 and a.shape == (256, 256, 3) and np.abs(a.astype(int) - b).mean() > 1
    # -1..1 in, -1..1 out: a grey crop (0 after normalising) with a zero tint stays mid-grey
    grey = np.full((256, 256, 3), 127.5, np.float32)
    blob = ((grey / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None]
    raw = swapper.session.run(None, {"target": blob, "source": np.zeros((1, 512), np.float32)})[0]
    assert np.abs(raw).max() < 1e-6
    with pytest.raises(BadInput, match="512"):
        swapper.latent(np.zeros(128, np.float32))


def test_explicit_choices_and_what_is_missing(tiny_models, tmp_path):
    store = ModelStore(Settings.load())
    assert installed_swapper(store) == "inswapper_128"  # no GHOST yet: inswapper
    assert open_swapper(store).model_id == "inswapper_128"
    with pytest.raises(ModelMissing, match="studio models download ghost_3_256 crossface_ghost"):
        open_swapper(store, "ghost_3_256")
    with pytest.raises(BadInput, match="Unknown face swapper 'simswap_256'"):
        open_swapper(store, "simswap_256")
    install_tiny_ghost(tmp_path / "models", blocks=3)
    assert open_swapper(store, "ghost_3_256").model_id == "ghost_3_256"
    assert open_swapper(store, "inswapper_128").model_id == "inswapper_128"


def test_nothing_installed_names_both_downloads():
    with pytest.raises(ModelMissing) as e:
        open_swapper(ModelStore(Settings.load()))
    assert "ghost_2_256 crossface_ghost" in str(e.value) and "inswapper_128" in str(e.value)


def test_a_commercial_safe_store_has_no_face_swap(ghost_models):
    """GHOST's weights are Apache-2.0, but the identity it swaps in comes from buffalo_l-rec."""
    safe = ModelStore(Settings.load()).restricted(LicencePolicy("Mara"))
    assert installed_swapper(safe) is None
    for model in ("auto", "ghost_2_256"):
        with pytest.raises(NotCommercial) as e:
            open_swapper(safe, model)
        msg = str(e.value)
        assert "buffalo_l-rec is non-commercial" in msg and "w600k_r50" in msg
        assert "flux2-klein-4b" in msg
    with pytest.raises(NotCommercial, match="inswapper_128 is non-commercial"):
        open_swapper(safe, "inswapper_128")


def test_studio_swap_with_ghost_records_the_whole_chain(ghost_models, portrait, tmp_path, capsys):
    """`studio swap --model ghost_2_256`: provenance names swapper, converter and recognizer with
    their licences, and the verdict is decided by the non-commercial recognizer."""
    import json

    from PIL import Image

    from studio.cli.main import main
    from studio.core.project import Project
    from studio.render.licences import asset_verdict

    photo = tmp_path / "face.png"
    Image.fromarray(portrait).save(photo)
    assert main(["new", "Ann", "--dir", str(tmp_path)]) == 0
    proj = tmp_path / "Ann.persona"
    assert main(["faces", "add", "--not-a-real-person", str(proj), str(photo)]) == 0
    capsys.readouterr()
    out = tmp_path / "swapped.png"
    assert main(["swap", str(proj), str(photo), "-o", str(out), "--model", "ghost_2_256", "--no-restore",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape == portrait.shape and np.any(img != portrait)
    with Project.open(proj, read_only=True) as p:
        asset = p.asset(result["assets"][0])
        prov = asset.provenance
        ids = {m.id: m for m in prov.models}
        assert {"ghost_2_256", "crossface_ghost", "buffalo_l-rec", "buffalo_l-det"} <= set(ids)
        assert "inswapper_128" not in ids
        assert ids["ghost_2_256"].commercial_use is True and ids["ghost_2_256"].licence.startswith("Apache-2.0")
        assert ids["crossface_ghost"].licence.startswith("OpenRAIL-MS")
        assert ids["buffalo_l-rec"].commercial_use is False
        assert prov.engine == "GHOST 2-block 256" and prov.parameters["swapper"] == "ghost_2_256"
        v = asset_verdict(p, asset)
        assert v["verdict"] == "not allowed" and "buffalo_l-rec" in v["blocking"]
        assert "ghost_2_256" not in v["blocking"]
    assert main(["swap", str(proj), str(photo), "-o", str(out), "--model", "simswap_256"]) == 2
    # a commercial-safe persona: refused before anything runs, with the reason and what to use
    assert main(["persona", "set", str(proj), "--commercial-safe", "on"]) == 0
    capsys.readouterr()
    assert main(["swap", str(proj), str(photo), "-o", str(tmp_path / "no.png"), "--model", "ghost_2_256"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "buffalo_l-rec is non-commercial" in err and "flux2-klein-4b" in err
    assert not (tmp_path / "no.png").exists()
