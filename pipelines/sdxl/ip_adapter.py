"""Optional identity guidance with IP-Adapter (plus-face SDXL, or FaceID SDXL) when installed.

The adapter changes the UNet's attention processors of the shared pipeline, so it is loaded
into a `LoadedSDXL` and removed again when a later job does not want it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from studio.core.errors import BadInput
from studio.core.models import ModelStore

PLUS_FACE = "ip-adapter-plus-face-sdxl"
FACEID = "ip-adapter-faceid-sdxl"


def ensure_ip_adapter(loaded: Any, store: ModelStore, which: str | None, scale: float = 0.6) -> None:
    """Load (or unload) the IP-Adapter `which` into the loaded pipeline's UNet."""
    pipe = loaded.txt2img
    current = getattr(loaded, "ip_adapter", None)
    if current == which:
        if which:
            pipe.set_ip_adapter_scale(scale)
        return
    if current:
        pipe.unload_ip_adapter()
    loaded.ip_adapter = None
    loaded._derived.clear()  # derived pipelines must pick up the new image encoder
    if not which:
        return
    path = store.require(which, purpose="IP-Adapter identity guidance")[0]
    if which == PLUS_FACE:
        pipe.load_ip_adapter(
            str(path), subfolder="sdxl_models", weight_name="ip-adapter-plus-face_sdxl_vit-h.safetensors",
            image_encoder_folder="models/image_encoder",
        )
    elif which == FACEID:
        # FaceID takes the insightface embedding directly: no image encoder
        pipe.load_ip_adapter(str(path.parent), subfolder=None, weight_name=path.name, image_encoder_folder=None)
    else:
        raise BadInput(f"Unknown IP-Adapter '{which}': use {PLUS_FACE} or {FACEID}.")
    pipe.set_ip_adapter_scale(scale)
    loaded.ip_adapter = which


def ip_adapter_inputs(loaded: Any, persona_face: np.ndarray | None, insightface_vector: list[float] | None) -> dict:
    """The extra pipeline arguments for the loaded adapter (empty when none is loaded)."""
    which = getattr(loaded, "ip_adapter", None)
    if which == PLUS_FACE:
        if persona_face is None:
            raise BadInput("IP-Adapter plus-face needs a reference face: add one with `studio faces add`.")
        from PIL import Image

        return {"ip_adapter_image": Image.fromarray(persona_face)}
    if which == FACEID:
        if insightface_vector is None:
            raise BadInput("IP-Adapter FaceID needs the persona's insightface identity (`studio faces add` with buffalo_l installed).")
        import torch

        pipe = loaded.txt2img
        emb = torch.tensor(np.asarray(insightface_vector, np.float32)).reshape(1, 1, -1)
        # [negative, positive] for classifier-free guidance
        embeds = torch.cat([torch.zeros_like(emb), emb]).to(device=pipe.device, dtype=pipe.unet.dtype)
        return {"ip_adapter_image_embeds": [embeds]}
    return {}
