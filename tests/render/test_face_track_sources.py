"""Where the face is, cheapest first: a talking clip's recorded track, the face-track cache, detection.

The talking clip is made for real (embedded engine: dlib + MediaPipe mesh, a camera pan over the
portrait at 288x512) and its recorded track is checked against dlib run on the rendered frames.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from studio.core.project import Project
from studio.core.timeline import AddClip, Clip, Timeline
from studio.render import export as export_mod
from studio.render.export import ExportOptions, export_post
from studio.render.face_track import (
    FACES_SUFFIX,
    default_detector,
    face_keyframes_video,
    read_track,
    track_cache,
)
from studio.render.ffmpeg import ffmpeg_exe
from studio.render.reframe import smooth_keyframes

W, H, FPS = 288, 512, 15


@pytest.fixture(scope="module")
def talking(tmp_path_factory):
    """A closed project holding one talking clip (2 s, camera pan) made by the lipsync job."""
    import cv2

    from pipelines.tts.audio_io import write_wav
    from studio.core.paths import resources_dir
    from tests.jobs import run_job

    d = tmp_path_factory.mktemp("talking")
    still = d / "still.png"
    portrait = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
    Image.fromarray(cv2.resize(portrait, (512, 512), interpolation=cv2.INTER_AREA)).save(still)
    rate = 16_000
    t = np.arange(rate * 2) / rate  # tone bursts, three a second: the mouth opens and closes
    write_wav(d / "voice.wav", (0.5 * np.sin(2 * np.pi * 200 * t) * (np.sin(2 * np.pi * 3 * t) > 0))
              .astype(np.float32), rate)
    with pytest.MonkeyPatch.context() as mp:  # the module's own studio home (autouse is per test)
        mp.setenv("PERSONA_STUDIO_HOME", str(d / "home"))
        with Project.create(d, "Talking Track") as p:
            job = run_job(p, "lipsync", {"visual": str(still), "narration": str(d / "voice.wav"), "fps": FPS,
                                         "move": "pan", "size": f"{W}x{H}", "seed": 1})
            assert job.state.value == "done", job.error
            clip = job.result["assets"][0]
    return d / "Talking Track.persona", clip


def _copy(talking, tmp_path) -> tuple[Project, str]:
    folder, clip = talking
    shutil.copytree(folder, tmp_path / folder.name)
    return Project.open(tmp_path / folder.name, require_write=True), clip


def _timeline(p: Project, asset_id: str, seconds: float) -> Timeline:
    tl = AddClip(track="video", clip=Clip(asset_id=asset_id, start=0, out_point=seconds)).apply(Timeline.empty())
    p.put_timeline(tl)
    return tl


class Counting:
    """A detector wrapper that counts its calls."""

    def __init__(self, detect):  # noqa: ANN001
        self.detect, self.calls = detect, 0

    def __call__(self, rgb):  # noqa: ANN001, ANN204
        self.calls += 1
        return self.detect(rgb)


def _export(p, tl, tmp_path, name, monkeypatch, detector=None, preset="square", size=(128, 128)):  # noqa: ANN001
    """Export `tl` and return the face keyframes the render was given."""
    seen = {}
    real = export_mod._face_keys

    def spy(*a, **k):  # noqa: ANN002, ANN003, ANN202
        seen.update(real(*a, **k))
        return seen

    monkeypatch.setattr(export_mod, "_face_keys", spy)
    made = export_post(p, tl.id, [preset], ExportOptions(size=size, out_dir=str(tmp_path / name), cover=False,
                                                         sign=False, detector=detector))
    assert made and (p.asset_path(made[0])).stat().st_size > 0
    return seen


def test_recorded_track_agrees_with_dlib_on_the_rendered_clip(talking, tmp_path):
    p, clip = _copy(talking, tmp_path)
    with p:
        track = read_track(p.sidecar(clip, FACES_SUFFIX))
        path = p.asset_path(clip)
        frames = p.asset(clip).provenance.parameters["frames"]
    assert track is not None and (track.width, track.height) == (W, H)
    assert len(track.keys) == frames == 2 * FPS and len(track.sizes) == frames
    rec = np.array([(t, x, y, s) for (t, x, y), s in zip(track.keys, track.sizes, strict=True)])
    assert np.allclose(rec[:, 0], np.arange(frames) / FPS, atol=1e-3)
    assert np.ptp(rec[:, 1]) > 0.1 * W  # the pan really moves the face across the frame
    found = Counting(default_detector(None))
    keys = face_keyframes_video(path, found, sample_fps=5)
    assert found.calls >= 9 and len(keys) == found.calls
    err = [np.hypot(x - np.interp(t, rec[:, 0], rec[:, 1]), y - np.interp(t, rec[:, 0], rec[:, 2])) / H
           for t, x, y in keys]
    assert max(err) < 0.04 and np.mean(err) < 0.025, err  # dlib's own box steps by ~2% here
    sizes = [max(f[2] for f in default_detector(None)(frame)) for frame in _frames(path, [0.3, 1.0, 1.7])]
    assert np.allclose(sizes, np.interp([0.3, 1.0, 1.7], rec[:, 0], rec[:, 3]), rtol=0.15)


def _frames(path, times):  # noqa: ANN001, ANN202
    for t in times:
        raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", str(t), "-i", str(path), "-frames:v", "1",
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
        yield np.frombuffer(raw, np.uint8).reshape(H, W, 3)


def _smooth_reference(keys, window=0.5):  # noqa: ANN001, ANN202
    """The quadratic moving average smooth_keyframes replaced (kept here as its specification)."""
    if len(keys) < 3 or window <= 0:
        return list(keys)
    out = []
    for t, _, _ in keys:
        near = [(cx, cy) for (tt, cx, cy) in keys if abs(tt - t) <= window / 2]
        out.append((t, sum(p[0] for p in near) / len(near), sum(p[1] for p in near) / len(near)))
    return out


@pytest.mark.parametrize("window", [0.5, 0.25, 1.0, 0.0])
def test_linear_smoothing_matches_the_quadratic_reference(window):
    rng = np.random.default_rng(3)
    tracks = [
        [(i / 30, 500 + 40 * np.sin(i / 9) + rng.normal(0, 5), 300 + rng.normal(0, 5)) for i in range(900)],
        [(i / 4, 100 + i, 80.0) for i in range(40)],  # detection's 4 a second: windows end on keys
        sorted((float(t), float(x), float(y)) for t, x, y in rng.uniform(0, 1000, (200, 3)) * [0.01, 1, 1]),
        [(0.0, 1.0, 2.0), (0.0, 3.0, 4.0), (0.25, 5.0, 6.0), (0.5, 7.0, 8.0)],  # repeated times
        [(0.0, 1.0, 2.0), (1.0, 3.0, 4.0)],
    ]
    for keys in tracks:
        got, want = smooth_keyframes(keys, window), _smooth_reference(keys, window)
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert g[0] == w[0] and g[1:] == pytest.approx(w[1:], abs=1e-6)


def test_talking_clip_export_uses_its_recorded_track_and_decodes_nothing(talking, tmp_path, monkeypatch):
    p, clip = _copy(talking, tmp_path)

    def no_decoding(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the export decoded the talking clip to find its face")

    monkeypatch.setattr(export_mod, "face_keyframes_video", no_decoding)
    with p:
        track = read_track(p.sidecar(clip, FACES_SUFFIX))
        tl = _timeline(p, clip, 2.0)
        counting = Counting(lambda rgb: [])
        keys = _export(p, tl, tmp_path, "a", monkeypatch, detector=counting)
        assert counting.calls == 0 and keys[tl.track("video").clips[0].id] == list(track.keys)

        def no_detector(*a, **k):  # noqa: ANN002, ANN003, ANN202
            raise AssertionError("the studio's detector was opened for a talking clip")

        monkeypatch.setattr(export_mod, "default_detector", no_detector)
        keys = _export(p, tl, tmp_path, "b", monkeypatch, preset="youtube", size=(228, 128))
        assert keys[tl.track("video").clips[0].id] == list(track.keys)


@pytest.mark.parametrize("damage", ["garbage", "other size", "not finite", "empty"])
def test_a_broken_or_mismatched_sidecar_falls_back_to_detection(talking, tmp_path, monkeypatch, damage):
    p, clip = _copy(talking, tmp_path)
    with p:
        side = p.sidecar(clip, FACES_SUFFIX)
        doc = json.loads(side.read_text("utf-8"))
        if damage == "garbage":
            side.write_bytes(b"\x00{not json")
        elif damage == "other size":
            doc["width"] += 2
        elif damage == "not finite":
            doc["keys"][3][1] = float("nan")
        else:
            doc["keys"] = []
        if damage != "garbage":
            side.write_text(json.dumps(doc), "utf-8")
        tl = _timeline(p, clip, 2.0)
        counting = Counting(default_detector(None))
        keys = _export(p, tl, tmp_path, "x", monkeypatch, detector=counting)
    got = keys[tl.track("video").clips[0].id]
    assert counting.calls >= 8 and len(got) == counting.calls  # detected, 4 a second
    assert all(np.isfinite(k).all() for k in got)


@pytest.fixture
def astronaut_clip(tmp_path):
    """A 2 s 640x360 clip: the astronaut's face moving right over a grey background."""
    from skimage import data

    face = np.asarray(Image.fromarray(data.astronaut()).resize((240, 240)))
    path = tmp_path / "astronaut.mp4"
    proc = subprocess.Popen(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "640x360", "-r", "15",
         "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "20", str(path)], stdin=subprocess.PIPE)
    for i in range(30):
        frame = np.full((360, 640, 3), 90, np.uint8)
        x = 40 + 10 * i
        frame[60:300, x:x + 240] = face
        proc.stdin.write(frame.tobytes())
    proc.stdin.close()
    assert proc.wait() == 0
    return path


def test_the_cache_answers_a_second_export_and_a_broken_cache_means_detecting_again(
        astronaut_clip, tmp_path, monkeypatch):
    real = default_detector(None)
    counting = Counting(real)
    monkeypatch.setattr(export_mod, "default_detector", lambda store: counting)
    with Project.create(tmp_path, "Cache") as p:
        asset = p.import_file(astronaut_clip, "clip")
        tl = _timeline(p, asset.id, 2.0)
        cid = tl.track("video").clips[0].id
        first = _export(p, tl, tmp_path, "1", monkeypatch, preset="reels", size=(128, 228))[cid]
        assert counting.calls >= 8 and len(first) == counting.calls
        assert first[-1][1] - first[0][1] > 150  # the face moved right and was followed
        cached = list(track_cache().root.glob(f"{asset.sha256}-*.json"))
        assert len(cached) == 1

        counting.calls = 0
        again = _export(p, tl, tmp_path, "2", monkeypatch, preset="reels", size=(128, 228))[cid]
        assert np.allclose(again, first, atol=0.01)  # kept to 1/100 px
        assert counting.calls == 0  # answered by the cache: nothing decoded or detected

        # a shorter trim of the same clip is inside the cached range: still no detection
        short = AddClip(track="video", clip=Clip(asset_id=asset.id, start=0, in_point=0.5, out_point=1.5)
                        ).apply(Timeline.empty())
        p.put_timeline(short)
        got = _export(p, short, tmp_path, "3", monkeypatch, preset="reels", size=(128, 228))
        assert counting.calls == 0 and got[short.track("video").clips[0].id][0][0] <= 0.5

        cached[0].write_text('{"ranges": [{"start": 0, "end": 9, "keys": [[0, "x"]]}]}', "utf-8")
        assert _export(p, tl, tmp_path, "4", monkeypatch, preset="reels", size=(128, 228))[cid] == first
        assert counting.calls >= 8  # the broken cache file was ignored, and replaced
        assert json.loads(cached[0].read_text("utf-8"))["ranges"][0]["keys"][0][1] == pytest.approx(first[0][1])

        # a detector passed in (tests, callers) is always asked: the cache is the studio's own
        before = cached[0].read_bytes()
        mine = Counting(real)
        _export(p, tl, tmp_path, "5", monkeypatch, preset="reels", size=(128, 228), detector=mine)
        assert mine.calls >= 8 and cached[0].read_bytes() == before


def test_talking_over_a_clip_records_the_face_it_followed_and_skips_frames_without_one(tmp_path):
    """Over a clip the face is followed frame to frame; where it is gone no key is recorded, and
    finding it again (a full-frame search) does not disturb the track."""
    from skimage import data

    from pipelines.faces import open_analyzer
    from pipelines.lipsync.life import LifeSettings
    from pipelines.lipsync.talking import TalkingEngine, TalkingRequest

    face = np.asarray(Image.fromarray(data.astronaut()).resize((240, 240)))
    path = tmp_path / "gap.mp4"
    proc = subprocess.Popen(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "480x320", "-r", "15",
         "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", str(path)], stdin=subprocess.PIPE)
    for i in range(30):
        frame = np.full((320, 480, 3), 90, np.uint8)
        if not 10 <= i < 15:  # the face leaves for a third of a second
            frame[40:280, 20 + 6 * i:260 + 6 * i] = face
        proc.stdin.write(frame.tobytes())
    proc.stdin.close()
    assert proc.wait() == 0
    rate = 16_000
    audio = (0.4 * np.sin(2 * np.pi * 200 * np.arange(2 * rate) / rate)).astype(np.float32)
    analyzer = open_analyzer(None, prefer="dlib")
    res = TalkingEngine(analyzer).run(TalkingRequest(path, audio, rate, None, None, 15.0, LifeSettings(seed=2)),
                                      tmp_path / "talk.mp4")
    times = np.array([k[0] for k in res.face_track])
    assert res.frames == 30 and 20 <= len(times) < 30
    assert not ((times > 10.5 / 15) & (times < 14.5 / 15)).any()  # nothing where there was no face
    assert (times > 15.5 / 15).sum() >= 10  # found again after the gap, and recorded
    detect = default_detector(None)
    frames = list(_frames_of(tmp_path / "talk.mp4"))
    for t, cx, cy, _ in res.face_track[::4]:
        found = detect(frames[round(t * 15)])
        assert found, t
        fx, fy, _ = max(found, key=lambda f: f[2])
        assert np.hypot(fx - cx, fy - cy) < 0.04 * 480, (t, fx, fy, cx, cy)


def _frames_of(path):  # noqa: ANN001, ANN202
    from pipelines.video_io import read_frames

    return read_frames(path)
