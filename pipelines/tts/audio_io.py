"""Reading, writing and resampling speech audio (numpy + scipy, 16-bit PCM WAV)."""

from __future__ import annotations

import wave
from math import gcd
from pathlib import Path

import numpy as np

from studio.core.errors import BadInput

#: The studio's audio rate: every narration asset is 48 kHz mono 16-bit WAV.
STUDIO_RATE = 48_000


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling (exact rational ratio, e.g. 22050 → 48000 is ×320/147)."""
    if rate_in == rate_out or audio.size == 0:
        return audio.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    g = gcd(rate_in, rate_out)
    return resample_poly(audio, rate_out // g, rate_in // g).astype(np.float32)


def write_wav(path: str | Path, audio: np.ndarray, rate: int) -> None:
    """Write mono float audio in [-1, 1] as 16-bit PCM."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a PCM WAV (8/16/32-bit, any channels) as mono float32 and its rate."""
    try:
        with wave.open(str(path), "rb") as w:
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError, OSError) as e:
        return _read_with_ffmpeg(Path(path), e)
    dtype = {1: np.uint8, 2: "<i2", 4: "<i4"}.get(width)
    if dtype is None:
        raise BadInput(f"{path}: {8 * width}-bit WAV is not supported; save it as 16-bit PCM.")
    data = np.frombuffer(raw, dtype=dtype).astype(np.float32)
    if width == 1:
        data = (data - 128.0) / 128.0
    else:
        data /= float(2 ** (8 * width - 1))
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def _read_with_ffmpeg(path: Path, err: Exception, rate: int = STUDIO_RATE) -> tuple[np.ndarray, int]:
    """Decode any audio file ffmpeg understands (mp3, m4a, flac…) to mono float32."""
    import subprocess

    import imageio_ffmpeg

    if not path.is_file():
        raise BadInput(f"No audio file at '{path}'.")
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        raise BadInput(f"{path} is not readable audio ({err}); use a WAV, MP3, FLAC or M4A file.")
    return np.frombuffer(proc.stdout, "<i2").astype(np.float32) / 32768.0, rate
