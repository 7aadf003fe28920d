"""A tiny random-weight Stable Video Diffusion saved as a diffusers folder (for tests).

Same component classes and folder layout as stabilityai/stable-video-diffusion-img2vid, with
configs shrunk to a few thousand parameters (after diffusers' own SVD pipeline tests). Weights
are random but deterministic (torch.manual_seed(0)), so the real loader and the real pipeline
run end to end in about a second on a CPU.
"""

from __future__ import annotations

from pathlib import Path


def build_tiny_svd(folder: str | Path, num_frames: int = 3) -> Path:
    """Write a tiny SVD diffusers folder to `folder` and return it."""
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    unet = UNetSpatioTemporalConditionModel(
        sample_size=16,
        num_frames=num_frames,
        in_channels=8,
        out_channels=4,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
        block_out_channels=(32, 64),
        layers_per_block=1,
        cross_attention_dim=32,
        num_attention_heads=(8, 8),
        transformer_layers_per_block=1,
        projection_class_embeddings_input_dim=96,  # 3 time ids × addition_time_embed_dim
        addition_time_embed_dim=32,
    )
    scheduler = EulerDiscreteScheduler(
        beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, interpolation_type="linear",
        num_train_timesteps=1000, prediction_type="v_prediction", sigma_max=700.0, sigma_min=0.002,
        steps_offset=1, timestep_spacing="leading", timestep_type="continuous", use_karras_sigmas=True,
    )
    torch.manual_seed(0)
    vae = AutoencoderKLTemporalDecoder(
        block_out_channels=[32, 64],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        latent_channels=4,
    )
    torch.manual_seed(0)
    config = CLIPVisionConfig(
        hidden_size=32, projection_dim=32, num_hidden_layers=2, num_attention_heads=4,
        image_size=224, intermediate_size=37, patch_size=32,  # SVD feeds CLIP 224 px
    )
    image_encoder = CLIPVisionModelWithProjection(config)
    feature_extractor = CLIPImageProcessor(crop_size=224, size=224)
    pipe = StableVideoDiffusionPipeline(
        vae=vae, image_encoder=image_encoder, unet=unet, scheduler=scheduler, feature_extractor=feature_extractor
    )
    out = Path(folder)
    pipe.save_pretrained(str(out))
    return out
