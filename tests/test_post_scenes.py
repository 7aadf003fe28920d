"""`studio post` with scenes: talking, a B-roll photo, talking — cuts, one narration, lip-sync only
on camera, and re-rolling the middle scene without touching the others (real media, small sizes)."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest

from studio.cli.main import main
from studio.core.project import Project
from studio.render.ffmpeg import ffmpeg_exe, probe

SCRIPT = """--- talking
Hi, I'm Nova. Today I want to show you my favourite place.
--- broll: coffee.png, move: none
This little cafe makes the best coffee in town.
--- talking, crossfade
Come and see it with me tomorrow.
"""


def _frame(path, t: float, size: tuple[int, int]) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3)


def _envelope(path, rate: int = 100) -> np.ndarray:
    """Loudness envelope (RMS per 10 ms) of a file's audio, mono 16 kHz."""
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a", "-ac", "1", "-ar", "16000",
                          "-f", "s16le", "-"], capture_output=True, check=True).stdout
    a = np.frombuffer(raw, "<i2").astype(np.float32) / 32768
    hop = 16000 // rate
    a = a[: len(a) // hop * hop].reshape(-1, hop)
    return np.sqrt((a**2).mean(axis=1))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A persona from the portrait and the three-scene post, made with the CLI."""
    from PIL import Image
    from skimage import data

    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("PERSONA_STUDIO_HOME")
    os.environ["PERSONA_STUDIO_HOME"] = str(home)
    d = tmp_path_factory.mktemp("scenes")
    try:
        Image.fromarray(data.coffee()).save(d / "coffee.png")
        Image.fromarray(data.chelsea()).save(d / "cat.png")
        (d / "post.txt").write_text(SCRIPT, "utf-8")
        assert main(["new", "Nova", "--dir", str(d)]) == 0
        folder = d / "Nova.persona"
        from studio.core.paths import resources_dir

        assert main(["faces", "add", str(folder), str(resources_dir() / "demo" / "portrait.jpg"), "--not-a-real-person"]) == 0
        assert main(["post", str(folder), "--script", str(d / "post.txt"), "--draft", "-p", "reels", "-p", "youtube",
                     "--hook", "My favourite place", "--json"]) == 0
        yield folder, d
    finally:
        if old is None:
            os.environ.pop("PERSONA_STUDIO_HOME", None)
        else:
            os.environ["PERSONA_STUDIO_HOME"] = old


def test_three_scenes_cut_at_word_gaps_with_lipsync_only_on_camera(made):
    folder, _ = made
    with Project.open(folder, read_only=True) as p:
        (post,) = p.data.posts
        assert post.state == "ready" and set(post.exports) == {"reels", "youtube"}
        board = post.storyboard
        tl = p.timeline(post.timeline_id)
        video = tl.track("video").clips
        assert [s.visual.kind for s in board.scenes] == ["talking", "broll", "talking"]
        assert len(video) == 3 and [c.asset_id for c in video] == [s.made.clip for s in board.scenes]
        (narr,) = tl.track("narration").clips
        assert narr.asset_id == board.narration and narr.start == 0.0  # one narration under every cut
        words = json.loads(p.sidecar(board.narration, ".words.json").read_text())
        first_broll = next(w for w in words if w["word"].lower().startswith("this"))
        cut = board.scenes[1].made.start
        assert words[words.index(first_broll) - 1]["end"] <= cut <= first_broll["start"]
        assert video[0].end == pytest.approx(cut) and video[0].transition == "cut"
        # the crossfade into scene 3: the clips overlap by the transition
        assert video[2].transition == "crossfade" and video[1].end - video[2].start == pytest.approx(0.4, abs=0.01)
        broll = p.asset(video[1].asset_id)
        assert broll.kind == "image" and broll.provenance.pipeline == "import"
        for clip, scene in ((video[0], board.scenes[0]), (video[2], board.scenes[2])):
            talking = p.asset(clip.asset_id)
            assert talking.provenance.pipeline == "lipsync"
            part = p.asset(talking.provenance.parameters["narration"])
            assert part.provenance.pipeline == "narration.part" and part.parents == [board.narration]
            assert part.provenance.parameters["start"] == pytest.approx(scene.made.start)
            assert scene.made.identity_verdict == "same person"
        assert board.scenes[1].made.audio is None  # no mouth to move on the B-roll
        assert [c.text for c in tl.track("overlay").clips] == ["My favourite place"]
        exports = {k: p.asset_path(v) for k, v in post.exports.items()}
        params = p.asset(post.exports["reels"]).provenance.parameters
        assert params["presets_in_run"] == ["reels", "youtube"]  # both from one ffmpeg run
        spans = [(s.made.start, s.made.end) for s in board.scenes]
        narration_path = p.asset_path(board.narration)
    # the picture cuts where the scenes do: a face before the cut, the coffee photo after it
    from studio.core.models import ModelStore
    from studio.core.settings import Settings
    from studio.render.face_track import default_detector

    detect = default_detector(ModelStore(Settings()))
    info = probe(exports["reels"])
    size = (info.width, info.height)
    assert detect(_frame(exports["reels"], spans[0][1] - 0.5, size))
    coffee = _frame(exports["reels"], (spans[1][0] + spans[1][1]) / 2, size)
    assert not detect(coffee)
    from skimage import data

    ref = data.coffee().reshape(-1, 3).mean(axis=0)
    mid = coffee[size[1] // 3: 2 * size[1] // 3].reshape(-1, 3).mean(axis=0)
    assert np.abs(mid - ref).max() < 40  # the cafe photo's colours, not the persona
    # the narration runs on across the cuts: the export's loudness follows the narration's
    a, b = _envelope(exports["reels"]), _envelope(narration_path)
    n = min(len(a), len(b))
    assert np.corrcoef(a[:n], b[:n])[0, 1] > 0.8
    for cut in (spans[1][0], spans[2][0]):
        k = round(cut * 100)
        assert a[k - 60:k + 60].max() > 0.02  # speech around each cut, not a gap


def test_youtube_fills_instead_of_cropping_the_vertical_clip(made, capsys):
    folder, _ = made
    with Project.open(folder, read_only=True) as p:
        post = p.data.posts[0]
        talk_end = post.storyboard.scenes[0].made.end
    # 360x640 talking clips into 640x360: a 16:9 crop would be enlarged 1.8 times, so it fills
    capsys.readouterr()
    assert main(["export", str(folder), post.id, "-p", "youtube", "--size", "640x360", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    with Project.open(folder, read_only=True) as p:
        asset = p.asset(res["presets"]["youtube"])
        yt, graph = p.asset_path(asset), " ".join(asset.provenance.parameters["ffmpeg_args"])
    assert "gblur" in graph
    info = probe(yt)
    assert (info.width, info.height) == (640, 360)
    frame = _frame(yt, talk_end / 2, (info.width, info.height)).astype(int)
    # the sides are the blurred copy: smooth (small pixel-to-pixel steps), the middle is sharp
    side, middle = frame[:, : info.width // 8], frame[:, info.width * 3 // 8: info.width * 5 // 8]
    assert np.abs(np.diff(side, axis=1)).mean() < 0.5 * np.abs(np.diff(middle, axis=1)).mean()


def test_rerolling_scene_two_keeps_scenes_one_and_three_byte_identical(made, capsys):
    folder, d = made
    with Project.open(folder, read_only=True) as p:
        post = p.data.posts[0]
        before = p.timeline(post.timeline_id)
        old_exports = dict(post.exports)
    capsys.readouterr()
    assert main(["reroll", str(folder), post.id, "--scene", "2", "--source", str(d / "cat.png"), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    with Project.open(folder, read_only=True) as p:
        post = p.post(post.id)
        after = p.timeline(post.timeline_id)
        v0, v1 = before.track("video").clips, after.track("video").clips
        assert v1[0].model_dump_json() == v0[0].model_dump_json()
        assert v1[2].model_dump_json() == v0[2].model_dump_json()
        assert v1[1].id == v0[1].id and v1[1].asset_id != v0[1].asset_id and v1[1].start == v0[1].start
        assert p.asset(v1[1].asset_id).label == "cat"
        for kind in ("narration", "captions", "overlay"):
            assert after.track(kind).model_dump_json() == before.track(kind).model_dump_json()
        assert post.state == "ready" and set(post.exports) == set(old_exports)
        assert all(post.exports[k] != old_exports[k] for k in old_exports)  # re-exported
        assert res["scene"] == 2 and res["clip"] == v1[1].asset_id
