"""Posts with scenes: end-to-end `studio post` of a 30 s three-scene script, and its three-preset
export in one pass versus one render per preset.

The post is real (benchmarks/real_post.py): two lip-synced talking scenes of the bundled portrait
and a B-roll photo between them, 1080×1920, captions, a hook-free crossfade; the exports are
reels (9:16, no reframe), square (a face-following crop) and youtube (a fill: the vertical
picture over a blurred copy of itself), so face tracking, captions, fill and three encodes are
all in the measure. CPU seconds are printed beside wall time: on a shared 2-core machine the
wall clock says as much about the neighbours as about us.
"""

from __future__ import annotations

import os
import time

from benchmarks.common import Result
from benchmarks.real_post import PRESETS, cpu_seconds, real_post


def run() -> list[Result]:
    from studio.render.export import ExportOptions, export_post

    load = os.getloadavg()[0]
    made = real_post()
    p, length = made.project, made.seconds
    ratio = made.wall / length
    results = [Result(f"studio post, 3 scenes, 3 presets, {length:.1f} s at 1080×1920", ratio, "× its length",
                      "≤ 1×", ratio <= 1.0,
                      f"{made.wall:.1f} s wall, {made.cpu:.1f} CPU-s (= {made.cpu / 2 / length:.2f}× on 2 idle "
                      f"cores); load average {load:.1f} at the start")]
    timings = {}
    for one_pass in (True, False):
        opts = ExportOptions(one_pass=one_pass, encoder="software")
        t0, c0 = time.perf_counter(), cpu_seconds()
        export_post(p, made.post, PRESETS, opts)
        timings[one_pass] = (time.perf_counter() - t0, cpu_seconds() - c0)
    (one, one_cpu), (each, each_cpu) = timings[True], timings[False]
    results.append(Result("export 3 presets in one pass", one, "s", "", None,
                          f"{one / length:.2f}× real time, {one_cpu:.1f} CPU-s"))
    results.append(Result("export 3 presets, one render each", each, "s", "", None,
                          f"{each / length:.2f}× real time, {each_cpu:.1f} CPU-s"))
    results.append(Result("one pass / one render per preset", one / each, "×", "< 1", one < each,
                          f"CPU {one_cpu / each_cpu:.2f}× (three sizes: only decoding and the audio are shared)"))
    # three presets of one size (TikTok, Reels, Shorts): the picture is composed once, captions and
    # encodes per preset
    same = ["tiktok", "reels", "shorts"]
    for one_pass in (True, False):
        t0, c0 = time.perf_counter(), cpu_seconds()
        export_post(p, made.post, same, ExportOptions(one_pass=one_pass, encoder="software"))
        timings[("same", one_pass)] = (time.perf_counter() - t0, cpu_seconds() - c0)
    (s1, s1c), (s3, s3c) = timings[("same", True)], timings[("same", False)]
    results.append(Result("9:16 ×3 (tiktok, reels, shorts): one pass / one render each", s1 / s3, "×", "< 1",
                          s1 < s3, f"{s1:.1f} s vs {s3:.1f} s wall; CPU {s1c:.1f} vs {s3c:.1f} s ({s1c / s3c:.2f}×)"))
    from pipelines.video_io import hardware_h264

    hw = hardware_h264()
    if hw:
        t0 = time.perf_counter()
        export_post(p, made.post, PRESETS, ExportOptions(encoder=hw))
        results.append(Result(f"export 3 presets in one pass, {hw}", time.perf_counter() - t0, "s"))
    else:
        results.append(Result("hardware H.264 encoder", 0, "", detail="none works on this machine: libx264 used"))
    return results


if __name__ == "__main__":
    for r in run():
        print(r.line())
