"""Sharper footage through the real code paths: a tiny Real-ESRGAN-layout RRDBNet built here
(random weights, the real key names spandrel recognises), tiled inference, the classical
fallback on the portrait and a clip, face restoration with a tiny restorer graph."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

from pipelines.upscale import RRDBNet, Upscaler, UpscaleRequest, load_esrgan, upscale_classical
from studio.core.errors import BadInput
from studio.core.paths import resources_dir
from studio.core.project import Project
from studio.render.ffmpeg import ffmpeg_exe, probe
from tests.jobs import run_job

torch = pytest.importorskip("torch")
PORTRAIT = resources_dir() / "demo" / "portrait.jpg"


def tiny_esrgan(path, fmt: str = "pth"):  # noqa: ANN001, ANN201
    """A 4x RRDBNet (8 features, 1 block, growth 4) saved the way Real-ESRGAN x4plus is."""
    torch.manual_seed(0)
    net = RRDBNet(3, 3, 4, num_feat=8, num_block=1, num_grow_ch=4)
    state = net.state_dict()
    if fmt == "pth":
        torch.save({"params_ema": state}, path)  # the official file wraps the EMA weights
    else:
        from safetensors.torch import save_file

        save_file(state, str(path))
    return net, path


def _portrait(side: int = 64) -> np.ndarray:
    return np.asarray(Image.open(PORTRAIT).convert("RGB").resize((side, side), Image.LANCZOS))


def test_tiny_model_has_the_real_esrgan_layout_and_loads_from_pth_and_safetensors(tmp_path):
    net, pth = tiny_esrgan(tmp_path / "RealESRGAN_x4plus.pth")
    keys = set(net.state_dict())
    # what spandrel's ESRGAN detection keys on (BasicSR's RRDBNet names)
    assert {"conv_first.weight", "body.0.rdb1.conv1.weight", "body.0.rdb3.conv5.bias", "conv_body.weight",
            "conv_up1.weight", "conv_up2.weight", "conv_hr.weight", "conv_last.weight"} <= keys
    loaded, scale, loader = load_esrgan(pth)
    assert scale == 4 and loader in ("spandrel", "rrdbnet")
    _, st = tiny_esrgan(tmp_path / "tiny.safetensors", "safetensors")
    own, s2, _ = load_esrgan(st, prefer_spandrel=False)
    x = torch.rand(1, 3, 12, 10)
    with torch.inference_mode():
        assert torch.allclose(net.eval()(x), own.eval()(x), atol=1e-6) and s2 == 4
        assert torch.allclose(net(x), loaded.eval()(x), atol=1e-5)  # spandrel builds the same network
    torch.save({"something": torch.zeros(2)}, tmp_path / "other.pth")
    with pytest.raises(BadInput, match="not a Real-ESRGAN"):
        load_esrgan(tmp_path / "other.pth", prefer_spandrel=False)


def test_tiles_stitch_into_the_whole_picture(tmp_path):
    _, pth = tiny_esrgan(tmp_path / "RealESRGAN_x4plus.pth")
    up = Upscaler(pth).load("cpu")
    img = _portrait(64)
    whole = up.run(UpscaleRequest(img, 4.0, tile=64))
    seen = []
    from studio.core.tasks import TaskContext

    tiled = up.run(UpscaleRequest(img, 4.0, tile=24, tile_pad=24), TaskContext(lambda p: seen.append(p.label)))
    assert whole.shape == tiled.shape == (256, 256, 3)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 2  # enough context: no seams
    assert sum("tile" in s for s in seen) >= 9  # 3x3 tiles, each reported
    assert up.run(UpscaleRequest(img, 2.0)).shape == (128, 128, 3)  # x4 then Lanczos down to x2
    up.unload()


def _sharpness(rgb: np.ndarray) -> float:
    import cv2

    return float(cv2.Laplacian(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def test_classical_upscale_is_larger_and_sharper_than_plain_lanczos():
    import cv2

    img = _portrait(160)
    big = upscale_classical(img, 2.0, sharpen=0.8)
    plain = cv2.resize(img, (320, 320), interpolation=cv2.INTER_LANCZOS4)
    assert big.shape == (320, 320, 3)
    assert _sharpness(big) > 1.2 * _sharpness(plain)
    assert np.abs(big.astype(int) - plain.astype(int)).mean() < 12  # the same picture, not a new one


@pytest.fixture
def project(tmp_path):
    from studio.core.persona import Persona

    p = Project.create(tmp_path, "Up", Persona(name="Up"))
    yield p
    p.close()


def test_upscale_job_uses_real_esrgan_when_installed_and_restores_faces(tmp_path, project):
    from studio.core.settings import Settings
    from tests.tiny.onnx_faces import build_tiny_restorer

    models = tmp_path / "models"
    models.mkdir()
    tiny_esrgan(models / "RealESRGAN_x4plus.pth")
    build_tiny_restorer(models / "gfpgan_1.4.onnx")
    settings = Settings.load()
    settings.extra_model_dirs = [str(models)]
    settings.save()
    Image.fromarray(_portrait(96)).save(tmp_path / "face.png")
    still = project.import_file(tmp_path / "face.png", "image", label="face")
    job = run_job(project, "upscale", {"source": still.id, "scale": 2, "tile": 48})
    assert job.state.value == "done", job.error
    new = project.asset(job.result["assets"][0])
    assert new.kind == "still" and new.parents == [still.id]
    assert new.provenance.engine.startswith("Real-ESRGAN x4plus")
    assert next(m for m in new.provenance.models if m.id == "realesrgan-x4plus").commercial_use is True
    assert Image.open(project.asset_path(new)).size == (192, 192)
    # random weights paint no face to restore; the classical upscale keeps the portrait's, and the
    # face engine's restorer (a tiny GFPGAN-shaped graph here) restores it
    Image.fromarray(_portrait(200)).save(tmp_path / "big.png")
    job = run_job(project, "upscale", {"source": str(tmp_path / "big.png"), "scale": 2, "engine": "classical"})
    assert job.state.value == "done", job.error
    new = project.asset(job.result["assets"][0])
    assert "face restoration" in new.provenance.engine and new.provenance.parameters["restore_faces"]
    assert "gfpgan-1.4" in {m.id for m in new.provenance.models}


def test_without_weights_the_classical_fallback_upscales_stills_and_clips(tmp_path, project):
    Image.fromarray(_portrait(80)).save(tmp_path / "p.png")
    job = run_job(project, "upscale", {"source": str(tmp_path / "p.png"), "scale": 2, "restore_faces": False})
    assert job.state.value == "done", job.error
    assert job.result["engine"] == "classical: Lanczos + adaptive sharpening (no model)"
    assert "realesrgan-x4plus" in job.result["notes"][0]
    clip = tmp_path / "c.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=1.2", "-f", "lavfi",
                    "-i", "sine=f=440:d=1.2", "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)],
                   check=True)
    job = run_job(project, "upscale", {"source": str(clip), "scale": 3, "engine": "classical"})
    assert job.state.value == "done", job.error
    info = probe(job.result["path"])
    assert (info.width, info.height) == (480, 270) and info.has_audio and abs(info.duration - 1.2) < 0.1
    bad = run_job(project, "upscale", {"source": str(clip), "scale": 9})
    assert bad.state.value == "failed" and "at most 4" in bad.error
    missing = run_job(project, "upscale", {"source": str(clip), "engine": "esrgan"})
    assert missing.state.value == "failed" and "studio models download realesrgan-x4plus" in missing.error


def test_esrgan_upscales_a_clip_frame_by_frame_with_its_sound(tmp_path, project):
    from studio.core.settings import Settings

    models = tmp_path / "m"
    models.mkdir()
    tiny_esrgan(models / "RealESRGAN_x4plus.pth")
    settings = Settings.load()
    settings.extra_model_dirs = [str(models)]
    settings.save()
    clip = tmp_path / "small.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=48x32:r=10:d=0.6", "-f", "lavfi",
                    "-i", "sine=f=440:d=0.6", "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)],
                   check=True)
    job = run_job(project, "upscale", {"source": str(clip), "scale": 4})
    assert job.state.value == "done", job.error
    info = probe(job.result["path"])
    assert (info.width, info.height) == (192, 128) and info.has_audio
    assert project.asset(job.result["assets"][0]).kind == "clip"
