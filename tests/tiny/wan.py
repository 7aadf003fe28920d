"""A tiny random-weight Wan 2.2 TI2V-5B saved as a diffusers folder (for tests and benchmarks).

The shape of Wan-AI/Wan2.2-TI2V-5B-Diffusers shrunk after diffusers' own Wan 2.2 5B fast tests:
one WanTransformer3DModel with 48 in/out channels, the residual AutoencoderKLWan with 48 latent
channels (patch size 2, spatial factor 16, temporal factor 4), no second transformer, no image
encoder, `expand_timesteps=True`, UniPC flow-matching scheduler; the text side is a 2-layer UMT5
encoder with the tiny T5 tokenizer of tests/tiny/text.py. Frames come in 4k+1 and sizes in
multiples of 32 (16 × the transformer's 2×2 patch).
"""

from __future__ import annotations

from pathlib import Path


def tiny_wan_components() -> dict:
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanTransformer3DModel

    from .text import t5_tokenizer, umt5_encoder

    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=48, in_channels=12, out_channels=12, is_residual=True, patch_size=2,
        latents_mean=[0.0] * 48, latents_std=[1.0] * 48, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        scale_factor_spatial=16, scale_factor_temporal=4, temperal_downsample=[False, True, True],
    )
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=5.0)
    text_encoder = umt5_encoder(d_model=32)
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=48, out_channels=48,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
    )
    return {"transformer": transformer, "vae": vae, "scheduler": scheduler, "text_encoder": text_encoder,
            "tokenizer": t5_tokenizer(), "transformer_2": None, "image_encoder": None, "image_processor": None}


def save_tiny_wan(folder: str | Path) -> Path:
    """Build the tiny TI2V pipeline and save it as a diffusers folder (model_index like the real one)."""
    from diffusers import WanPipeline

    folder = Path(folder)
    if (folder / "model_index.json").exists():
        return folder
    comps = tiny_wan_components()
    for k in ("image_encoder", "image_processor"):
        comps.pop(k)
    WanPipeline(**comps, boundary_ratio=None, expand_timesteps=True).save_pretrained(folder, safe_serialization=True)
    return folder
