"""Motion: the camera-motion engine making a 6 s 1080×1920 30 fps clip from the demo still."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import Result
from pipelines.motion.camera import CameraMotion, CameraRequest


def run() -> list[Result]:
    from PIL import Image

    from pipelines.faces import open_analyzer
    from studio.core.paths import resources_dir

    still = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
    face = open_analyzer(None, "dlib").detect(still, embed=False)[0].box
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for move in ("push-in", "parallax"):
            t0 = time.perf_counter()
            cam = CameraMotion(CameraRequest(still, face, size=(1080, 1920), fps=30, seconds=6, move=move))
            n = cam.render(Path(tmp) / f"{move}.mp4", preset="ultrafast")
            dt = time.perf_counter() - t0
            fps = n / dt
            results.append(Result(f"camera {move} 6 s 1080×1920@30 (frames/s)", fps, "frames/s", "≥ 60",
                                  fps >= 60, f"{n} frames in {dt:.2f} s incl. H.264 CRF 12 encode"))
    return results


if __name__ == "__main__":
    for r in run():
        print(r.line())
