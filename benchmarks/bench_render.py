"""Render: a 30 s 1080×1920 post (clip, narration, ducked music, word captions, loudnorm).

Compares `export_post` (one preset, signed, no cover) with (a) the same work written by hand as
ffmpeg commands (loudnorm measuring pass + one render) and (b) an equivalent MoviePy 2 script
(per-frame Python compositing; a bench extra: skipped with a note when moviepy is missing).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result

DUR = 30.0


def _inputs(d: Path) -> dict[str, Path]:
    from studio.render.ffmpeg import ffmpeg_exe

    ff = [ffmpeg_exe(), "-v", "error", "-y"]
    files = {"clip": d / "clip.mp4", "narration": d / "narration.wav", "music": d / "music.wav"}
    subprocess.run([*ff, "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=30:d={DUR}", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(files["clip"])], check=True)
    subprocess.run([*ff, "-f", "lavfi", "-i", f"sine=f=220:d={DUR}:sample_rate=22050", "-af",
                    "volume='if(lt(mod(t,0.45),0.4),0.5,0)':eval=frame", str(files["narration"])], check=True)
    subprocess.run([*ff, "-f", "lavfi", "-i", f"anoisesrc=d={DUR}:a=0.2:c=pink:r=44100", str(files["music"])], check=True)
    return files


def _words() -> list[dict]:
    return [{"word": f"word{i}", "start": round(i * 0.45, 2), "end": round(i * 0.45 + 0.4, 2)}
            for i in range(int(DUR / 0.45))]


def _hand_written(files: dict[str, Path], ass: Path, fonts: Path | None, out: Path) -> None:
    """What an engineer would type: measure loudness, then one render with the measured values."""
    from studio.render.audio import LoudnessMeasure
    from studio.render.ffmpeg import ffmpeg_exe

    ff = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y"]
    mix = ("[1:a]aresample=48000,aformat=channel_layouts=stereo,asplit=2[n][k];"
           "[2:a]aresample=48000,aformat=channel_layouts=stereo[m];"
           "[m][k]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[d];"
           "[n][d]amix=inputs=2:duration=longest:normalize=0,atrim=0:30")
    r = subprocess.run([*ff, "-i", str(files["clip"]), "-i", str(files["narration"]), "-i", str(files["music"]),
                        "-filter_complex", mix + ",loudnorm=I=-14:TP=-1:LRA=11:print_format=json[a]",
                        "-map", "[a]", "-f", "null", "-"], capture_output=True, text=True, check=True)
    m = LoudnessMeasure.parse(r.stderr)
    fd = f":fontsdir={fonts}" if fonts else ""
    graph = (f"[0:v]crop=608:1080:656:0,scale=1080:1920,setsar=1,format=yuv420p,ass={ass}{fd}[v];"
             + mix + f",loudnorm=I=-14:TP=-1:LRA=11:measured_I={m.input_i}:measured_TP={m.input_tp}:"
             f"measured_LRA={m.input_lra}:measured_thresh={m.input_thresh}:offset={m.target_offset}:"
             "linear=true,aresample=48000[a]")
    subprocess.run([*ff, "-i", str(files["clip"]), "-i", str(files["narration"]), "-i", str(files["music"]),
                    "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-profile:v",
                    "high", "-preset", "veryfast", "-b:v", "8000k", "-maxrate", "12000k", "-bufsize", "16000k",
                    "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-flags", "+cgop", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-movflags", "+faststart", "-t", "30",
                    str(out)], capture_output=True, check=True)


def _moviepy(files: dict[str, Path], fonts: Path | None, out: Path) -> None:
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
    v = VideoFileClip(str(files["clip"])).cropped(x_center=960, width=608).resized((1080, 1920))
    caps = []
    for w in _words():
        caps.append(TextClip(font=font, text=w["word"], font_size=72, color="#FFD400", stroke_color="black",
                             stroke_width=4).with_start(w["start"]).with_duration(w["end"] - w["start"])
                    .with_position(("center", 1100)))
    narr = AudioFileClip(str(files["narration"]))
    music = AudioFileClip(str(files["music"])).with_effects([MultiplyVolume(0.25)])  # ducked bed
    mix = CompositeAudioClip([narr, music]).with_duration(DUR)
    arr = mix.to_soundarray(fps=48000)
    gain = 10 ** ((-14 - pyloudnorm.Meter(48000).integrated_loudness(arr)) / 20)
    mix = mix.with_effects([MultiplyVolume(gain)])
    video = CompositeVideoClip([v, *caps], size=(1080, 1920)).with_audio(mix).with_duration(DUR)
    video.write_videofile(str(out), fps=30, codec="libx264", audio_codec="aac", preset="veryfast",
                          bitrate="8000k", logger=None, threads=2)
    del np


def run() -> list[Result]:
    from studio.core.project import Project
    from studio.core.timeline import AddClip, Clip, ReplaceTrackClips, Timeline, caption_clips
    from studio.render.captions import build_ass, lines_from_clips
    from studio.render.export import ExportOptions, export_post, fonts_dir
    from studio.render.presets import get_preset

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = _inputs(d)
        p = Project.create(d, "Bench")
        ids = {k: p.import_file(f, "clip" if k == "clip" else k).id for k, f in files.items()}
        tl = Timeline.empty()
        for track, key in (("video", "clip"), ("narration", "narration"), ("music", "music")):
            tl = AddClip(track=track, clip=Clip(asset_id=ids[key], start=0, out_point=DUR,
                         transform={"reframe": "center"})).apply(tl)
        tl = ReplaceTrackClips.on(tl, "captions", caption_clips(_words())).apply(tl)
        p.put_timeline(tl)
        t0 = time.perf_counter()
        export_post(p, tl.id, ["reels"], ExportOptions(cover=False, label=False))
        ours = time.perf_counter() - t0
        ass = d / "hand.ass"
        ass.write_text(build_ass(lines_from_clips(tl.track("captions").clips, 4), p.persona.caption_style,
                                 get_preset("reels")), "utf-8")
        t0 = time.perf_counter()
        _hand_written(files, ass, fonts_dir(), d / "hand.mp4")
        hand = time.perf_counter() - t0
        p.close()
        results.append(Result("export 30 s 1080×1920 (studio)", ours, "s"))
        results.append(Result("same work, hand-written ffmpeg", hand, "s"))
        results.append(Result("studio / hand-written", ours / hand, "×", "≤ 1.15×", ours / hand <= 1.15))
        try:
            import moviepy  # noqa: F401
        except ImportError:
            results.append(Result("MoviePy 2 comparison", 0, "", detail="skipped: pip install moviepy (bench extra)"))
            return results
        t0 = time.perf_counter()
        _moviepy(files, fonts_dir(), d / "moviepy.mp4")
        mp = time.perf_counter() - t0
        results.append(Result("same post in MoviePy 2", mp, "s"))
        results.append(Result("MoviePy / studio", mp / ours, "×", "≥ 3× faster", mp / ours >= 3))
    return results


if __name__ == "__main__":
    for r in run():
        print(r.line())
