"""Catalogue entries: Wan 2.2 video models (Apache-2.0, usable commercially).

TI2V-5B is one dense WanTransformer3DModel with a 48-channel VAE (16× spatial, 4× temporal
compression) and a UMT5-XXL text encoder: 720p at 24 fps on one consumer GPU. Size: the
diffusers repo's subfolders; VRAM: all on the GPU at 1280×704 × 121 frames, and the least with
group offload + VAE tiling.
"""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource

ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        id="wan2.2-ti2v-5b",
        name="Wan 2.2 TI2V-5B (text + image to video, 720p at 24 fps)",
        kind="video-model",
        layout="folder",
        source=ModelSource(
            type="hf",
            repo="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
            files=(
                "model_index.json",
                "scheduler/scheduler_config.json",
                "tokenizer/*",
                "text_encoder/config.json",
                "text_encoder/*.safetensors*",
                "transformer/config.json",
                "transformer/*.safetensors*",
                "vae/config.json",
                "vae/*.safetensors",
            ),
        ),
        size=34_000_000_000,
        licence="Apache-2.0",
        commercial_use=True,
        vram_gb=40.0,
        vram_min_gb=10.0,
        notes="Needs the `ftfy` package (diffusers' Wan prompt cleaning). Frames come in 4k+1.",
    ),
)
