"""Catalogue entries: the current permissively licensed image models (FLUX.2 [klein] 4B, Z-Image-Turbo).

Both are diffusers folders with sharded weights, so their weight files are listed as globs (the
store expands them against the repo's file list). Sizes are the bf16 weights of the subfolders we
download (the repos' single-file copies for ComfyUI are left out). VRAM: everything on the GPU at
1 MP in bf16, and the least with group offload + VAE tiling (pipelines/device.py decides).
"""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource


def _diffusers_files(*subfolders: str) -> tuple[str, ...]:
    """model_index.json, the scheduler, the tokenizer and each model subfolder's config + weights."""
    files = ["model_index.json", "scheduler/scheduler_config.json", "tokenizer/*"]
    for sub in subfolders:
        files += [f"{sub}/config.json", f"{sub}/*.safetensors*"]
    return tuple(files)


ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        id="flux2-klein-4b",
        name="FLUX.2 [klein] 4B (text-to-image + multi-reference editing, 4 steps)",
        kind="image-model",
        layout="folder",
        source=ModelSource(type="hf", repo="black-forest-labs/FLUX.2-klein-4B",
                           files=_diffusers_files("text_encoder", "transformer", "vae")),
        size=16_100_000_000,
        licence="Apache-2.0 (FLUX.2 [klein] 4B; the 9B klein models are non-commercial)",
        commercial_use=True,
        vram_gb=16.0,
        vram_min_gb=6.0,
        notes="Step-distilled: 4 steps, no guidance, no negative prompt. Takes the persona's "
        "reference photos as multi-reference input (no InsightFace model needed).",
    ),
    ModelEntry(
        id="z-image-turbo",
        name="Z-Image-Turbo 6B (photoreal text-to-image, 8 steps)",
        kind="image-model",
        layout="folder",
        source=ModelSource(type="hf", repo="Tongyi-MAI/Z-Image-Turbo",
                           files=_diffusers_files("text_encoder", "transformer", "vae")),
        size=20_600_000_000,
        licence="Apache-2.0",
        commercial_use=True,
        vram_gb=24.0,
        vram_min_gb=8.0,
        notes="Distilled: 8 steps, guidance 0 (no negative prompt). img2img and inpainting in diffusers.",
    ),
)
