"""Tiny random-weight MuseTalk 1.5 parts for tests, built in code and saved as the real files.

Real interfaces, tiny widths: the UNet has MuseTalk's in/out channels (8 → 4) and cross-attention
width (384, whisper-tiny's d_model), a 2-level layout instead of 4 (attention only at the 16²
level, so the test CPU is not busy with 1024-token self-attention); the VAE downsamples 8× like
SD-VAE (256² face → 32² latents) with 8–16 channels; Whisper keeps d_model 384 and 4 encoder
layers (5 stacked hidden states → 50 audio tokens a frame) with a 1 s window (chunk_length 1,
so 100 mel frames and 50 encoder positions) instead of 30 s. Weights from torch.manual_seed(0).

`install_tiny_musetalk(folder)` writes the three folders with the catalogue's file names:
musetalk-1.5/musetalkV15/{musetalk.json, unet.pth}, sd-vae-ft-mse/{config.json,
diffusion_pytorch_model.safetensors}, whisper-tiny/{config.json, model.safetensors,
preprocessor_config.json}.
"""

from __future__ import annotations

import json
from pathlib import Path

UNET_CONFIG = {
    "_class_name": "UNet2DConditionModel",
    "act_fn": "silu",
    "attention_head_dim": 8,
    "block_out_channels": [32, 64],
    "center_input_sample": False,
    "cross_attention_dim": 384,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"],
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 8,
    "layers_per_block": 1,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 32,
    "out_channels": 4,
    "sample_size": 32,
    "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
}


def tiny_unet():  # noqa: ANN201
    import torch
    from diffusers import UNet2DConditionModel

    torch.manual_seed(0)
    return UNet2DConditionModel.from_config(UNET_CONFIG).eval()


def tiny_vae():  # noqa: ANN201
    import torch
    from diffusers import AutoencoderKL

    torch.manual_seed(0)
    return AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=8, layers_per_block=1,
        block_out_channels=(8, 8, 16, 16),
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
        sample_size=256,
    ).eval()


def tiny_whisper():  # noqa: ANN201
    """(WhisperFeatureExtractor, WhisperModel) with a 1 s window."""
    import torch
    from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperModel

    fe = WhisperFeatureExtractor(feature_size=80, sampling_rate=16_000, hop_length=160, chunk_length=1, n_fft=400)
    cfg = WhisperConfig(
        vocab_size=16, num_mel_bins=80, d_model=384, encoder_layers=4, encoder_attention_heads=4,
        encoder_ffn_dim=64, decoder_layers=1, decoder_attention_heads=4, decoder_ffn_dim=64,
        max_source_positions=50, max_target_positions=8, pad_token_id=0, bos_token_id=1, eos_token_id=2,
        decoder_start_token_id=1, suppress_tokens=[], begin_suppress_tokens=[],
    )
    torch.manual_seed(0)
    return fe, WhisperModel(cfg).eval()


def install_tiny_musetalk(folder: str | Path) -> dict[str, Path]:
    """The three model folders (see the module docstring); {catalogue id: folder}."""
    import torch

    folder = Path(folder)
    unet_dir = folder / "musetalk-1.5"
    (unet_dir / "musetalkV15").mkdir(parents=True, exist_ok=True)
    (unet_dir / "musetalkV15" / "musetalk.json").write_text(json.dumps(UNET_CONFIG), "utf-8")
    torch.save(tiny_unet().state_dict(), unet_dir / "musetalkV15" / "unet.pth")
    vae_dir = folder / "sd-vae-ft-mse"
    tiny_vae().save_pretrained(vae_dir, safe_serialization=True)
    whisper_dir = folder / "whisper-tiny"
    fe, model = tiny_whisper()
    model.save_pretrained(whisper_dir, safe_serialization=True)
    fe.save_pretrained(whisper_dir)
    return {"musetalk-1.5": unet_dir, "sd-vae-ft-mse": vae_dir, "whisper-tiny": whisper_dir}
