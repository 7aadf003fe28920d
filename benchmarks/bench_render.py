"""Render: a 30 s post of a real talking clip (the bundled portrait lip-synced to a Piper
narration, 1080×1920) with ducked music and the narration's word captions, exported to the 4:5
feed preset — so face tracking (the crop follows the face), captions and loudnorm are all in it.

Compares `export_post` (one preset, signed, no cover) with (a) the same work written by hand as
ffmpeg commands (loudnorm measuring pass + one render, a fixed centre crop: no face tracking) and
(b) an equivalent MoviePy 2 script (per-frame Python compositing; a bench extra: skipped with a
note when moviepy is missing).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result

DUR = 30.0


def _inputs(d: Path) -> tuple[dict[str, Path], list[dict], object, dict[str, str]]:
    """The real talking clip (made with the studio's own lip-sync job), its narration and words,
    and a music bed; (files, words, project, asset ids)."""
    import json

    from benchmarks.real_post import real_post
    from studio.core.settings import Settings
    from studio.farm.run import run_job
    from studio.render.ffmpeg import ffmpeg_exe

    made = real_post()
    p = made.project
    board = p.post(made.post).storyboard
    ref = p.assets_of("reference")[0]
    job = run_job(p, "lipsync", {"visual": ref.id, "narration": board.narration, "fps": 30, "move": "push-in",
                                 "size": "1080x1920", "engine": "landmarks",
                                 "seconds": max(DUR, (board.narration_seconds or 0) + 0.3)}, Settings())
    if job.state.value != "done":
        raise RuntimeError(f"the talking clip failed: {job.error}")
    files = {"clip": p.asset_path(job.result["assets"][0]), "narration": p.asset_path(board.narration),
             "music": d / "music.wav"}
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"anoisesrc=d={DUR}:a=0.2:c=pink:r=44100",
                    str(files["music"])], check=True)
    words = json.loads(p.sidecar(board.narration, ".words.json").read_text("utf-8"))
    ids = {"clip": job.result["assets"][0], "narration": board.narration}
    return files, words, p, ids


def _hand_written(files: dict[str, Path], ass: Path, fonts: Path | None, out: Path) -> None:
    """What an engineer would type: measure loudness, then one render with the measured values."""
    from studio.render.audio import LoudnessMeasure
    from studio.render.ffmpeg import ffmpeg_exe

    ff = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y"]
    mix = ("[1:a]aresample=48000,aformat=channel_layouts=stereo,asplit=2[n][k];"
           "[2:a]aresample=48000,aformat=channel_layouts=stereo[m];"
           "[m][k]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[d];"
           f"[n][d]amix=inputs=2:duration=longest:normalize=0,apad=whole_dur={DUR},atrim=0:{DUR}")
    r = subprocess.run([*ff, "-i", str(files["clip"]), "-i", str(files["narration"]), "-i", str(files["music"]),
                        "-filter_complex", mix + ",loudnorm=I=-14:TP=-1:LRA=11:print_format=json[a]",
                        "-map", "[a]", "-f", "null", "-"], capture_output=True, text=True, check=True)
    m = LoudnessMeasure.parse(r.stderr)
    fd = f":fontsdir={fonts}" if fonts else ""
    graph = (f"[0:v]trim=0:{DUR},setpts=PTS-STARTPTS,crop=1080:1350:0:285,setsar=1,format=yuv420p,ass={ass}{fd}[v];"
             + mix + f",loudnorm=I=-14:TP=-1:LRA=11:measured_I={m.input_i}:measured_TP={m.input_tp}:"
             f"measured_LRA={m.input_lra}:measured_thresh={m.input_thresh}:offset={m.target_offset}:"
             "linear=true,aresample=48000[a]")
    subprocess.run([*ff, "-i", str(files["clip"]), "-i", str(files["narration"]), "-i", str(files["music"]),
                    "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-profile:v",
                    "high", "-preset", "veryfast", "-b:v", "8000k", "-maxrate", "12000k", "-bufsize", "16000k",
                    "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-flags", "+cgop", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-movflags", "+faststart", "-t", str(DUR),
                    str(out)], capture_output=True, check=True)


def _moviepy(files: dict[str, Path], words: list[dict], fonts: Path | None, out: Path) -> None:
    """The same post in MoviePy 2: crop/resize per frame, word captions as TextClips, ducking by
    volume envelope, loudness by gain (MoviePy has no loudnorm: pyloudnorm measures, we scale)."""
    import numpy as np
    import pyloudnorm
    from moviepy import (
        AudioFileClip,
        CompositeAudioClip,
        CompositeVideoClip,
        TextClip,
        VideoFileClip,
    )
    from moviepy.audio.fx import MultiplyVolume

    font = str(fonts / "DejaVuSans-Bold.ttf") if fonts else None
    v = VideoFileClip(str(files["clip"])).subclipped(0, DUR).cropped(y_center=960, height=1350)
    caps = []
    for w in words:
        caps.append(TextClip(font=font, text=w["word"], font_size=72, color="#FFD400", stroke_color="black",
                             stroke_width=4).with_start(w["start"]).with_duration(w["end"] - w["start"])
                    .with_position(("center", 800)))
    narr = AudioFileClip(str(files["narration"]))
    music = AudioFileClip(str(files["music"])).with_effects([MultiplyVolume(0.25)])  # ducked bed
    mix = CompositeAudioClip([narr, music]).with_duration(DUR)
    arr = mix.to_soundarray(fps=48000)
    gain = 10 ** ((-14 - pyloudnorm.Meter(48000).integrated_loudness(arr)) / 20)
    mix = mix.with_effects([MultiplyVolume(gain)])
    video = CompositeVideoClip([v, *caps], size=(1080, 1350)).with_audio(mix).with_duration(DUR)
    video.write_videofile(str(out), fps=30, codec="libx264", audio_codec="aac", preset="veryfast",
                          bitrate="8000k", logger=None, threads=2)
    del np


def run() -> list[Result]:
    from studio.core.timeline import AddClip, Clip, ReplaceTrackClips, Timeline, caption_clips
    from studio.render.captions import build_ass, lines_from_clips
    from studio.render.export import ExportOptions, export_post, fonts_dir
    from studio.render.presets import get_preset

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files, words, p, ids = _inputs(d)
        ids["music"] = p.import_file(files["music"], "music").id
        tl = Timeline.empty(name="Render bench")
        for track, key in (("video", "clip"), ("narration", "narration"), ("music", "music")):
            tl = AddClip(track=track, clip=Clip(asset_id=ids[key], start=0, out_point=DUR)).apply(tl)
        tl = ReplaceTrackClips.on(tl, "captions", caption_clips(words)).apply(tl)
        p.put_timeline(tl)
        t0 = time.perf_counter()
        # x264 veryfast ("balanced"), as the hand-written command: this measures our overhead, not
        # the default "fast" speed (bench_encode measures that)
        export_post(p, tl.id, ["feed"], ExportOptions(cover=False, label=False, encoder="software", speed="balanced"))
        ours = time.perf_counter() - t0
        ass = d / "hand.ass"
        ass.write_text(build_ass(lines_from_clips(tl.track("captions").clips, 4), p.persona.caption_style,
                                 get_preset("feed")), "utf-8")
        t0 = time.perf_counter()
        _hand_written(files, ass, fonts_dir(), d / "hand.mp4")
        hand = time.perf_counter() - t0
        results.append(Result("export 30 s talking clip to 1080×1350, face-tracked (studio)", ours, "s", "", None,
                              f"{ours / DUR:.2f}× real time"))
        results.append(Result("same work, hand-written ffmpeg", hand, "s"))
        results.append(Result("studio / hand-written", ours / hand, "×", "≤ 1.15×", ours / hand <= 1.15))
        try:
            import moviepy  # noqa: F401
        except ImportError:
            results.append(Result("MoviePy 2 comparison", 0, "", detail="skipped: pip install moviepy (bench extra)"))
            return results
        t0 = time.perf_counter()
        _moviepy(files, words, fonts_dir(), d / "moviepy.mp4")
        mp = time.perf_counter() - t0
        results.append(Result("same post in MoviePy 2", mp, "s"))
        results.append(Result("MoviePy / studio", mp / ours, "×", "≥ 3× faster", mp / ours >= 3))
    return results


if __name__ == "__main__":
    for r in run():
        print(r.line())
