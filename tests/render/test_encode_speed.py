"""The export's encoding speed: x264's preset at the preset's own bit rate (fast by default),
chosen in the CLI (`--encode-speed`), the window (the Export page's Encoding box) and recorded in
each export's provenance; anything else is refused before a job is queued."""

from __future__ import annotations

import pytest

from studio.cli.main import main
from studio.core.errors import BadInput
from studio.render.export import ExportOptions, export_post
from studio.render.presets import ENCODE_SPEEDS, PRESETS, encode_speed, encoder_args


def _x264_preset(args: list[str]) -> str:
    return args[args.index("-preset") + 1]


def test_each_speed_is_an_x264_preset_at_the_same_bit_rate():
    reels = PRESETS["reels"]
    assert {s: _x264_preset(encoder_args(reels, "libx264", s)) for s in ENCODE_SPEEDS} == {
        "fast": "superfast", "balanced": "veryfast", "best": "medium"}
    assert _x264_preset(encoder_args(reels)) == "superfast"  # the default
    rates = {s: encoder_args(reels, "libx264", s)[encoder_args(reels, "libx264", s).index("-b:v") + 1]
             for s in ENCODE_SPEEDS}
    assert set(rates.values()) == {f"{reels.video_kbps}k"}
    assert encode_speed(None) == "fast" and encode_speed(" Best ") == "best"
    with pytest.raises(BadInput, match="choose fast, balanced, best"):
        encode_speed("turbo")


def test_an_export_records_its_speed_and_uses_it(project):
    p, tl, _ = project
    assets = export_post(p, tl.id, ["square"], ExportOptions(size=(256, 256), speed="balanced", detector=lambda rgb: []))
    video = next(a for a in assets if a.provenance.pipeline == "export")
    params = video.provenance.parameters
    assert params["encode_speed"] == "balanced" and _x264_preset(params["ffmpeg_args"]) == "veryfast"


def test_the_cli_refuses_an_unknown_speed_in_one_line(tmp_path, project_factory, capsys):
    p, tl, _ = project_factory(tmp_path)
    p.close()
    for command in ("export", "post"):
        args = [command, str(p.path), "--preset", "square", "--encode-speed", "turbo"]
        if command == "post":
            (tmp_path / "script.txt").write_text("Hello there.")
            args[2:2] = ["--script", str(tmp_path / "script.txt")]
        assert main(args) == 2
        err = capsys.readouterr()
        text = err.out + err.err
        assert "Unknown encoding speed 'turbo'" in text and "Traceback" not in text, text
    assert not list((p.path / "jobs").glob("job-*.json"))  # refused before anything was queued


def test_a_post_refuses_an_unknown_speed_before_any_work(tmp_path, project_factory):
    from tests.jobs import run_job

    p, _, _ = project_factory(tmp_path)
    before = len(p.data.assets)
    job = run_job(p, "post", {"script": "Hello there.", "presets": ["square"], "encode_speed": "turbo"}, "Post")
    assert job.state.value == "failed" and "Unknown encoding speed 'turbo'" in job.error
    assert len(p.data.assets) == before  # no narration or clip was made first
