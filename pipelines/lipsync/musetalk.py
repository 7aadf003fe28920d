"""MuseTalk 1.5 lip-sync (TMElyralab/MuseTalk, MIT): one UNet step per frame in SD-VAE latent space.

Our own implementation, read line by line against the reference (`scripts/inference.py`,
`scripts/realtime_inference.py`, `musetalk/models/{unet,vae}.py`, `musetalk/utils/utils.py`):
- parts: `UNet2DConditionModel` from `musetalkV15/musetalk.json` (in 8, out 4, cross-attention
  384) with the state dict `musetalkV15/unet.pth`; `stabilityai/sd-vae-ft-mse` (AutoencoderKL,
  scaling factor from its config, 0.18215); `openai/whisper-tiny` (whisper_audio.py);
- the face: the 256×256 RGB crop (lower_face.py) → /255 → the lower half (rows 128–255) set to 0
  for the masked copy → normalised to −1..1 (so the mask reads −1) → the VAE encodes the masked
  and the full crop; latents are `latent_dist.sample()` × scaling factor (as the reference's
  inference does; we draw from a seeded generator so a clip is reproducible) and concatenated
  [masked, reference] → [B, 8, 32, 32];
- the audio: [B, 50, 384] windows + the positional encoding;
- one UNet call at timestep 0 → [B, 4, 32, 32]; ÷ scaling factor; VAE decode; (x/2 + 0.5)
  clamped to 0..1, ×255, rounded. The reference's frames are BGR (cv2) and it converts to RGB
  for the VAE and back; ours are RGB throughout, which is the same arithmetic.
Devices: everything on CUDA in fp16 (as the reference's --use_float16 and realtime script), or
CPU float32. The fp16 VAE decode of SD-VAE is what the reference ships; a non-finite decode is
redone with the VAE upcast to float32 (the SDXL-VAE failure mode). With `offload` the Whisper
encoder goes back to the CPU once the narration is encoded (UNet + VAE, ~1.8 GB in fp16, stay).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.errors import BadInput
from studio.core.tasks import TaskContext, null_context

from .lower_face import FACE, crop_face, expanded_box, face_box, lower_face_mask, paste_face
from .whisper_audio import WhisperAudio, frame_windows, positional_encoding, to_16k

MUSETALK_ID, VAE_ID, WHISPER_ID = "musetalk-1.5", "sd-vae-ft-mse", "whisper-tiny"
MODEL_IDS = (MUSETALK_ID, VAE_ID, WHISPER_ID)
UNET_CONFIG, UNET_WEIGHTS = "musetalkV15/musetalk.json", "musetalkV15/unet.pth"
#: frames per UNet call: the reference's inference.py default (realtime_inference.py uses 20)
BATCH = 8


#: free GPU memory below which the Whisper encoder leaves the GPU once the narration is encoded
MIN_FREE_BYTES = 3 * 1024**3


def plan(device: str = "auto", low_vram: str = "auto") -> Any:  # noqa: ANN401 - DevicePlan
    """CUDA fp16 when a GPU is there (offload under MIN_FREE_BYTES free), else CPU float32."""
    from pipelines.device import plan_device

    return plan_device(device, low_vram, MIN_FREE_BYTES)


def load_unet(folder: str | Path, device: str = "cpu", dtype: Any = None) -> Any:  # noqa: ANN401
    """The MuseTalk UNet from its config + state dict. The state dict is a pickle (the only form
    MuseTalk publishes); `weights_only=True` restricts it to tensors, so it cannot run code."""
    import torch
    from diffusers import UNet2DConditionModel

    folder = Path(folder)
    config = json.loads((folder / UNET_CONFIG).read_text("utf-8"))
    import pickle

    try:
        state = torch.load(folder / UNET_WEIGHTS, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise BadInput(f"{folder / UNET_WEIGHTS} holds more than tensors (a pickle that can run code); "
                       f"refused. Download it again with `studio models download {MUSETALK_ID}`.") from e
    if isinstance(state, dict) and "state_dict" in state and not any(k.startswith("conv_in") for k in state):
        state = state["state_dict"]
    dtype = dtype or torch.float32
    state = {k: v.to(dtype) if v.is_floating_point() else v for k, v in state.items()}
    with torch.device("meta"):  # no random init of 860 M parameters that are overwritten anyway
        unet = UNet2DConditionModel.from_config(config)
    try:
        unet.load_state_dict(state, strict=True, assign=True)  # the parameters become these tensors
    except RuntimeError as e:
        raise BadInput(f"{folder / UNET_WEIGHTS} does not fit MuseTalk's UNet ({str(e).splitlines()[0]}). "
                       f"Download it again with `studio models download {MUSETALK_ID}`.") from e
    # (no dtype in .to(): diffusers warns on every dtype cast through ModelMixin.to)
    return unet.to(device).eval().requires_grad_(False)


def load_vae(folder: str | Path, device: str = "cpu", dtype: Any = None) -> Any:  # noqa: ANN401
    """stabilityai/sd-vae-ft-mse from its folder (config.json + safetensors), float32 or float16."""
    import torch
    from diffusers import AutoencoderKL

    vae = AutoencoderKL.from_pretrained(str(folder), use_safetensors=True, local_files_only=True)
    vae = vae.half() if dtype == torch.float16 else vae
    return vae.to(device).eval().requires_grad_(False)


@dataclass
class MuseTalk:
    """The three parts on one device and dtype; `stream(...)` renders frames in batches."""

    unet: Any
    vae: Any
    whisper: WhisperAudio
    offload: bool = False
    seed: int = 0
    notes: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, unet_dir: str | Path, vae_dir: str | Path, whisper_dir: str | Path, device: str = "cpu",
             dtype: str = "float32", offload: bool = False, seed: int = 0) -> MuseTalk:
        import torch

        from pipelines.loading import quiet_libraries

        quiet_libraries()  # our progress bar shows loading; no library bars or warnings in between
        dt = getattr(torch, dtype)
        return cls(load_unet(unet_dir, device, dt), load_vae(vae_dir, device, dt),
                   WhisperAudio.load(whisper_dir, device, dt), offload, seed)

    @property
    def device(self) -> Any:  # noqa: ANN401
        return next(self.unet.parameters()).device

    @property
    def dtype(self) -> Any:  # noqa: ANN401
        return next(self.unet.parameters()).dtype

    # ------------------------------------------------------------------ the parts
    def audio_prompts(self, audio: np.ndarray, rate: int, n_frames: int, fps: float) -> Any:  # noqa: ANN401
        """[n_frames, 50, 384]: each frame's Whisper window + positional encoding, on the UNet's device."""
        import torch

        w = self.whisper
        if self.offload and w.device != self.device:
            w.encoder.to(self.device)
        states = w.states(to_16k(audio, rate))
        if self.offload and self.device.type == "cuda":
            w.encoder.to("cpu")  # done with it: make room on the GPU
            torch.cuda.empty_cache()
        win = frame_windows(states.to(self.device), n_frames, fps, w.rate)
        pe = positional_encoding(win.shape[1], win.shape[2]).to(device=win.device, dtype=win.dtype)
        return (win + pe).to(self.dtype)

    def encode_faces(self, crops: np.ndarray, generator: Any = None) -> Any:  # noqa: ANN401
        """[B, 8, 32, 32] UNet input latents from B 256² RGB uint8 crops: [masked lower half, full]."""
        import torch

        x = torch.from_numpy(np.ascontiguousarray(crops)).permute(0, 3, 1, 2).float() / 255.0
        masked = x.clone()
        masked[:, :, FACE // 2:, :] = 0.0
        both = torch.cat([masked, x], 0) * 2.0 - 1.0  # Normalize(mean 0.5, std 0.5)
        vae = self.vae
        with torch.inference_mode():
            dist = vae.encode(both.to(device=vae.device, dtype=vae.dtype)).latent_dist
            lat = dist.sample(generator=generator) * vae.config.scaling_factor
        b = len(crops)
        return torch.cat([lat[:b], lat[b:]], dim=1).to(self.dtype)

    def generate(self, latents: Any, prompts: Any) -> np.ndarray:  # noqa: ANN401
        """B 256² RGB uint8 faces: one UNet step at timestep 0, then the VAE decode."""
        import torch

        with torch.inference_mode():
            t = torch.tensor([0], device=self.device)
            pred = self.unet(latents.to(self.device, self.dtype), t,
                             encoder_hidden_states=prompts.to(self.device, self.dtype)).sample
            image = self._decode(pred)
        image = (image.float() / 2 + 0.5).clamp(0, 1)
        return (image.permute(0, 2, 3, 1).cpu().numpy() * 255).round().astype(np.uint8)

    def _decode(self, pred: Any) -> Any:  # noqa: ANN401
        import torch

        vae = self.vae
        sf = vae.config.scaling_factor
        image = vae.decode((pred / sf).to(vae.dtype)).sample
        if vae.dtype == torch.float16 and not torch.isfinite(image).all():
            vae.float()  # keeps the upcast for the rest of the clip
            self.notes.append("VAE decode overflowed in float16: decoded in float32")
            image = vae.decode(pred.float() / sf).sample
        return image

    # ------------------------------------------------------------------ frames
    def stream(self, frames: Iterable[np.ndarray], landmarks: list[np.ndarray | None], prompts: Any,  # noqa: ANN401
               ctx: TaskContext | None = None, batch: int = BATCH, still: bool = False) -> Iterator[np.ndarray]:
        """The lip-synced frames, in order, `batch` at a time (progress and cancel per batch).

        `landmarks[i]`: frame i's 68 points (None: no face there, the frame passes unchanged);
        `prompts`: `audio_prompts(...)` for the same frames. `still`: every frame is the same
        picture, so its face is encoded once (the reference's single-image case)."""
        import torch

        ctx = ctx or null_context()
        n = len(landmarks)
        gen = torch.Generator("cpu").manual_seed(self.seed)
        cached: tuple[tuple[int, int, int, int], Any] | None = None
        still_mask: np.ndarray | None = None  # a still's mask is the same on every frame
        it = iter(frames)
        done = 0
        while done < n:
            ctx.raise_if_cancelled()
            chunk = [next(it) for _ in range(min(batch, n - done))]
            todo = [j for j, f in enumerate(chunk) if landmarks[done + j] is not None]
            out = list(chunk)
            if todo:
                boxes = [face_box(landmarks[done + j], chunk[j].shape) for j in todo]
                if still and cached is not None and cached[0] == boxes[0]:
                    lat = cached[1].repeat(len(todo), 1, 1, 1)
                elif still:
                    one = self.encode_faces(crop_face(chunk[todo[0]], boxes[0])[None], gen)
                    cached = (boxes[0], one)
                    lat = one.repeat(len(todo), 1, 1, 1)
                else:
                    lat = self.encode_faces(np.stack([crop_face(chunk[j], b) for j, b in zip(todo, boxes, strict=True)]), gen)
                faces = self.generate(lat, prompts[[done + j for j in todo]])
                for k, j in enumerate(todo):
                    lm, mask = landmarks[done + j], still_mask
                    if mask is None:
                        mask = lower_face_mask(lm, boxes[k], expanded_box(boxes[k], chunk[j].shape))
                        still_mask = mask if still else None
                    out[j] = paste_face(chunk[j], faces[k], boxes[k], lm, mask)
            done += len(chunk)
            ctx.progress(done, n, f"MuseTalk: frame {done}/{n}")
            yield from out
