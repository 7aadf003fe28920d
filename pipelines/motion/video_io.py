"""Reading and writing clips with the ffmpeg that ships in imageio-ffmpeg.

Clips are written for editing, not for posting: H.264 at CRF 12 (yuv420p, plays everywhere) by
default, or lossless FFV1 in Matroska. Frames go to ffmpeg through a pipe while the next frame is
being made, so the encoder (its own process) and our frame maker run in parallel.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from studio.core.errors import StudioError
from studio.core.tasks import TaskContext, null_context

Codec = Literal["h264", "ffv1"]


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary bundled with imageio-ffmpeg."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def encoder_args(codec: Codec = "h264", crf: int = 12, preset: str = "veryfast") -> list[str]:
    """ffmpeg output arguments for an edit-friendly clip (pure; unit-tested as a list)."""
    if codec == "ffv1":
        return ["-c:v", "ffv1", "-level", "3", "-pix_fmt", "yuv444p", "-g", "1"]
    # CRF 12 is visually lossless for re-editing; +faststart lets players seek before the end.
    return ["-c:v", "libx264", "-preset", preset, "-crf", str(int(crf)), "-pix_fmt", "yuv420p",
            "-movflags", "+faststart"]


def suffix_for(codec: Codec) -> str:
    return ".mkv" if codec == "ffv1" else ".mp4"


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    fps: float,
    size: tuple[int, int],
    total: int | None = None,
    codec: Codec = "h264",
    crf: int = 12,
    preset: str = "veryfast",
    ctx: TaskContext | None = None,
    label: str = "Encoding",
) -> int:
    """Pipe RGB uint8 frames of `size` (w, h) into ffmpeg; returns the number written.

    Frames are produced in a worker thread (OpenCV releases the GIL) while this thread feeds the
    pipe, so making frame n+1 overlaps encoding frame n. A cancel stops ffmpeg and deletes the
    partial file.
    """
    import imageio_ffmpeg

    ctx = ctx or null_context()
    w, h = size
    if w % 2 or h % 2:
        raise StudioError(f"Video size {w}×{h} must be even for H.264; choose an even size.")
    writer = imageio_ffmpeg.write_frames(
        str(path), (w, h), fps=fps, codec=None, quality=None, macro_block_size=1,
        pix_fmt_out="yuv444p" if codec == "ffv1" else "yuv420p",
        output_params=encoder_args(codec, crf, preset), ffmpeg_log_level="error",
    )
    writer.send(None)  # start ffmpeg
    q: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for f in frames:
                if stop.is_set():
                    return
                q.put(f)
            q.put(done)
        except BaseException as e:  # hand the failure to the writing thread
            q.put(e)

    worker = threading.Thread(target=produce, daemon=True, name="frame-maker")
    worker.start()
    n = 0
    ok = False
    try:
        while True:
            item = q.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            if item.shape[:2] != (h, w):
                raise StudioError(f"Frame {n} is {item.shape[1]}×{item.shape[0]}, expected {w}×{h}.")
            writer.send(np.ascontiguousarray(item, dtype=np.uint8))
            n += 1
            if total:
                ctx.progress(n, total, label)
            else:
                ctx.raise_if_cancelled()
        ok = True
    finally:
        stop.set()
        while worker.is_alive():  # unblock the producer if it waits on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                worker.join(0.05)
        writer.close()
        if not ok:
            Path(path).unlink(missing_ok=True)
    return n


@dataclass(frozen=True)
class VideoInfo:
    """What ffmpeg says about a clip."""

    width: int
    height: int
    fps: float
    frames: int
    seconds: float


def probe(path: str | Path) -> VideoInfo:
    """Size, fps and exact frame count (decodes the stream to count, like ffprobe -count_frames)."""
    import imageio_ffmpeg

    gen = imageio_ffmpeg.read_frames(str(path))
    meta = gen.__next__()
    gen.close()
    frames, secs = imageio_ffmpeg.count_frames_and_secs(str(path))
    w, h = meta["size"]
    return VideoInfo(int(w), int(h), float(meta["fps"]), int(frames), float(secs))


def read_frames(path: str | Path) -> Iterator[np.ndarray]:
    """Decode a clip into RGB uint8 frames."""
    import imageio_ffmpeg

    gen = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    meta = gen.__next__()
    w, h = meta["size"]
    try:
        for buf in gen:
            yield np.frombuffer(buf, np.uint8).reshape(h, w, 3)
    finally:
        gen.close()


def interpolate_args(src: str | Path, dst: str | Path, fps: int, codec: Codec = "h264", crf: int = 12) -> list[str]:
    """ffmpeg command that re-times a clip to `fps` with motion-compensated interpolation."""
    vf = f"minterpolate=fps={int(fps)}:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1"
    return [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-i", str(src), "-vf", vf,
            *encoder_args(codec, crf), str(dst)]


def interpolate(src: str | Path, dst: str | Path, fps: int, codec: Codec = "h264", ctx: TaskContext | None = None) -> None:
    """Run ffmpeg minterpolate; cancel kills ffmpeg and removes the partial output."""
    ctx = ctx or null_context()
    proc = subprocess.Popen(interpolate_args(src, dst, fps, codec), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while proc.poll() is None:
            try:
                proc.wait(0.25)
            except subprocess.TimeoutExpired:
                ctx.raise_if_cancelled()
    except BaseException:
        proc.kill()
        proc.wait()
        Path(dst).unlink(missing_ok=True)
        raise
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
        Path(dst).unlink(missing_ok=True)
        raise StudioError(f"Frame interpolation to {fps} fps failed: {err[-300:]}")
