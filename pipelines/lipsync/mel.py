"""Wav2Lip's audio features, reimplemented with numpy/scipy (librosa is not a dependency).

Matches Wav2Lip's `audio.py` + `hparams.py`: 16 kHz audio, pre-emphasis 0.97, STFT with
n_fft 800 / hop 200 / win 800 (Hann, centred, reflect padding as librosa 0.7 did), magnitude →
80 Slaney mel bands 55–7600 Hz (librosa's default `htk=False, norm='slaney'`), amplitude to dB
minus ref_level_db 20, then symmetric normalisation of [min_level_db=-100, 0] dB to [-4, 4].
That gives 80 mel frames per second; each video frame gets a 16-frame window (0.2 s) starting
at mel index int(frame * 80 / fps).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16_000
N_FFT = 800
HOP = 200
WIN = 800
N_MELS = 80
FMIN = 55.0
FMAX = 7600.0
PREEMPHASIS = 0.97
REF_LEVEL_DB = 20.0
MIN_LEVEL_DB = -100.0
MAX_ABS_VALUE = 4.0
MEL_STEP = 16  # mel frames per video frame window
MEL_FPS = SAMPLE_RATE / HOP  # 80


def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)


def mel_to_hz(m: np.ndarray | float) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


@lru_cache(maxsize=4)
def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS,
                   fmin: float = FMIN, fmax: float = FMAX) -> np.ndarray:
    """(n_mels, 1 + n_fft//2) triangular filters, area-normalised (Slaney), like librosa's default."""
    fft_freqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    return weights.astype(np.float32)


def stft_magnitude(y: np.ndarray) -> np.ndarray:
    """|STFT| (1 + n_fft//2, frames): periodic Hann window, centred with reflect padding."""
    from scipy.signal import get_window

    pad = N_FFT // 2
    if len(y) <= pad:  # reflect padding needs more samples than the pad
        y = np.pad(y, (0, pad + 1 - len(y)))
    y = np.pad(y, (pad, pad), mode="reflect")
    n_frames = 1 + (len(y) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    frames = y[idx] * get_window("hann", WIN, fftbins=True)[None, :]
    return np.abs(np.fft.rfft(frames, n=N_FFT, axis=1)).T


def melspectrogram(wav16k: np.ndarray) -> np.ndarray:
    """Wav2Lip's normalised mel spectrogram (80, frames) in [-4, 4] of 16 kHz mono audio."""
    from scipy.signal import lfilter

    y = lfilter([1.0, -PREEMPHASIS], [1.0], np.asarray(wav16k, dtype=np.float64))
    mel = mel_filterbank() @ stft_magnitude(y)
    min_level = np.exp(MIN_LEVEL_DB / 20 * np.log(10))
    s = 20 * np.log10(np.maximum(min_level, mel)) - REF_LEVEL_DB
    s = (2 * MAX_ABS_VALUE) * ((s - MIN_LEVEL_DB) / (-MIN_LEVEL_DB)) - MAX_ABS_VALUE
    return np.clip(s, -MAX_ABS_VALUE, MAX_ABS_VALUE).astype(np.float32)


def mel_windows(mel: np.ndarray, n_frames: int, fps: float) -> np.ndarray:
    """One (80, 16) window per video frame: start = int(i * 80 / fps), the last ones clamped."""
    if mel.shape[1] < MEL_STEP:
        mel = np.pad(mel, ((0, 0), (0, MEL_STEP - mel.shape[1])), constant_values=-MAX_ABS_VALUE)
    mult = MEL_FPS / fps
    last = mel.shape[1] - MEL_STEP
    starts = np.minimum((np.arange(n_frames) * mult).astype(np.int64), last)
    return np.stack([mel[:, s : s + MEL_STEP] for s in starts]) if n_frames else np.zeros((0, N_MELS, MEL_STEP), np.float32)
