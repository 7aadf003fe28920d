"""FLUX.2 [klein], Z-Image and Wan 2.2 on CUDA: bf16 all on the GPU, model CPU offload + VAE tiling,
and group offload, each through the studio's own loader (pipelines/dit/loaded.py) and engine code
with the tiny random models of tests/tiny. The plan is made by `plan_model` as on a GPU with the
given free memory, so the same thresholds the jobs use pick each mode."""

from __future__ import annotations

import numpy as np

from . import CheckEnv, gpu_check

GiB = 1 << 30
#: the catalogue's full-GPU need of each model (what plan_model compares free memory with)
NEED = {"klein": 16.0, "zimage": 24.0, "wan": 40.0}


def _plan(env: CheckEnv, need: float, free_gib: float, low: str = "auto", vae_float32: bool = False,
          fp8_tier: bool = False):  # noqa: ANN202
    from pipelines.device import plan_model

    if env.device != "cuda":
        return plan_model(need, "cpu")
    return plan_model(need, "cuda", low, vae_float32=vae_float32, free_bytes=int(free_gib * GiB), fp8_tier=fp8_tier)


def _where(env: CheckEnv, module, plan) -> str:  # noqa: ANN001
    p = next(module.parameters())
    if env.device == "cuda" and plan.offload == "none" and (p.device.type != "cuda" or str(p.dtype) != f"torch.{plan.dtype}"):
        raise AssertionError(f"{type(module).__name__} on {p.device} as {p.dtype}, plan {plan.offload}")
    peak = ""
    if env.device == "cuda":
        import torch

        peak = f", peak {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB"
    return f"{plan.reason}{peak}"


def _image(seed: int, h: int = 64, w: int = 64) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (h, w, 3), np.uint8)


def _check_pixels(*images: np.ndarray) -> None:
    for img in images:
        if img.dtype != np.uint8 or img.std() == 0:
            raise AssertionError("blank image")


def _klein(env: CheckEnv, free_gib: float, low: str = "auto") -> str:
    from pipelines.dit.loaded import shared_models
    from pipelines.flux2.klein import TXT2IMG, Flux2Klein
    from pipelines.sdxl.generate import ImageRequest
    from studio.core.tasks import TaskContext
    from tests.tiny.flux2 import save_tiny_flux2

    folder = env.once("klein", lambda d: save_tiny_flux2(d / "klein"))
    plan = _plan(env, NEED["klein"], free_gib, low)
    klein = Flux2Klein(shared_models().get(folder, TXT2IMG, plan))
    req = ImageRequest("a portrait photo", "", 64, 64, 2, 1.0, 1)
    ctx = TaskContext()
    first = klein.text_to_image(req, ctx, references=[_image(1, 80, 72)])
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    edited = klein.inpaint(_image(2), mask, req, 0.9, ctx, reference=_image(3, 72, 72))
    again = klein.text_to_image(req, ctx, references=[_image(1, 80, 72)])  # back from the inpaint variant
    _check_pixels(first, edited, again)
    if not np.array_equal(first, again):
        raise AssertionError("the same seed drew a different image after switching pipelines")
    return f"txt2img + 1 reference, inpaint + reference, txt2img again; {_where(env, klein.loaded.base.transformer, plan)}"


@gpu_check("FLUX.2 [klein] bf16 on GPU: multi-reference txt2img, inpaint", area="stills")
def klein_gpu(env: CheckEnv) -> str:
    return _klein(env, 40)


@gpu_check("FLUX.2 [klein] model CPU offload + VAE tiling (switching txt2img/inpaint)", area="stills")
def klein_model_offload(env: CheckEnv) -> str:
    return _klein(env, 12)


@gpu_check("FLUX.2 [klein] group offload (low VRAM)", area="stills")
def klein_group_offload(env: CheckEnv) -> str:
    return _klein(env, 40, low="on")


def _zimage(env: CheckEnv, free_gib: float, low: str = "auto") -> str:
    from pipelines.dit.loaded import shared_models
    from pipelines.sdxl.generate import ImageRequest
    from pipelines.zimage.turbo import TXT2IMG, ZImage
    from studio.core.tasks import TaskContext
    from tests.tiny.zimage import save_tiny_zimage

    folder = env.once("zimage", lambda d: save_tiny_zimage(d / "zimage"))
    plan = _plan(env, NEED["zimage"], free_gib, low, fp8_tier=True)
    z = ZImage(shared_models().get(folder, TXT2IMG, plan))
    ctx = TaskContext()
    turbo = ImageRequest("a portrait photo", "blurry", 64, 64, 2, 0.0, 1)
    guided = ImageRequest("a portrait photo", "blurry", 64, 64, 2, 2.0, 1)
    mask = np.zeros((64, 64), np.uint8)
    mask[8:40, 8:40] = 255
    _check_pixels(z.text_to_image(turbo, ctx), z.text_to_image(guided, ctx),
                  z.image_to_image(_image(4), turbo, 0.6, ctx), z.inpaint(_image(5), mask, turbo, 1.0, ctx))
    if env.device == "cuda" and plan.fp8 != any(str(p.dtype) == "torch.float8_e4m3fn"
                                                for p in z.loaded.base.transformer.parameters()):
        raise AssertionError(f"fp8 storage {'missing' if plan.fp8 else 'unexpected'}")
    return f"txt2img (guidance 0 and 2), img2img, inpaint; {_where(env, z.loaded.base.transformer, plan)}"


@gpu_check("Z-Image-Turbo bf16 on GPU: txt2img, img2img, inpaint", area="stills")
def zimage_gpu(env: CheckEnv) -> str:
    return _zimage(env, 40)


@gpu_check("Z-Image-Turbo model offload with the transformer stored in fp8", area="stills")
def zimage_fp8(env: CheckEnv) -> str:
    return _zimage(env, 10)


@gpu_check("Z-Image-Turbo group offload + VAE tiling", area="stills")
def zimage_group_offload(env: CheckEnv) -> str:
    return _zimage(env, 8)


def _wan(env: CheckEnv, free_gib: float, low: str = "auto") -> str:
    from pipelines.dit.loaded import shared_models
    from pipelines.motion.wan import I2V, WanMotion, WanRequest
    from tests.tiny.wan import save_tiny_wan

    folder = env.once("wan", lambda d: save_tiny_wan(d / "wan"))
    plan = _plan(env, NEED["wan"], free_gib, low, vae_float32=True)
    motion = WanMotion(shared_models().get(folder, I2V, plan))
    vae = next(motion.pipe.vae.parameters())
    if env.device == "cuda" and str(vae.dtype) != "torch.float32":
        raise AssertionError(f"Wan VAE in {vae.dtype}, not float32")
    result = motion.run(WanRequest(_image(6, 96, 64), "she turns her head", seed=1, total_frames=13, window=9,
                                   crossfade=2, steps=2, canvas=(64, 96)))
    frames = np.stack(result.frames)
    if frames.shape != (13, 96, 64, 3) or frames.std() == 0:
        raise AssertionError(f"frames {frames.shape}")
    return f"{len(result.frames)} frames in {result.windows} windows; {_where(env, motion.pipe.transformer, plan)}"


@gpu_check("Wan 2.2 TI2V bf16 + float32 VAE on GPU, chained windows", area="motion")
def wan_gpu(env: CheckEnv) -> str:
    return _wan(env, 80)


@gpu_check("Wan 2.2 TI2V model CPU offload + VAE tiling", area="motion")
def wan_model_offload(env: CheckEnv) -> str:
    return _wan(env, 30)


@gpu_check("Wan 2.2 TI2V group offload (low VRAM)", area="motion")
def wan_group_offload(env: CheckEnv) -> str:
    return _wan(env, 10)
