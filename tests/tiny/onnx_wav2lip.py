"""A tiny random-weight ONNX graph with Wav2Lip's real input/output names and shapes.

source [1, 1, 80, 16] (mel window) + target [1, 6, 96, 96] (masked + reference crop, BGR/255)
→ output [1, 3, 96, 96] (BGR 0..1). The graph mixes the 6 crop channels with a 1×1 conv and
adds a per-pixel term driven by the mel window, so the audio really changes the picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def build_wav2lip(path: str | Path, seed: int = 0) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    w = rng.normal(0, 0.3, (3, 6, 1, 1)).astype(np.float32)
    w[:, 3:, 0, 0] += np.eye(3, dtype=np.float32) * 2.0  # mostly the reference face
    inits = [
        numpy_helper.from_array(w, "mix_w"),
        numpy_helper.from_array(np.zeros(3, np.float32), "mix_b"),
        numpy_helper.from_array(np.array([0.25], np.float32), "audio_gain"),
    ]
    nodes = [
        helper.make_node("Conv", ["target", "mix_w", "mix_b"], ["mixed"]),
        helper.make_node("ReduceMean", ["source"], ["loud"], keepdims=1),  # [1,1,1,1]
        helper.make_node("Mul", ["loud", "audio_gain"], ["shift"]),
        helper.make_node("Add", ["mixed", "shift"], ["pre"]),
        helper.make_node("Sigmoid", ["pre"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny_wav2lip",
        [helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 1, 80, 16]),
         helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 6, 96, 96])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 96, 96])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = Path(path)
    onnx.save(model, str(path))
    return path
