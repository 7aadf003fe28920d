"""MuseTalk 1.5 on CUDA in fp16 with the tiny parts of tests/tiny/musetalk.py: the three models'
devices and dtypes, the batch loop on a still and on moving frames, the Whisper offload, the fp16
VAE decode's float32 retry, and the lip-sync job choosing MuseTalk by itself ('auto')."""

from __future__ import annotations

import numpy as np

from . import CheckEnv, gpu_check


def _folders(env: CheckEnv) -> dict:
    from tests.tiny.musetalk import install_tiny_musetalk

    return env.once("musetalk", install_tiny_musetalk)


def _musetalk(env: CheckEnv, offload: bool = False):  # noqa: ANN202
    from pipelines.lipsync.musetalk import MuseTalk

    f = _folders(env)
    dtype = "float16" if env.device == "cuda" else "float32"
    return MuseTalk.load(f["musetalk-1.5"], f["sd-vae-ft-mse"], f["whisper-tiny"], device=env.device, dtype=dtype,
                         offload=offload)


def _face():  # noqa: ANN202
    from PIL import Image

    from pipelines.faces import open_analyzer
    from studio.core.paths import resources_dir

    still = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
    return still, open_analyzer(None, prefer="dlib").detect(still, embed=False)[0].landmarks68


def _audio(seconds: float = 0.8) -> np.ndarray:
    t = np.arange(int(seconds * 16_000)) / 16_000
    return (0.4 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.float32)


def _placed(env: CheckEnv, mt) -> str:  # noqa: ANN001
    import torch

    want = (env.device, torch.float16 if env.device == "cuda" else torch.float32)
    for name, module in (("unet", mt.unet), ("vae", mt.vae), ("whisper", mt.whisper.encoder)):
        p = next(module.parameters())
        if (p.device.type, p.dtype) != want and not (name == "whisper" and mt.offload):
            raise AssertionError(f"{name} on {p.device} as {p.dtype}")
    if env.device == "cuda":
        return f"peak {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB"
    return "CPU dry run"


def _frames(env: CheckEnv, mt, moving: bool) -> tuple[list, np.ndarray]:  # noqa: ANN001
    still, lm = _face()
    n = 20
    frames = [np.roll(still, k, axis=1) if moving else still for k in range(n)]
    lms = [lm + (k, 0) if moving else lm for k in range(n)]
    prompts = mt.audio_prompts(_audio(), 16_000, n, 25.0)
    out = list(mt.stream(frames, lms, prompts, still=not moving))
    mouth = (slice(int(lm[51, 1]), int(lm[57, 1])), slice(int(lm[48, 0]), int(lm[54, 0])))
    if len(out) != n or not np.abs(out[0][mouth].astype(int) - still[mouth].astype(int)).mean() > 1:
        raise AssertionError("the mouth region did not change")
    if not np.array_equal(out[0][: int(lm[27, 1])], frames[0][: int(lm[27, 1])]):
        raise AssertionError("pixels above the nose changed")
    return out, still


@gpu_check("MuseTalk 1.5 fp16 on GPU: a still, 20 frames in batches of 8", area="lipsync")
def musetalk_still(env: CheckEnv) -> str:
    mt = _musetalk(env)
    _frames(env, mt, moving=False)
    return f"UNet + VAE + Whisper-tiny placed; {_placed(env, mt)}"


@gpu_check("MuseTalk 1.5 fp16 on GPU: moving frames (a latent per frame)", area="lipsync")
def musetalk_moving(env: CheckEnv) -> str:
    mt = _musetalk(env)
    _frames(env, mt, moving=True)
    return _placed(env, mt)


@gpu_check("MuseTalk offload: Whisper back on the CPU once the narration is encoded", area="lipsync")
def musetalk_offload(env: CheckEnv) -> str:
    mt = _musetalk(env, offload=True)
    mt.audio_prompts(_audio(), 16_000, 20, 25.0)
    where = next(mt.whisper.encoder.parameters()).device.type
    if env.device == "cuda" and where != "cpu":
        raise AssertionError(f"Whisper still on {where}")
    _frames(env, mt, moving=False)  # and it comes back for the next narration
    return f"Whisper on {where} between narrations; {_placed(env, mt)}"


@gpu_check("MuseTalk fp16 VAE decode: an overflow is decoded again in float32", area="lipsync")
def musetalk_vae_overflow(env: CheckEnv) -> str:
    import torch

    mt = _musetalk(env)
    pred = torch.full((1, 4, 32, 32), 6e4, device=mt.device, dtype=mt.dtype)  # overflows in fp16
    with torch.inference_mode():
        image = mt._decode(pred)
    if not torch.isfinite(image).all():
        raise AssertionError("non-finite decode")
    if env.device == "cuda" and (mt.vae.dtype != torch.float32 or not mt.notes):
        raise AssertionError(f"VAE left as {mt.vae.dtype}, notes {mt.notes}")
    return "; ".join(mt.notes) or "float32 (CPU dry run): nothing to retry"


@gpu_check("Lip-sync job, engine auto: MuseTalk chosen with a GPU, CUDA fp16", area="lipsync")
def musetalk_job(env: CheckEnv) -> str:
    from pathlib import Path

    from PIL import Image

    from pipelines.lipsync.engine import LipSyncer, LipSyncRequest
    from pipelines.tts.audio_io import write_wav

    for mid, folder in _folders(env).items():
        if env.store.find(mid) is None:
            env.store.import_file(mid, folder)
    still, _ = _face()
    work = Path(env.workdir)
    Image.fromarray(still).save(work / "still.png")
    write_wav(work / "a.wav", _audio(), 16_000)
    syncer = LipSyncer(env.store, "auto", cuda=True)  # the CPU dry run pretends there is a GPU here
    if syncer.engine != "musetalk":
        raise AssertionError(f"auto chose {syncer.engine}")
    syncer.load(env.device)
    res = syncer.run(LipSyncRequest(work / "still.png", _audio(), 16_000, work / "a.wav", fps=25.0), work / "out.mp4")
    if res.frames != 20 or not (work / "out.mp4").stat().st_size:
        raise AssertionError(f"{res.frames} frames")
    return f"{res.frames} frames, sync r={res.scores['sync_correlation']:.2f}; {'; '.join(res.notes)}"
