"""Narration overhead vs raw Piper, and embedded lip-sync speed at 512×512 30 fps."""

from __future__ import annotations

import tempfile
import time
import wave
from pathlib import Path

from benchmarks.common import Result

TEXT = ("Hello everyone and welcome back. Today I am going to show you three simple ways to plan a "
        "week of posts in under twenty minutes, so you can spend more time creating.")


def _raw_piper(out: Path) -> float:
    from piper import PiperVoice

    from pipelines.tts.piper_engine import locate_voice
    from studio.core.models import ModelStore

    files = locate_voice(ModelStore(), "piper-en_US-joe-medium")
    t0 = time.perf_counter()
    voice = PiperVoice.load(files.onnx, config_path=files.config)
    with wave.open(str(out), "wb") as w:
        voice.synthesize_wav(TEXT, w)
    return time.perf_counter() - t0


def run() -> list[Result]:
    import os

    from pipelines.tts.audio_io import read_wav
    from studio.actions.registry import run_job
    from studio.core.project import Project

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("PERSONA_STUDIO_HOME", str(Path(tmp) / "home"))
        p = Project.create(tmp, "Bench voice")
        run_job(p, "narrate", {"text": "Warm up."})  # first run patches + caches the aligned voice
        # interleaved runs, best of each: the 2 shared cores make single timings noisy
        raws, studio = [], []
        for i in range(4):
            raws.append(_raw_piper(Path(tmp) / f"raw{i}.wav"))
            t0 = time.perf_counter()
            job = run_job(p, "narrate", {"text": TEXT})
            studio.append(time.perf_counter() - t0)
        raw, narr = min(raws), min(studio)
        audio, rate = read_wav(p.asset_path(job.result["assets"][0]))
        seconds = len(audio) / rate
        results.append(Result("narrate action / raw Piper (load + synthesize)", narr / raw, "×", "≤ 1.05×",
                              narr / raw <= 1.05, f"{narr:.2f} s vs {raw:.2f} s for {seconds:.1f} s of speech"))
        results.append(Result("narration real-time factor", narr / seconds, "× real time", "", None,
                              "wall time / audio duration (incl. loading the voice)"))

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
