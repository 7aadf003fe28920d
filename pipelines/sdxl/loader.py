"""Load SDXL pipelines the way users' checkpoints come: diffusers folders or single files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.device import DevicePlan
from studio.core.errors import BadInput, StudioError
from studio.core.paths import resources_dir

from .checkpoint import LoRAChoice, ModelFile


def sdxl_config_dir() -> Path:
    """The shipped SDXL base configs + tokenizers used to load single-file checkpoints offline."""
    return resources_dir() / "sdxl"


def _has_fp16_variant(folder: Path) -> bool:
    unet = folder / "unet"
    return unet.is_dir() and any(p.name.endswith(".fp16.safetensors") or p.name.endswith(".fp16.bin") for p in unet.iterdir())


def load_txt2img(ckpt: ModelFile, plan: DevicePlan, loras: list[LoRAChoice] = (), config_dir: Path | None = None) -> Any:
    """A StableDiffusionXLPipeline for `ckpt` on `plan`'s device, with LoRAs applied.

    `config_dir` overrides the shipped SDXL configs for single files (tests use a tiny one).
    """
    from diffusers import StableDiffusionXLPipeline

    dtype = plan.torch_dtype()
    try:
        if ckpt.layout == "folder":
            kwargs: dict[str, Any] = {"torch_dtype": dtype, "local_files_only": True}
            if plan.dtype == "float16" and _has_fp16_variant(ckpt.path):
                kwargs["variant"] = "fp16"
            pipe = StableDiffusionXLPipeline.from_pretrained(ckpt.path, **kwargs)
        else:
            pipe = StableDiffusionXLPipeline.from_single_file(
                str(ckpt.path),
                config=str(config_dir or sdxl_config_dir()),
                torch_dtype=dtype,
                local_files_only=True,
            )
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        raise StudioError(
            f"Could not load the SDXL checkpoint {ckpt.path.name}: {str(e).splitlines()[0][:300]}. "
            "Check that it is an SDXL (not SD 1.5 / Flux) checkpoint and that the file is complete "
            "(`studio models verify`)."
        ) from e
    if loras:
        apply_loras(pipe, loras)
    place(pipe, plan)
    return pipe


def apply_loras(pipe: Any, loras: list[LoRAChoice]) -> None:
    """Load each LoRA as a named adapter and activate them all with their weights."""
    names, weights = [], []
    for lora in loras:
        try:
            pipe.load_lora_weights(str(lora.model.path), adapter_name=lora.adapter_name)
        except (OSError, ValueError, KeyError, RuntimeError) as e:
            raise BadInput(
                f"The LoRA {lora.model.path.name} does not fit this checkpoint ({str(e).splitlines()[0][:200]}). "
                "Use an SDXL LoRA."
            ) from e
        names.append(lora.adapter_name)
        weights.append(lora.weight)
    pipe.set_adapters(names, adapter_weights=weights)


def place(pipe: Any, plan: DevicePlan) -> None:
    """Move to the device, or offload components to the CPU between uses on small GPUs."""
    if plan.offload:
        pipe.enable_model_cpu_offload()
    else:
        pipe.to(plan.device)
    if plan.vae_tiling:
        pipe.vae.enable_tiling()
        pipe.vae.enable_slicing()
    pipe.set_progress_bar_config(disable=True)
