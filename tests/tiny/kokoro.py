"""A tiny ONNX graph with Kokoro-82M's real inputs and outputs, and a voices file in its format.

Inputs (as kokoro-onnx 0.6 feeds the v1.0 release): `tokens` int64 [1, n] (phoneme ids with a 0
pad at both ends), `style` float32 [1, 256] (the voice's row for n phonemes), `speed` float32 [1].
Output `audio` float32 [samples] at 24 kHz, 600 samples per duration frame as in Kokoro; with
`durations=True` also `duration` int64 [n] frames per token (what kokoro-onnx's timed exports
add). Each token lasts ceil(2 / speed) frames, so speed really changes the length, and the
style's mean scales the loudness of the tone, so the voice really changes the audio.
The voices file is an .npz of (510, 1, 256) float32 style rows per voice, like voices-v1.0.bin.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HOP = 600


def build_kokoro(path: str | Path, durations: bool = False) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    c = {
        "zero": np.array(0.0, np.float32), "frames": np.array(2.0, np.float32), "hop": np.array(HOP, np.int64),
        "i0": np.array(0, np.int64), "i1": np.array(1, np.int64), "freq": np.array(2 * np.pi * 220 / 24000, np.float32),
        "amp0": np.array(0.3, np.float32), "amp1": np.array(0.05, np.float32), "axis0": np.array([0], np.int64),
    }
    inits = [numpy_helper.from_array(v, k) for k, v in c.items()]
    nodes = [
        helper.make_node("Cast", ["tokens"], ["tok_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["tok_f", "zero"], ["zeros"]),
        helper.make_node("Div", ["frames", "speed"], ["per_token"]),  # [1]
        helper.make_node("Add", ["zeros", "per_token"], ["dur_f"]),  # [1, n]
        helper.make_node("Ceil", ["dur_f"], ["dur_c"]),
        helper.make_node("Cast", ["dur_c"], ["dur_2d"], to=TensorProto.INT64),
        helper.make_node("Squeeze", ["dur_2d", "axis0"], ["duration" if durations else "dur_1d"]),
        helper.make_node("ReduceSum", ["dur_2d"], ["total_frames"], keepdims=0),
        helper.make_node("Mul", ["total_frames", "hop"], ["total"]),
        helper.make_node("Range", ["i0", "total", "i1"], ["idx"]),
        helper.make_node("Cast", ["idx"], ["idx_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["idx_f", "freq"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["tone"]),
        helper.make_node("ReduceMean", ["style"], ["style_mean"], keepdims=0),
        helper.make_node("Mul", ["style_mean", "amp1"], ["amp_d"]),
        helper.make_node("Add", ["amp0", "amp_d"], ["amp"]),
        helper.make_node("Mul", ["tone", "amp"], ["audio"]),
    ]
    outputs = [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["samples"])]
    if durations:
        outputs.append(helper.make_tensor_value_info("duration", TensorProto.INT64, ["n"]))
    graph = helper.make_graph(
        nodes, "tiny_kokoro",
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, [1, "n"]),
         helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, 256]),
         helper.make_tensor_value_info("speed", TensorProto.FLOAT, [1])],
        outputs, inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = Path(path)
    onnx.save(model, str(path))
    return path


def build_voices(path: str | Path, names: tuple[str, ...] = ("af_heart", "bf_emma"), seed: int = 0) -> Path:
    """An .npz voices file: one (510, 1, 256) float32 style table per voice (written to `path` as is)."""
    rng = np.random.default_rng(seed)
    path = Path(path)
    with open(path, "wb") as fh:  # a file handle: np.savez would append .npz to a name
        np.savez(fh, **{n: rng.normal(0, 1, (510, 1, 256)).astype(np.float32) for n in names})
    return path
