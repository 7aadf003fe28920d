"""A tiny random-weight Z-Image saved as a diffusers folder (for tests and benchmarks).

The components and layout of Tongyi-MAI/Z-Image-Turbo shrunk after diffusers' own ZImage fast
tests: a 2-layer ZImageTransformer2DModel, a Qwen3Model text encoder (the pipeline reads its
second-to-last hidden state), an AutoencoderKL with 16 latent channels and Z-Image's scaling and
shift factors, and the tiny Qwen tokenizer of tests/tiny/text.py. The transformer's pad tokens are
made with `torch.empty` upstream; they are set to ones here so the output is deterministic.
"""

from __future__ import annotations

from pathlib import Path


def tiny_zimage_components() -> dict:
    import torch
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, ZImageTransformer2DModel
    from transformers import Qwen3Model

    from .text import qwen3_config, qwen_tokenizer

    torch.manual_seed(0)
    transformer = ZImageTransformer2DModel(
        all_patch_size=(2,), all_f_patch_size=(1,), in_channels=16, dim=32, n_layers=2, n_refiner_layers=1,
        n_heads=2, n_kv_heads=2, norm_eps=1e-5, qk_norm=True, cap_feat_dim=16, rope_theta=256.0,
        t_scale=1000.0, axes_dims=[8, 4, 4], axes_lens=[256, 32, 32],
    )
    with torch.no_grad():
        transformer.x_pad_token.copy_(torch.ones_like(transformer.x_pad_token.data))
        transformer.cap_pad_token.copy_(torch.ones_like(transformer.cap_pad_token.data))
    torch.manual_seed(0)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"], block_out_channels=[32, 64],
        layers_per_block=1, latent_channels=16, norm_num_groups=32, sample_size=32,
        scaling_factor=0.3611, shift_factor=0.1159,
    )
    torch.manual_seed(0)
    text_encoder = Qwen3Model(qwen3_config())
    return {"transformer": transformer, "vae": vae, "scheduler": FlowMatchEulerDiscreteScheduler(shift=3.0),
            "text_encoder": text_encoder, "tokenizer": qwen_tokenizer()}


def save_tiny_zimage(folder: str | Path) -> Path:
    """Build the tiny Z-Image pipeline and save it as a diffusers folder."""
    from diffusers import ZImagePipeline

    folder = Path(folder)
    if (folder / "model_index.json").exists():
        return folder
    ZImagePipeline(**tiny_zimage_components()).save_pretrained(folder, safe_serialization=True)
    return folder
