"""A tiny random IP-Adapter FaceID for the tiny SDXL, in the layout of h94/IP-Adapter-FaceID's
`ip-adapter-faceid_sdxl.bin` (a torch pickle of two state dicts), which diffusers converts on load:

- `image_proj`: `proj.0` / `proj.2` (a two-layer MLP from the 512-d insightface embedding to
  `num_tokens` x cross-attention-dim tokens) and `norm` (a LayerNorm), diffusers'
  IPAdapterFaceIDImageProjection;
- `ip_adapter`: one entry per attention processor of the UNet, in `unet.attn_processors` order:
  K.to_q_lora / to_k_lora / to_v_lora / to_out_lora (down, up) for every processor -- the LoRA
  diffusers loads as adapter `faceid_0` -- and K.to_k_ip / to_v_ip for the cross-attention ones.
"""

from __future__ import annotations

from pathlib import Path

ID_DIM = 512  # insightface ArcFace embeddings
TOKENS = 4
RANK = 4


def save_tiny_faceid(pipeline_folder: Path, out: Path, seed: int = 5) -> Path:
    import torch
    from diffusers import UNet2DConditionModel

    unet = UNet2DConditionModel.from_pretrained(Path(pipeline_folder) / "unet")
    cross = unet.config.cross_attention_dim
    torch.manual_seed(seed)

    def rnd(*shape: int) -> torch.Tensor:
        return torch.randn(*shape) * 0.2

    image_proj = {
        "proj.0.weight": rnd(ID_DIM, ID_DIM), "proj.0.bias": rnd(ID_DIM),
        "proj.2.weight": rnd(cross * TOKENS, ID_DIM), "proj.2.bias": rnd(cross * TOKENS),
        "norm.weight": 1 + rnd(cross), "norm.bias": rnd(cross),
    }
    ip_adapter: dict[str, torch.Tensor] = {}
    for key_id, name in enumerate(unet.attn_processors):
        attn = unet.get_submodule(name.removesuffix(".processor"))
        hidden = attn.to_q.in_features
        kv_in = attn.to_k.in_features  # hidden for self-attention, cross dim for cross-attention
        ip_adapter.update({
            f"{key_id}.to_q_lora.down.weight": rnd(RANK, hidden), f"{key_id}.to_q_lora.up.weight": rnd(hidden, RANK),
            f"{key_id}.to_k_lora.down.weight": rnd(RANK, kv_in), f"{key_id}.to_k_lora.up.weight": rnd(hidden, RANK),
            f"{key_id}.to_v_lora.down.weight": rnd(RANK, kv_in), f"{key_id}.to_v_lora.up.weight": rnd(hidden, RANK),
            f"{key_id}.to_out_lora.down.weight": rnd(RANK, hidden), f"{key_id}.to_out_lora.up.weight": rnd(hidden, RANK),
        })
        if name.endswith("attn2.processor"):
            ip_adapter[f"{key_id}.to_k_ip.weight"] = rnd(hidden, cross)
            ip_adapter[f"{key_id}.to_v_ip.weight"] = rnd(hidden, cross)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"image_proj": image_proj, "ip_adapter": ip_adapter}, out)
    return out
