"""Media files: which ffmpeg the studio runs, what kind a file is, and what ffmpeg says about it.

One rule, one suffix list and one probe for pipelines, render and the window alike.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


def ffmpeg_version(exe: str) -> tuple[int, ...]:
    """(major, minor) from `exe -version`, or () when it does not run or says no version."""
    try:
        out = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    m = re.search(r"ffmpeg version n?(\d+)\.(\d+)", out)
    return tuple(int(x) for x in m.groups()) if m else ()


@functools.cache
def ffmpeg_exe() -> str:
    """imageio-ffmpeg's static build (has libx264, libass, loudnorm), or the system's if newer."""
    import imageio_ffmpeg  # lazily: core imports no third-party media code at start-up

    bundled = imageio_ffmpeg.get_ffmpeg_exe()
    system = shutil.which("ffmpeg")
    if system and ffmpeg_version(system) > ffmpeg_version(bundled):
        return system
    return bundled


# ------------------------------------------------------------------------------ file kinds
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".gif"})
AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac"})


def is_video(path: str | Path) -> bool:
    """True when the file name says it is a clip (decided by suffix; nothing is opened)."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


# ------------------------------------------------------------------------------ probe
@dataclass(frozen=True)
class MediaInfo:
    """What ffmpeg says about a file (imageio-ffmpeg ships no ffprobe, so from `ffmpeg -i`)."""

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
    #: decoded frame count (probe(count=True)); None = not counted
    counted_frames: int | None = None

    @property
    def seconds(self) -> float:
        return self.duration

    @property
    def size(self) -> tuple[int, int]:
        return int(self.width or 0), int(self.height or 0)

    @property
    def frames(self) -> int:
        """Frames in the video stream: counted when probed with count=True, else duration × fps."""
        if self.counted_frames is not None:
            return self.counted_frames
        return int(round(self.duration * (self.fps or 0.0)))


def last_line(text: str, fallback: str) -> str:
    """The last non-empty line of a tool's output (its error), or `fallback`."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else fallback


def probe(path: str | Path, count: bool = False) -> MediaInfo:
    """Duration, size, frame rate, streams and codecs of `path`, from ffmpeg's banner.

    `count=True` decodes the video stream to count its frames exactly (like ffprobe
    -count_frames; costs a full decode). A file ffmpeg cannot read is BadInput in one line.
    """
    from .errors import BadInput

    r = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True,
                       timeout=60)
    text = r.stderr
    if "Input #0" not in text:
        why = last_line(text, f"ffmpeg exit {r.returncode}")
        raise BadInput(
            f"'{Path(path).name}' is not a media file ffmpeg can read ({why}). "
            "Check the path, or export it again as MP4 (video), WAV (audio) or PNG/JPEG (image)."
        )
    info: dict = {"duration": 0.0, "text": text}
    m = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", text)
    if m:
        info["duration"] = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    vm = re.search(r"Stream #\S+.*?Video: (\w+).*?, (\d{2,5})x(\d{2,5})(.*)", text)
    if vm:
        info.update(has_video=True, video_codec=vm.group(1), width=int(vm.group(2)), height=int(vm.group(3)))
        rate = re.search(r"(\d+(?:\.\d+)?) fps", vm.group(4)) or re.search(r"(\d+(?:\.\d+)?)k? tbr", vm.group(4))
        if rate:
            info["fps"] = float(rate.group(1))
    am = re.search(r"Stream #\S+.*?Audio: (\w+).*?(\d+) Hz", text)
    if am:
        info.update(has_audio=True, audio_codec=am.group(1), audio_rate=int(am.group(2)))
    if count and info.get("has_video"):
        import imageio_ffmpeg

        try:
            frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
        except (OSError, RuntimeError) as e:
            raise BadInput(f"'{Path(path).name}' cannot be decoded to the end ({last_line(str(e), 'error')}).") from None
        info.update(counted_frames=int(frames), duration=float(seconds) or info["duration"])
    return MediaInfo(**info)
