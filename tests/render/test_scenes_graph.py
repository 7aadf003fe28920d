"""Scenes in the export graph: cuts and transitions rendered for real, all presets from one run,
hardware H.264 options held to the software targets, caption templates inside the safe zone."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

from pipelines.video_io import HW_H264, choose_h264, h264_args, hardware_h264
from studio.core.errors import BadInput
from studio.core.persona import CaptionStyle
from studio.core.timeline import Clip, Timeline, caption_clips
from studio.render.captions import TEMPLATES, TitleLine, build_ass, lines_from_clips
from studio.render.export import fonts_dir
from studio.render.ffmpeg import ffmpeg_exe, probe
from studio.render.graph import (
    Output,
    Source,
    build_export_args,
    build_multi_export_args,
    filter_path,
)
from studio.render.presets import get_preset
from studio.render.reframe import crop_upscale, fill_layout


def _image(path, rgb) -> str:
    Image.fromarray(np.full((320, 180, 3), rgb, np.uint8)).save(path)
    return str(path)


def _two_scenes(tmp_path, transition: str) -> tuple[Timeline, dict]:
    red, blue = _image(tmp_path / "red.png", (230, 20, 20)), _image(tmp_path / "blue.png", (20, 20, 230))
    a = Clip(id="clip-a", asset_id="r", start=0.0, out_point=1.2)
    b = Clip(id="clip-b", asset_id="b", start=0.8 if transition != "cut" else 1.2, out_point=1.2, transition=transition)
    tl = Timeline.empty()
    tl = tl.with_clips(tl.track("video"), [a, b])
    return tl, {"r": Source(red, "image", 180, 320), "b": Source(blue, "image", 180, 320)}


def _frames(path) -> np.ndarray:
    info = probe(path)
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, info.height, info.width, 3).astype(float)


@pytest.mark.parametrize("transition", ["cut", "crossfade", "dip", "push"])
def test_transitions_render_between_two_scenes(tmp_path, transition):
    tl, src = _two_scenes(tmp_path, transition)
    preset = get_preset("reels").scaled(180)
    out = tmp_path / f"{transition}.mp4"
    args = build_export_args(tl, src, preset, out)
    graph = args[args.index("-filter_complex") + 1]
    want = {"cut": "concat=n=2", "crossfade": "transition=fade:", "dip": "transition=fadeblack:",
            "push": "transition=slideleft:"}[transition]
    assert want in graph and "overlay" not in graph
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args], check=True)
    f = _frames(out)
    total = tl.duration
    assert len(f) == round(total * 30)
    red, blue = f[3].mean(axis=(0, 1)), f[-3].mean(axis=(0, 1))
    assert red[0] > 180 > 60 > red[2] and blue[2] > 180 > 60 > blue[0]  # scene 1 red, scene 2 blue
    mid = f[round(1.0 * 30)]  # the middle of the transition
    m = mid.mean(axis=(0, 1))
    if transition == "cut":
        assert m[0] > 180 and f[round(1.25 * 30)].mean(axis=(0, 1))[2] > 180  # red to 1.2 s, then blue
    elif transition == "crossfade":
        assert 80 < m[0] < 160 and 80 < m[2] < 160  # half red, half blue
    elif transition == "dip":
        assert m.max() < 90 and m.sum() < 0.5 * red.sum()  # through black
    else:  # push: the new scene slides in from the right while the old one leaves
        left, right = mid[:, :40].mean(axis=(0, 1)), mid[:, -40:].mean(axis=(0, 1))
        assert left[0] > 180 and right[2] > 180


def test_all_presets_from_one_run_share_the_picture_of_one_size(tmp_path):
    tl, src = _two_scenes(tmp_path, "crossfade")
    tl = tl.with_clips(tl.track("captions"), caption_clips([{"word": "hi", "start": 0.1, "end": 0.5}]))
    outs = [Output(get_preset(p).scaled(180), tmp_path / f"{p}.mp4", tmp_path / f"{p}.ass")
            for p in ("reels", "tiktok", "youtube")]
    for o in outs:
        Path_write(o.ass_path, build_ass([], CaptionStyle(), o.preset, "AI-generated"))
    args = build_multi_export_args(tl, src, outs, fontsdir=fonts_dir())
    graph = args[args.index("-filter_complex") + 1]
    assert args.count("-filter_complex") == 1 and args.count("-map") == 6
    assert graph.count("xfade=") == 2  # composed once per size (9:16 once, 16:9 once), not per preset
    assert "split=2" in graph and "asplit=3" in graph
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args], check=True)
    sizes = [(probe(o.path).width, probe(o.path).height) for o in outs]
    assert sizes == [(180, 320), (180, 320), (180, 100)]


def Path_write(path, text: str) -> None:  # noqa: N802 - tiny helper
    from pathlib import Path

    Path(path).write_text(text, "utf-8")


def test_fill_layout_keeps_the_picture_at_its_own_resolution():
    assert crop_upscale(1080, 1920, 1920, 1080) == pytest.approx(1920 / 1080)
    assert crop_upscale(1080, 1920, 1080, 1080) == pytest.approx(1.0)
    assert fill_layout(1080, 1920, 1920, 1080) == (1080, 1080, 1080, 1080)  # a square around the face
    assert fill_layout(1920, 1080, 1080, 1920) == (1080, 1080, 1080, 1080)
    rw, rh, fw, fh = fill_layout(360, 640, 1920, 1080)  # a small clip: shown whole, as large as fits
    assert (rw, rh) == (360, 640) and fh == 1080


def test_hardware_encoders_get_the_same_targets_and_auto_falls_back():
    soft = h264_args(kbps=8000, gop=60, profile="high")
    for enc in HW_H264:
        hw = h264_args(kbps=8000, gop=60, profile="high", encoder=enc)
        assert hw[:2] == ["-c:v", enc]
        for flag in ("-b:v", "-maxrate", "-bufsize", "-g", "-profile:v"):
            assert hw[hw.index(flag) + 1] == soft[soft.index(flag) + 1], (enc, flag)
    assert h264_args(crf=18, encoder="h264_nvenc")[:2] == ["-c:v", "libx264"]  # CRF stays libx264
    assert choose_h264("software") == "libx264"
    found = hardware_h264()
    assert choose_h264("auto") == (found or "libx264")
    assert hardware_h264() is found  # probed once
    if found is None:  # no GPU encoder here: asking for one by name says so
        with pytest.raises(BadInput, match="does not work on this machine"):
            choose_h264("nvenc")
    with pytest.raises(BadInput, match="choose auto, software"):
        choose_h264("divx")


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_caption_templates_stay_in_the_safe_zone(tmp_path, words, template):
    preset = get_preset("reels").scaled(360)
    style = CaptionStyle(words_per_line=4, size=84, template=template)
    lines = lines_from_clips(caption_clips(words), style.words_per_line)
    ass_text = build_ass(lines, style, preset, titles=[TitleLine("Three things", 0.0, 2.0)])
    events = [ln for ln in ass_text.splitlines() if ln.startswith("Dialogue: 0")]
    if template == "minimal":
        assert len(events) == len(lines) and "\\1c" not in ass_text.split("[Events]")[1]
    elif template == "pop":
        assert all("\\t(0,110" in e for e in events)
        import re

        said = [re.sub(r"\{[^}]*\}", "", e.split(",,", 1)[1].split(",,", 1)[1]).split() for e in events[:3]]
        assert [len(w) for w in said] == [1, 2, 3]  # words pile up as they are said
    elif template == "boxed":
        style_line = next(ln for ln in ass_text.splitlines() if ln.startswith("Style: Caption"))
        assert style_line.split(",")[15] == "3"  # BorderStyle 3: an opaque box
    assert "Title" in ass_text and "Three things" in ass_text
    ass = tmp_path / "c.ass"
    ass.write_text(ass_text, "utf-8")
    t = (words[3]["start"] + words[3]["end"]) / 2 + 1.0  # after the title faded: only the caption
    vf = f"ass=filename={filter_path(ass)}:fontsdir={filter_path(fonts_dir())}"
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"color=c=gray:s={preset.width}x{preset.height}:d=4:r=10",
         "-vf", vf, "-ss", f"{min(t, 2.6):.2f}", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True).stdout
    img = np.frombuffer(raw, np.uint8).reshape(preset.height, preset.width, 3).astype(int)
    changed = np.abs(img - img[0, 0]).sum(axis=2) > 30
    ys, xs = np.nonzero(changed)
    assert len(ys) > 100, "captions must be drawn"
    x0, y0, x1, y1 = preset.safe.box(preset.width, preset.height)
    assert xs.min() >= x0 and xs.max() < x1 and ys.min() >= y0 and ys.max() < y1


def test_broll_sound_plays_under_the_narration_and_an_outpaint_fills_behind_a_still(tmp_path, project):
    from studio.core.assets import Provenance
    from studio.core.timeline import AddClip
    from studio.render.export import ExportOptions, export_post

    p, tl, ids = project
    # a B-roll video with its own 1 kHz tone, sound on, after the test clip
    broll = tmp_path / "broll.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=30:d=2", "-f", "lavfi",
                    "-i", "sine=f=1000:d=2:sample_rate=48000", "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    str(broll)], check=True)
    bid = p.import_file(broll, "clip", label="broll").id
    # a portrait still with an outpaint to 16:9 (made by hand here; `studio outpaint` makes real ones)
    Image.fromarray(np.full((320, 180, 3), (30, 160, 30), np.uint8)).save(tmp_path / "still.png")
    still = p.import_file(tmp_path / "still.png", "image", label="still")
    Image.fromarray(np.full((180, 320, 3), (200, 40, 200), np.uint8)).save(tmp_path / "wide.png")
    st = p.stage(".png")
    st.write_bytes((tmp_path / "wide.png").read_bytes())
    p.register(st, "still", Provenance(pipeline="sdxl-outpaint", parameters={"to": "16:9"}), parents=[still.id])
    tl = AddClip(track="video", clip=Clip(asset_id=bid, start=3.0, out_point=2.0, sound=True)).apply(tl)
    tl = AddClip(track="video", clip=Clip(asset_id=still.id, start=5.0, out_point=1.0)).apply(tl)
    p.put_timeline(tl)
    opts = ExportOptions(size=(320, 180), cover=False, sign=False, label=False, captions=False,
                         detector=lambda rgb: [])
    (video,) = export_post(p, tl.id, ["youtube"], opts)
    out = p.asset_path(video)
    graph = " ".join(video.provenance.parameters["ffmpeg_args"])
    assert "sidechaincompress" in graph  # the B-roll sound is ducked like music
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(out), "-map", "0:a", "-ac", "1", "-ar", "8000",
                          "-f", "s16le", "-"], capture_output=True, check=True).stdout
    audio = np.frombuffer(raw, "<i2").astype(float)

    def tone(t0: float, t1: float, f: float) -> float:
        seg = audio[int(t0 * 8000):int(t1 * 8000)]
        spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
        freqs = np.fft.rfftfreq(len(seg), 1 / 8000)
        return float(spec[np.abs(freqs - f) < 15].max() / (spec.mean() + 1e-9))

    assert tone(3.3, 4.8, 1000) > 20 and tone(0.5, 2.5, 1000) < 5  # its tone plays only in its scene
    # the still's scene: the picture over its outpaint (magenta), not over a blurred green copy
    frame = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", "5.5", "-i", str(out), "-frames:v", "1", "-f",
                            "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    f = np.frombuffer(frame, np.uint8).reshape(180, 320, 3).astype(int)
    side, middle = f[:, :30].mean(axis=(0, 1)), f[:, 150:170].mean(axis=(0, 1))
    assert side[0] > side[1] and side[2] > side[1]  # magenta-ish (dimmed) at the sides
    assert middle[1] > middle[0] and middle[1] > middle[2]  # the green still in the middle
