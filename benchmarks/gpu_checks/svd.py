"""Stable Video Diffusion on CUDA in fp16: all on the GPU with chunked VAE decode, model offload
with UNet forward chunking, and sequential offload."""

from __future__ import annotations

import numpy as np

from . import CheckEnv, gpu_check

GiB = 1 << 30


def _svd(env: CheckEnv, free_gib: float, decode_chunk: int):  # noqa: ANN202
    from pipelines.motion.svd import SVDMotion, SVDRequest, _cached_pipeline, memory_plan
    from tests.tiny.svd import build_tiny_svd

    folder = env.once("svd", lambda d: build_tiny_svd(d / "svd"))
    motion = SVDMotion(folder)
    motion.plan = memory_plan(env.device, int(free_gib * GiB), None, decode_chunk)  # as on a GPU this size
    motion.pipe = _cached_pipeline(folder, motion.plan)
    still = np.random.default_rng(1).integers(0, 255, (64, 32, 3), np.uint8)
    result = motion.run(SVDRequest(still, seed=1, steps=2, canvas=(32, 64), total_frames=5, crossfade=1,
                                   decode_chunk=decode_chunk))
    frames = np.stack(result.frames)
    if frames.std() == 0:
        raise AssertionError("blank frames")
    return motion, result


@gpu_check("SVD fp16 on GPU, chunked VAE decode (1 frame a chunk), chained windows", area="motion")
def svd_fp16(env: CheckEnv) -> str:
    motion, result = _svd(env, 40, 1)
    p = next(motion.pipe.unet.parameters())
    if env.device == "cuda" and (p.device.type != "cuda" or str(p.dtype) != "torch.float16"):
        raise AssertionError(f"unet on {p.device} as {p.dtype}")
    return f"{len(result.frames)} frames in {result.windows} windows; {motion.plan.reason}"


@gpu_check("SVD model CPU offload + UNet forward chunking", area="motion")
def svd_model_offload(env: CheckEnv) -> str:
    motion, result = _svd(env, 16, 2)
    if env.device == "cuda" and not (motion.plan.offload == "model" and motion.plan.forward_chunking):
        raise AssertionError(f"plan {motion.plan}")
    return f"{len(result.frames)} frames; {motion.plan.reason}"


@gpu_check("SVD sequential CPU offload (low VRAM)", area="motion")
def svd_sequential(env: CheckEnv) -> str:
    motion, result = _svd(env, 6, 1)
    if env.device == "cuda" and motion.plan.offload != "sequential":
        raise AssertionError(f"plan {motion.plan}")
    return f"{len(result.frames)} frames; {motion.plan.reason}"
