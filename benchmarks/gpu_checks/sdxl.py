"""SDXL on CUDA in fp16: a folder as the hub ships it, model CPU offload + VAE tiling, a single
file, IP-Adapter plus-face under offload, FaceID with a LoRA (with and without guidance), and the
9-channel inpainting model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import CheckEnv, gpu_check


def _hub_sdxl(env: CheckEnv, in_channels: int = 4) -> Path:
    from tests.tiny.sdxl import save_tiny_sdxl_hub_layout

    return env.once(f"sdxl-hub-{in_channels}", lambda d: save_tiny_sdxl_hub_layout(d / "sdxl", in_channels))


def _fp32_sdxl(env: CheckEnv) -> Path:
    from tests.tiny.sdxl import save_tiny_sdxl

    return env.once("sdxl-fp32", lambda d: save_tiny_sdxl(d / "sdxl"))


def _load(env: CheckEnv, folder: Path, offload: bool = False, tiling: bool = False, loras=()):  # noqa: ANN001, ANN202
    from pipelines.sdxl.cache import shared_cache
    from pipelines.sdxl.checkpoint import resolve_model

    return shared_cache().get(resolve_model(str(folder), env.store), env.plan(offload, tiling), tuple(loras))


def _draw(pipe, size: int = 64, cfg: float = 5.0, extra: dict | None = None) -> np.ndarray:  # noqa: ANN001
    from pipelines.sdxl.generate import ImageRequest, text_to_image
    from studio.core.tasks import TaskContext

    req = ImageRequest("a portrait photo", "blurry", size, size, 2, cfg, 1, extra or {})
    image = text_to_image(pipe, req, TaskContext())
    if not np.isfinite(image.astype(np.float32)).all() or image.std() == 0:
        raise AssertionError("the image is blank or not finite (fp16 overflow?)")
    return image


def _on(module, device: str) -> str:  # noqa: ANN001
    p = next(module.parameters())
    if p.device.type != device:
        raise AssertionError(f"{type(module).__name__} is on {p.device}, expected {device}")
    return str(p.dtype).replace("torch.", "")


@gpu_check("SDXL txt2img, fp16 folder (hub layout), all on GPU", area="stills")
def sdxl_fp16(env: CheckEnv) -> str:
    loaded = _load(env, _hub_sdxl(env))
    dtype = _on(loaded.txt2img.unet, env.device)
    _draw(loaded.txt2img)
    return f"unet {dtype} on {env.device}"


@gpu_check("SDXL model CPU offload + VAE tiling (256 px, tiled decode)", area="stills")
def sdxl_offload_tiling(env: CheckEnv) -> str:
    loaded = _load(env, _hub_sdxl(env), offload=True, tiling=True)
    pipe = loaded.txt2img
    _draw(pipe, size=256)  # larger than the tiny VAE's 128 px tile: the tiled decoder runs
    _on(pipe.unet, "cpu")  # offloaded again after the call
    return f"{len(pipe._all_hooks)} offload hooks, unet back on cpu"


@gpu_check("SDXL single-file checkpoint, fp16", area="stills")
def sdxl_single_file(env: CheckEnv) -> str:
    from pipelines.sdxl.cache import shared_cache
    from pipelines.sdxl.checkpoint import resolve_model
    from tests.tiny.sdxl_single_file import config_folder, save_single_file

    folder = _fp32_sdxl(env)
    single = env.once("sdxl-single", lambda d: save_single_file(folder, d / "tiny.safetensors"))
    configs = env.once("sdxl-configs", lambda d: config_folder(folder, d / "configs"))
    loaded = shared_cache().get(resolve_model(str(single), env.store), env.plan(), (), config_dir=configs)
    _draw(loaded.txt2img)
    return f"unet {_on(loaded.txt2img.unet, env.device)}"


@gpu_check("SDXL + IP-Adapter plus-face under model offload", area="stills")
def sdxl_plus_face_offload(env: CheckEnv) -> str:
    from pipelines.sdxl.ip_adapter import PLUS_FACE, ensure_ip_adapter, ip_adapter_inputs
    from tests.tiny.sdxl_ip_adapter import save_tiny_plus_face

    folder = _fp32_sdxl(env)
    env.store.import_file(PLUS_FACE, env.once("plus-face", lambda d: save_tiny_plus_face(folder, d / "IP-Adapter")))
    loaded = _load(env, _hub_sdxl(env), offload=True)
    ensure_ip_adapter(loaded, env.store, PLUS_FACE)
    face = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
    _draw(loaded.txt2img, extra=ip_adapter_inputs(loaded, face, None))  # a device mismatch raises here
    ensure_ip_adapter(loaded, env.store, None)
    return "image encoder hooked, unloaded again"


@gpu_check("SDXL + IP-Adapter FaceID + persona LoRA, cfg 5 and cfg 1", area="stills")
def sdxl_faceid_lora(env: CheckEnv) -> str:
    from pipelines.sdxl.checkpoint import resolve_loras
    from pipelines.sdxl.ip_adapter import FACEID, ensure_ip_adapter, ip_adapter_inputs
    from tests.tiny.sdxl_faceid import ID_DIM, save_tiny_faceid
    from tests.tiny.sdxl_lora import save_tiny_lora

    folder = _fp32_sdxl(env)
    env.store.import_file(FACEID, env.once("faceid", lambda d: save_tiny_faceid(folder, d / "ip-adapter-faceid_sdxl.bin")))
    lora = env.once("lora", lambda d: save_tiny_lora(folder, d / "persona.safetensors"))
    loras = resolve_loras([(str(lora), 0.8)], env.store)
    loaded = _load(env, _hub_sdxl(env), loras=loras)
    ensure_ip_adapter(loaded, env.store, FACEID)
    vec = np.random.default_rng(1).normal(size=ID_DIM).astype(np.float32)
    for cfg in (5.0, 1.0):
        _draw(loaded.txt2img, cfg=cfg, extra=ip_adapter_inputs(loaded, None, vec.tolist(), guidance=cfg))
    active = sorted(loaded.txt2img.get_active_adapters())
    ensure_ip_adapter(loaded, env.store, None)
    return f"active adapters {active}, then {loaded.txt2img.get_active_adapters()}"


@gpu_check("SDXL inpainting model (9-channel UNet), fp16", area="stills")
def sdxl_inpaint(env: CheckEnv) -> str:
    from pipelines.sdxl.generate import ImageRequest, inpaint_image
    from studio.core.tasks import TaskContext

    loaded = _load(env, _hub_sdxl(env, 9))
    image = np.random.default_rng(2).integers(0, 255, (64, 64, 3), np.uint8)
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    req = ImageRequest("a hat", "", 64, 64, 2, 5.0, 1)
    out = inpaint_image(loaded.inpaint, image, mask, req, 0.99, TaskContext())
    return f"in_channels {loaded.txt2img.unet.config.in_channels}, out {out.shape[1]}x{out.shape[0]}"
