"""Face swap with insightface's inswapper_128: puts the persona's identity onto a target face.

The model (inswapper_128.onnx) takes:
- `target` [1,3,128,128]: the target face, RGB scaled to 0..1, aligned with the ArcFace
  5-point template at 128 px (the 112 template ×128/112 shifted 8 px right);
- `source` [1,512]: the persona's ArcFace embedding (normalised) multiplied by `emap`, a 512×512
  matrix stored as the LAST initializer of the ONNX graph, then divided by its norm.
It returns [1,3,128,128] RGB 0..1: the target face with the source identity. We give it the
scene's colours (LAB mean/std transfer inside the mask) and paste it back with the inverse
warp through a feathered (eroded + blurred) mask, so nothing outside the face changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore

from .align import align_crop, feather_mask, match_colour, paste_back
from .types import DetectedFace

SWAP_MODELS = ("inswapper_128", "buffalo_l-det", "buffalo_l-rec")


def read_emap(model_path: str | Path) -> np.ndarray:
    """The 512×512 embedding map of an inswapper graph (its last initializer)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(model_path))
    if not model.graph.initializer:
        raise BadInput(f"{model_path} has no initializers, so it is not inswapper_128.onnx.")
    emap = numpy_helper.to_array(model.graph.initializer[-1])
    if emap.shape != (512, 512):
        raise BadInput(
            f"{model_path}: its last initializer is {emap.shape}, not the 512×512 emap of inswapper_128."
        )
    return emap.astype(np.float32)


class FaceSwapper:
    """inswapper_128 on onnxruntime (see the module docstring)."""

    model_id = "inswapper_128"

    def __init__(self, model_path: str | Path, providers: list[str] | None = None):
        import onnxruntime as ort

        self.model_path = Path(model_path)
        self.emap = read_emap(self.model_path)
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(self.model_path), sess_options=opts, providers=providers or ["CPUExecutionProvider"]
        )
        names = {i.name for i in self.session.get_inputs()}
        if names != {"target", "source"}:
            raise BadInput(
                f"{self.model_path} has inputs {sorted(names)}, not inswapper's 'target' and 'source'."
            )
        self.size = 128

    @classmethod
    def open(cls, store: ModelStore, providers: list[str] | None = None) -> FaceSwapper:
        """The swapper from the model store; ModelMissing says what to download if it is absent.

        The swap also needs the insightface analyzer (ArcFace embeddings), hence all three ids.
        A commercial-safe store refuses it (NotCommercial, naming what to use instead).
        """
        store.check(cls.model_id, "Face swap")
        missing = [m for m in SWAP_MODELS if store.find(m) is None]
        if missing:
            raise ModelMissing(
                f"Face swap needs {', '.join(missing)}, not installed. "
                f"Run `studio models download {' '.join(SWAP_MODELS)}` "
                "(insightface models: non-commercial research use only).",
                missing,
            )
        if providers is None:
            from .analyzer import onnx_providers

            providers = onnx_providers(store.settings.onnx_provider)
        return cls(store.find(cls.model_id), providers)

    def models_used(self) -> list[str]:
        """Catalogue ids for provenance: the swapper and the recognizer that made the persona's
        identity (its source embedding)."""
        return [self.model_id, "buffalo_l-rec"]

    def latent(self, source_embedding: np.ndarray) -> np.ndarray:
        """The [1,512] `source` input for an ArcFace embedding."""
        e = np.asarray(source_embedding, dtype=np.float32).reshape(-1)
        if e.shape[0] != 512:
            raise BadInput(
                f"Face swap needs the persona's 512-value insightface identity, got {e.shape[0]} values "
                "(a dlib identity cannot drive inswapper)."
            )
        e = e / (np.linalg.norm(e) + 1e-12)
        lat = (e[None] @ self.emap).astype(np.float32)
        return lat / (np.linalg.norm(lat) + 1e-12)

    def swap_crop(self, crop: np.ndarray, source_embedding: np.ndarray) -> np.ndarray:
        """Run the model on one aligned 128×128 RGB crop; returns the swapped crop (uint8)."""
        blob = (crop.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
        out = self.session.run(None, {"target": blob, "source": self.latent(source_embedding)})[0]
        return np.clip(out[0].transpose(1, 2, 0) * 255.0 + 0.5, 0, 255).astype(np.uint8)

    def swap(
        self,
        rgb: np.ndarray,
        target: DetectedFace,
        source_embedding: np.ndarray,
        colour_correct: bool = True,
    ) -> np.ndarray:
        """`rgb` with `target`'s face replaced by the identity `source_embedding` (512-d ArcFace)."""
        crop, m = align_crop(rgb, target.kps5, self.size)
        swapped = self.swap_crop(crop, source_embedding)
        mask = feather_mask(self.size, erode=0.1, blur=0.1)
        if colour_correct:
            swapped = match_colour(swapped, crop, mask)
        return paste_back(rgb, swapped, m, mask)
