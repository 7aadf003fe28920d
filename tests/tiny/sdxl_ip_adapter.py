"""A tiny random IP-Adapter plus-face for the tiny SDXL, laid out like the h94/IP-Adapter repo.

    ROOT/models/image_encoder/          CLIPVisionModelWithProjection (config + safetensors)
    ROOT/sdxl_models/ip-adapter-plus-face_sdxl_vit-h.safetensors

The adapter file uses the original IP-Adapter key layout, which diffusers converts on load:
`image_proj.*` is the Perceiver "Resampler" (latents, proj_in, proj_out, norm_out,
layers.N.0 = attention with norm1/norm2/to_q/to_kv/to_out, layers.N.1 = LayerNorm + 2 Linear), and
`ip_adapter.K.to_k_ip/to_v_ip.weight` are the extra key/value projections of the UNet's
cross-attention layers, K = 1, 3, 5, ... in `unet.attn_processors` order.
"""

from __future__ import annotations

from pathlib import Path

WEIGHT_NAME = "ip-adapter-plus-face_sdxl_vit-h.safetensors"
VISION_HIDDEN = 32
RESAMPLER_DIM = 64  # diffusers infers heads = to_q rows // 64, so one 64-wide head
DEPTH = 4  # diffusers' plus projection has 4 Perceiver layers
QUERIES = 4  # the real plus-face adapter has 16 image tokens


def save_tiny_plus_face(pipeline_folder: Path, root: Path, seed: int = 3) -> Path:
    """Write the image encoder and adapter for the tiny UNet under `root` (returned)."""
    import torch
    from diffusers import UNet2DConditionModel
    from safetensors.torch import save_file
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    root = Path(root)
    torch.manual_seed(seed)
    encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=VISION_HIDDEN, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4,
        image_size=32, patch_size=8, projection_dim=VISION_HIDDEN, num_channels=3,
    ))
    encoder.save_pretrained(root / "models" / "image_encoder", safe_serialization=True)

    unet = UNet2DConditionModel.from_pretrained(Path(pipeline_folder) / "unet")
    cross = unet.config.cross_attention_dim

    def rnd(*shape: int) -> torch.Tensor:
        return torch.randn(*shape) * 0.2

    d, ff = RESAMPLER_DIM, 4 * RESAMPLER_DIM
    sd = {
        "image_proj.latents": torch.randn(1, QUERIES, d) / d**0.5,
        "image_proj.proj_in.weight": rnd(d, VISION_HIDDEN), "image_proj.proj_in.bias": rnd(d),
        "image_proj.proj_out.weight": rnd(cross, d), "image_proj.proj_out.bias": rnd(cross),
        "image_proj.norm_out.weight": 1 + rnd(cross), "image_proj.norm_out.bias": rnd(cross),
    }
    for i in range(DEPTH):
        p = f"image_proj.layers.{i}"
        sd.update({
            f"{p}.0.norm1.weight": 1 + rnd(d), f"{p}.0.norm1.bias": rnd(d),
            f"{p}.0.norm2.weight": 1 + rnd(d), f"{p}.0.norm2.bias": rnd(d),
            f"{p}.0.to_q.weight": rnd(d, d), f"{p}.0.to_kv.weight": rnd(2 * d, d), f"{p}.0.to_out.weight": rnd(d, d),
            f"{p}.1.0.weight": 1 + rnd(d), f"{p}.1.0.bias": rnd(d),
            f"{p}.1.1.weight": rnd(ff, d), f"{p}.1.3.weight": rnd(d, ff),
        })
    key_id = 1
    for name in unet.attn_processors:
        if not name.endswith("attn2.processor"):
            continue
        hidden = unet.get_submodule(name.removesuffix(".processor")).to_k.out_features
        sd[f"ip_adapter.{key_id}.to_k_ip.weight"] = rnd(hidden, cross)
        sd[f"ip_adapter.{key_id}.to_v_ip.weight"] = rnd(hidden, cross)
        key_id += 2
    (root / "sdxl_models").mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in sd.items()}, str(root / "sdxl_models" / WEIGHT_NAME))
    return root
