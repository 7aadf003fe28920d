"""Catalogue entries: upscalers (sharper stills and clips)."""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource

ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        id="realesrgan-x4plus",
        name="Real-ESRGAN x4plus (4x upscale of photos and video frames)",
        kind="upscaler",
        filename="RealESRGAN_x4plus.pth",
        # the authors' own release; it states no sha256, so the store records it on first download
        source=ModelSource(type="url", url="https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/"
                           "RealESRGAN_x4plus.pth"),
        size=67_040_989,
        licence="BSD-3-Clause (Real-ESRGAN, Xintao Wang et al.)",
        commercial_use=True,
        vram_gb=1.5,
        vram_min_gb=0.5,
        notes="RRDBNet, 23 blocks; loaded with spandrel when installed (pip install 'persona-studio[upscale]'), "
              "else by the studio's own RRDBNet loader. Tiled, so any size fits.",
    ),
)
