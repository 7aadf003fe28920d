"""The embedded talking-photo engine alone: frames per second at 1080×1920, 1920×1080 and 1080×1080.

One Piper narration (about 6 s) drives the engine on a still with the push-in camera move, the
way the post job runs it (camera + face + mouth in one loop, encoded with the edit-clip settings).
Faces: the bundled portrait at 9:16 and 1:1, matplotlib's Grace Hopper at 16:9 (a large face on
screen: the most mouth pixels to paint). CPU seconds are printed next to the wall time, and
"on 2 idle cores" is CPU-s / 2 (a lower bound), because on a shared machine the wall time mostly
measures the neighbours. Goal (issue 14): faster than real time at 1080×1920 on 2 cores.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result

TEXT = ("Hello everyone, my name is Nova. Today I am going to show you a simple way to plan a week "
        "of posts before your coffee is ready.")


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _grace_hopper() -> Path | None:
    """matplotlib's public-domain sample (Debian: python-matplotlib-data), if it is installed."""
    debian = Path("/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg")
    if debian.is_file():
        return debian
    try:
        import matplotlib.cbook

        return Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    except (ImportError, OSError, ValueError):
        return None


def run() -> list[Result]:
    from pipelines.faces import open_analyzer
    from pipelines.lipsync.life import LifeSettings
    from pipelines.lipsync.talking import TalkingEngine, TalkingRequest
    from pipelines.tts.audio_io import write_wav
    from pipelines.tts.piper_engine import PiperNarrator
    from pipelines.tts.types import NarrationRequest
    from studio.core.models import ModelStore
    from studio.core.paths import resources_dir
    from studio.core.settings import Settings

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.models_dir = str(Path(tmp) / "models")
        narrator = PiperNarrator(ModelStore(settings), "piper-en_US-joe-medium")
        narrator.load()
        spoken = narrator.run(NarrationRequest(text=TEXT))
        wav = Path(tmp) / "line.wav"
        write_wav(wav, spoken.audio, spoken.sample_rate)
        phonemes = [{"phoneme": p.phoneme, "start": p.start, "end": p.end} for p in spoken.phonemes]
        seconds = len(spoken.audio) / spoken.sample_rate
        engine = TalkingEngine(open_analyzer(None, prefer="dlib"))
        portrait = resources_dir() / "demo" / "portrait.jpg"
        cases = [("portrait", portrait, (1080, 1920)), ("Grace Hopper", _grace_hopper(), (1920, 1080)),
                 ("portrait", portrait, (1080, 1080))]
        for name, still, size in cases:
            if still is None:
                continue
            req = TalkingRequest(still, spoken.audio, spoken.sample_rate, wav, phonemes, 30.0, LifeSettings(seed=1),
                                 camera={"move": "push-in", "strength": 1.0, "size": size})
            t0, c0 = time.perf_counter(), _cpu()
            res = engine.run(req, Path(tmp) / f"talk_{size[0]}x{size[1]}.mp4")
            wall, cpu = time.perf_counter() - t0, _cpu() - c0
            idle = res.frames / max(cpu / 2, 1e-6)
            goal = size == (1080, 1920)
            results.append(Result(f"talking engine {size[0]}×{size[1]} ({name})", idle, "frames/s on 2 idle cores",
                                  "≥ 30 (real time)" if goal else "", idle >= 30 if goal else None,
                                  f"{res.frames} frames ({seconds:.1f} s) in {wall:.1f} s wall "
                                  f"({res.frames / wall:.1f} fps), {cpu:.1f} CPU-s; "
                                  f"sync r={res.scores.get('sync_correlation')}"))
    return results


if __name__ == "__main__":
    for r in run():
        print(r.line())
