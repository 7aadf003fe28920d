"""Tiny random-weight SDXL pipelines for tests (built in code, saved as a diffusers folder).

Shapes follow diffusers' own SDXL fast tests: a 2-level UNet with the SDXL "text_time" added
condition, two CLIP text encoders (the second with projection), a 2-level VAE (scale factor 2)
and CLIP BPE tokenizers over a byte-level vocabulary written here (no merges, so every word is
spelled in characters; model_max_length 77 like the real ones). Weights come from
torch.manual_seed(0), so the folder is the same on every run.
"""

from __future__ import annotations

import json
from pathlib import Path

TEXT_HIDDEN = 32  # the CLIP-L stand-in
TEXT_HIDDEN_2 = 48  # the OpenCLIP-bigG stand-in: a different width, as in SDXL (768 vs 1280), so
# single-file loading can tell the two encoders apart by their position-embedding width


def _bytes_to_unicode() -> list[str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def write_tiny_tokenizer(folder: Path, pad: str) -> None:
    """A CLIP BPE tokenizer with the 512 byte-level tokens, no merges and the two specials."""
    chars = _bytes_to_unicode()
    vocab = chars + [c + "</w>" for c in chars] + ["<|startoftext|>", "<|endoftext|>"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}), "utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", "utf-8")
    (folder / "special_tokens_map.json").write_text(json.dumps({
        "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
        "pad_token": pad, "unk_token": "<|endoftext|>",
    }), "utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": pad,
        "unk_token": "<|endoftext|>", "model_max_length": 77, "do_lower_case": True,
        "tokenizer_class": "CLIPTokenizer",
    }), "utf-8")


def tiny_components(in_channels: int = 4) -> dict:
    """The seven SDXL components with tiny random weights (torch.manual_seed(0)); `in_channels=9`
    gives an inpainting UNet (latents + mask + masked-image latents, like sdxl-inpaint-0.1)."""
    import tempfile

    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, UNet2DConditionModel
    from transformers import (
        CLIPTextConfig,
        CLIPTextModel,
        CLIPTextModelWithProjection,
        CLIPTokenizer,
    )

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=32,
        in_channels=in_channels,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 1),
        projection_class_embeddings_input_dim=6 * 8 + TEXT_HIDDEN_2,  # 6 time ids + pooled text
        cross_attention_dim=TEXT_HIDDEN + TEXT_HIDDEN_2,  # both encoders' hidden states concatenated
        norm_num_groups=1,
    )
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, steps_offset=1, beta_schedule="scaled_linear",
        timestep_spacing="leading",
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        block_out_channels=[32, 64],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
        latent_channels=4,
        sample_size=128,
    )
    torch.manual_seed(0)

    def text_config(hidden: int) -> CLIPTextConfig:
        return CLIPTextConfig(
            bos_token_id=0, eos_token_id=2, hidden_size=hidden, intermediate_size=37,
            layer_norm_eps=1e-05, num_attention_heads=4, num_hidden_layers=2, pad_token_id=1,
            vocab_size=520, hidden_act="gelu", projection_dim=hidden,
        )

    text_encoder = CLIPTextModel(text_config(TEXT_HIDDEN))
    torch.manual_seed(0)
    text_encoder_2 = CLIPTextModelWithProjection(text_config(TEXT_HIDDEN_2))
    with tempfile.TemporaryDirectory() as tmp:
        write_tiny_tokenizer(Path(tmp) / "t1", "<|endoftext|>")
        write_tiny_tokenizer(Path(tmp) / "t2", "!")
        tokenizer = CLIPTokenizer.from_pretrained(Path(tmp) / "t1")
        tokenizer_2 = CLIPTokenizer.from_pretrained(Path(tmp) / "t2")
    return {
        "unet": unet, "scheduler": scheduler, "vae": vae,
        "text_encoder": text_encoder, "tokenizer": tokenizer,
        "text_encoder_2": text_encoder_2, "tokenizer_2": tokenizer_2,
    }


def save_tiny_sdxl(folder: Path) -> Path:
    """Build the tiny pipeline and save it as a diffusers folder (what users point --checkpoint at)."""
    from diffusers import StableDiffusionXLPipeline

    folder = Path(folder)
    if (folder / "model_index.json").exists():
        return folder
    pipe = StableDiffusionXLPipeline(**tiny_components())
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


def save_tiny_sdxl_hub_layout(folder: Path, in_channels: int = 4) -> Path:
    """The tiny pipeline laid out as the catalogue downloads SDXL from the hub: fp16 weights in
    `*.fp16.safetensors` files only, slow CLIP tokenizer files (vocab.json + merges.txt)."""
    import shutil

    import torch
    from diffusers import StableDiffusionXLInpaintPipeline, StableDiffusionXLPipeline

    folder = Path(folder)
    cls = StableDiffusionXLInpaintPipeline if in_channels == 9 else StableDiffusionXLPipeline
    pipe = cls(**tiny_components(in_channels))
    for name in ("unet", "vae", "text_encoder", "text_encoder_2"):
        getattr(pipe, name).to(torch.float16)
    pipe.save_pretrained(folder, safe_serialization=True, variant="fp16")
    for sub, pad in (("tokenizer", "<|endoftext|>"), ("tokenizer_2", "!")):
        shutil.rmtree(folder / sub)
        write_tiny_tokenizer(folder / sub, pad)
    return folder
