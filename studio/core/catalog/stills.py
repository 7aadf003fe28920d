"""Catalogue entries: image models: SDXL checkpoints, inpainting, IP-Adapters (and newer image models)."""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource

_SDXL_FILES = (
    "model_index.json",
    "scheduler/scheduler_config.json",
    "text_encoder/config.json",
    "text_encoder/model.fp16.safetensors",
    "text_encoder_2/config.json",
    "text_encoder_2/model.fp16.safetensors",
    "tokenizer/merges.txt",
    "tokenizer/special_tokens_map.json",
    "tokenizer/tokenizer_config.json",
    "tokenizer/vocab.json",
    "tokenizer_2/merges.txt",
    "tokenizer_2/special_tokens_map.json",
    "tokenizer_2/tokenizer_config.json",
    "tokenizer_2/vocab.json",
    "unet/config.json",
    "unet/diffusion_pytorch_model.fp16.safetensors",
    "vae/config.json",
    "vae/diffusion_pytorch_model.fp16.safetensors",
)

ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        id="sdxl-base-1.0",
        name="Stable Diffusion XL base 1.0",
        kind="sdxl-checkpoint",
        layout="folder",
        source=ModelSource(type="hf", repo="stabilityai/stable-diffusion-xl-base-1.0", files=_SDXL_FILES),
        size=6_940_000_000,
        licence="CreativeML Open RAIL++-M",
        commercial_use=True,
    ),
    ModelEntry(
        id="sdxl-inpaint-0.1",
        name="SDXL 1.0 inpainting 0.1",
        kind="sdxl-inpaint",
        layout="folder",
        source=ModelSource(type="hf", repo="diffusers/stable-diffusion-xl-1.0-inpainting-0.1", files=_SDXL_FILES),
        size=6_940_000_000,
        licence="CreativeML Open RAIL++-M",
        commercial_use=True,
    ),
    ModelEntry(
        id="juggernaut-xl",
        name="Juggernaut XL (single-file SDXL checkpoint)",
        kind="sdxl-checkpoint",
        filename="juggernautXL.safetensors",
        source=ModelSource(
            type="import",
            hint="Download a Juggernaut XL .safetensors from its CivitAI page, then run "
            "`studio models import juggernaut-xl FILE`.",
        ),
        size=7_110_000_000,
        licence="CreativeML Open RAIL++-M (check the CivitAI page of your version)",
        commercial_use=True,
    ),
    ModelEntry(
        id="ip-adapter-faceid-sdxl",
        name="IP-Adapter FaceID SDXL",
        kind="ip-adapter",
        filename="ip-adapter-faceid_sdxl.bin",
        source=ModelSource(type="hf", repo="h94/IP-Adapter-FaceID", files=("ip-adapter-faceid_sdxl.bin",)),
        size=1_070_000_000,
        licence="IP-Adapter-FaceID: non-commercial research (uses insightface embeddings)",
        commercial_use=False,
    ),
    ModelEntry(
        id="ip-adapter-plus-face-sdxl",
        name="IP-Adapter plus-face SDXL (ViT-H)",
        kind="ip-adapter",
        layout="folder",
        source=ModelSource(
            type="hf",
            repo="h94/IP-Adapter",
            files=(
                "sdxl_models/ip-adapter-plus-face_sdxl_vit-h.safetensors",
                "models/image_encoder/config.json",
                "models/image_encoder/model.safetensors",
            ),
        ),
        size=3_200_000_000,
        licence="Apache-2.0",
        commercial_use=True,
    ),
)
