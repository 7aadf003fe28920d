"""Fault campaign (issue 16): messages for broken media, and progress without a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.cli.main import main
from studio.core.project import Project

ROOT = Path(__file__).resolve().parents[2]
BANNER = ("ffmpeg version", "configuration:", "built with", "libavutil", "Input #0")


@pytest.fixture
def persona(tmp_path, portrait):
    """A persona with the portrait as its reference face (real dlib), and a short narration WAV."""
    from PIL import Image

    from pipelines.tts.audio_io import write_wav

    photo = tmp_path / "face.jpg"
    Image.fromarray(portrait).save(photo)
    Project.create(tmp_path, "Ava").close()
    folder = tmp_path / "Ava.persona"
    assert main(["faces", "add", str(folder), str(photo), "--not-a-real-person"]) == 0
    import numpy as np

    write_wav(tmp_path / "good.wav", 0.1 * np.sin(np.linspace(0, 2000, 48000)).astype("float32"), 48000)
    return folder


def _broken_media(tmp_path: Path) -> dict[str, Path]:
    good = (tmp_path / "good.wav").read_bytes()
    files = {
        "text.mp4": b"this is a text file named like a video\n" * 20,
        "noise.mp4": os.urandom(50_000),
        "header-only.mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(64),
        "cut.wav": good[:100],  # the header promises a second of sound; 56 bytes are there
        "junk.wav": b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk",
        "empty.wav": b"",
    }
    out = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        out[name] = tmp_path / name
    return out


def test_broken_videos_and_audio_get_one_line_with_a_reason(persona, tmp_path, capsys):
    media = _broken_media(tmp_path)
    capsys.readouterr()
    with Project.open(persona, read_only=True) as p:
        ref = p.assets_of("reference")[0].id
    for name in ("text.mp4", "noise.mp4", "header-only.mp4"):
        assert main(["faces", "score", str(persona), str(media[name])]) == 2, name
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and name in err, err  # one line, not ffmpeg's banner
        assert not any(b in err for b in BANNER), err
    for name in ("cut.wav", "junk.wav", "empty.wav"):
        assert main(["lipsync", str(persona), ref, str(media[name])]) == 2, name
        err = capsys.readouterr().err.strip()
        assert name in err and "()" not in err and "Internal error" not in err, err  # a reason, in words
    assert "cut short" in _lipsync_error(persona, ref, media["cut.wav"], capsys)


def _lipsync_error(persona: Path, ref: str, wav: Path, capsys) -> str:
    main(["lipsync", str(persona), ref, str(wav)])
    return capsys.readouterr().err


def _narrate(folder: Path, *extra: str) -> subprocess.CompletedProcess:
    # stderr is a pipe here: not a terminal, as in a script, CI or `2> log.txt`
    return subprocess.run([sys.executable, "-m", "studio.cli.main", "narrate", str(folder),
                           "Hello there. This is the second sentence of the script.", *extra],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_progress_without_a_terminal_is_plain_lines_or_json_lines(tmp_path):
    Project.create(tmp_path, "Ava").close()
    folder = tmp_path / "Ava.persona"
    r = _narrate(folder)
    assert r.returncode == 0, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("Narrating: ")]
    assert len(lines) >= 3, r.stderr
    assert lines[-1].startswith("Narrating: 100%")
    pcts = [int(ln.split(":")[1].split("%")[0]) for ln in lines]
    assert pcts == sorted(pcts) and pcts[0] < 50
    assert "\x1b[" not in r.stderr  # no terminal escapes in a log
    j = _narrate(folder, "--json")
    assert j.returncode == 0, j.stderr
    result = json.loads(j.stdout)  # stdout stays the one JSON result
    assert result["assets"]
    events = [json.loads(ln) for ln in j.stderr.splitlines() if ln.startswith("{")]
    assert len(events) >= 3 and events[-1]["progress"] == 1.0
    assert {"task", "progress", "label", "elapsed_s", "eta_s"} <= set(events[0])
