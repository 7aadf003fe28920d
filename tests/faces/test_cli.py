"""`studio faces ...` and `studio swap` through the real CLI entry point."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PIL import Image

from studio.cli.main import main
from studio.core.project import Project


@pytest.fixture
def project(tmp_path):
    assert main(["new", "Ann", "--dir", str(tmp_path)]) == 0
    return tmp_path / "Ann.persona"


@pytest.fixture
def photos(tmp_path, portrait):
    good = tmp_path / "good.jpg"
    Image.fromarray(portrait).save(good, quality=95)
    flipped = tmp_path / "flipped.png"
    Image.fromarray(portrait[:, ::-1]).save(flipped)
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    blurred = tmp_path / "blurred.jpg"
    Image.fromarray(cv2.GaussianBlur(portrait, (0, 0), 2.5)).save(blurred)
    small = tmp_path / "small.jpg"
    Image.fromarray(portrait).resize((300, 300)).save(small)  # face ~52 px
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    two = tmp_path / "two.png"
    Image.fromarray(np.hstack([portrait, portrait[:, ::-1]])).save(two)
    return {
        "good": good,
        "flipped": flipped,
        "text": text,
        "blurred": blurred,
        "small": small,
        "empty": empty,
        "two": two,
    }


def test_add_list_score_remove(project, photos, capsys):
    assert main(["faces", "add", "--not-a-real-person", str(project), str(photos["good"]), str(photos["flipped"])]) == 0
    out = capsys.readouterr().out
    assert "added" in out and "sharpness" in out and "yaw" in out
    with Project.open(project, read_only=True) as p:
        refs = p.persona.reference_faces
        assert len(refs) == 2 and p.persona.identity_for("dlib") is not None
        assert p.persona.identity_for("dlib").reference_ids == [r.id for r in refs]
        assert all(p.asset(r.id).kind == "reference" for r in refs)
        assert (p.path / refs[0].crop).is_file() and (p.path / refs[0].image).is_file()
        first = refs[0].id
    assert main(["faces", "score", str(project), str(photos["good"]), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["backend"] == "dlib" and len(doc["faces"]) == 1
    assert doc["faces"][0]["verdict"] == "same person" and doc["faces"][0]["score"] > 70
    assert main(["faces", "list", str(project)]) == 0
    assert first in capsys.readouterr().out
    assert main(["faces", "remove", str(project), first]) == 0
    with Project.open(project, read_only=True) as p:
        assert [r.id for r in p.persona.reference_faces] != [first]
        assert len(p.persona.identity_for("dlib").reference_ids) == 1
    assert main(["faces", "remove", str(project), "reference-nope"]) == 2


def test_batch_with_bad_photos_imports_good_ones_and_exits_1(project, photos, capsys):
    args = [str(photos[k]) for k in ("good", "text", "blurred", "small", "empty", "two")]
    assert main(["faces", "add", "--not-a-real-person", str(project), *args]) == 1
    captured = capsys.readouterr()
    out = captured.out
    assert "not an image" in out and "empty (0 bytes)" in out
    assert "too blurred" in out and "minimum 80 px" in out
    assert "2 faces found" in out and "--pick" in out and "the largest is 0" in out
    assert "5 rejected" in captured.err
    with Project.open(project, read_only=True) as p:
        assert len(p.persona.reference_faces) == 1


def test_pick_and_all_rejected(project, photos, capsys):
    assert main(["faces", "add", "--not-a-real-person", str(project), str(photos["text"])]) == 2
    assert main(["faces", "add", "--not-a-real-person", str(project), str(photos["two"]), "--pick", "1"]) == 0
    assert main(["faces", "add", "--not-a-real-person", str(project), str(photos["two"]), "--pick", "5"]) == 2
    assert "out of range" in capsys.readouterr().out


def test_real_persona_without_consent(tmp_path, photos, capsys):
    assert main(["new", "Real", "--dir", str(tmp_path), "--real"]) == 0
    assert main(["faces", "add", str(tmp_path / "Real.persona"), str(photos["good"])]) == 1
    assert "consent" in capsys.readouterr().err


def test_score_video_per_frame(project, photos, portrait, tmp_path, capsys):
    from pipelines.video_io import write_video

    assert main(["faces", "add", "--not-a-real-person", str(project), str(photos["good"])]) == 0
    video = tmp_path / "clip.mp4"
    frames = [np.roll(portrait, i * 4, axis=1) if i < 4 else np.full_like(portrait, 40) for i in range(6)]
    assert write_video(video, frames, 10, (512, 512)) == 6
    capsys.readouterr()
    assert main(["faces", "score", str(project), str(video), "--every", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["index"] for f in doc["frames"]] == [0, 2, 4]
    assert doc["frames"][1]["time"] == pytest.approx(0.2)
    assert doc["frames"][0]["faces"][0]["verdict"] == "same person"
    assert doc["frames"][2]["faces"] == []  # a blank frame


def test_swap_without_models_says_what_to_download(project, photos, capsys):
    assert main(["faces", "add", "--not-a-real-person", str(project), str(photos["good"])]) == 0
    assert main(["swap", str(project), str(photos["good"]), "-o", "x.png"]) == 1
    assert (
        "studio models download inswapper_128 buffalo_l-det buffalo_l-rec"
        in capsys.readouterr().err
    )
    assert main(["swap", str(project), str(photos["good"]), "-o", "x.png", "--face", "bogus"]) == 2


def test_swap_image_with_tiny_models(project, photos, tiny_models, tmp_path, portrait, capsys):
    assert main(["faces", "add", "--not-a-real-person", str(project), str(photos["good"])]) == 0
    with Project.open(project, read_only=True) as p:
        assert {e.backend for e in p.persona.identity} == {"dlib", "insightface"}
    capsys.readouterr()
    out = tmp_path / "out" / "swapped.png"
    assert main(["swap", str(project), str(photos["good"]), "-o", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape == portrait.shape and np.any(img != portrait)
    with Project.open(project, read_only=True) as p:
        asset = p.asset(result["assets"][0])
        assert asset.kind == "still"
        prov = asset.provenance
        ids = {m.id: m for m in prov.models}
        assert {"inswapper_128", "buffalo_l-det", "buffalo_l-rec", "gfpgan-1.4"} <= set(ids)
        assert (
            ids["inswapper_128"].commercial_use is False
            and "non-commercial" in ids["inswapper_128"].licence
        )
        assert (
            prov.scores["identity_backend"] == "insightface" and prov.scores["identity"] is not None
        )
        assert prov.parameters["restore"] is True
    with Project.open(project) as p:
        still = p.import_file(photos["good"], "still")
    # an asset as the target becomes the parent of the result (it used to be lost: no lineage)
    assert main(["swap", str(project), still.id, "-o", str(tmp_path / "again.png"), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)["assets"][0]
    with Project.open(project, read_only=True) as p:
        assert p.asset(again).parents == [still.id]
        assert p.asset(again).provenance.parameters["target"] == still.id


def test_swap_clip_keeps_audio(project, photos, tiny_models, tmp_path, portrait):
    import subprocess

    from pipelines.video_io import ffmpeg_exe, probe, read_frames

    assert main(["faces", "add", "--not-a-real-person", str(project), str(photos["good"])]) == 0
    ffmpeg = ffmpeg_exe()
    clip = tmp_path / "in.mp4"
    still = tmp_path / "frame.png"
    Image.fromarray(portrait).save(still)
    subprocess.run(
        [
            ffmpeg,
            "-y",
            "-loglevel",
            "error",
            "-loop",
            "1",
            "-i",
            str(still),
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=0.5",
            "-t",
            "0.5",
            "-r",
            "8",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
            "-c:a",
            "aac",
            "-shortest",
            str(clip),
        ],
        check=True,
    )
    out = tmp_path / "swapped.mp4"
    assert main(["swap", str(project), str(clip), "-o", str(out), "--no-restore"]) == 0
    info = probe(out)
    frames = list(read_frames(out))
    assert info.size == (512, 512) and len(frames) >= 3
    assert info.has_audio, "the audio track was not copied"
    with Project.open(project, read_only=True) as p:
        clips = p.assets_of("clip")
        assert len(clips) == 1 and clips[0].provenance.scores["frames_checked"] >= 1


def test_synthetic_persona_first_face_needs_the_not_a_real_person_answer(project, photos, capsys, monkeypatch):
    """Consent gates only work if "synthetic" is true: the first face of a synthetic persona needs the
    user's word that it is no identifiable real person (--not-a-real-person, or yes at a terminal)."""
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["faces", "add", str(project), str(photos["good"])]) == 2
    err = capsys.readouterr().err
    assert "--not-a-real-person" in err and "studio consent" in err
    with Project.open(project, read_only=True) as p:
        assert p.persona.reference_faces == [] and p.persona.likeness is None
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("typer.confirm", lambda *a, **k: True)  # "yes, it is invented"
    assert main(["faces", "add", str(project), str(photos["good"])]) == 0
    with Project.open(project, read_only=True) as p:
        stated = p.persona.likeness
        assert stated.not_a_real_person and stated.stated_in == "cli" and stated.first_photo == photos["good"].name
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)  # asked once: later faces need no flag
    assert main(["faces", "add", str(project), str(photos["flipped"])]) == 0
