"""Tiny random LoRAs for the tiny SDXL UNet, in the two layouts users download.

- `diffusers`: peft LoRA on the attention projections saved with
  `StableDiffusionXLPipeline.save_lora_weights` (keys `unet.<module>.lora_A/lora_B.weight`);
- `kohya`: the same weights in kohya-ss / A1111 naming as most CivitAI LoRAs come
  (`lora_unet_<SGM module with _>.lora_down/lora_up.weight` + `.alpha`), module paths in the
  original SGM block layout (input_blocks / middle_block / output_blocks).

Both are random (`init_lora_weights=False`, so lora_B is not zero) from torch.manual_seed(seed).
"""

from __future__ import annotations

from pathlib import Path

TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]
RANK = 4
ALPHA = 4


def _lora_state(pipeline_folder: Path, seed: int) -> tuple[dict, object]:
    import torch
    from diffusers import UNet2DConditionModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    unet = UNet2DConditionModel.from_pretrained(Path(pipeline_folder) / "unet")
    torch.manual_seed(seed)
    unet.add_adapter(LoraConfig(r=RANK, lora_alpha=ALPHA, target_modules=TARGETS, init_lora_weights=False))
    return get_peft_model_state_dict(unet), unet.config


def save_tiny_lora(pipeline_folder: Path, out: Path, seed: int = 1, layout: str = "diffusers") -> Path:
    """Write a random LoRA for the tiny UNet at `out` (one .safetensors file)."""
    import torch
    from safetensors.torch import save_file

    sd, config = _lora_state(pipeline_folder, seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if layout == "diffusers":
        from diffusers import StableDiffusionXLPipeline

        StableDiffusionXLPipeline.save_lora_weights(out.parent, unet_lora_layers=sd, weight_name=out.name,
                                                    safe_serialization=True)
        return out
    if layout != "kohya":
        raise ValueError(layout)
    from tests.tiny.sdxl_single_file import unet_to_ldm

    kohya: dict[str, torch.Tensor] = {}
    modules = sorted({k.rsplit(".lora_", 1)[0] for k in sd})
    sgm = unet_to_ldm({m + ".weight": None for m in modules}, config.layers_per_block)
    names = {m: "lora_unet_" + s.removesuffix(".weight").replace(".", "_") for m, s in zip(modules, sgm, strict=True)}
    for key, value in sd.items():
        module, part = key.rsplit(".lora_", 1)
        kind = "lora_down" if part.startswith("A") else "lora_up"
        kohya[f"{names[module]}.{kind}.weight"] = value.contiguous()
        kohya[f"{names[module]}.alpha"] = torch.tensor(float(ALPHA))
    save_file(kohya, str(out), metadata={"ss_network_module": "networks.lora", "ss_network_dim": str(RANK)})
    return out
