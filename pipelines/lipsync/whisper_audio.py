"""Whisper-tiny audio features per video frame, as MuseTalk 1.5 conditions its UNet on them.

Read against MuseTalk's `musetalk/utils/audio_processor.py` (TMElyralab/MuseTalk, MIT):
- the 16 kHz narration is cut into segments of the feature extractor's window (30 s for
  whisper-tiny); each becomes a log-mel [1, 80, 3000] (`WhisperFeatureExtractor`, padded);
- the encoder runs with `output_hidden_states=True`; all its hidden states (the embedding output
  plus one per layer: 5 for whisper-tiny's 4 layers) are stacked → [T, 5, 384] at 50 frames a
  second; segments are concatenated and trimmed to the audio's real length (floor(s · 50));
- each video frame i gets the 10 encoder frames starting at floor(i · 50 / fps) of a copy padded
  with zeros (2·left in front, enough behind), i.e. ±2 video frames at 25 fps; the window
  [10, 5, 384] is flattened time-major to [50, 384] (einops 'c h w -> (c h) w');
- MuseTalk then adds a sinusoidal positional encoding (d_model 384) before the UNet's
  cross-attention (`positional_encoding`).
Where we differ, on purpose: the reference pads ceil(50/fps)·left zeros in front and truncates
the frame rate to an int; that equals 2·left for 25 ≤ fps < 50 (what it was trained at) but
shifts the window earlier below 25 fps and drifts at 29.97 fps, so we pad 2·left and use the
real rate. Resampling to 16 kHz is scipy's polyphase filter (the reference uses librosa/soxr).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16_000
#: video frames of audio context on each side of a frame (MuseTalk's audio_padding_length_*)
PAD_LEFT = PAD_RIGHT = 2


def to_16k(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mono float32 audio resampled to 16 kHz."""
    audio = np.asarray(audio, np.float32)
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    if rate == SAMPLE_RATE:
        return audio
    from scipy.signal import resample_poly

    g = math.gcd(int(rate), SAMPLE_RATE)
    return resample_poly(audio, SAMPLE_RATE // g, int(rate) // g).astype(np.float32)


def positional_encoding(length: int, dim: int) -> Any:  # noqa: ANN401 - torch.Tensor
    """The sinusoidal table MuseTalk adds to the audio tokens: sin on even, cos on odd channels."""
    import torch

    pos = torch.arange(length, dtype=torch.float32)[:, None]
    div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    pe = torch.zeros(length, dim)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


class WhisperAudio:
    """A Whisper feature extractor + encoder: `states(audio16k)` → [T, layers + 1, d_model].

    `encoder` is a transformers `WhisperEncoder` (the `.encoder` of a `WhisperModel`) already on
    its device and dtype; the features are cast to that dtype, as the reference does."""

    def __init__(self, feature_extractor: Any, encoder: Any):  # noqa: ANN401
        self.fe = feature_extractor
        self.encoder = encoder
        # encoder frames a second: one mel frame per hop, halved by the stride-2 second conv
        self.rate = feature_extractor.sampling_rate / feature_extractor.hop_length / 2.0

    @classmethod
    def load(cls, folder: str | Path, device: str = "cpu", dtype: Any = None) -> WhisperAudio:  # noqa: ANN401
        """openai/whisper-tiny from a folder (config.json, model.safetensors, preprocessor_config.json)."""
        import torch
        from transformers import WhisperFeatureExtractor, WhisperModel

        fe = WhisperFeatureExtractor.from_pretrained(str(folder), local_files_only=True)
        model = WhisperModel.from_pretrained(str(folder), use_safetensors=True, local_files_only=True)
        encoder = model.get_encoder()  # the decoder is dropped with `model`
        encoder.to(device=device, dtype=dtype or torch.float32).eval().requires_grad_(False)
        return cls(fe, encoder)

    @property
    def device(self) -> Any:  # noqa: ANN401
        return next(self.encoder.parameters()).device

    @property
    def dtype(self) -> Any:  # noqa: ANN401
        return next(self.encoder.parameters()).dtype

    def states(self, audio16k: np.ndarray) -> Any:  # noqa: ANN401 - torch.Tensor [T, L+1, D]
        """All encoder hidden states of the narration, stacked, trimmed to its length."""
        import torch

        seg = int(self.fe.n_samples)
        audio16k = np.asarray(audio16k, np.float32)
        parts = []
        with torch.inference_mode():
            for start in range(0, max(len(audio16k), 1), seg):
                piece = audio16k[start:start + seg]
                feats = self.fe(piece, sampling_rate=SAMPLE_RATE, return_tensors="pt").input_features
                out = self.encoder(feats.to(device=self.device, dtype=self.dtype), output_hidden_states=True)
                parts.append(torch.stack(out.hidden_states, dim=2)[0])  # [T, L+1, D]
        states = torch.cat(parts, dim=0)
        return states[: int(math.floor(len(audio16k) / SAMPLE_RATE * self.rate))]


def frame_windows(states: Any, n_frames: int, fps: float, rate: float = 50.0,  # noqa: ANN401
                  left: int = PAD_LEFT, right: int = PAD_RIGHT) -> Any:  # noqa: ANN401
    """[n_frames, width · (L+1), D]: each video frame's window of encoder states (see the docstring).

    width = 2 · (left + right + 1) encoder frames (10), so 50 tokens for whisper-tiny."""
    import torch

    width = 2 * (left + right + 1)
    step = rate / float(fps)
    front = 2 * left
    starts = np.floor(np.arange(n_frames) * step).astype(np.int64)
    need = int(starts.max()) + width if n_frames else 0
    behind = max(need - (front + states.shape[0]), 0) + 2 * right
    zeros = states.new_zeros
    padded = torch.cat([zeros((front, *states.shape[1:])), states, zeros((behind, *states.shape[1:]))], 0)
    idx = torch.as_tensor(starts, device=states.device)[:, None] + torch.arange(width, device=states.device)
    windows = padded[idx]  # [n, width, L+1, D]
    return windows.reshape(n_frames, width * states.shape[1], states.shape[2])
