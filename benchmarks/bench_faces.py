"""Face engine: identity check of a 25-frame 1024×576 clip on CPU with the embedded dlib backend.

The clip is the public-domain portrait moving across a grey frame. FaceTracker detects on a
640 px copy every 8th frame and re-finds the face in a region around its last box in between;
the embedding is refreshed every 3rd frame (every frame in the second line); every frame is
scored. Goal: ≤ 3 s for the 25 frames.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import Result


def _frames(n: int = 25) -> list[np.ndarray]:
    from PIL import Image

    from studio.core.paths import resources_dir

    portrait = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
    frames = []
    for i in range(n):
        c = np.full((576, 1024, 3), 90, np.uint8)
        x = 150 + i * 10
        c[32:544, x : x + 512] = portrait
        frames.append(c)
    return frames


def run() -> list[Result]:
    from pipelines.faces import FaceTracker, identity_score, open_analyzer, verdict

    analyzer = open_analyzer(None, prefer="dlib")  # model loading is not part of the check
    frames = _frames()
    ref = analyzer.detect(frames[0])[0].embedding

    def check(embed_every: int) -> tuple[float, int]:
        best, same = float("inf"), 0
        for _ in range(2):
            tracker = FaceTracker(
                analyzer, every=8, det_side=640, embed=True, embed_every=embed_every
            )
            t0 = time.perf_counter()
            verdicts = []
            for f in frames:
                faces = tracker.update(f)
                s = identity_score(faces[0].embedding, ref, "dlib") if faces else 0.0
                verdicts.append(verdict(s) if faces else "no face")
            best = min(best, time.perf_counter() - t0)
            same = sum(v == "same person" for v in verdicts)
        return best, same

    sampled, same3 = check(3)
    every_frame, same1 = check(1)
    t0 = time.perf_counter()
    for f in frames[:5]:
        analyzer.detect(f, max_side=1024)
    untracked = (time.perf_counter() - t0) / 5 * 25
    return [
        Result(
            "identity check, 25 frames 1024×576 (dlib, tracked, embedding every 3rd frame)",
            sampled,
            "s",
            "≤ 3 s",
            sampled <= 3.0,
            f"{same3}/25 frames 'same person'",
        ),
        Result(
            "same, fresh embedding on every frame",
            every_frame,
            "s",
            "",
            None,
            f"{same1}/25 frames 'same person'",
        ),
        Result(
            "same without tracking (full-size detect + embed every frame)", untracked, "s", "", None
        ),
    ]
