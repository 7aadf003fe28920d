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
            declared = w.getnframes()
            raw = w.readframes(declared)
    except (wave.Error, EOFError, OSError, RuntimeError) as e:  # wave raises RuntimeError on a cut chunk
        return _read_with_ffmpeg(Path(path), e)
    got = len(raw) // max(1, width * channels)
    # a cut-off download or copy: the header promises more than the file holds (streamed WAVs
    # write a placeholder size near 4 GiB, which is not a promise)
    if got < 0.99 * declared and declared * width * channels < 2**32 - 2**16 and rate > 0:
        raise BadInput(f"{Path(path).name} was cut short: its header says {declared / rate:.1f} s of sound but the "
                       f"file holds {got / rate:.1f} s. Copy or export it again.")
    dtype = {1: np.uint8, 2: "<i2", 4: "<i4"}.get(width)
    if dtype is None:
        raise BadInput(f"{path}: {8 * width}-bit WAV is not supported; save it as 16-bit PCM.")
    data = np.frombuffer(raw, dtype=dtype).astype(np.float32)
    if width == 1:
        data = (data - 128.0) / 128.0
    else:
        data /= float(2 ** (8 * width - 1))
    if channels > 1:
        data = data[: len(data) // channels * channels].reshape(-1, channels).mean(axis=1)
    if data.size == 0:
        raise BadInput(f"{Path(path).name} holds no sound (its WAV header says 0 samples, or the file was cut "
                       "short); record or export it again.")
    return data, rate


def _read_with_ffmpeg(path: Path, err: Exception, rate: int = STUDIO_RATE) -> tuple[np.ndarray, int]:
    """Decode any audio file ffmpeg understands (mp3, m4a, flac…) to mono float32."""
    import subprocess

    from studio.core.media import ffmpeg_exe

    if not path.is_file():
        raise BadInput(f"No audio file at '{path}'.")
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        # the reason in words: ffmpeg's own last line (-v error prints no banner), else what the WAV
        # reader said, else that it decoded to nothing
        said = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = (said[-1].strip() if said else "") or str(err).strip() or (
            "it decodes to no sound" if proc.returncode == 0 else "the file is damaged or not audio")
        raise BadInput(f"{path.name} is not readable audio ({reason}); use a WAV, MP3, FLAC or M4A file.")
    return np.frombuffer(proc.stdout, "<i2").astype(np.float32) / 32768.0, rate
