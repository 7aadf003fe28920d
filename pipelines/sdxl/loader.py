"""Load SDXL pipelines the way users' checkpoints come: diffusers folders or single files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.device import DevicePlan
from pipelines.loading import dtype_kwarg, pretrained_kwargs, quiet_libraries, refuse_pickles
from studio.core.errors import BadInput, StudioError
from studio.core.paths import resources_dir

from .checkpoint import LoRAChoice, ModelFile


def sdxl_config_dir() -> Path:
    """The shipped SDXL base configs + tokenizers used to load single-file checkpoints offline."""
    return resources_dir() / "sdxl"


def load_txt2img(ckpt: ModelFile, plan: DevicePlan, loras: list[LoRAChoice] = (), config_dir: Path | None = None) -> Any:
    """A StableDiffusionXLPipeline for `ckpt` on `plan`'s device, with LoRAs applied.

    `config_dir` overrides the shipped SDXL configs for single files (tests use a tiny one).
    """
    quiet_libraries()
    from diffusers import StableDiffusionXLPipeline

    dtype = plan.torch_dtype()
    try:
        if ckpt.layout == "folder":
            refuse_pickles(ckpt.path, ckpt.allow_pickle, "checkpoint")
            kwargs = pretrained_kwargs(ckpt.path, dtype, plan.dtype == "float16", ckpt.allow_pickle)
            pipe = StableDiffusionXLPipeline.from_pretrained(ckpt.path, **kwargs)
        else:
            pipe = StableDiffusionXLPipeline.from_single_file(
                str(ckpt.path),
                config=str(config_dir or sdxl_config_dir()),
                local_files_only=True,
                **{dtype_kwarg(): dtype},
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
    for lora in loras:
        try:
            pipe.load_lora_weights(str(lora.model.path), adapter_name=lora.adapter_name)
        except (OSError, ValueError, KeyError, RuntimeError) as e:
            raise BadInput(
                f"The LoRA {lora.model.path.name} does not fit this checkpoint ({str(e).splitlines()[0][:200]}). "
                "Use an SDXL LoRA."
            ) from e
    activate_loras(pipe, loras)


def activate_loras(pipe: Any, loras: list[LoRAChoice], extra: dict[str, float] | None = None) -> None:
    """Make exactly these loaded adapters active: the persona's LoRAs with their weights, plus `extra`
    (name -> weight, e.g. the LoRA inside IP-Adapter FaceID)."""
    names = [lo.adapter_name for lo in loras] + list(extra or {})
    weights = [lo.weight for lo in loras] + list((extra or {}).values())
    if names:
        pipe.set_adapters(names, adapter_weights=weights)


def place(pipe: Any, plan: DevicePlan) -> None:
    """Move to the device, or offload components to the CPU between uses on small GPUs."""
    if plan.offload:
        offload(pipe, plan)
    else:
        pipe.to(plan.device)
    if plan.vae_tiling:
        pipe.vae.enable_tiling()
        pipe.vae.enable_slicing()
    pipe.set_progress_bar_config(disable=True)


def offload(pipe: Any, plan: DevicePlan) -> None:
    """(Re-)install model CPU offload hooks on every component the pipeline has now.

    `enable_model_cpu_offload` hooks only the components present when it is called (it removes
    the old hooks first), so it runs again after an IP-Adapter adds or removes the image encoder.
    The device is the plan's: diffusers would otherwise pick the first accelerator itself.
    """
    pipe.enable_model_cpu_offload(device=plan.device)
