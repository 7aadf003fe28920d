"""The embedded talking-photo engine: visemes, blinks, head motion, and rendered mouths for real."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.lipsync.life import MAX_GAP_S, LifeSettings, blink_curve, blink_schedule, life_track
from pipelines.lipsync.visemes import coarticulate, mouth_track, viseme_of


def _timeline(sounds: str, step: float = 0.12, start: float = 0.2) -> list[dict]:
    return [{"phoneme": p, "start": start + i * step, "end": start + (i + 1) * step} for i, p in enumerate(sounds)]


def _frame(ph: list[dict], k: int, fps: float) -> int:
    return int((ph[k]["start"] + ph[k]["end"]) / 2 * fps)


def test_visemes_close_on_mbp_round_on_o_u_w_spread_on_ee_teeth_on_fv():
    assert viseme_of("m").closes and viseme_of("b").closes and viseme_of("p").closes
    assert viseme_of("u").spread < -0.5 and viseme_of("w").spread < -0.5 and viseme_of("oʊ").spread < -0.5
    assert viseme_of("i").spread > 0.8 and viseme_of("iː").spread > 0.8
    assert viseme_of("f").tuck == 1.0 and viseme_of("v").tuck == 1.0
    assert viseme_of("θ").tongue == 1.0
    assert viseme_of("a").open == 1.0 and viseme_of("a").jaw == 1.0
    assert viseme_of("q!").open == pytest.approx(0.3)  # unknown sounds get a neutral opening


def test_coarticulation_reaches_closure_between_open_vowels_and_blends_neighbours():
    fps = 60.0
    ph = _timeline("ama", step=0.09)  # fast speech: the m is only 90 ms
    p = coarticulate(ph, fps, int(fps))
    a1, m, a2 = (_frame(ph, k, fps) for k in range(3))
    assert p["open"][m] < 0.02  # lips meet on the bilabial however short it is
    assert p["open"][a1] > 0.5 and p["open"][a2] > 0.5
    # neighbours blend: the vowel next to a rounded sound is rounder than the same vowel alone
    alone = coarticulate(_timeline("a"), fps, int(fps))
    rounded = coarticulate(_timeline("aw", step=0.1), fps, int(fps))
    assert rounded["spread"][_frame(_timeline("aw", step=0.1), 0, fps)] < alone["spread"][_frame(_timeline("a"), 0, fps)]
    # no jumps: frame-to-frame change stays below what a jaw can do
    assert np.abs(np.diff(p["jaw"])).max() < 0.25


def test_mouth_track_is_closed_in_silence_and_follows_loudness():
    rate, fps = 16_000, 30.0
    t = np.arange(rate * 2) / rate
    audio = (np.sin(2 * np.pi * 180 * t) * (t > 0.5) * (t < 1.5)).astype(np.float32)
    ph = _timeline("aaaaaaaa", step=0.125, start=0.5)
    track = mouth_track(audio, rate, fps, 60, ph)
    assert track.open[:8].max() == 0 and track.open[-8:].max() == 0
    assert track.open[20:40].min() > 0.3


def test_blinks_are_natural_irregular_and_never_cut_mid_blink():
    rng = np.random.default_rng(1)
    gaps, rates = [], []
    for _ in range(200):
        starts = blink_schedule(60.0, 15.0, rng)
        rates.append(len(starts))
        gaps += list(np.diff(starts))
        assert starts[0] >= 0.4 and starts[-1] <= 60.0 - 0.29
    assert 10 <= np.mean(rates) <= 20
    gaps = np.array(gaps)
    assert gaps.min() >= 1.2 - 1e-9 and gaps.max() <= MAX_GAP_S + 1e-9  # at least one blink every 6 s
    assert 0.25 < gaps.std() / gaps.mean() < 0.7  # irregular, not a metronome
    curve = blink_curve([1.0], 30.0, 60)
    assert curve.max() == pytest.approx(1.0, abs=0.05) and curve[0] == 0 and curve[-1] == 0
    closing = np.flatnonzero(curve > 0.05)
    assert 4 <= len(closing) <= 12  # ~0.3 s, closing fast and opening slower
    assert np.argmax(curve) - closing[0] < closing[-1] - np.argmax(curve)


def test_head_motion_is_bounded_seeded_and_settles_in_pauses():
    fps = 30.0
    env = np.zeros(900, np.float32)
    env[60:420] = 0.6 + 0.4 * (np.sin(np.arange(360) / 3.0) > 0.6)  # 12 s talking with stresses
    a = life_track(env, fps, LifeSettings(seed=3))
    b = life_track(env, fps, LifeSettings(seed=3))
    c = life_track(env, fps, LifeSettings(seed=4))
    assert np.array_equal(a.head, b.head) and np.array_equal(a.blink, b.blink)
    assert not np.array_equal(a.head, c.head)
    assert np.abs(np.degrees(a.head[:, 0])).max() <= 3.0 and np.abs(a.head[:, 1:3]).max() <= 0.05
    stats = a.stats(fps)
    assert stats["head_roll_range_deg"] > 0.5 and stats["head_shift_range_pct"] > 0.5  # visible
    assert 8 <= stats["blinks_per_min"] <= 22
    speed = np.abs(np.diff(a.head[:, 2]))
    assert speed[100:400].mean() > speed[600:].mean()  # talking moves more than the pause
    assert a.brow.max() > 0.2  # brows lift on the stresses
    still = life_track(env, fps, LifeSettings(head_motion=0, blink_rate=0))
    assert np.abs(still.head).max() == 0 and still.blink.max() == 0


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """The real Piper voice saying a line with M/B/P, open vowels, O/U and F."""
    from pipelines.tts.audio_io import write_wav
    from pipelines.tts.piper_engine import PiperNarrator
    from pipelines.tts.types import NarrationRequest
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    folder = tmp_path_factory.mktemp("talk")
    settings = Settings()
    settings.models_dir = str(folder / "models")
    narrator = PiperNarrator(ModelStore(settings), "piper-en_US-joe-medium")
    narrator.load()
    res = narrator.run(NarrationRequest(text="Mama made a big apple pie. Who knows? Five fine boats."))
    wav = folder / "line.wav"
    write_wav(wav, res.audio, res.sample_rate)
    ph = [{"phoneme": p.phoneme, "start": p.start, "end": p.end} for p in res.phonemes]
    return res.audio, res.sample_rate, wav, ph


@pytest.mark.parametrize("face", ["astronaut", "grace_hopper_like"])
def test_rendered_mouth_closes_on_mbp_and_opens_on_vowels(spoken, tmp_path, face):
    """Re-measured by the mesh on the rendered frames: closed at M/B/P, open at 'a', blinks, moves."""
    import cv2
    from PIL import Image
    from skimage import data

    from pipelines.faces import open_analyzer
    from pipelines.faces.mesh import to68
    from pipelines.lipsync.sync_score import mouth_opening
    from pipelines.lipsync.talking import TalkingEngine, TalkingRequest
    from pipelines.video_io import read_frames

    audio, rate, wav, ph = spoken
    img = data.astronaut()
    if face == "grace_hopper_like":  # a greyscale, closed-mouth-looking variant: lips pressed
        img = np.repeat(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)[..., None], 3, 2)
    path = tmp_path / "face.png"
    Image.fromarray(cv2.resize(img, (384, 384), interpolation=cv2.INTER_AREA)).save(path)
    analyzer = open_analyzer(None, prefer="dlib")
    fps = 25.0
    res = TalkingEngine(analyzer).run(TalkingRequest(path, audio, rate, wav, ph, fps, LifeSettings(seed=1)),
                                      tmp_path / "talk.mp4")
    frames = list(read_frames(tmp_path / "talk.mp4"))
    assert len(frames) == res.frames
    opening = []
    for f in frames:
        found = analyzer.detect(f, embed=False)
        opening.append(mouth_opening(to68(found[0].extra["mesh"])) if found else np.nan)
    opening = np.array(opening)
    closed = [i for i, p in enumerate(ph) if p["phoneme"] in "mbp"]
    opened = [i for i, p in enumerate(ph) if p["phoneme"] in ("a", "æ", "aɪ", "ɑ")]
    at = [int((ph[i]["start"] + ph[i]["end"]) / 2 * fps) for i in closed]
    ao = [int((ph[i]["start"] + ph[i]["end"]) / 2 * fps) for i in opened]
    assert closed and opened
    # the mesh reads a smiling face's closed lips as slightly open (it predicts from the whole
    # face), so the closed reference is the first frame, before the first word
    rest = opening[0]
    assert np.nanmedian(opening[at]) < rest + 0.02, (opening[at], rest)
    assert np.nanmedian(opening[ao]) > np.nanmedian(opening[at]) + 0.03, (opening[ao], opening[at])
    assert res.scores["sync_correlation"] >= 0.4  # the mesh reads smiling lips as half open
    assert res.scores["blinks_per_min"] > 0 and res.scores["head_roll_range_deg"] > 0.3
