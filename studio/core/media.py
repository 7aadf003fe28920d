"""Which ffmpeg binary the studio runs: one rule for pipelines and render alike."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess


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
