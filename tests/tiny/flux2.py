"""A tiny random-weight FLUX.2 [klein] saved as a diffusers folder (for tests and benchmarks).

The components and layout of black-forest-labs/FLUX.2-klein-4B, shrunk after diffusers' own
Flux2Klein fast tests: a Flux2Transformer2DModel (1 double + 1 single block), a Qwen3 causal LM as
the text encoder, a 2-level AutoencoderKLFlux2 (scale factor 2, so images are multiples of 4) and
the tiny Qwen tokenizer of tests/tiny/text.py. The text encoder has 28 layers (16 wide) so the
pipeline's real default `text_encoder_out_layers=(9, 18, 27)` works unchanged; the transformer's
joint attention width is 3 × 16 for those three stacked layers. `is_distilled=True`, as klein 4B's
model_index.json says (4 steps, no guidance).
"""

from __future__ import annotations

from pathlib import Path

TEXT_LAYERS = 28
TEXT_HIDDEN = 16


def tiny_flux2_components() -> dict:
    import torch
    from diffusers import (
        AutoencoderKLFlux2,
        FlowMatchEulerDiscreteScheduler,
        Flux2Transformer2DModel,
    )
    from transformers import Qwen3ForCausalLM

    from .text import qwen3_config, qwen_tokenizer

    torch.manual_seed(0)
    transformer = Flux2Transformer2DModel(
        patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16,
        num_attention_heads=2, joint_attention_dim=3 * TEXT_HIDDEN, timestep_guidance_channels=256,
        axes_dims_rope=[4, 4, 4, 4], guidance_embeds=False,
    )
    torch.manual_seed(0)
    text_encoder = Qwen3ForCausalLM(qwen3_config(layers=TEXT_LAYERS))
    torch.manual_seed(0)
    vae = AutoencoderKLFlux2(
        sample_size=32, in_channels=3, out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        block_out_channels=(4, 8), layers_per_block=1, latent_channels=1, norm_num_groups=1,
        use_quant_conv=False, use_post_quant_conv=False,
    )
    return {"scheduler": FlowMatchEulerDiscreteScheduler(), "text_encoder": text_encoder,
            "tokenizer": qwen_tokenizer(), "transformer": transformer, "vae": vae}


def save_tiny_flux2(folder: str | Path) -> Path:
    """Build the tiny klein pipeline and save it as a diffusers folder (what the store finds)."""
    from diffusers import Flux2KleinPipeline

    folder = Path(folder)
    if (folder / "model_index.json").exists():
        return folder
    Flux2KleinPipeline(**tiny_flux2_components(), is_distilled=True).save_pretrained(folder, safe_serialization=True)
    return folder
