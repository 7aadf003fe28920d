"""Turn a diffusers SDXL pipeline into ONE original-layout (SGM/LDM) .safetensors file.

This is the layout CivitAI checkpoints (Juggernaut XL, ...) ship in, written as the inverse of the
key renames diffusers applies when it loads such a file (`single_file_utils`):

- UNet under `model.diffusion_model.` (openaimodel names: input_blocks / middle_block /
  output_blocks, resnets as in_layers/out_layers/emb_layers, downsamplers as `.op`);
- VAE under `first_stage_model.` (encoder.down.N.block.M, decoder.up counted from the bottom,
  mid.block_1/attn_1, attention projections as 1x1 convs named q/k/v/proj_out);
- CLIP-L under `conditioner.embedders.0.transformer.` (Hugging Face CLIPTextModel names);
- OpenCLIP-bigG under `conditioner.embedders.1.model.` (open_clip names: resblocks, ln_1/ln_2,
  mlp.c_fc/c_proj, attn.in_proj_weight with q/k/v fused, text_projection as a (width, dim) matrix).

The functions work on key -> tensor dicts of any size (meta tensors too), so a test can check the
mapping on the full-size SDXL architecture without allocating its weights.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

UNET_PREFIX = "model.diffusion_model."
VAE_PREFIX = "first_stage_model."
CLIP_L_PREFIX = "conditioner.embedders.0.transformer."
OPEN_CLIP_PREFIX = "conditioner.embedders.1.model."

_UNET_TOP = {
    "time_embedding.linear_1.": "time_embed.0.",
    "time_embedding.linear_2.": "time_embed.2.",
    "add_embedding.linear_1.": "label_emb.0.0.",
    "add_embedding.linear_2.": "label_emb.0.2.",
    "conv_in.": "input_blocks.0.0.",
    "conv_norm_out.": "out.0.",
    "conv_out.": "out.2.",
}
_UNET_RESNET = {
    "norm1.": "in_layers.0.",
    "conv1.": "in_layers.2.",
    "time_emb_proj.": "emb_layers.1.",
    "norm2.": "out_layers.0.",
    "conv2.": "out_layers.3.",
    "conv_shortcut.": "skip_connection.",
}


def _replace_head(rest: str, table: dict[str, str]) -> str:
    for new, old in table.items():
        if rest.startswith(new):
            return old + rest[len(new):]
    raise KeyError(rest)


def unet_to_ldm(sd: dict[str, Any], layers_per_block: int) -> dict[str, Any]:
    """diffusers UNet2DConditionModel keys -> openaimodel keys (no prefix)."""
    per = layers_per_block + 1  # resnets + the down/up sampler slot of each level
    up_has_attn = {int(m.group(1)) for k in sd if (m := re.match(r"up_blocks\.(\d+)\.attentions\.", k))}
    out: dict[str, Any] = {}
    for key, value in sd.items():
        if m := re.match(r"down_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", key):
            b, j, rest = int(m[1]), int(m[2]), m[3]
            new = f"input_blocks.{1 + b * per + j}.0.{_replace_head(rest, _UNET_RESNET)}"
        elif m := re.match(r"down_blocks\.(\d+)\.attentions\.(\d+)\.(.+)", key):
            b, j, rest = int(m[1]), int(m[2]), m[3]
            new = f"input_blocks.{1 + b * per + j}.1.{rest}"  # transformer names are the same in SGM
        elif m := re.match(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)", key):
            new = f"input_blocks.{1 + int(m[1]) * per + layers_per_block}.0.op.{m[2]}"
        elif m := re.match(r"mid_block\.resnets\.(\d+)\.(.+)", key):
            new = f"middle_block.{2 * int(m[1])}.{_replace_head(m[2], _UNET_RESNET)}"
        elif m := re.match(r"mid_block\.attentions\.0\.(.+)", key):
            new = f"middle_block.1.{m[1]}"
        elif m := re.match(r"up_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", key):
            new = f"output_blocks.{int(m[1]) * per + int(m[2])}.0.{_replace_head(m[3], _UNET_RESNET)}"
        elif m := re.match(r"up_blocks\.(\d+)\.attentions\.(\d+)\.(.+)", key):
            new = f"output_blocks.{int(m[1]) * per + int(m[2])}.1.{m[3]}"
        elif m := re.match(r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)", key):
            b = int(m[1])
            slot = 2 if b in up_has_attn else 1  # the upsampler follows the attention when there is one
            new = f"output_blocks.{b * per + layers_per_block}.{slot}.conv.{m[2]}"
        else:
            new = _replace_head(key, _UNET_TOP)
        out[new] = value
    return out


_VAE_ATTN = {"group_norm.": "norm.", "to_q.": "q.", "to_k.": "k.", "to_v.": "v.", "to_out.0.": "proj_out."}


def vae_to_ldm(sd: dict[str, Any], num_up_blocks: int) -> dict[str, Any]:
    """diffusers AutoencoderKL keys -> LDM autoencoder keys (no prefix); attention linears become 1x1 convs."""
    out: dict[str, Any] = {}
    for key, value in sd.items():
        coder, rest = key.split(".", 1)
        if coder in ("quant_conv", "post_quant_conv"):
            out[key] = value
            continue
        if m := re.match(r"down_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", rest):
            new = f"down.{m[1]}.block.{m[2]}.{m[3].replace('conv_shortcut.', 'nin_shortcut.')}"
        elif m := re.match(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)", rest):
            new = f"down.{m[1]}.downsample.conv.{m[2]}"
        elif m := re.match(r"up_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", rest):
            # LDM counts the decoder levels from the lowest resolution up, diffusers the other way
            new = f"up.{num_up_blocks - 1 - int(m[1])}.block.{m[2]}.{m[3].replace('conv_shortcut.', 'nin_shortcut.')}"
        elif m := re.match(r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)", rest):
            new = f"up.{num_up_blocks - 1 - int(m[1])}.upsample.conv.{m[2]}"
        elif m := re.match(r"mid_block\.resnets\.(\d+)\.(.+)", rest):
            new = f"mid.block_{int(m[1]) + 1}.{m[2]}"
        elif m := re.match(r"mid_block\.attentions\.0\.(.+)", rest):
            new = "mid.attn_1." + _replace_head(m[1], _VAE_ATTN)
            if value.ndim == 2:
                value = value[:, :, None, None]
        elif rest.startswith("conv_norm_out."):
            new = "norm_out." + rest[len("conv_norm_out."):]
        else:
            new = rest  # conv_in, conv_out
        out[f"{coder}.{new}"] = value
    return out


def clip_l_to_ldm(sd: dict[str, Any]) -> dict[str, Any]:
    """CLIPTextModel keys -> the `transformer.text_model.*` names SGM stores (no prefix)."""
    # transformers >= 5.6 dropped the `text_model.` level from CLIPTextModel; the files keep it
    return {(k if k.startswith("text_model.") else "text_model." + k): v for k, v in sd.items()}


_OPEN_CLIP_LAYER = {
    "layer_norm1.": "ln_1.",
    "layer_norm2.": "ln_2.",
    "mlp.fc1.": "mlp.c_fc.",
    "mlp.fc2.": "mlp.c_proj.",
    "self_attn.out_proj.": "attn.out_proj.",
}


def open_clip_to_ldm(sd: dict[str, Any]) -> dict[str, Any]:
    """CLIPTextModelWithProjection keys -> open_clip text-tower names (no prefix), q/k/v fused."""
    import torch

    out: dict[str, Any] = {}
    qkv: dict[tuple[int, str], dict[str, Any]] = {}
    for key, value in sd.items():
        k = key.removeprefix("text_model.")
        if m := re.match(r"encoder\.layers\.(\d+)\.self_attn\.([qkv])_proj\.(weight|bias)", k):
            qkv.setdefault((int(m[1]), m[3]), {})[m[2]] = value
        elif m := re.match(r"encoder\.layers\.(\d+)\.(.+)", k):
            out[f"transformer.resblocks.{m[1]}.{_replace_head(m[2], _OPEN_CLIP_LAYER)}"] = value
        elif k == "embeddings.token_embedding.weight":
            out["token_embedding.weight"] = value
        elif k == "embeddings.position_embedding.weight":
            out["positional_embedding"] = value
        elif k.startswith("final_layer_norm."):
            out["ln_final." + k.split(".", 1)[1]] = value
        elif k == "text_projection.weight":
            out["text_projection"] = value.T.contiguous()  # open_clip multiplies x @ P
        else:
            raise KeyError(key)
    for (layer, kind), parts in qkv.items():
        out[f"transformer.resblocks.{layer}.attn.in_proj_{kind}"] = torch.cat([parts["q"], parts["k"], parts["v"]])
    like = out["positional_embedding"]
    out["logit_scale"] = torch.tensor(4.6052, dtype=like.dtype, device=like.device)  # open_clip keeps it; loaders ignore it
    return out


def original_layout(components: dict[str, Any]) -> dict[str, Any]:
    """The whole SGM state dict of a pipeline's `unet`, `vae`, `text_encoder`, `text_encoder_2`."""
    unet, vae = components["unet"], components["vae"]
    sd: dict[str, Any] = {}
    for k, v in unet_to_ldm(unet.state_dict(), unet.config.layers_per_block).items():
        sd[UNET_PREFIX + k] = v
    for k, v in vae_to_ldm(vae.state_dict(), len(vae.config.up_block_types)).items():
        sd[VAE_PREFIX + k] = v
    for k, v in clip_l_to_ldm(components["text_encoder"].state_dict()).items():
        sd[CLIP_L_PREFIX + k] = v
    for k, v in open_clip_to_ldm(components["text_encoder_2"].state_dict()).items():
        sd[OPEN_CLIP_PREFIX + k] = v
    return sd


def save_single_file(pipeline_folder: Path, out: Path) -> Path:
    """Write the diffusers pipeline at `pipeline_folder` as one original-layout .safetensors file."""
    from diffusers import StableDiffusionXLPipeline
    from safetensors.torch import save_file

    pipe = StableDiffusionXLPipeline.from_pretrained(pipeline_folder, local_files_only=True)
    sd = {k: v.detach().contiguous() for k, v in original_layout(pipe.components).items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(sd, str(out), metadata={"modelspec.architecture": "stable-diffusion-xl-v1-base"})
    return out


def config_folder(pipeline_folder: Path, out: Path) -> Path:
    """A copy of a diffusers folder with configs and tokenizers only (like resources/sdxl): no weights."""
    weights = (".safetensors", ".bin", ".pt", ".ckpt")
    shutil.copytree(pipeline_folder, out, ignore=lambda d, names: [n for n in names if n.endswith(weights)])
    return out
