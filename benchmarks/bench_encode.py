"""The export's encoding speeds (studio.render.presets.ENCODE_SPEEDS) at the reels preset's bit
rate: x264 CPU seconds and SSIM against a lossless source, 1080×1920, 6 s of the bundled portrait
under a camera push-in (a face, skin and hair: what exports hold). The default, fast, should cost
clearly less than balanced for nearly the same picture."""

from __future__ import annotations

import re
import resource
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.common import Result


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run() -> list[Result]:
    from PIL import Image

    from pipelines.faces import open_analyzer
    from pipelines.motion.camera import CameraMotion, CameraRequest
    from studio.core.paths import resources_dir
    from studio.render.ffmpeg import ffmpeg_exe
    from studio.render.presets import ENCODE_SPEEDS, PRESETS, encoder_args

    still = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
    face = open_analyzer(None, "dlib").detect(still, embed=False)[0].box
    reels = PRESETS["reels"]
    results, cpu, ssim = [], {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "source.mkv"
        CameraMotion(CameraRequest(still, face, size=(reels.width, reels.height), fps=30, seconds=6,
                                   move="push-in")).render(src, codec="ffv1")
        c0 = _children_cpu()  # decoding the lossless source alone, to take off each encode
        subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(src), "-f", "null", "-"], check=True)
        decode = _children_cpu() - c0
        for speed in ENCODE_SPEEDS:
            out = Path(tmp) / f"{speed}.mp4"
            c0 = _children_cpu()
            subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(src), *encoder_args(reels, "libx264", speed),
                            str(out)], check=True)
            cpu[speed] = _children_cpu() - c0 - decode
            r = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(out), "-i", str(src), "-lavfi",
                                "[1:v]format=yuv420p[ref];[0:v][ref]ssim", "-f", "null", "-"],
                               capture_output=True, text=True)
            ssim[speed] = float(re.findall(r"All:([\d.]+)", r.stderr)[-1])
    for speed in ENCODE_SPEEDS:
        ratio = cpu[speed] / cpu["balanced"]
        results.append(Result(f"export encode '{speed}' (x264 {ENCODE_SPEEDS[speed]}), 6 s reels", cpu[speed],
                              "x264 CPU-s", "≤ 0.75× balanced" if speed == "fast" else "",
                              ratio <= 0.75 if speed == "fast" else None,
                              f"{ratio:.2f}× balanced; SSIM {ssim[speed]:.4f} at {reels.video_kbps} kbit/s"))
    return results


if __name__ == "__main__":
    for r in run():
        print(r.line())
