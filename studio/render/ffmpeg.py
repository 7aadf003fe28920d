"""Running ffmpeg (found by studio.core.media), plus a tiny probe (imageio-ffmpeg ships no ffprobe)."""

from __future__ import annotations

import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import BadInput, StudioError
from studio.core.media import ffmpeg_exe  # one finder for pipelines and render; re-exported here
from studio.core.tasks import TaskContext

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
        tail = "\n".join(stderr.strip().splitlines()[-6:])
        raise StudioError(f"ffmpeg failed (exit {rc}):\n{tail}")
    return stderr


@dataclass(frozen=True)
class MediaInfo:
    """What `ffmpeg -i` says about a file."""

    duration: float
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    has_video: bool = False
    has_audio: bool = False
    audio_rate: int | None = None
    video_codec: str = ""
    audio_codec: str = ""
    text: str = ""


def probe(path: str | Path) -> MediaInfo:
    """Read duration, size, fps and streams from ffmpeg's banner for `path`."""
    r = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, timeout=60
    )
    text = r.stderr
    if "Input #0" not in text:
        lines = text.strip().splitlines()
        why = lines[-1].strip() if lines else f"ffmpeg exit {r.returncode}"
        raise BadInput(
            f"'{Path(path).name}' is not a media file ffmpeg can read ({why}). "
            "Check the path, or export it again as MP4 (video), WAV (audio) or PNG/JPEG (image)."
        )
    dur = 0.0
    m = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", text)
    if m:
        dur = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    info: dict = {"duration": dur, "text": text}
    vm = re.search(r"Stream #\S+.*?Video: (\w+).*?, (\d{2,5})x(\d{2,5})", text)
    if vm:
        info.update(has_video=True, video_codec=vm.group(1), width=int(vm.group(2)), height=int(vm.group(3)))
        fm = re.search(r"(\d+(?:\.\d+)?) fps", text)
        if fm:
            info["fps"] = float(fm.group(1))
    am = re.search(r"Stream #\S+.*?Audio: (\w+).*?(\d+) Hz", text)
    if am:
        info.update(has_audio=True, audio_codec=am.group(1), audio_rate=int(am.group(2)))
    return MediaInfo(**info)


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
