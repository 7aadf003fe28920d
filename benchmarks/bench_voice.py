"""Narration overhead vs raw Piper, and embedded lip-sync speed at 512×512 30 fps."""

from __future__ import annotations

import tempfile
import time
import wave
from pathlib import Path

from benchmarks.common import Result

TEXT = ("Hello everyone and welcome back. Today I am going to show you three simple ways to plan a "
        "week of posts in under twenty minutes, so you can spend more time creating.")


def _voice_files():
    from pipelines.tts.piper_engine import locate_voice
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    return locate_voice(ModelStore(Settings.load()), "piper-en_US-joe-medium")


def _raw_piper(out: Path, voice=None) -> float:
    """Raw Piper on TEXT: load + synthesize_wav (cold), or synthesize_wav alone with `voice` (warm)."""
    from piper import PiperVoice

    t0 = time.perf_counter()
    if voice is None:
        files = _voice_files()
        voice = PiperVoice.load(files.onnx, config_path=files.config)
    with wave.open(str(out), "wb") as w:
        voice.synthesize_wav(TEXT, w)
    return time.perf_counter() - t0


def run() -> list[Result]:
    import os

    from piper import PiperVoice

    from pipelines.tts import voice_cache
    from pipelines.tts.audio_io import read_wav
    from studio.core.project import Project
    from tests.jobs import run_job

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("PERSONA_STUDIO_HOME", str(Path(tmp) / "home"))
        p = Project.create(tmp, "Bench voice")
        run_job(p, "narrate", {"text": "Warm up."})  # first run patches + caches the aligned voice
        files = _voice_files()
        raw_voice = PiperVoice.load(files.onnx, config_path=files.config)
        # Like with like, interleaved, best of each (the 2 shared cores make single timings noisy):
        # cold = a process's first narration (both load the voice), warm = a later one (raw Piper
        # reuses its loaded voice; the action takes the fresh spare session loaded in the
        # background after the previous job). Background loading is waited for outside the timings.
        t = {"raw cold": [], "narrate cold": [], "raw warm": [], "narrate warm": []}
        for i in range(3):
            voice_cache.clear()
            t["raw cold"].append(_raw_piper(Path(tmp) / f"rawc{i}.wav"))
            t0 = time.perf_counter()
            run_job(p, "narrate", {"text": TEXT})
            t["narrate cold"].append(time.perf_counter() - t0)
            voice_cache.wait_idle()
            t["raw warm"].append(_raw_piper(Path(tmp) / f"raww{i}.wav", raw_voice))
            t0 = time.perf_counter()
            job = run_job(p, "narrate", {"text": TEXT})
            t["narrate warm"].append(time.perf_counter() - t0)
            voice_cache.wait_idle()
        best = {k: min(v) for k, v in t.items()}
        audio, rate = read_wav(p.asset_path(job.result["assets"][0]))
        seconds = len(audio) / rate
        for mode, what in (("cold", "load + synthesize"), ("warm", "voice loaded")):
            narr, raw = best[f"narrate {mode}"], best[f"raw {mode}"]
            results.append(Result(f"narrate action / raw Piper, {mode} ({what})", narr / raw, "×", "≤ 1.05×",
                                  narr / raw <= 1.05, f"{narr:.2f} s vs {raw:.2f} s for {seconds:.1f} s of speech"))
        results.append(Result("narration real-time factor (warm)", best["narrate warm"] / seconds, "× real time",
                              "", None, "wall time / audio duration"))

        import cv2
        from PIL import Image

        from studio.core.paths import resources_dir

        img = cv2.resize(cv2.cvtColor(cv2.imread(str(resources_dir() / "demo" / "portrait.jpg")), cv2.COLOR_BGR2RGB),
                         (512, 512))
        still = Path(tmp) / "still.png"
        Image.fromarray(img).save(still)
        t0 = time.perf_counter()
        job = run_job(p, "lipsync", {"visual": str(still), "narration": job.result["assets"][0], "engine": "landmarks",
                                     "fps": 30})
        wall = time.perf_counter() - t0
        frames = job.result["frames"]
        fps = frames / wall
        results.append(Result("embedded lip-sync 512×512 @30 fps", fps, "frames/s", "≥ 30 (real time)", fps >= 30,
                              f"{frames} frames in {wall:.1f} s incl. encode + sync scoring; "
                              f"sync r={job.result['sync_correlation']}"))
        p.close()
    return results


if __name__ == "__main__":
    for r in run():
        print(r.line())
