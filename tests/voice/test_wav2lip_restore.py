"""Wav2Lip with face restoration: the restored face is what the clip shows, and provenance lists
the restorer only when it changed frames (issue 14 / issue 15 item 5)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def wav2lip_store(tmp_path):  # noqa: ANN201
    from studio.core.model_catalog import CATALOG
    from studio.core.models import ModelStore
    from studio.core.settings import Settings
    from tests.tiny.onnx_faces import build_tiny_restorer
    from tests.tiny.onnx_wav2lip import build_wav2lip

    # the catalogue's size check would call these tiny files truncated downloads: drop it here
    catalog = tuple(e.model_copy(update={"size": None}) if e.id in ("wav2lip_gan_96", "gfpgan-1.4") else e
                    for e in CATALOG)
    store = ModelStore(Settings.load(), catalog=catalog)
    store.import_file("wav2lip_gan_96", build_wav2lip(tmp_path / "wav2lip_gan_96.onnx"))
    return store, lambda: store.import_file("gfpgan-1.4", build_tiny_restorer(tmp_path / "gfpgan_1.4.onnx"))


def _clip(portrait, tmp_path):  # noqa: ANN001, ANN202
    import cv2
    from PIL import Image

    from pipelines.tts.audio_io import write_wav

    img = cv2.resize(portrait, (320, 320), interpolation=cv2.INTER_AREA)
    Image.fromarray(img).save(tmp_path / "p.png")
    t = np.arange(int(0.4 * 16_000)) / 16_000
    audio = (0.4 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    write_wav(tmp_path / "a.wav", audio, 16_000)
    return img, audio


def _render(store, img, audio, tmp_path, restore):  # noqa: ANN001, ANN202
    from pipelines.lipsync.engine import LipSyncer, LipSyncRequest
    from pipelines.video_io import read_frames

    syncer = LipSyncer(store, "wav2lip")
    syncer.load("cpu", restore=restore)
    req = LipSyncRequest(visual=tmp_path / "p.png", audio=audio, rate=16_000, audio_path=tmp_path / "a.wav",
                         fps=25.0, restore=restore)
    out = tmp_path / f"out-{restore}.mp4"
    res = syncer.run(req, out)
    return res, list(read_frames(out))


def test_restoration_applies_to_the_face_shown(portrait, wav2lip_store, tmp_path):
    from pipelines.faces import open_analyzer

    store, install_restorer = wav2lip_store
    img, audio = _clip(portrait, tmp_path)
    plain, plain_frames = _render(store, img, audio, tmp_path, restore=False)
    # asked for, but no restorer installed: not claimed
    skipped, _ = _render(store, img, audio, tmp_path, restore=True)
    assert "gfpgan-1.4" not in skipped.models and any("restoration skipped" in n for n in skipped.notes)

    install_restorer()  # the tiny restorer: 0.9 × its −1..1 input, so a pixel v becomes 0.9·v + 12.75
    res, frames = _render(store, img, audio, tmp_path, restore=True)
    assert res.models == ["wav2lip_gan_96", "gfpgan-1.4"]
    assert any("face restored on 10 of 10 frames" in n for n in res.notes)
    lm = open_analyzer(None, prefer="dlib").detect(img, embed=False)[0].landmarks68
    a, b = plain_frames[5].astype(float), frames[5].astype(float)
    # the eyes and cheeks (outside Wav2Lip's mouth paste) are the restorer's output now
    cheek = (slice(int(lm[29, 1]) - 3, int(lm[29, 1]) + 3), slice(int(lm[2, 0]) + 6, int(lm[31, 0]) - 4))
    eyes = (slice(int(lm[37, 1]) - 2, int(lm[41, 1]) + 2), slice(int(lm[36, 0]), int(lm[45, 0])))
    for region in (cheek, eyes):
        assert np.mean(b[region]) == pytest.approx(0.9 * np.mean(a[region]) + 12.75, abs=2.0)
    # the mouth region shows the restored face too, not a 96-px resample of it
    mouth = (slice(int(lm[51, 1]), int(lm[57, 1])), slice(int(lm[48, 0]), int(lm[54, 0])))
    assert np.mean(b[mouth]) == pytest.approx(0.9 * np.mean(a[mouth]) + 12.75, abs=2.0)
    # away from the face (the suit, the flag) nothing changes beyond codec noise
    assert np.abs(a[-60:] - b[-60:]).mean() < 1 and np.abs(a[:, :40] - b[:, :40]).mean() < 1
