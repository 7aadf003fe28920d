"""Catalogue entries: image-to-video models."""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource

_SVD_FILES = (
    "model_index.json",
    "feature_extractor/preprocessor_config.json",
    "image_encoder/config.json",
    "image_encoder/model.fp16.safetensors",
    "scheduler/scheduler_config.json",
    "unet/config.json",
    "unet/diffusion_pytorch_model.fp16.safetensors",
    "vae/config.json",
    "vae/diffusion_pytorch_model.fp16.safetensors",
)

ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        id="svd",
        name="Stable Video Diffusion img2vid (14 frames)",
        kind="svd",
        layout="folder",
        source=ModelSource(type="hf", repo="stabilityai/stable-video-diffusion-img2vid", files=_SVD_FILES),
        size=4_200_000_000,
        licence="Stable Video Diffusion Non-Commercial Community License",
        commercial_use=False,
    ),
    ModelEntry(
        id="svd-xt",
        name="Stable Video Diffusion img2vid-xt (25 frames)",
        kind="svd",
        layout="folder",
        source=ModelSource(type="hf", repo="stabilityai/stable-video-diffusion-img2vid-xt", files=_SVD_FILES),
        size=4_200_000_000,
        licence="Stable Video Diffusion Non-Commercial Community License",
        commercial_use=False,
    ),
)
