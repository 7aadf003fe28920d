"""Optional face restoration with GFPGAN 1.4 or CodeFormer (ONNX), after a swap.

Both take [1,3,512,512] RGB scaled to -1..1 on an FFHQ-aligned 512 crop and return the same
layout; CodeFormer has a second input, the fidelity `weight` (0 = more restoration, 1 = more
faithful). The restored crop is pasted back with the inverse warp through a feathered mask.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.core.models import ModelStore

from .align import align_crop, feather_mask, paste_back
from .types import DetectedFace

RESTORER_IDS = ("gfpgan-1.4", "codeformer")


class FaceRestorer:
    """A GFPGAN/CodeFormer ONNX model run on aligned 512 crops."""

    def __init__(
        self,
        model_path: str | Path,
        providers: list[str] | None = None,
        model_id: str | None = None,
        fidelity: float = 0.7,
    ):
        import onnxruntime as ort

        self.model_path = Path(model_path)
        self.model_id = model_id or self.model_path.stem
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(self.model_path), sess_options=opts, providers=providers or ["CPUExecutionProvider"]
        )
        inputs = self.session.get_inputs()
        self.image_input = inputs[0].name
        self.extra_inputs = inputs[1:]
        shape = inputs[0].shape
        self.size = int(shape[2]) if isinstance(shape[2], int) else 512
        self.fidelity = fidelity

    @classmethod
    def open(cls, store: ModelStore, providers: list[str] | None = None,
             asked: bool = False) -> FaceRestorer | None:
        """The first installed restorer (GFPGAN, then CodeFormer), or None.

        asked: the user asked for restoration by name, so a commercial-safe persona (whose store
        refuses every restorer: none allows commercial use) is told why instead of skipping it."""
        if asked and not any(store.permits(m) for m in RESTORER_IDS):
            store.check(RESTORER_IDS[0], "Face restoration")
        for mid in RESTORER_IDS:
            path = store.find(mid)
            if path is not None:
                if providers is None:
                    from .analyzer import onnx_providers

                    providers = onnx_providers(store.settings.onnx_provider)
                return cls(path, providers, model_id=mid)
        return None

    def restore_crop(self, crop: np.ndarray) -> np.ndarray:
        blob = (crop.astype(np.float32) / 127.5 - 1.0).transpose(2, 0, 1)[None]
        feeds: dict[str, np.ndarray] = {self.image_input: blob}
        for extra in self.extra_inputs:  # CodeFormer's fidelity weight
            dtype = np.float64 if "double" in extra.type else np.float32
            feeds[extra.name] = np.array([self.fidelity], dtype=dtype)
        out = self.session.run(None, feeds)[0][0].transpose(1, 2, 0)
        return np.clip((out + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)

    def restore(self, rgb: np.ndarray, face: DetectedFace, blend: float = 1.0) -> np.ndarray:
        """`rgb` with `face` restored; `blend` < 1 mixes in the unrestored face."""
        crop, m = align_crop(rgb, face.kps5, self.size, kind="ffhq")
        restored = self.restore_crop(crop)
        if blend < 1.0:
            restored = (
                restored.astype(np.float32) * blend + crop.astype(np.float32) * (1 - blend)
            ).astype(np.uint8)
        return paste_back(rgb, restored, m, feather_mask(self.size, erode=0.06, blur=0.08))
