"""Wav2Lip (GAN, 96 px) run with onnxruntime, as FaceFusion's wav2lip_gan_96.onnx exposes it.

Inputs (names as in that model): 'source' float32 [1, 1, 80, 16] — one mel window from `mel.py`;
'target' float32 [1, 6, 96, 96] — BGR/255 face crop, channels 0–2 with the lower half zeroed
(the mouth to draw), channels 3–5 the unmasked crop (identity/pose reference), exactly as
Wav2Lip's inference concatenates them. Output [1, 3, 96, 96]: the BGR face in 0..1.
Crops are the face box with 10 % extra below the chin (Wav2Lip's pads), boxes smoothed over
5 frames; only a feathered mouth region of the prediction is pasted back.

Restoration (`restore_face`, for any neural engine's frames): the face as it is shown — after
the new mouth was pasted in — is aligned to the restorer's 512² FFHQ crop, restored, and that
restored face pasted back through a feathered face mask, so the restorer's output is what the
viewer sees (not a 96-px resample of it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.core.errors import BadInput

SIZE = 96
SOURCE, TARGET = "source", "target"


class Wav2LipOnnx:
    """One Wav2Lip ONNX session: `predict(mel_window, crop_rgb96) -> rgb96`."""

    def __init__(self, model_path: str | Path, providers: list[str] | None = None):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(model_path), sess_options=opts,
                                            providers=providers or ["CPUExecutionProvider"])
        names = {i.name for i in self.session.get_inputs()}
        if names != {SOURCE, TARGET}:
            raise BadInput(f"{Path(model_path).name} is not a Wav2Lip ONNX model (inputs {sorted(names)}, "
                           f"expected 'source' and 'target'). Import wav2lip_gan_96.onnx.")

    @staticmethod
    def target_tensor(crop_rgb: np.ndarray) -> np.ndarray:
        """[1, 6, 96, 96]: masked + reference crop, BGR / 255."""
        bgr = crop_rgb[..., ::-1].astype(np.float32) / 255.0
        masked = bgr.copy()
        masked[SIZE // 2:] = 0.0
        return np.concatenate([masked, bgr], axis=2).transpose(2, 0, 1)[None]

    def predict(self, mel_window: np.ndarray, crop_rgb: np.ndarray) -> np.ndarray:
        """The 96×96 RGB face with the mouth for this audio window."""
        source = mel_window.reshape(1, 1, 80, 16).astype(np.float32)
        out = self.session.run(None, {SOURCE: source, TARGET: self.target_tensor(crop_rgb)})[0][0]
        return np.clip(out.transpose(1, 2, 0)[..., ::-1] * 255.0 + 0.5, 0, 255).astype(np.uint8)


def crop_box(box: tuple[float, float, float, float], shape: tuple[int, int], pad_bottom: float = 0.1) -> np.ndarray:
    """Square-ish crop box around a face, extended below the chin, clipped to the image."""
    x0, y0, x1, y1 = box
    y1 = y1 + pad_bottom * (y1 - y0)
    h, w = shape
    return np.array([max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)], np.float64)


def smooth_boxes(boxes: np.ndarray, window: int = 5) -> np.ndarray:
    """Moving average of (N, 4) boxes over `window` frames (Wav2Lip's face-box smoothing)."""
    if len(boxes) <= 1:
        return boxes
    out = np.empty_like(boxes)
    half = window // 2
    for i in range(len(boxes)):
        out[i] = boxes[max(0, i - half): i + half + 1].mean(0)
    return out


def box_affine(box: np.ndarray) -> np.ndarray:
    """2×3 matrix mapping image pixels into the 96×96 crop of `box`."""
    x0, y0, x1, y1 = box
    sx, sy = SIZE / max(x1 - x0, 1.0), SIZE / max(y1 - y0, 1.0)
    return np.array([[sx, 0, -x0 * sx], [0, sy, -y0 * sy]], np.float32)


def mouth_mask(size: int = SIZE) -> np.ndarray:
    """Feathered ellipse over the mouth and chin in the crop: the only region pasted back."""
    import cv2

    m = np.zeros((size, size), np.float32)
    cv2.ellipse(m, (size // 2, int(size * 0.74)), (int(size * 0.3), int(size * 0.17)), 0, 0, 360, 1.0, -1)
    k = max(3, size // 12) | 1
    return cv2.GaussianBlur(m, (k, k), 0)


def restore_face(restorer, frame: np.ndarray, lm68: np.ndarray) -> np.ndarray:  # noqa: ANN001 - FaceRestorer
    """`frame` with its lip-synced face restored (see the module docstring)."""
    from pipelines.faces.dlib_backend import kps5_from_68
    from pipelines.faces.types import DetectedFace

    x0, y0 = lm68.min(0)
    x1, y1 = lm68.max(0)
    face = DetectedFace(box=(float(x0), float(y0), float(x1), float(y1)), score=1.0,
                        kps5=kps5_from_68(lm68), backend="dlib")
    return restorer.restore(frame, face)
