"""pipelines.video_io: the one clip reader/writer — real ffmpeg round trips on tiny clips."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.tts.audio_io import write_wav
from pipelines.video_io import (
    VideoWriter,
    encoder_args,
    even_size,
    ffmpeg_exe,
    interpolate,
    interpolate_args,
    is_video,
    probe,
    read_frames,
    suffix_for,
    write_video,
)
from studio.core.errors import BadInput, StudioError
from studio.core.tasks import Cancelled, TaskContext


def _frames(n: int, w: int = 64, h: int = 48) -> list[np.ndarray]:
    """A bright square sliding right over a gradient: easy to recognise after lossy coding."""
    base = np.tile(np.linspace(0, 200, w, dtype=np.uint8)[None, :, None], (h, 1, 3))
    out = []
    for i in range(n):
        f = base.copy()
        f[10:30, 4 * i : 4 * i + 16] = (250, 40, 40)
        out.append(f)
    return out


@pytest.fixture
def tone(tmp_path):
    t = np.arange(16_000) / 16_000
    path = tmp_path / "tone.wav"
    write_wav(path, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16_000)
    return path


def test_h264_with_narration_round_trips(tmp_path, tone):
    src = _frames(10)
    out = tmp_path / "clip.mp4"
    assert write_video(out, src, 10, (64, 48), crf=12, audio=tone) == 10
    info = probe(out, count=True)
    assert (info.size, info.fps, info.frames, info.has_audio) == ((64, 48), 10.0, 10, True)
    back = list(read_frames(out))
    assert len(back) == 10 and back[0].shape == (48, 64, 3)
    err = np.abs(back[5].astype(int) - src[5].astype(int)).mean()
    assert err < 6, f"CRF 12 should be near-lossless, mean error {err:.1f}"
    assert probe(out).frames == 10  # the cheap estimate agrees for a well-formed clip


def test_ffv1_and_audio_copy(tmp_path, tone):
    with_sound = tmp_path / "a.mp4"
    write_video(with_sound, _frames(5), 5, (64, 48), audio=tone)
    out = tmp_path / ("b" + suffix_for("ffv1"))
    with VideoWriter(out, (64, 48), 5, codec="ffv1", audio=with_sound, audio_codec="copy") as w:
        for f in _frames(5):
            w.write(f)
    info = probe(out, count=True)
    assert out.suffix == ".mkv" and info.frames == 5 and info.has_audio
    # FFV1 is lossless on yuv444p: only the RGB↔YUV rounding is left
    assert np.abs(next(read_frames(out)).astype(int) - _frames(1)[0].astype(int)).max() <= 3


def test_cancel_stops_ffmpeg_and_leaves_no_file(tmp_path):
    ctx = TaskContext()
    out = tmp_path / "cancelled.mp4"

    def frames():
        for i, f in enumerate(_frames(12)):
            if i == 6:
                ctx.cancel()
            yield f

    with pytest.raises(Cancelled):
        write_video(out, frames(), 10, (64, 48), total=12, ctx=ctx)
    assert not out.exists()


def test_a_failing_frame_maker_leaves_no_file(tmp_path):
    out = tmp_path / "broken.mp4"

    def frames():
        yield from _frames(3)
        raise RuntimeError("renderer fell over")

    with pytest.raises(RuntimeError, match="fell over"):
        write_video(out, frames(), 10, (64, 48))
    assert not out.exists()


def test_bad_sizes_are_refused(tmp_path):
    with pytest.raises(StudioError, match="even"):
        VideoWriter(tmp_path / "odd.mp4", (63, 48), 10)
    out = tmp_path / "wrong.mp4"
    with pytest.raises(StudioError, match="expected 64×48"):
        write_video(out, [np.zeros((48, 64, 3), np.uint8), np.zeros((40, 64, 3), np.uint8)], 10, (64, 48))
    assert not out.exists()
    assert even_size(np.zeros((47, 63, 3))).shape == (46, 62, 3)


def test_unreadable_video_is_bad_input(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("not a video")
    assert is_video(fake) and not is_video(tmp_path / "face.png")
    with pytest.raises(BadInput, match="not a media file ffmpeg can read"):
        probe(fake)
    with pytest.raises(BadInput):
        next(read_frames(fake))


def test_interpolate_retimes_a_clip(tmp_path):
    src = tmp_path / "slow.mp4"
    write_video(src, _frames(8), 8, (64, 48))
    args = interpolate_args(src, tmp_path / "x.mp4", 24)
    assert args[0] == ffmpeg_exe() and "minterpolate=fps=24" in args[args.index("-vf") + 1]
    assert args[-1].endswith("x.mp4") and args[-1 - len(encoder_args()) : -1] == encoder_args()
    out = tmp_path / "smooth.mp4"
    interpolate(src, out, 24)
    info = probe(out, count=True)
    assert info.fps == 24.0 and 2 * 8 < info.frames <= 3 * 8 + 2  # new in-between frames, same length


def test_interpolate_failure_reports_ffmpeg_and_leaks_no_pipe(tmp_path):
    """The stderr pipe was never drained nor closed (a ResourceWarning per call, and a chatty
    ffmpeg could fill it and stall); a failure must still say what ffmpeg said."""
    import gc
    import warnings

    bad = tmp_path / "bad.mp4"
    bad.write_text("not a video")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(StudioError, match=r"Frame interpolation to 24 fps failed \(.*Invalid data") as e:
            interpolate(bad, tmp_path / "out.mp4", 24)
        assert "\n" not in e.value.message and "without --interpolate" in e.value.message
        gc.collect()
    assert not (tmp_path / "out.mp4").exists()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
