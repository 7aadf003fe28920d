"""Running ffmpeg for renders; the binary and the probe are studio.core.media's (re-exported here)."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

from studio.core.errors import StudioError
from studio.core.media import (  # one finder, one probe; re-exported here
    MediaInfo,
    ffmpeg_exe,
    probe,
)
from studio.core.tasks import TaskContext

__all__ = ["MediaInfo", "ffmpeg_exe", "is_faststart", "probe", "run_ffmpeg", "top_level_boxes"]

_TIME = re.compile(r"out_time_us=(\d+)")


def run_ffmpeg(
    args: list[str], ctx: TaskContext | None = None, duration: float = 0.0, label: str = "Encoding"
) -> str:
    """Run `ffmpeg ARGS`, reporting progress from `-progress` and stopping on cancel.

    Returns stderr (filters like loudnorm print their results there). Raises StudioError with
    ffmpeg's last lines when it fails.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-progress", "pipe:1", "-nostats", *args]
    import threading

    err_lines: list[str] = []
    total_us = max(duration, 1e-3) * 1e6
    # `with` closes both pipes (an open pipe per export leaked file handles in long GUI sessions)
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        reader = threading.Thread(target=lambda: err_lines.extend(proc.stderr), daemon=True)  # type: ignore[arg-type]
        reader.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                m = _TIME.match(line)
                if m and ctx is not None:
                    ctx.progress(min(int(m.group(1)), int(total_us)), int(total_us), label)
        except BaseException:
            proc.kill()
            proc.wait()
            reader.join()
            raise
        rc = proc.wait()
        reader.join()
    stderr = "".join(err_lines)
    if rc != 0:
        if "No space left on device" in stderr:  # the output's disk filled during the render
            from studio.core.diskspace import disk_full

            out = Path(args[-1]).parent if args else Path.cwd()
            raise disk_full(out, what="the render")
        tail = "\n".join(stderr.strip().splitlines()[-6:])
        raise StudioError(f"ffmpeg failed (exit {rc}):\n{tail}")
    return stderr


def top_level_boxes(path: str | Path) -> list[str]:
    """The MP4's top-level box types in file order (faststart puts 'moov' before 'mdat')."""
    boxes: list[str] = []
    with open(path, "rb") as fh:
        while True:
            head = fh.read(8)
            if len(head) < 8:
                break
            size, kind = struct.unpack(">I4s", head)
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0]
                fh.seek(size - 16, 1)
            elif size == 0:
                boxes.append(kind.decode("latin-1"))
                break
            else:
                fh.seek(size - 8, 1)
            boxes.append(kind.decode("latin-1"))
    return boxes


def is_faststart(path: str | Path) -> bool:
    """True when the movie header (moov) comes before the media data (mdat)."""
    boxes = top_level_boxes(path)
    return "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat")
