"""Frames in, talking clip out: read a still or a clip, write H.264 + AAC with imageio-ffmpeg."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from studio.core.errors import BadInput

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".gif"}


def is_video(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def probe_video(path: str | Path) -> tuple[int, int, float, int]:
    """(width, height, fps, frame count estimate) of a clip."""
    import imageio_ffmpeg

    try:
        reader = imageio_ffmpeg.read_frames(str(path))
        meta = next(reader)
        reader.close()
    except (OSError, RuntimeError, StopIteration) as e:
        raise BadInput(f"{path} is not a readable video ({e}).") from e
    w, h = meta["size"]
    fps = float(meta.get("fps") or 30.0)
    n = int(round(float(meta.get("duration") or 0) * fps))
    return int(w), int(h), fps, n


def read_frames(path: str | Path) -> Iterator[np.ndarray]:
    """RGB uint8 frames of a clip, one at a time."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    meta = next(reader)
    w, h = meta["size"]
    try:
        for buf in reader:
            yield np.frombuffer(buf, np.uint8).reshape(h, w, 3)
    finally:
        reader.close()


def even_size(rgb: np.ndarray) -> np.ndarray:
    """H.264 in yuv420p needs even width and height: crop one pixel if needed."""
    h, w = rgb.shape[:2]
    return rgb[: h - h % 2, : w - w % 2]


class ClipWriter:
    """Writes RGB frames as H.264 (yuv420p) and muxes an audio file as AAC."""

    def __init__(self, path: str | Path, size: tuple[int, int], fps: float, audio: str | Path | None = None,
                 crf: int = 18, preset: str = "veryfast"):
        import imageio_ffmpeg

        self.path = Path(path)
        params = ["-crf", str(crf), "-preset", preset, "-movflags", "+faststart"]
        self._gen = imageio_ffmpeg.write_frames(
            str(self.path), size, fps=fps, codec="libx264", pix_fmt_in="rgb24", pix_fmt_out="yuv420p",
            quality=None, macro_block_size=2, ffmpeg_log_level="error", output_params=params,
            audio_path=str(audio) if audio is not None else None, audio_codec="aac" if audio is not None else None,
        )
        self._gen.send(None)
        self.frames = 0

    def write(self, rgb: np.ndarray) -> None:
        self._gen.send(np.ascontiguousarray(rgb))
        self.frames += 1

    def close(self) -> None:
        self._gen.close()

    def __enter__(self) -> ClipWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_clip(path: str | Path, frames: Iterable[np.ndarray], fps: float, audio: str | Path | None = None) -> int:
    """Write all `frames` (same size) to `path`; returns the number written."""
    it = iter(frames)
    first = next(it, None)
    if first is None:
        raise BadInput("No frames to write.")
    h, w = first.shape[:2]
    with ClipWriter(path, (w, h), fps, audio) as wr:
        wr.write(first)
        for f in it:
            wr.write(f)
        return wr.frames
