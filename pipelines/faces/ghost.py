"""Face swap with GHOST (ai-forever/ghost, weights Apache-2.0), FaceFusion's ONNX exports
`ghost_1_256`, `ghost_2_256`, `ghost_3_256` (1, 2 or 3 AAD blocks in the U-Net generator).

The contract, as FaceFusion's model definitions give it (read, not copied):
- `target` [1,3,256,256]: the target face, RGB, (x/255 − 0.5)/0.5 (−1..1), aligned on the older
  ArcFace template FaceFusion calls 'arcface_112_v1' scaled to 256 px (`align.ARCFACE_V1`);
- `source` [1,512]: GHOST's own identity embedding. GHOST was trained with an ArcFace backbone of
  its own; its 512 values are not insightface's. FaceFusion's embedding converter (`crossface_ghost`,
  earlier `arcface_converter_ghost`: 'input' [1,512] -> 'output' [1,512], an MLP that first
  L2-normalises its input) maps an insightface **w600k_r50** embedding into GHOST's space, and its
  raw output is the source (FaceFusion's neutral swap weight, 0.5, blends nothing in);
- the first output, [1,3,256,256], is RGB in −1..1 (×0.5 + 0.5, clipped to 0..1).

Licences along the chain: GHOST's weights are Apache-2.0; the converters are FaceFusion's
(OpenRAIL-MS, trained on w600k_r50 / MegaFace embeddings); the converter accepts ONLY embeddings of
insightface's w600k_r50 recognizer (`buffalo_l-rec`), which is non-commercial. No permissively
licensed recognizer's embedding fits it (dlib's 128-d space is another space entirely, and GHOST's
own ArcFace backbone is an insightface model too), so a GHOST swap records buffalo_l-rec as the
source of the persona's identity and its verdict is "not allowed", like inswapper's. A
commercial-safe persona therefore has no face swap (core/licence_policy.py says what to use).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore

from .align import align_crop, feather_mask, match_colour, paste_back
from .types import DetectedFace

GHOST_MODELS = ("ghost_2_256", "ghost_3_256", "ghost_1_256")  # automatic order: the middle one first
#: FaceFusion's ArcFace(w600k_r50)-to-GHOST converters, newest first
CONVERTERS = ("crossface_ghost", "arcface_converter_ghost")
#: the recognizer whose embeddings the converters take (the persona's insightface identity)
RECOGNIZER = "buffalo_l-rec"
SIZE = 256


def _session(path: Path, providers: list[str] | None):  # noqa: ANN202 - an onnxruntime session
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=opts, providers=providers or ["CPUExecutionProvider"])


class GhostSwapper:
    """GHOST 256 + its embedding converter on onnxruntime (see the module docstring)."""

    def __init__(self, model_path: str | Path, converter_path: str | Path, model_id: str = "ghost_2_256",
                 converter_id: str = "crossface_ghost", providers: list[str] | None = None):
        self.model_id, self.converter_id = model_id, converter_id
        self.model_path, self.converter_path = Path(model_path), Path(converter_path)
        self.session = _session(self.model_path, providers)
        names = {i.name: i.shape for i in self.session.get_inputs()}
        if set(names) != {"target", "source"}:
            raise BadInput(f"{self.model_path} has inputs {sorted(names)}, not GHOST's 'target' and 'source'.")
        shape = names["target"]
        self.size = int(shape[2]) if isinstance(shape[2], int) else SIZE
        self.converter = _session(self.converter_path, providers)
        conv_in = self.converter.get_inputs()
        if [i.name for i in conv_in] != ["input"]:
            raise BadInput(f"{self.converter_path} has inputs {[i.name for i in conv_in]}, not the "
                           "embedding converter's single 'input'.")

    @classmethod
    def open(cls, store: ModelStore, model_id: str = "ghost_2_256",
             providers: list[str] | None = None) -> GhostSwapper:
        """The swapper from the model store. A commercial-safe store refuses it (NotCommercial):
        the persona's identity for it comes from the non-commercial buffalo_l-rec."""
        if model_id not in GHOST_MODELS:
            raise BadInput(f"'{model_id}' is not a GHOST model: use {', '.join(sorted(GHOST_MODELS))}.")
        store.check(RECOGNIZER, f"Face swap with {model_id}",
                    instead=_COMMERCIAL_SAFE_ADVICE)
        converter = next((c for c in CONVERTERS if store.find(c) is not None), None)
        missing = [m for m in (model_id, "buffalo_l-det", RECOGNIZER) if store.find(m) is None]
        if converter is None:
            missing.insert(1, CONVERTERS[0])
        if missing:
            raise ModelMissing(
                f"Face swap with {model_id} needs {', '.join(missing)}, not installed. Run "
                f"`studio models download {' '.join(missing)}` ({model_id}: Apache-2.0; the persona's "
                "identity for it comes from insightface's buffalo_l, non-commercial).",
                missing,
            )
        if providers is None:
            from .analyzer import onnx_providers

            providers = onnx_providers(store.settings.onnx_provider)
        assert converter is not None
        return cls(store.find(model_id), store.find(converter), model_id, converter, providers)

    def models_used(self) -> list[str]:
        """Catalogue ids of the chain (provenance): swapper, converter, and the recognizer that
        made the persona's identity."""
        return [self.model_id, self.converter_id, RECOGNIZER]

    def latent(self, source_embedding: np.ndarray) -> np.ndarray:
        """The [1,512] `source` input: the insightface embedding through the converter."""
        e = np.asarray(source_embedding, dtype=np.float32).reshape(-1)
        if e.shape[0] != 512:
            raise BadInput(
                f"GHOST needs the persona's 512-value insightface identity, got {e.shape[0]} values "
                "(a dlib identity cannot drive it: run `studio faces add` with the buffalo_l models installed)."
            )
        e = e / (np.linalg.norm(e) + 1e-12)  # the converter normalises too; this keeps fp16 exports sane
        out = self.converter.run(None, {"input": e[None]})[0]
        return np.asarray(out, np.float32).reshape(1, -1)

    def swap_crop(self, crop: np.ndarray, source_embedding: np.ndarray) -> np.ndarray:
        """Run GHOST on one aligned RGB crop (size×size); returns the swapped crop (uint8)."""
        blob = ((crop.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None]
        out = self.session.run(None, {"target": blob, "source": self.latent(source_embedding)})[0]
        rgb = np.clip(out[0].transpose(1, 2, 0) * 0.5 + 0.5, 0.0, 1.0)
        return (rgb * 255.0 + 0.5).astype(np.uint8)

    def swap(self, rgb: np.ndarray, target: DetectedFace, source_embedding: np.ndarray,
             colour_correct: bool = True) -> np.ndarray:
        """`rgb` with `target`'s face replaced by the identity `source_embedding` (512-d ArcFace)."""
        crop, m = align_crop(rgb, target.kps5, self.size, kind="arcface_v1")
        swapped = self.swap_crop(crop, source_embedding)
        mask = feather_mask(self.size, erode=0.1, blur=0.1)
        if colour_correct:
            swapped = match_colour(swapped, crop, mask)
        return paste_back(rgb, swapped, m, mask)


_COMMERCIAL_SAFE_ADVICE = (
    "GHOST's weights are Apache-2.0, but its embedding converter only takes embeddings of insightface's "
    "non-commercial w600k_r50 recognizer, so no face swap is commercial-safe: keep the persona's face with "
    "FLUX.2 klein stills made from the reference photos (`studio models download flux2-klein-4b`)"
)
