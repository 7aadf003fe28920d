"""Reading and writing video frames with imageio-ffmpeg (the ffmpeg binary it ships)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from studio.core.errors import BadInput


def iter_frames(path: str | Path) -> tuple[dict, Iterator[tuple[int, np.ndarray]]]:
    """(meta, frames): meta has size (w, h), fps, duration, nframes, has_audio; frames yields
    (index, RGB uint8 array)."""
    import imageio_ffmpeg

    try:
        gen = imageio_ffmpeg.read_frames(str(path))
        meta = dict(gen.__next__())
    except (OSError, RuntimeError, StopIteration) as e:
        raise BadInput(
            f"{Path(path).name} is not a video ffmpeg can read ({e}). Export it as MP4 and try again."
        ) from None
    w, h = meta["size"]
    fps = float(meta.get("fps") or 25.0)
    meta["fps"] = fps
    meta["nframes"] = int(round(float(meta.get("duration") or 0) * fps))
    meta["has_audio"] = bool(meta.get("audio_codec"))

    def frames() -> Iterator[tuple[int, np.ndarray]]:
        for i, buf in enumerate(gen):
            yield i, np.frombuffer(buf, np.uint8).reshape(h, w, 3)

    return meta, frames()


def write_video(
    path: str | Path,
    frames: Iterator[np.ndarray],
    size: tuple[int, int],
    fps: float,
    audio_from: str | Path | None = None,
) -> None:
    """Write H.264 (yuv420p) frames, copying the audio track of `audio_from` if it has one."""
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(
        str(path),
        size,
        fps=fps,
        codec="libx264",
        pix_fmt_out="yuv420p",
        quality=8,
        macro_block_size=2,
        audio_path=str(audio_from) if audio_from else None,
        audio_codec="aac" if audio_from else None,
        output_params=["-movflags", "+faststart"],
    )
    writer.send(None)
    try:
        for f in frames:
            writer.send(np.ascontiguousarray(f))
    finally:
        writer.close()
