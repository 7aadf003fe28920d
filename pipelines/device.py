"""Where and how to run a diffusion model: CUDA fp16 (with offload on small GPUs) or CPU float32."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Below this much free GPU memory SDXL (about 7 GB of fp16 weights plus activations at 1 MP)
#: does not fit comfortably, so components are offloaded to the CPU between uses.
LOW_VRAM_BYTES = 12 * 1024**3


@dataclass(frozen=True)
class DevicePlan:
    """The device, dtype and memory savers for one pipeline load."""

    device: str  # 'cuda' or 'cpu'
    dtype: str  # 'float16' or 'float32'
    offload: bool  # enable_model_cpu_offload()
    vae_tiling: bool  # VAE tiling + slicing (large images on small GPUs)
    reason: str = ""

    def torch_dtype(self):  # noqa: ANN201 - torch is imported lazily
        import torch

        return getattr(torch, self.dtype)


def plan_device(device: str = "auto", low_vram: str = "auto", min_free_bytes: int = LOW_VRAM_BYTES) -> DevicePlan:
    """Pick CUDA fp16 when present, else CPU float32; offload when asked or when memory is short.

    device: 'auto' | 'cuda' | 'cpu' (settings.device); low_vram: 'auto' | 'on' | 'off';
    min_free_bytes: below this much free GPU memory 'auto' offloads (the model's own need).
    """
    import torch

    from studio.core.errors import BadInput

    if device == "cuda" and not torch.cuda.is_available():
        raise BadInput("The device is set to CUDA but no CUDA GPU is available; set it to 'auto' or 'cpu'.")
    if device == "cpu" or not torch.cuda.is_available():
        return DevicePlan("cpu", "float32", False, False, "no CUDA GPU: CPU float32 (slow)")
    free, total = torch.cuda.mem_get_info()
    if low_vram == "on":
        return DevicePlan("cuda", "float16", True, True, "low-VRAM mode requested")
    if low_vram == "auto" and free < min_free_bytes:
        gb = free / 1024**3
        return DevicePlan("cuda", "float16", True, True, f"{gb:.1f} GB GPU memory free: offloading")
    return DevicePlan("cuda", "float16", False, False, f"CUDA fp16 ({free / 1024**3:.0f} GB free)")


# ---------------------------------------------------------------------- the newer (DiT) models

GiB = 1024**3
Offload = Literal["none", "model", "group"]


@dataclass(frozen=True)
class ModelPlan:
    """Device, precision and memory savers for one of the newer diffusers models (FLUX.2, Z-Image, Wan).

    offload: 'none' (everything on the GPU), 'model' (one component at a time on the GPU:
    `enable_model_cpu_offload`), 'group' (the transformer's blocks streamed to the GPU as they run:
    `enable_group_offload(leaf_level, use_stream)`, the least memory). `fp8`: the transformer's
    linear/conv weights are stored as float8 (e4m3) and cast to `dtype` layer by layer as they run
    (diffusers' layerwise casting): half its memory, a small loss of precision. (Not the text
    encoder: transformers models then report float8 as their dtype and the pipelines would make
    their prompt embeddings in it.)
    `vae_dtype` keeps a VAE in float32 where the model's authors say so (Wan).
    """

    device: str  # 'cuda' or 'cpu'
    dtype: str  # 'bfloat16', 'float16' or 'float32'
    offload: Offload
    vae_tiling: bool
    reason: str
    vae_dtype: str | None = None
    fp8: bool = False

    def torch_dtype(self):  # noqa: ANN201 - torch is imported lazily
        import torch

        return getattr(torch, self.dtype)

    def load_dtype(self):  # noqa: ANN201 - a dtype or diffusers' per-component dict
        """What `from_pretrained(dtype=...)` takes: one dtype, or a dict when the VAE differs."""
        import torch

        if self.vae_dtype and self.vae_dtype != self.dtype:
            return {"default": self.torch_dtype(), "vae": getattr(torch, self.vae_dtype)}
        return self.torch_dtype()


def choose_offload(free_gb: float, need_gb: float | None, low_vram: str = "auto",
                   fp8_tier: bool = False) -> tuple[Offload, bool, str, bool]:
    """(offload, vae_tiling, why, fp8) for a model needing `need_gb` on a GPU with `free_gb` free (pure).

    Everything on the GPU when it fits with 10 % to spare; one component at a time (model
    offload) down to 60 % of the need, which holds the largest component plus activations; for a
    model whose transformer is its largest component (`fp8_tier`: Z-Image's 6B), down to 35 %
    the same with the transformer stored in fp8 (half its size); below that, group offload,
    which streams layers and needs the least. Tiling the VAE costs little and saves gigabytes at
    1 MP / 720p, so every offloaded plan tiles.
    """
    if low_vram == "on":
        return "group", True, "low-VRAM mode requested: group offload + VAE tiling", False
    need = need_gb or 0.0
    head = f"{free_gb:.1f} GB free (needs ~{need:.0f} GB)"
    if low_vram == "off" or free_gb >= need * 1.1:
        return "none", False, f"{head}: all on the GPU", False
    if free_gb >= need * 0.6:
        return "model", True, f"{head}: model CPU offload + VAE tiling", False
    if fp8_tier and free_gb >= need * 0.35:
        return "model", True, f"{head}: model CPU offload, fp8 transformer + VAE tiling", True
    return "group", True, f"{head}: group offload + VAE tiling", False


def free_vram_bytes() -> int | None:
    """Free memory of the current CUDA device, or None without CUDA."""
    import torch

    if not torch.cuda.is_available():
        return None
    return int(torch.cuda.mem_get_info()[0])


def plan_model(need_gb: float | None, device: str = "auto", low_vram: str = "auto",
               vae_float32: bool = False, free_bytes: int | None = None, bf16: bool | None = None,
               fp8_tier: bool = False) -> ModelPlan:
    """Pick CUDA bf16 (fp16 where the GPU has no bf16) with offload from free VRAM, else CPU float32.

    need_gb: the catalogue's `vram_gb` of the model; `free_bytes` and `bf16` describe the GPU
    (measured when None; given by tests).
    """
    import torch

    from studio.core.errors import BadInput

    if device == "cuda" and not torch.cuda.is_available():
        raise BadInput("The device is set to CUDA but no CUDA GPU is available; set it to 'auto' or 'cpu'.")
    if device == "cpu" or (free_bytes is None and not torch.cuda.is_available()):
        return ModelPlan("cpu", "float32", "none", False, "no CUDA GPU: CPU float32 (slow)")
    free = free_bytes if free_bytes is not None else int(torch.cuda.mem_get_info()[0])
    if bf16 is None:
        bf16 = not torch.cuda.is_available() or torch.cuda.is_bf16_supported()
    dtype = "bfloat16" if bf16 else "float16"
    offload, tiling, why, fp8 = choose_offload(free / GiB, need_gb, low_vram, fp8_tier)
    return ModelPlan("cuda", dtype, offload, tiling, f"{why}, {dtype}", "float32" if vae_float32 else None, fp8)
