"""Tiny ONNX stand-ins for the insightface models, built with onnx.helper in tests.

They have the real models' input/output names, shapes and pre/post-processing contract, so the
real decoding, alignment, swap, paste-back and restoration code runs on them:

- `build_tiny_scrfd(path, faces=[(box, kps5)], image_size=(h, w))`: det_10g layout — input
  'input.1' [1,3,640,640], nine 2-D outputs (scores [N,1], box distances [N,4], keypoint
  offsets [N,10] for strides 8/16/32, two anchors per cell). Outputs are constants (plus
  0 × the input's mean, so the graph consumes its input) that encode the faces you give, in
  the coordinates of an image of `image_size`; each face is also emitted by a neighbouring
  anchor with a slightly shifted box, so NMS has work to do.
- `build_tiny_arcface(path)`: w600k_r50 layout — 'input.1' [N,3,112,112] -> '683' [N,512]:
  16×16 average pooling and a fixed random projection (seeded), so different faces embed
  differently and the same face embeds the same.
- `build_tiny_inswapper(path)`: 'target' [1,3,128,128] + 'source' [1,512] -> 'output'
  [1,3,128,128], with the 512×512 `emap` as the graph's LAST initializer.
- `build_tiny_ghost(path)`: ghost_N_256 layout — 'target' [1,3,256,256] (-1..1) + 'source' [1,512]
  -> 'output' [1,3,256,256] (-1..1); `build_tiny_ghost_converter(path)`: crossface_ghost layout —
  'input' [1,512] -> 'output' [1,512], L2-normalising its input first; `install_tiny_ghost(folder)`.
- `build_tiny_restorer(path, codeformer=False)`: 'input' [1,3,512,512] (-1..1) -> 'output'
  (+ CodeFormer's double 'weight' [1]).
- `install_tiny_face_models(folder)`: writes all of them under their catalogue file names and
  adds the folder to the settings' extra model folders, so a ModelStore finds them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
STRIDES = (8, 16, 32)
SCRFD_OUTPUT_NAMES = ("448", "471", "494", "451", "474", "497", "454", "477", "500")


def _save(graph: onnx.GraphProto, path: str | Path) -> Path:
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="persona-studio-tests"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def scrfd_tensors(faces, image_size=(640, 640), input_size=640, score=0.9):  # noqa: ANN001, ANN201
    """The nine SCRFD output arrays that decode to `faces` [(box, kps5)] in image coordinates."""
    h, w = image_size
    scale = input_size / max(h, w)
    scores, boxes, kpss = [], [], []
    for s in STRIDES:
        n = (input_size // s) ** 2 * 2
        scores.append(np.full((n, 1), 0.02, np.float32))
        boxes.append(np.ones((n, 4), np.float32))
        kpss.append(np.zeros((n, 10), np.float32))
    for box, kps in faces:
        b = np.asarray(box, np.float64) * scale
        k = np.asarray(kps, np.float64).reshape(5, 2) * scale
        size = max(b[2] - b[0], b[3] - b[1])
        si = 2 if size > 96 else (1 if size > 40 else 0)  # the stride a real SCRFD fires on
        s = STRIDES[si]
        g = input_size // s
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        gx, gy = int(np.clip(cx // s, 0, g - 1)), int(np.clip(cy // s, 0, g - 1))
        for anchor, (jit, sc) in enumerate(((0.0, score), (0.04 * size, score - 0.1))):
            idx = (gy * g + gx) * 2 + anchor
            ax, ay = gx * s, gy * s
            bb = b + np.array([jit, jit, jit, jit])
            boxes[si][idx] = np.array([ax - bb[0], ay - bb[1], bb[2] - ax, bb[3] - ay]) / s
            kpss[si][idx] = ((k - np.array([ax, ay])) / s).reshape(-1)
            scores[si][idx] = sc
    return scores + boxes + kpss


def build_tiny_scrfd(path, faces=(), image_size=(640, 640), input_size=640, score=0.9) -> Path:  # noqa: ANN001
    """A det_10g-shaped detector whose outputs decode to `faces` (see the module docstring)."""
    tensors = scrfd_tensors(list(faces), image_size, input_size, score)
    x = helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, input_size, input_size])
    nodes = [
        helper.make_node("ReduceMean", ["input.1"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
    ]
    inits = [numpy_helper.from_array(np.array(0.0, np.float32), "zero")]
    outputs = []
    for name, arr in zip(SCRFD_OUTPUT_NAMES, tensors, strict=True):
        inits.append(numpy_helper.from_array(arr, f"c{name}"))
        nodes.append(helper.make_node("Add", [f"c{name}", "nothing"], [name]))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(arr.shape)))
    return _save(helper.make_graph(nodes, "tiny_scrfd", [x], outputs, inits), path)


def build_tiny_arcface(path, seed: int = 0) -> Path:  # noqa: ANN001
    """A w600k_r50-shaped recognizer: [N,3,112,112] -> [N,512]."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((3 * 7 * 7, 512)).astype(np.float32)
    x = helper.make_tensor_value_info("input.1", TensorProto.FLOAT, ["None", 3, 112, 112])
    y = helper.make_tensor_value_info("683", TensorProto.FLOAT, ["None", 512])
    nodes = [
        helper.make_node(
            "AveragePool", ["input.1"], ["pooled"], kernel_shape=[16, 16], strides=[16, 16]
        ),
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
        helper.make_node("MatMul", ["flat", "proj"], ["683"]),
    ]
    return _save(
        helper.make_graph(nodes, "tiny_arcface", [x], [y], [numpy_helper.from_array(w, "proj")]),
        path,
    )


def build_tiny_inswapper(path, seed: int = 0) -> Path:  # noqa: ANN001
    """An inswapper_128-shaped swapper; its output tints the target by the source latent.

    output = clip(0.6·target + 0.2 + 0.2·tanh(source @ W) per channel, 0, 1); `emap` (512×512)
    is the last initializer, as in the real file.
    """
    rng = np.random.default_rng(seed)
    wc = (rng.standard_normal((512, 3)) * 2.0).astype(np.float32)
    emap = (rng.standard_normal((512, 512)) / np.sqrt(512)).astype(np.float32)
    t = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 3, 128, 128])
    s = helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 128, 128])
    nodes = [
        helper.make_node("MatMul", ["source", "wc"], ["s3"]),
        helper.make_node("Tanh", ["s3"], ["s3t"]),
        helper.make_node("Reshape", ["s3t", "shape4"], ["tint"]),
        helper.make_node("Mul", ["tint", "k02"], ["tint2"]),
        helper.make_node("Mul", ["target", "k06"], ["t6"]),
        helper.make_node("Add", ["t6", "k02"], ["t6b"]),
        helper.make_node("Add", ["t6b", "tint2"], ["raw"]),
        helper.make_node("Clip", ["raw", "k0", "k1"], ["output"]),
    ]
    inits = [
        numpy_helper.from_array(wc, "wc"),
        numpy_helper.from_array(np.array([1, 3, 1, 1], np.int64), "shape4"),
        numpy_helper.from_array(np.array(0.2, np.float32), "k02"),
        numpy_helper.from_array(np.array(0.6, np.float32), "k06"),
        numpy_helper.from_array(np.array(0.0, np.float32), "k0"),
        numpy_helper.from_array(np.array(1.0, np.float32), "k1"),
        numpy_helper.from_array(emap, "emap"),  # must stay last: FaceSwapper reads initializer[-1]
    ]
    return _save(helper.make_graph(nodes, "tiny_inswapper", [t, s], [y], inits), path)


def build_tiny_ghost(path, seed: int = 0) -> Path:  # noqa: ANN001
    """A ghost_N_256-shaped swapper: 'target' [1,3,256,256] (-1..1) + 'source' [1,512] (GHOST's
    identity, the converter's output) -> 'output' [1,3,256,256] (-1..1), as FaceFusion's exports.

    output = tanh(0.6·target + 0.4·tanh(source @ W)) per channel: a different identity tints the
    face differently, and the output stays in the model's -1..1 range."""
    rng = np.random.default_rng(seed)
    wc = (rng.standard_normal((512, 3)) * 2.0).astype(np.float32)
    t = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 3, 256, 256])
    s = helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 256, 256])
    nodes = [
        helper.make_node("MatMul", ["source", "wc"], ["s3"]),
        helper.make_node("Tanh", ["s3"], ["s3t"]),
        helper.make_node("Reshape", ["s3t", "shape4"], ["tint"]),
        helper.make_node("Mul", ["tint", "k04"], ["tint4"]),
        helper.make_node("Mul", ["target", "k06"], ["t6"]),
        helper.make_node("Add", ["t6", "tint4"], ["raw"]),
        helper.make_node("Tanh", ["raw"], ["output"]),
    ]
    inits = [
        numpy_helper.from_array(wc, "wc"),
        numpy_helper.from_array(np.array([1, 3, 1, 1], np.int64), "shape4"),
        numpy_helper.from_array(np.array(0.4, np.float32), "k04"),
        numpy_helper.from_array(np.array(0.6, np.float32), "k06"),
    ]
    return _save(helper.make_graph(nodes, "tiny_ghost", [t, s], [y], inits), path)


def build_tiny_ghost_converter(path, seed: int = 1) -> Path:  # noqa: ANN001
    """A crossface_ghost-shaped converter: 'input' [1,512] -> 'output' [1,512]; like the real
    MLP it L2-normalises its input first (so only the embedding's direction matters)."""
    rng = np.random.default_rng(seed)
    w1 = (rng.standard_normal((512, 64)) / np.sqrt(512)).astype(np.float32)
    w2 = (rng.standard_normal((64, 512)) / np.sqrt(64) * 8.0).astype(np.float32)
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 512])
    nodes = [
        helper.make_node("ReduceL2", ["input"], ["norm"], keepdims=1),
        helper.make_node("Div", ["input", "norm"], ["unit"]),
        helper.make_node("MatMul", ["unit", "w1"], ["h"]),
        helper.make_node("LeakyRelu", ["h"], ["ha"], alpha=0.01),
        helper.make_node("MatMul", ["ha", "w2"], ["output"]),
    ]
    inits = [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")]
    return _save(helper.make_graph(nodes, "tiny_crossface", [x], [y], inits), path)


def install_tiny_ghost(folder, blocks: int = 2) -> dict[str, Path]:  # noqa: ANN001
    """Write a tiny ghost_{blocks}_256 and crossface_ghost into `folder` (a folder
    `install_tiny_face_models` registered, or any extra model folder of the settings)."""
    from studio.core.settings import Settings

    folder = Path(folder)
    paths = {
        f"ghost_{blocks}_256": build_tiny_ghost(folder / f"ghost_{blocks}_256.onnx"),
        "crossface_ghost": build_tiny_ghost_converter(folder / "crossface_ghost.onnx"),
    }
    settings = Settings.load()
    if str(folder) not in settings.extra_model_dirs:
        settings.extra_model_dirs = [*settings.extra_model_dirs, str(folder)]
        settings.save()
    return paths


def build_tiny_restorer(path, codeformer: bool = False) -> Path:  # noqa: ANN001
    """A GFPGAN/CodeFormer-shaped restorer: 'input' [1,3,512,512] -> 'output' = 0.9·input."""
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 512, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 512, 512])
    inputs = [x]
    nodes = [helper.make_node("Mul", ["input", "k"], ["output" if not codeformer else "scaled"])]
    inits = [numpy_helper.from_array(np.array(0.9, np.float32), "k")]
    if codeformer:
        inputs.append(helper.make_tensor_value_info("weight", TensorProto.DOUBLE, [1]))
        # consume the weight (cast to float, ×0) so the input is real
        nodes += [
            helper.make_node("Cast", ["weight"], ["wf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["wf", "zero"], ["w0"]),
            helper.make_node("Add", ["scaled", "w0"], ["output"]),
        ]
        inits.append(numpy_helper.from_array(np.array(0.0, np.float32), "zero"))
    return _save(helper.make_graph(nodes, "tiny_restorer", inputs, [y], inits), path)


def install_tiny_face_models(
    folder, faces=(), image_size=(640, 640), restorer: bool = True
) -> dict[str, Path]:  # noqa: ANN001
    """Write tiny buffalo_l-det/-rec, inswapper_128 (and gfpgan-1.4) into `folder` and register
    the folder in the (test) settings, so `ModelStore(Settings.load()).find(id)` returns them."""
    from studio.core.settings import Settings

    folder = Path(folder)
    paths = {
        "buffalo_l-det": build_tiny_scrfd(folder / "det_10g.onnx", faces, image_size),
        "buffalo_l-rec": build_tiny_arcface(folder / "w600k_r50.onnx"),
        "inswapper_128": build_tiny_inswapper(folder / "inswapper_128.onnx"),
    }
    if restorer:
        paths["gfpgan-1.4"] = build_tiny_restorer(folder / "gfpgan_1.4.onnx")
    settings = Settings.load()
    if str(folder) not in settings.extra_model_dirs:
        settings.extra_model_dirs = [*settings.extra_model_dirs, str(folder)]
        settings.save()
    return paths
