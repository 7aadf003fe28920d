"""Optional identity guidance with IP-Adapter (plus-face SDXL, or FaceID SDXL) when installed.

The adapter changes the UNet's attention processors of the shared pipeline, so it is loaded
into a `LoadedSDXL` and removed again when a later job does not want it. Three things diffusers
leaves to the caller (checked against diffusers' loaders/ip_adapter.py):

- FaceID weights carry a LoRA, which `load_ip_adapter` loads as adapter `faceid_0` and activates
  *alone* (`set_adapters(["faceid_0"])`), switching the persona's LoRAs off; `unload_ip_adapter`
  never removes it. We activate the persona's LoRAs next to it, and delete it on unload.
- The plus-face image encoder is created after model CPU offload was enabled and gets no offload
  hook (it stays on the CPU while the image goes to the GPU): the hooks are installed again after
  the adapter comes or goes.
- Without classifier-free guidance (guidance <= 1, Turbo/Lightning checkpoints) diffusers does not
  split `[negative, positive]` FaceID embeddings, so only the positive one may be passed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from studio.core.errors import BadInput
from studio.core.models import ModelStore

from .loader import activate_loras, offload

PLUS_FACE = "ip-adapter-plus-face-sdxl"
FACEID = "ip-adapter-faceid-sdxl"
FACEID_LORA_PREFIX = "faceid_"


def ensure_ip_adapter(loaded: Any, store: ModelStore, which: str | None, scale: float = 0.6) -> None:
    """Load (or unload) the IP-Adapter `which` into the loaded pipeline's UNet."""
    pipe = loaded.txt2img
    current = getattr(loaded, "ip_adapter", None)
    if current == which:
        if which:
            pipe.set_ip_adapter_scale(scale)
        return
    if current:
        _unload(loaded)
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
        # FaceID takes the insightface embedding directly: no image encoder. Its weights are only
        # published as a pickle; torch's weights-only unpickler reads tensors and nothing else.
        pipe.load_ip_adapter(read_faceid(path), subfolder=None, weight_name=path.name, image_encoder_folder=None)
        faceid = [n for n in getattr(pipe.unet, "peft_config", {}) if n.startswith(FACEID_LORA_PREFIX)]
        activate_loras(pipe, list(loaded.loras), extra={n: 1.0 for n in faceid})
    else:
        raise BadInput(f"Unknown IP-Adapter '{which}': use {PLUS_FACE} or {FACEID}.")
    if loaded.plan.offload:
        offload(pipe, loaded.plan)  # the new image encoder joins the offload chain
    pipe.set_ip_adapter_scale(scale)
    loaded.ip_adapter = which


def _unload(loaded: Any) -> None:
    pipe = loaded.txt2img
    pipe.unload_ip_adapter()
    faceid = [n for n in getattr(pipe.unet, "peft_config", {}) if n.startswith(FACEID_LORA_PREFIX)]
    if faceid:
        pipe.delete_adapters(faceid)
        activate_loras(pipe, list(loaded.loras))  # the persona's LoRAs, as loaded
    if loaded.plan.offload:
        offload(pipe, loaded.plan)  # no hook may keep the dropped image encoder in the chain


def read_faceid(path: Path) -> dict:
    """The FaceID state dict ({'image_proj': ..., 'ip_adapter': ...}) from its .bin, safely."""
    import torch

    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - the unpickler refuses code, or the file is broken
        raise BadInput(f"{path.name} is not a loadable IP-Adapter FaceID file ({str(e).splitlines()[0][:160]}). "
                       "Run `studio models verify ip-adapter-faceid-sdxl` or download it again.") from e
    if not isinstance(state, dict) or "image_proj" not in state or "ip_adapter" not in state:
        raise BadInput(f"{path.name} is not an IP-Adapter FaceID file (no image_proj / ip_adapter weights).")
    return state


def uses_cfg(pipe: Any, guidance: float) -> bool:
    """diffusers' own rule (`do_classifier_free_guidance`): guidance > 1 and no guidance embedding."""
    return guidance > 1 and getattr(pipe.unet.config, "time_cond_proj_dim", None) is None


def ip_adapter_inputs(loaded: Any, persona_face: np.ndarray | None, insightface_vector: list[float] | None,
                      guidance: float = 5.0) -> dict:
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
        if uses_cfg(pipe, guidance):
            emb = torch.cat([torch.zeros_like(emb), emb])  # [negative, positive], split by diffusers
        return {"ip_adapter_image_embeds": [emb.to(device=pipe.device, dtype=pipe.unet.dtype)]}
    return {}
