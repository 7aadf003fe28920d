"""Real exports of a 3 s timeline at small sizes, checked with our probe, ebur128 and verify."""

from __future__ import annotations

import re
import subprocess

import pytest
from typer.testing import CliRunner

from studio.cli.main import app
from studio.render.captions import parse_srt
from studio.render.export import ExportOptions, export_post
from studio.render.ffmpeg import ffmpeg_exe, is_faststart, probe
from studio.render.verify import verify_file


def integrated_lufs(path) -> float:
    r = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a",
                        "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True)
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", r.stderr)[-1])


def true_peak(path) -> float:
    r = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a",
                        "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True)
    return float(re.findall(r"Peak:\s+(-?[\d.]+) dBFS", r.stderr)[-1])


@pytest.fixture
def exported(project, tmp_path):
    p, tl, ids = project
    out = tmp_path / "out"
    assets = export_post(p, tl.id, ["reels", "square"],
                         ExportOptions(size=(256, 456), out_dir=str(out), detector=lambda rgb: []))
    return p, tl, ids, assets, out


def test_batch_export_makes_correct_signed_files(exported, words):
    p, tl, ids, assets, out = exported
    videos = [a for a in assets if a.provenance.pipeline == "export"]
    covers = [a for a in assets if a.provenance.pipeline == "export-cover"]
    assert [v.provenance.parameters["preset"] for v in videos] == ["reels", "square"]
    assert len(covers) == 2 and all(c.parents == [v.id] for c, v in zip(covers, videos, strict=True))
    sizes = {"reels": (256, 454), "square": (256, 256)}
    for v in videos:
        f = p.asset_path(v)
        info = probe(f)
        assert (info.width, info.height) == sizes[v.provenance.parameters["preset"]]
        assert info.fps == pytest.approx(30.0)
        assert abs(info.duration - tl.duration) <= 1 / 30 + 1e-3
        assert info.video_codec == "h264" and "High" in info.text and "yuv420p" in info.text
        assert info.has_audio and info.audio_codec == "aac" and info.audio_rate == 48000
        assert is_faststart(f), "moov must precede mdat after C2PA signing too"
        assert abs(integrated_lufs(f) + 14.0) <= 1.0
        assert true_peak(f) <= -0.5  # -1 dBTP target; sample peak reading has ~0.5 dB slack
        rep = verify_file(f)
        assert rep["ok"], rep["problems"]
        assert "c2pa.created" in rep["c2pa"]["actions"] and "c2pa.edited" in rep["c2pa"]["actions"]
        assert len(rep["c2pa"]["ingredients"]) == 3  # clip, narration, music
        assert rep["metadata"]["comment"] == "AI-generated with Persona Studio"
        # verdict: SVD in the chain is non-commercial
        assert v.provenance.model_extra["commercial_use"]["verdict"] == "not allowed"
        assert "svd" in v.provenance.model_extra["commercial_use"]["blocking"]
        srt = parse_srt(p.sidecar(v, ".srt").read_text("utf-8"))
        vtt = parse_srt(p.sidecar(v, ".vtt").read_text("utf-8"))
        assert srt == vtt and srt[0][0] == words[0]["start"] and srt[-1][1] == words[-1]["end"]
        assert " ".join(c[2] for c in srt) == " ".join(w["word"] for w in words)
    for c in covers:
        rep = verify_file(p.asset_path(c))
        assert rep["ok"], (rep["problems"], rep["watermark"], c.provenance.parameters)
        assert rep["watermark"]["matches_manifest"]
    assert len(list(out.glob("*.mp4"))) == 2 and len(list(out.glob("*.jpg"))) == 2
    assert len(list(out.glob("*.srt"))) == 2


def test_tampered_export_fails_verification(exported, tmp_path):
    p, _, _, assets, _ = exported
    data = bytearray(p.asset_path(assets[0]).read_bytes())
    data[len(data) // 2] ^= 0x55  # one byte of media data
    bad = tmp_path / "tampered.mp4"
    bad.write_bytes(bytes(data))
    rep = verify_file(bad)
    assert not rep["ok"] and any("does not validate" in x for x in rep["problems"])
    r = CliRunner().invoke(app, ["verify", str(bad)])
    assert r.exit_code == 1 and "VERIFICATION FAILED" in r.output


def test_too_long_for_platform_is_refused_before_rendering(project):
    from studio.core.errors import BadInput
    from studio.core.timeline import Clip, ReplaceTrackClips

    p, tl, ids = project
    long_tl = ReplaceTrackClips.on(tl, "music", [Clip(asset_id=ids["music"], start=0, out_point=3.0, speed=0.04)]).apply(tl)
    with pytest.raises(BadInput, match="Shorts accepts at most 60 s"):
        export_post(p, long_tl, ["shorts"], ExportOptions(size=(90, 160)))


def test_cli_timeline_captions_export_and_verify(tmp_path, project_factory, words):
    from studio.core.project import Project

    p, tl, ids = project_factory(tmp_path)
    p.close()
    run = CliRunner().invoke
    r = run(app, ["timeline", "captions", str(p.path), "--from", ids["narration"]])
    assert r.exit_code == 0, r.output
    assert f"{len(words)} caption words" in r.output
    r = run(app, ["timeline", "show", str(p.path), "--json"])
    assert r.exit_code == 0 and '"Hello"' in r.output
    r = run(app, ["export", str(p.path), "--preset", "x", "--size", "320x180", "--no-label", "--json"])
    assert r.exit_code == 0, r.output
    with Project.open(p.path, read_only=True) as q:
        vid = next(a for a in q.assets_of("export") if a.provenance.pipeline == "export")
        assert vid.provenance.parameters["label"] is False
        f = q.asset_path(vid)
    r = run(app, ["verify", str(f)])
    assert r.exit_code == 0 and "OK" in r.output, r.output
