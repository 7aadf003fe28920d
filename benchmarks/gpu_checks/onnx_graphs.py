"""onnxruntime's CUDA execution provider for the face and lip-sync graphs (tiny graphs with the
real models' input/output names and shapes). onnxruntime silently falls back to the CPU when the
CUDA provider cannot load, so each check asks the session which provider it really got."""

from __future__ import annotations

import numpy as np

from . import CheckEnv, gpu_check


def _providers(env: CheckEnv) -> list[str]:
    from pipelines.faces.analyzer import onnx_providers

    return onnx_providers(env.device)  # cuda: BadInput (make gpu) when onnxruntime has no CUDA provider


def _first(session, env: CheckEnv) -> str:  # noqa: ANN001
    got = session.get_providers()[0]
    if env.device == "cuda" and got != "CUDAExecutionProvider":
        raise AssertionError(f"the session runs on {got} (CUDA provider failed to load: CUDA/cuDNN libraries?)")
    return got


FACE = ((200.0, 180.0, 440.0, 470.0), [(270, 290), (370, 290), (320, 350), (280, 410), (360, 410)])


@gpu_check("faces: SCRFD detection + ArcFace embedding on onnxruntime CUDA", area="faces")
def faces_cuda(env: CheckEnv) -> str:
    from pipelines.faces.scrfd_arcface import InsightFaceAnalyzer
    from tests.tiny.onnx_faces import build_tiny_arcface, build_tiny_scrfd

    det = env.once("scrfd", lambda d: build_tiny_scrfd(d / "det_10g.onnx", [FACE], (640, 640)))
    rec = env.once("arcface", lambda d: build_tiny_arcface(d / "w600k_r50.onnx"))
    analyzer = InsightFaceAnalyzer(det, rec, providers=_providers(env))
    _first(analyzer.detector.session, env)
    _first(analyzer.recognizer.session, env)
    faces = analyzer.detect(np.full((640, 640, 3), 128, np.uint8), embed=True, landmarks=False)
    if len(faces) != 1 or faces[0].embedding is None:
        raise AssertionError(f"{len(faces)} faces decoded, expected 1 with an embedding")
    return "1 face + 512-d embedding"


@gpu_check("face swap: inswapper_128 on onnxruntime CUDA", area="faces")
def swap_cuda(env: CheckEnv) -> str:
    from pipelines.faces.swap import FaceSwapper
    from tests.tiny.onnx_faces import build_tiny_inswapper

    swapper = FaceSwapper(env.once("inswapper", lambda d: build_tiny_inswapper(d / "inswapper_128.onnx")),
                          providers=_providers(env))
    _first(swapper.session, env)
    crop = np.random.default_rng(0).integers(0, 255, (128, 128, 3), np.uint8)
    out = swapper.swap_crop(crop, np.random.default_rng(1).normal(size=512).astype(np.float32))
    return f"swapped crop {out.shape[1]}x{out.shape[0]}"


@gpu_check("lip-sync: Wav2Lip 96 on onnxruntime CUDA", area="lipsync")
def wav2lip_cuda(env: CheckEnv) -> str:
    from pipelines.lipsync.wav2lip_onnx import Wav2LipOnnx
    from tests.tiny.onnx_wav2lip import build_wav2lip

    model = Wav2LipOnnx(env.once("wav2lip", lambda d: build_wav2lip(d / "wav2lip_gan_96.onnx")), providers=_providers(env))
    _first(model.session, env)
    mouth = model.predict(np.zeros((80, 16), np.float32), np.full((96, 96, 3), 120, np.uint8))
    return f"mouth {mouth.shape[1]}x{mouth.shape[0]}"
