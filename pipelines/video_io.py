"""Reading and writing clips: one place for every pipeline and action that handles video.

Frames are read and written through imageio-ffmpeg's pipes (its static ffmpeg has libx264);
`ffmpeg_exe()` — the same rule render uses — runs the one-off commands (frame interpolation).
Clips are written for editing, not for posting: H.264 (yuv420p, plays everywhere, +faststart) at
the caller's CRF/preset, or lossless FFV1 in Matroska. A narration or the source clip's sound can
be muxed in as AAC (or copied as it is).
"""

from __future__ import annotations

import queue
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from studio.core.errors import BadInput, StudioError
from studio.core.media import ffmpeg_exe
from studio.core.tasks import TaskContext, null_context

Codec = Literal["h264", "ffv1"]
AudioCodec = Literal["aac", "copy"]
VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".gif"}
_VCODEC = {"h264": "libx264", "ffv1": "ffv1"}

__all__ = [
    "VIDEO_SUFFIXES", "Codec", "VideoInfo", "VideoWriter", "encoder_args", "even_size", "ffmpeg_exe",
    "interpolate", "interpolate_args", "is_video", "probe", "read_frames", "suffix_for", "write_video",
]


def is_video(path: str | Path) -> bool:
    """True when the file name says it is a clip (decided by suffix; nothing is opened)."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def even_size(rgb: np.ndarray) -> np.ndarray:
    """H.264 in yuv420p needs even width and height: crop one pixel if needed."""
    h, w = rgb.shape[:2]
    return rgb[: h - h % 2, : w - w % 2]


def suffix_for(codec: Codec) -> str:
    """File suffix for a codec: FFV1 lives in Matroska, H.264 in MP4."""
    return ".mkv" if codec == "ffv1" else ".mp4"


def encoder_args(codec: Codec = "h264", crf: int = 12, preset: str = "veryfast") -> list[str]:
    """ffmpeg output arguments for an edit-friendly clip (pure; unit-tested as a list)."""
    if codec == "ffv1":
        return ["-c:v", "ffv1", "-level", "3", "-pix_fmt", "yuv444p", "-g", "1"]
    # CRF 12 is visually lossless for re-editing; +faststart lets players seek before the end.
    return ["-c:v", "libx264", "-preset", preset, "-crf", str(int(crf)), "-pix_fmt", "yuv420p",
            "-movflags", "+faststart"]


# ---------------------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class VideoInfo:
    """What ffmpeg says about a clip. `frames` is duration × fps unless probed with count=True."""

    width: int
    height: int
    fps: float
    frames: int
    seconds: float
    has_audio: bool = False

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


def _open(path: str | Path) -> tuple[Any, dict]:
    """imageio-ffmpeg's RGB frame generator, already past its metadata, and that metadata."""
    import imageio_ffmpeg

    try:
        gen = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
        meta = dict(gen.__next__())
    except (OSError, RuntimeError, StopIteration) as e:
        raise BadInput(
            f"{Path(path).name} is not a video ffmpeg can read ({e}). Export it as MP4 and try again."
        ) from None
    return gen, meta


def probe(path: str | Path, count: bool = False) -> VideoInfo:
    """Size, fps, frame count, duration and whether there is sound.

    The frame count is estimated from the container's duration; `count=True` decodes the stream
    to count exactly (like ffprobe -count_frames), which costs a full decode.
    """
    gen, meta = _open(path)
    gen.close()
    w, h = meta["size"]
    fps = float(meta.get("fps") or 25.0)  # imageio reports 0 when the stream states no rate
    seconds = float(meta.get("duration") or 0.0)
    frames = int(round(seconds * fps))
    if count:
        import imageio_ffmpeg

        frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    return VideoInfo(int(w), int(h), fps, int(frames), float(seconds), bool(meta.get("audio_codec")))


def read_frames(path: str | Path) -> Iterator[np.ndarray]:
    """Decode a clip into RGB uint8 frames, one at a time."""
    gen, meta = _open(path)
    w, h = meta["size"]
    try:
        for buf in gen:
            yield np.frombuffer(buf, np.uint8).reshape(h, w, 3)
    finally:
        gen.close()


# ---------------------------------------------------------------------------------------- writing
_DONE = object()


class VideoWriter:
    """Writes RGB uint8 frames of `size` (w, h) to a clip, optionally with an audio file muxed in.

    `write` hands the frame to a feeder thread that pipes it to ffmpeg, so making frame n+1
    overlaps encoding frame n (OpenCV, numpy and the pipe all release the GIL). Use it as a
    context manager: leaving normally finishes the file; an exception (a cancel included) stops
    ffmpeg and deletes the partial file.
    """

    def __init__(
        self,
        path: str | Path,
        size: tuple[int, int],
        fps: float,
        codec: Codec = "h264",
        crf: int = 12,
        preset: str = "veryfast",
        audio: str | Path | None = None,
        audio_codec: AudioCodec = "aac",
    ) -> None:
        import imageio_ffmpeg

        w, h = size
        if codec != "ffv1" and (w % 2 or h % 2):
            raise StudioError(f"Video size {w}×{h} must be even for H.264; choose an even size.")
        self.path, self.size, self.frames = Path(path), (int(w), int(h)), 0
        self._gen = imageio_ffmpeg.write_frames(
            str(self.path), self.size, fps=fps, codec=_VCODEC.get(codec, "libx264"), quality=None,
            macro_block_size=1, pix_fmt_out="yuv444p" if codec == "ffv1" else "yuv420p",
            output_params=encoder_args(codec, crf, preset), ffmpeg_log_level="error",
            audio_path=str(audio) if audio is not None else None,
            audio_codec=audio_codec if audio is not None else None,
        )
        self._gen.send(None)  # start ffmpeg
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._closed = False
        self._feeder = threading.Thread(target=self._feed, daemon=True, name="ffmpeg-feed")
        self._feeder.start()

    def _feed(self) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is None:  # after a failure keep draining so `write` never blocks
                try:
                    self._gen.send(item)
                except BaseException as e:  # handed to the caller's thread by `write`/`close`
                    self._error = e

    def write(self, rgb: np.ndarray) -> None:
        """Queue one frame (it must be exactly `size`)."""
        if self._error is not None:
            raise StudioError(f"ffmpeg stopped while writing {self.path.name}: {self._error}")
        w, h = self.size
        if rgb.shape[:2] != (h, w):
            raise StudioError(f"Frame {self.frames} is {rgb.shape[1]}×{rgb.shape[0]}, expected {w}×{h}.")
        self._queue.put(np.ascontiguousarray(rgb, dtype=np.uint8))
        self.frames += 1

    def _stop(self) -> None:
        self._closed = True
        self._queue.put(_DONE)
        self._feeder.join()
        self._gen.close()  # closes ffmpeg's stdin and waits for it to finish the file

    def close(self) -> None:
        """Finish the clip; raises StudioError (and deletes the file) if ffmpeg failed."""
        if self._closed:
            return
        try:
            self._stop()
        except BaseException:
            self.path.unlink(missing_ok=True)
            raise
        if self._error is not None:
            self.path.unlink(missing_ok=True)
            raise StudioError(f"ffmpeg could not write {self.path.name}: {self._error}")

    def abort(self) -> None:
        """Stop ffmpeg and delete the partial file (after a cancel or a failure)."""
        if not self._closed:
            while True:  # frames still queued would only be encoded to be thrown away
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            try:
                self._stop()
            except Exception:  # the file is deleted anyway; the caller's exception matters
                pass
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    fps: float,
    size: tuple[int, int],
    total: int | None = None,
    codec: Codec = "h264",
    crf: int = 12,
    preset: str = "veryfast",
    audio: str | Path | None = None,
    audio_codec: AudioCodec = "aac",
    ctx: TaskContext | None = None,
    label: str = "Encoding",
) -> int:
    """Write every frame to `path` with a `VideoWriter`; returns the number written.

    With `total`, progress is reported per frame; a cancel stops ffmpeg and leaves no file.
    """
    ctx = ctx or null_context()
    with VideoWriter(path, size, fps, codec, crf, preset, audio, audio_codec) as out:
        for f in frames:
            out.write(f)
            if total:
                ctx.progress(out.frames, total, label)
            else:
                ctx.raise_if_cancelled()
    return out.frames


# ---------------------------------------------------------------------------------- interpolation
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
