"""Catalogue entries: MuseTalk 1.5, the neural lip-sync for GPUs, and the two models it runs on.

Licences as their publishers state them (read at the sources):
- TMElyralab/MuseTalk (GitHub): LICENSE is MIT; the README's "Disclaimer/License" says the code
  has "no limitation for both academic and commercial usage" and "the trained model are available
  for any purpose, even commercially"; other models it uses keep their own licences. Its Hugging
  Face repo carries the tag creativeml-openrail-m (use-based restrictions: no harmful uses), which
  allows commercial use. `musetalkV15/unet.pth` is a plain PyTorch state dict (a pickle: we load
  it with `weights_only=True`, tensors only); `musetalkV15/musetalk.json` is its
  UNet2DConditionModel config (in 8, out 4, cross-attention 384).
- stabilityai/sd-vae-ft-mse: MIT (model card tag), safetensors.
- openai/whisper-tiny: Apache-2.0 (model card tag; OpenAI's whisper repository is MIT), safetensors.
MuseTalk's reference also runs BiSeNet face parsing (face-parsing.PyTorch, MIT), DWPose (Apache-2.0)
and S3FD for the face box and the blending mask; the studio does not download them: its own
landmarks (MediaPipe face mesh, Apache-2.0) crop and mask the face (pipelines/lipsync/lower_face.py).
"""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource

_NEEDS = "Runs with sd-vae-ft-mse and whisper-tiny (all three are needed)."

ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        id="musetalk-1.5",
        name="MuseTalk 1.5 lip-sync (256 px face, GPU)",
        kind="lipsync",
        layout="folder",
        source=ModelSource(type="hf", repo="TMElyralab/MuseTalk",
                           files=("musetalkV15/musetalk.json", "musetalkV15/unet.pth")),
        size=3_400_000_000,  # an SD-1.x-sized UNet (about 860 M parameters) in float32
        licence=("MIT (TMElyralab/MuseTalk code); its README: the trained models are available for any "
                 "purpose, even commercially; Hugging Face card: creativeml-openrail-m (use restrictions)"),
        commercial_use=True,
        notes=_NEEDS + " The weights are a PyTorch pickle, loaded tensors-only.",
    ),
    ModelEntry(
        id="sd-vae-ft-mse",
        name="Stable Diffusion VAE ft-MSE (MuseTalk's image encoder/decoder)",
        kind="lipsync",
        layout="folder",
        source=ModelSource(type="hf", repo="stabilityai/sd-vae-ft-mse",
                           files=("config.json", "diffusion_pytorch_model.safetensors")),
        size=335_000_000,
        licence="MIT",
        commercial_use=True,
        notes=_NEEDS,
    ),
    ModelEntry(
        id="whisper-tiny",
        name="Whisper tiny (MuseTalk's audio features)",
        kind="lipsync",
        layout="folder",
        source=ModelSource(type="hf", repo="openai/whisper-tiny",
                           files=("config.json", "model.safetensors", "preprocessor_config.json")),
        size=151_000_000,
        licence="Apache-2.0 (Hugging Face model card); OpenAI Whisper code and weights MIT",
        commercial_use=True,
        notes=_NEEDS,
    ),
)
