"""Where and how to run a diffusion model: CUDA fp16 (with offload on small GPUs) or CPU float32."""

from __future__ import annotations

from dataclasses import dataclass

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
