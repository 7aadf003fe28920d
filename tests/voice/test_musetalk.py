"""MuseTalk 1.5 through its real code with tiny models built here (tests/tiny/musetalk.py).

The reference's arithmetic is written out a second time in these tests, as MuseTalk's
`audio_processor.get_whisper_chunk`, `VAE.get_latents_for_unet` and `inference.py` do it, and
our implementation must give the same numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tiny_folders(tmp_path_factory):
    from tests.tiny.musetalk import install_tiny_musetalk

    return install_tiny_musetalk(tmp_path_factory.mktemp("musetalk"))


@pytest.fixture(scope="module")
def musetalk(tiny_folders):
    from pipelines.lipsync.musetalk import MuseTalk

    return MuseTalk.load(tiny_folders["musetalk-1.5"], tiny_folders["sd-vae-ft-mse"], tiny_folders["whisper-tiny"])


def _speech(seconds: float, rate: int = 16_000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.4 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.float32)


def _reference_chunks(fe, encoder, audio16k, fps, left=2, right=2):  # noqa: ANN001, ANN202
    """MuseTalk's get_audio_feature + get_whisper_chunk, transcribed (segment = the extractor's window)."""
    seg = fe.n_samples
    feats = [fe(audio16k[i:i + seg], return_tensors="pt", sampling_rate=16000).input_features
             for i in range(0, len(audio16k), seg)]
    per_frame = 2 * (left + right + 1)
    whisper_feature = torch.cat([torch.stack(encoder(f, output_hidden_states=True).hidden_states, dim=2)
                                 for f in feats], dim=1)
    fps = int(fps)
    mult = 50 / fps
    num_frames = math.floor((len(audio16k) / 16000) * fps)
    actual = math.floor((len(audio16k) / 16000) * 50)
    whisper_feature = whisper_feature[:, :actual]
    pad = math.ceil(mult)
    whisper_feature = torch.cat([torch.zeros_like(whisper_feature[:, :pad * left]), whisper_feature,
                                 torch.zeros_like(whisper_feature[:, :pad * 3 * right])], 1)
    prompts = []
    for i in range(num_frames):
        idx = math.floor(i * mult)
        clip = whisper_feature[:, idx: idx + per_frame]
        assert clip.shape[1] == per_frame
        prompts.append(clip)
    out = torch.cat(prompts, 0)  # T, 10, 5, 384
    return out.reshape(out.shape[0], out.shape[1] * out.shape[2], out.shape[3]), num_frames


@pytest.mark.parametrize("fps", [25.0, 30.0])
def test_whisper_windows_match_the_reference(musetalk, fps):
    from pipelines.lipsync.whisper_audio import frame_windows, positional_encoding

    audio = _speech(1.7)  # two 1 s windows of the tiny extractor, the second one padded
    w = musetalk.whisper
    with torch.inference_mode():
        want, n = _reference_chunks(w.fe, w.encoder, audio, fps)
        states = w.states(audio)
    assert states.shape == (85, 5, 384)  # floor(1.7 s · 50), embeddings + 4 layers, d_model
    got = frame_windows(states, n, fps, w.rate)
    assert got.shape == (n, 50, 384)
    assert torch.allclose(got, want, atol=1e-6)
    # the first frame looks at 4 zero frames, then the first 6 encoder frames
    assert torch.count_nonzero(got[0, :20]) == 0 and torch.equal(got[0, 20:], states[:6].reshape(30, 384))
    pe = positional_encoding(50, 384)
    assert torch.equal(pe[0, 0::2], torch.zeros(192)) and torch.equal(pe[0, 1::2], torch.ones(192))
    assert pe[7, 2].item() == pytest.approx(math.sin(7 * math.exp(2 * -math.log(10000.0) / 384)), abs=1e-6)
    prompts = musetalk.audio_prompts(audio, 16_000, n, fps)
    assert torch.allclose(prompts, got + pe, atol=1e-6)


def test_unet_step_matches_a_direct_call_of_its_parts(musetalk):
    """Masked lower half at −1, latents [masked, reference] × scaling factor, UNet at t=0, decode."""
    rng = np.random.default_rng(3)
    crops = rng.integers(0, 255, (2, 256, 256, 3), np.uint8)
    prompts = torch.randn(2, 50, 384, generator=torch.Generator().manual_seed(1))
    lat = musetalk.encode_faces(crops, torch.Generator().manual_seed(7))
    faces = musetalk.generate(lat, prompts)

    vae, unet = musetalk.vae, musetalk.unet
    sf = vae.config.scaling_factor
    assert sf == pytest.approx(0.18215)
    x = torch.from_numpy(crops).permute(0, 3, 1, 2).float() / 255.0
    masked = x * (torch.arange(256)[:, None] < 128).float()  # the reference's mask tensor
    norm = torch.cat([masked, x]) * 2 - 1
    assert (norm[:2, :, 128:] == -1).all()
    with torch.inference_mode():
        z = vae.encode(norm).latent_dist.sample(generator=torch.Generator().manual_seed(7)) * sf
        want_lat = torch.cat([z[:2], z[2:]], dim=1)
        pred = unet(want_lat, torch.tensor([0]), encoder_hidden_states=prompts).sample
        img = vae.decode(pred / sf).sample
    want = ((img / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1).numpy() * 255).round().astype(np.uint8)
    assert lat.shape == (2, 8, 32, 32) and torch.equal(lat, want_lat)
    assert faces.shape == (2, 256, 256, 3) and np.array_equal(faces, want)


def test_unet_loads_from_its_state_dict_and_refuses_code(tiny_folders, tmp_path):
    from pipelines.lipsync.musetalk import load_unet
    from studio.core.errors import BadInput
    from tests.tiny.musetalk import tiny_unet

    loaded = load_unet(tiny_folders["musetalk-1.5"])
    fresh = tiny_unet()
    assert not any(t.is_meta for t in [*loaded.parameters(), *loaded.buffers()])
    x = torch.randn(1, 8, 32, 32, generator=torch.Generator().manual_seed(0))
    a = torch.randn(1, 50, 384, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        assert torch.equal(loaded(x, 0, encoder_hidden_states=a).sample, fresh(x, 0, encoder_hidden_states=a).sample)

    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_folders["musetalk-1.5"], bad)
    torch.save({"conv_in.weight": torch.zeros(1)}, bad / "musetalkV15" / "unet.pth")
    with pytest.raises(BadInput, match="does not fit MuseTalk's UNet"):
        load_unet(bad)
    torch.save({"evil": _Evil()}, bad / "musetalkV15" / "unet.pth")
    with pytest.raises(BadInput, match="can run code"):
        load_unet(bad)


class _Evil:
    """Any object that is not a tensor: `weights_only` loading refuses to build it."""


def test_face_box_and_mask_follow_the_reference(portrait):
    from pipelines.faces import open_analyzer
    from pipelines.lipsync.lower_face import (
        crop_face,
        expanded_box,
        face_box,
        lower_face_mask,
        paste_face,
    )

    face = open_analyzer(None, prefer="dlib").detect(portrait, embed=False)[0]
    lm = face.landmarks68
    x0, y0, x1, y1 = face_box(lm, portrait.shape)
    li = lm.astype(np.int32)
    assert (x0, x1) == (li[:, 0].min(), li[:, 0].max())
    assert y1 == li[:, 1].max() + 10  # v1.5's extra margin below the chin
    assert abs((y0 + (y1 - 10)) / 2 - li[29, 1]) <= 1  # centred on the middle of the nose ridge
    assert crop_face(portrait, (x0, y0, x1, y1)).shape == (256, 256, 3)
    region = expanded_box((x0, y0, x1, y1), portrait.shape)
    mask = lower_face_mask(lm, (x0, y0, x1, y1), region)
    rx0, ry0 = region[:2]

    def at(p):  # noqa: ANN001, ANN202
        return mask[int(p[1]) - ry0, int(p[0]) - rx0]

    assert at(lm[62]) > 0.95 and at(lm[57]) > 0.95 and at(lm[8] - (0, 5)) > 0.5  # lips and chin shown
    assert at(lm[30]) < 0.1 and at(lm[37]) == 0.0 and at(lm[19]) == 0.0  # nose, eyes and brows kept
    mid = (y0 + y1) // 2 - ry0
    feather = int(0.05 * (region[2] - rx0)) // 2 + 1
    assert mask[: mid - feather].max() == 0.0  # nothing above the middle of the box (and its feather)
    fake = np.full((256, 256, 3), 40, np.uint8)
    out = paste_face(portrait, fake, (x0, y0, x1, y1), lm)
    changed = np.argwhere(np.any(out != portrait, axis=2))
    assert changed[:, 0].min() >= (y0 + y1) // 2 - feather and changed[:, 0].max() < y1 + 0.05 * (region[2] - rx0)
    assert out[int(lm[62, 1]), int(lm[62, 0])].max() <= 45  # the generated face is what shows there


def _store_with_musetalk(tiny_folders, extra=()):  # noqa: ANN001, ANN202
    from studio.core.model_catalog import CATALOG
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    store = ModelStore(Settings.load(), catalog=CATALOG)
    for mid, folder in tiny_folders.items():
        store.import_file(mid, folder)
    return store


@pytest.fixture
def small_portrait(portrait, tmp_path):
    import cv2
    from PIL import Image

    img = cv2.resize(portrait, (256, 256), interpolation=cv2.INTER_AREA)
    path = tmp_path / "portrait256.png"
    Image.fromarray(img).save(path)
    return path, img


def test_engine_choice(tiny_folders):
    from pipelines.lipsync.engine import LipSyncer
    from studio.core.errors import ModelMissing
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    empty = ModelStore(Settings.load())
    assert LipSyncer(empty, "auto", cuda=True).engine == "landmarks"
    with pytest.raises(ModelMissing, match="studio models download musetalk-1.5.*sd-vae-ft-mse.*whisper-tiny"):
        LipSyncer(empty, "musetalk")
    store = _store_with_musetalk(tiny_folders)
    assert LipSyncer(store, "auto", cuda=True).engine == "musetalk"
    assert LipSyncer(store, "auto", cuda=False).engine == "landmarks"  # no GPU: the embedded engine
    assert LipSyncer(store, "musetalk", cuda=False).engine == "musetalk"  # asked for: runs on the CPU


def test_musetalk_lipsync_end_to_end(project_path, cli, capsys, tiny_folders, small_portrait, tmp_path):
    """`studio lipsync --engine musetalk`: frames, the lower-face mask, provenance, the verdict."""
    import json

    from pipelines.tts.audio_io import write_wav
    from pipelines.video_io import read_frames
    from studio.core.project import Project
    from studio.render.licences import commercial_verdict

    path, img = small_portrait
    write_wav(tmp_path / "a.wav", _speech(0.44), 16_000)
    args = ("lipsync", project_path, path, tmp_path / "a.wav", "--engine", "musetalk", "--fps", 25, "--json")
    assert cli(*args) == 1  # not installed: one line that says what to download
    assert "studio models download musetalk-1.5" in capsys.readouterr().err
    assert cli("lipsync", project_path, path, tmp_path / "a.wav", "--engine", "musetalk2") == 2
    capsys.readouterr()
    _store_with_musetalk(tiny_folders)  # imports into this test's studio home
    assert cli(*args) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["engine"] == "MuseTalk 1.5 (neural, GPU)" and res["frames"] == 11
    with Project.open(project_path, read_only=True) as project:
        clip = project.asset(res["assets"][0])
        prov = clip.provenance
        assert prov.parameters["engine"] == "musetalk"
        assert {"musetalk-1.5", "sd-vae-ft-mse", "whisper-tiny"} <= {m.id for m in prov.models}
        assert any("MuseTalk on no CUDA GPU: CPU float32" in n for n in prov.parameters["notes"])
        verdict = commercial_verdict(project, [clip.id])
        assert verdict["verdict"] == "allowed", verdict
        frames = list(read_frames(project.asset_path(clip)))
    assert len(frames) == 11 and frames[0].shape == (256, 256, 3)
    # the lower face changed, the eyes and everything above the nose did not (beyond codec noise)
    from pipelines.faces import open_analyzer

    lm = open_analyzer(None, prefer="dlib").detect(img, embed=False)[0].landmarks68
    mid = frames[5].astype(int)
    eyes = slice(int(lm[19, 1]) - 4, int(lm[29, 1]) - 8)
    assert np.abs(mid[eyes] - img[eyes].astype(int)).mean() < 3
    mouth = (slice(int(lm[51, 1]), int(lm[57, 1])), slice(int(lm[48, 0]), int(lm[54, 0])))
    assert np.abs(mid[mouth] - img[mouth].astype(int)).mean() > 10


def test_musetalk_reports_per_batch_and_cancels(tiny_folders, small_portrait, tmp_path):
    from pipelines.lipsync.engine import LipSyncer, LipSyncRequest
    from pipelines.tts.audio_io import write_wav
    from studio.core.tasks import Cancelled, TaskContext

    store = _store_with_musetalk(tiny_folders)
    path, _ = small_portrait
    write_wav(tmp_path / "a.wav", _speech(0.8), 16_000)
    syncer = LipSyncer(store, "musetalk")
    syncer.load("cpu")
    seen = []

    def report(p):  # noqa: ANN001, ANN202
        seen.append(p.label)
        if p.label.startswith("MuseTalk: frame 8/"):
            ctx.cancel()

    ctx = TaskContext(report)
    req = LipSyncRequest(visual=path, audio=_speech(0.8), rate=16_000, audio_path=tmp_path / "a.wav", fps=25.0)
    out = tmp_path / "out.mp4"
    with pytest.raises(Cancelled):
        syncer.run(req, out, ctx)
    assert "MuseTalk: frame 8/20" in seen and not any(s.startswith("MuseTalk: frame 16/") for s in seen)
    assert not out.exists()


def test_fp16_vae_decode_overflow_is_decoded_again_in_float32(tiny_folders):
    """SD-VAE runs in fp16 on GPUs as MuseTalk ships it; a decode that overflows is redone in fp32
    (here on the CPU, which computes fp16 convolutions too)."""
    from pipelines.lipsync.musetalk import MuseTalk, load_vae

    mt = MuseTalk.load(tiny_folders["musetalk-1.5"], tiny_folders["sd-vae-ft-mse"], tiny_folders["whisper-tiny"])
    mt.vae = load_vae(tiny_folders["sd-vae-ft-mse"], dtype=torch.float16)
    assert mt.vae.dtype == torch.float16
    pred = torch.full((1, 4, 32, 32), 6e4, dtype=torch.float16)  # / 0.18215 is beyond fp16's range
    with torch.inference_mode():
        image = mt._decode(pred)
    assert torch.isfinite(image).all() and mt.vae.dtype == torch.float32
    assert mt.notes == ["VAE decode overflowed in float16: decoded in float32"]


def test_musetalk_on_a_moving_clip(tiny_folders, small_portrait, tmp_path):
    """A clip: the engine's face pass tracks every frame; MuseTalk encodes a latent per frame and
    pastes the mouth where the face is on that frame."""
    from pipelines.faces import open_analyzer
    from pipelines.lipsync.engine import LipSyncer, LipSyncRequest
    from pipelines.tts.audio_io import write_wav
    from pipelines.video_io import VideoWriter, read_frames

    _, img = small_portrait
    with VideoWriter(tmp_path / "clip.mp4", (256, 256), 25.0, crf=12) as w:
        for k in range(8):
            w.write(np.roll(img, 3 * k, axis=1))  # the face slides right
    write_wav(tmp_path / "a.wav", _speech(0.32), 16_000)
    syncer = LipSyncer(_store_with_musetalk(tiny_folders), "musetalk")
    syncer.load("cpu")
    res = syncer.run(LipSyncRequest(visual=tmp_path / "clip.mp4", audio=_speech(0.32), rate=16_000,
                                    audio_path=tmp_path / "a.wav"), tmp_path / "out.mp4")
    assert res.frames == 8 and res.engine == "musetalk"
    src, out = list(read_frames(tmp_path / "clip.mp4")), list(read_frames(tmp_path / "out.mp4"))
    lm = open_analyzer(None, prefer="dlib").detect(img, embed=False)[0].landmarks68
    for k in (0, 7):
        diff = np.abs(out[k].astype(int) - src[k].astype(int)).max(axis=2)
        cols = np.argwhere(diff > 40)[:, 1]
        # the changed region follows the face: centred on the mouth's column on that frame
        assert abs(np.median(cols) - (lm[51, 0] + 3 * k)) < 8, (k, np.median(cols))
