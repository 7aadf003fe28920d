"""Captions (ASS/SRT/VTT) and filtergraph builders as data, plus burned-in caption pixels."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from studio.core.errors import BadInput
from studio.core.persona import CaptionStyle
from studio.core.timeline import AddClip, Clip, Timeline, caption_clips
from studio.render.audio import LoudnessMeasure, audio_graph
from studio.render.captions import build_ass, build_srt, build_vtt, lines_from_clips, parse_srt
from studio.render.export import fonts_dir
from studio.render.ffmpeg import ffmpeg_exe
from studio.render.graph import Source, build_export_args, filter_path
from studio.render.presets import PRESETS, encoder_args, get_preset


def test_lines_group_by_count_and_pause(words):
    clips = caption_clips(words + [{"word": "later", "start": 5.0, "end": 5.4}])
    lines = lines_from_clips(clips, words_per_line=4)
    assert [ln.text for ln in lines] == ["Hello from your new", "persona today", "later"]
    typed = lines_from_clips([Clip(start=1, out_point=2, text="Typed caption here")])
    assert not typed[0].timed and typed[0].end == 3


def test_ass_highlights_one_word_per_event_inside_safe_margins(words):
    preset = get_preset("reels")
    lines = lines_from_clips(caption_clips(words), 3)
    ass = build_ass(lines, CaptionStyle(), preset, label="AI-generated")
    events = [ln for ln in ass.splitlines() if ln.startswith("Dialogue: 0")]
    assert len(events) == len(words)
    assert all(e.count("\\1c&H00D4FF&") == 1 for e in events)  # #FFD400 in ASS BGR
    style = next(ln for ln in ass.splitlines() if ln.startswith("Style: Caption"))
    # MarginL, MarginR, MarginV: 6 % of 1080 each side, 35 % of 1920 at the bottom
    assert style.split(",")[-4:-1] == ["71", "71", "678"]  # + outline 4 + 2 px
    assert "PlayResX: 1080" in ass and "AI-generated" in ass


def test_srt_and_vtt_cues_match_word_timings(words):
    lines = lines_from_clips(caption_clips(words), 3)
    srt, vtt = parse_srt(build_srt(lines)), parse_srt(build_vtt(lines))
    assert srt == vtt
    assert [(a, b) for a, b, _ in srt] == [(words[0]["start"], words[2]["end"]), (words[3]["start"], words[5]["end"])]
    assert build_vtt(lines).startswith("WEBVTT")


def test_presets_encode_closed_two_second_gops_and_check_limits():
    args = encoder_args(PRESETS["reels"])
    joined = " ".join(args)
    assert "-g 60 -keyint_min 60" in joined and "-flags +cgop" in joined and "+faststart" in joined
    assert "-profile:v high" in joined and "yuv420p" in joined and "-ar 48000" in joined and "aac_low" in joined
    assert (PRESETS["feed"].width, PRESETS["feed"].height) == (1080, 1350)
    PRESETS["x"].check_duration(140)
    with pytest.raises(BadInput, match="X \\(Twitter\\) accepts at most 140 s"):
        PRESETS["x"].check_duration(141)
    with pytest.raises(BadInput, match="Choose one of"):
        get_preset("myspace")


def test_export_args_are_one_graph_with_ducking_and_linear_loudnorm():
    tl = Timeline.empty()
    tl = AddClip(track="video", clip=Clip(asset_id="v", start=0, out_point=4)).apply(tl)
    tl = AddClip(track="video", clip=Clip(asset_id="s", start=4, out_point=2)).apply(tl)
    tl = AddClip(track="narration", clip=Clip(asset_id="n", start=0.5, out_point=3, speed=1.25)).apply(tl)
    tl = AddClip(track="music", clip=Clip(asset_id="m", start=0, out_point=6, volume=0.5)).apply(tl)
    src = {"v": Source("/a/v.mp4", "video", 1920, 1080, 10), "s": Source("/a/s.png", "image", 1024, 1024),
           "n": Source("/a/n.wav", "audio"), "m": Source("/a/m.wav", "audio")}
    m = LoudnessMeasure(-20.0, -5.0, 3.0, -30.0, 0.1)
    args = build_export_args(tl, src, get_preset("reels"), "/o.mp4", loudness=m,
                             face_keys={tl.track("video").clips[0].id: [(0, 500, 400), (4, 1400, 400)]})
    assert args.count("-filter_complex") == 1 and args[-1] == "/o.mp4"
    graph = args[args.index("-filter_complex") + 1]
    # 16:9 into 9:16 would enlarge a crop 1.8x: the picture fills over a blurred copy of itself,
    # its sharp part a face-following 1080x1080 window at the source's own resolution
    assert "crop=1080:1080:x='if(lt(t\\,0.000)" in graph and "gblur=" in graph
    assert "concat=n=2:v=1:a=0" in graph  # one clip after the other: a cut, no layering
    cropped = build_export_args(tl, src, get_preset("reels"), "/o.mp4", fill_above=None,
                                face_keys={tl.track("video").clips[0].id: [(0, 500, 400), (4, 1400, 400)]})
    assert "crop=608:1080:x='if(lt(t\\,0.000)" in cropped[cropped.index("-filter_complex") + 1]
    assert "sidechaincompress" in graph and "adelay=500:all=1" in graph and "atempo=1.2500" in graph
    assert "measured_I=-20.00" in graph and "linear=true" in graph
    assert args[args.index("/a/s.png") - 3: args.index("/a/s.png")] == ["-framerate", "30", "-i"]  # one frame
    assert "loop=loop=61:size=1" in graph  # made once, repeated for its 2 s
    assert "comment=AI-generated with Persona Studio" in args
    first = audio_graph([], [], 2.0, None)
    assert "anullsrc" in first[0]


def test_filter_path_escapes_specials():
    assert filter_path("/tmp/a:b/it's.ass") == "'/tmp/a\\:b/it'\\\\\\''s.ass'"


@pytest.mark.parametrize("preset_id", ["reels", "tiktok"])
def test_burned_captions_stay_inside_the_safe_zone(tmp_path, words, preset_id):
    """Render captions over flat grey and look where pixels changed, at one word's time."""
    preset = get_preset(preset_id).scaled(360)
    style = CaptionStyle(words_per_line=6, size=90)
    lines = lines_from_clips(caption_clips(words), style.words_per_line)
    ass = tmp_path / "c.ass"
    ass.write_text(build_ass(lines, style, preset), "utf-8")
    t = (words[3]["start"] + words[3]["end"]) / 2
    vf = f"ass=filename={filter_path(ass)}:fontsdir={filter_path(fonts_dir())}"
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"color=c=gray:s={preset.width}x{preset.height}:d=3:r=10",
         "-vf", vf, "-ss", f"{t:.2f}", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True).stdout
    img = np.frombuffer(raw, np.uint8).reshape(preset.height, preset.width, 3).astype(int)
    changed = np.abs(img - img[0, 0]).sum(axis=2) > 30
    ys, xs = np.nonzero(changed)
    assert len(ys) > 200, "captions must be drawn"
    x0, y0, x1, y1 = preset.safe.box(preset.width, preset.height)
    assert xs.min() >= x0 and xs.max() < x1 and ys.min() >= y0 and ys.max() < y1
    yellow = (img[..., 0] > 200) & (img[..., 1] > 170) & (img[..., 2] < 90)
    assert yellow.sum() > 20, "the spoken word is highlighted"
