"""The embedded dlib face backend: HOG (or CNN) detector, 128-d ResNet embedding, and landmarks.

The model files come from the `face_recognition_models` package. We locate its folder with
`importlib.util.find_spec` and never import it: its `__init__` imports `pkg_resources`, which
new setuptools no longer has.

Licences decide which files run: the detectors, the 5-point predictor (Davis King's own
annotations) and the ResNet embedding are public domain (CC0); the 68-point predictor is trained
on iBUG 300-W, whose licence excludes commercial use. So landmarks come from MediaPipe's face
mesh (Apache-2.0, `mesh.py`) and the embedding is aligned on the 5-point shape; the 68-point
predictor runs only as a fallback when the mesh is not installed, and is then named in
`models_used()` (provenance marks such assets non-commercial).

Speed: detection runs on a copy downscaled to `det_side` pixels (HOG finds faces down to about
80 px there, so a face filling a tenth of a 4K frame is still found); if nothing is found and the
copy is small, it retries with one 2× upsample. Landmarks and embeddings use the full-size image.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

from studio.core.errors import ModelMissing

from .analyzer import FaceAnalyzer
from .types import DetectedFace

MODEL_FILES = {
    "landmarks68": "shape_predictor_68_face_landmarks.dat",
    "landmarks5": "shape_predictor_5_face_landmarks.dat",
    "recognition": "dlib_face_recognition_resnet_model_v1.dat",
    "cnn": "mmod_human_face_detector.dat",
}


def dlib_models_dir() -> Path:
    """The `models/` folder of the installed face_recognition_models package (not imported)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(
            "The embedded dlib face models (package face-recognition-models) are not installed. "
            "Reinstall Persona Studio (`make install`) or `pip install face-recognition-models`.",
            ["dlib-face-models"],
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    missing = [f for f in MODEL_FILES.values() if not (folder / f).is_file()]
    if missing:
        raise ModelMissing(
            f"The dlib model files {', '.join(missing)} are missing from {folder}. "
            "Reinstall the package: `pip install --force-reinstall face-recognition-models`.",
            ["dlib-face-models"],
        )
    return folder


@lru_cache(maxsize=2)
def _load(folder: str, cnn: bool):  # noqa: ANN202 - dlib objects
    # Loading the models takes ~0.3 s: share loaded models between analyzers.
    import dlib

    f = Path(folder)
    detector = (
        dlib.cnn_face_detection_model_v1(str(f / MODEL_FILES["cnn"]))
        if cnn
        else dlib.get_frontal_face_detector()
    )
    predictor5 = dlib.shape_predictor(str(f / MODEL_FILES["landmarks5"]))
    encoder = dlib.face_recognition_model_v1(str(f / MODEL_FILES["recognition"]))
    return detector, predictor5, encoder


@lru_cache(maxsize=1)
def _load68(folder: str):  # noqa: ANN202 - dlib object
    import dlib

    return dlib.shape_predictor(str(Path(folder) / MODEL_FILES["landmarks68"]))


def _eye_centres5(pts5: np.ndarray) -> np.ndarray:
    """(2, 2) eye centres from dlib's 5 points (two corners per eye), image-left eye first."""
    a, b = pts5[0:2].mean(0), pts5[2:4].mean(0)
    return np.stack([a, b] if a[0] <= b[0] else [b, a])


def kps5_from_68(pts: np.ndarray) -> np.ndarray:
    """ArcFace's five points from iBUG-68: eye centres, nose tip, mouth corners."""
    return np.array(
        [pts[36:42].mean(0), pts[42:48].mean(0), pts[30], pts[48], pts[54]],
        dtype=np.float32,
    )


class DlibAnalyzer(FaceAnalyzer):
    """dlib detection + embedding, mesh landmarks (see the module docstring).

    landmarks: "auto" (the mesh when installed, else dlib's 68-point predictor), "mesh" or
    "dlib68" (the non-commercial predictor, for comparisons).
    """

    backend = "dlib"

    def __init__(
        self,
        detector: str = "hog",
        det_side: int = 640,
        min_score: float = 0.3,
        models_dir: Path | None = None,
        landmarks: str = "auto",
    ):
        if detector not in ("hog", "cnn"):
            raise ValueError("detector must be 'hog' or 'cnn'")
        if landmarks not in ("auto", "mesh", "dlib68"):
            raise ValueError("landmarks must be 'auto', 'mesh' or 'dlib68'")
        self.detector_kind = detector
        self.det_side = det_side
        # HOG scores of real faces are ~0.5-3; below 0.3 we mostly saw patterns on clothes.
        self.min_score = min_score
        folder = models_dir or dlib_models_dir()
        self._folder = str(folder)
        self._detector, self._predictor5, self._encoder = _load(self._folder, detector == "cnn")
        from .mesh import FaceMesh, mesh_available

        use_mesh = landmarks == "mesh" or (landmarks == "auto" and mesh_available())
        self.mesh = FaceMesh() if use_mesh else None  # ModelMissing if asked for and absent
        self._predictor68 = None if use_mesh else _load68(self._folder)
        self._blazeface = None

    @property
    def landmark_source(self) -> str:
        """'mesh' (MediaPipe, Apache-2.0) or 'dlib68' (iBUG 300-W, non-commercial)."""
        return "mesh" if self.mesh is not None else "dlib68"

    def models_used(self) -> list[str]:
        from .mesh import MODEL_ID

        return ["dlib-face-models", MODEL_ID if self.mesh is not None else "dlib-landmarks68"]

    def _detect_boxes(
        self, rgb: np.ndarray, max_side: int | None
    ) -> list[tuple[tuple[float, float, float, float], float]]:
        import cv2

        h, w = rgb.shape[:2]
        side = max_side or self.det_side
        scale = min(1.0, side / max(h, w))
        small = (
            rgb
            if scale >= 1.0
            else cv2.resize(
                rgb,
                (max(1, round(w * scale)), max(1, round(h * scale))),
                interpolation=cv2.INTER_AREA,
            )
        )
        small = np.ascontiguousarray(small)
        found = [d for d in self._run_detector(small, 0) if d[1] >= self.min_score]
        if not found and max(small.shape[:2]) <= 1280:
            found = self._run_detector(small, 1)  # small faces: one 2× upsample
        return [
            ((x0 / scale, y0 / scale, x1 / scale, y1 / scale), s)
            for (x0, y0, x1, y1), s in found
            if s >= self.min_score
        ]

    def _run_detector(
        self, img: np.ndarray, upsample: int
    ) -> list[tuple[tuple[float, float, float, float], float]]:
        out = []
        if self.detector_kind == "cnn":
            for d in self._detector(img, upsample):
                r = d.rect
                out.append(
                    ((r.left(), r.top(), r.right() + 1, r.bottom() + 1), float(d.confidence))
                )
            return out
        rects, scores, _ = self._detector.run(img, upsample, 0.0)
        for r, s in zip(rects, scores, strict=True):
            out.append(((r.left(), r.top(), r.right() + 1, r.bottom() + 1), float(s)))
        return out

    def detect(self, rgb, *, embed=True, landmarks=True, max_side=None) -> list[DetectedFace]:  # noqa: ANN001
        import dlib

        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        h, w = rgb.shape[:2]
        faces: list[DetectedFace] = []
        found = self._detect_boxes(rgb, max_side)
        if not found and self.mesh is not None:  # turned heads escape HOG: ask BlazeFace
            found = self._blazeface_boxes(rgb)
        for (x0, y0, x1, y1), score in found:
            x0, y0 = max(0.0, x0), max(0.0, y0)
            x1, y1 = min(float(w), x1), min(float(h), y1)
            if x1 - x0 < 4 or y1 - y0 < 4:
                continue
            rect = dlib.rectangle(
                int(round(x0)), int(round(y0)), int(round(x1)) - 1, int(round(y1)) - 1
            )
            box = (float(x0), float(y0), float(x1), float(y1))
            extra: dict = {}
            if self.mesh is not None:
                shape = self._predictor5(rgb, rect)
                pts5 = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
                fit = self.mesh.fit_face(rgb, box, _eye_centres5(pts5))
                if fit is None:  # the mesh sees no face in the box: a HOG false positive
                    continue
                from .mesh import to68

                extra["mesh"], extra["mesh_score"] = fit
                pts = to68(fit[0])
            else:
                assert self._predictor68 is not None
                shape = self._predictor68(rgb, rect)
                pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
            extra["shape"] = shape
            face = DetectedFace(
                box=box,
                score=float(score),
                kps5=kps5_from_68(pts),
                backend="dlib",
                landmarks68=pts if landmarks else None,
                extra=extra,
            )
            if embed:
                face.embedding = np.asarray(
                    self._encoder.compute_face_descriptor(rgb, shape), dtype=np.float32
                )
            faces.append(face)
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def _blazeface_boxes(self, rgb: np.ndarray) -> list[tuple[tuple[float, float, float, float], float]]:
        """MediaPipe's short-range detector (same wheel, Apache-2.0) when HOG finds nothing."""
        if self._blazeface is None:
            from .blazeface import BlazeFace

            self._blazeface = BlazeFace()
        return [(box, score) for box, score, _kps in self._blazeface.detect(rgb)]

    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
        import dlib

        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        shape = face.extra.get("shape")
        if shape is None:
            x0, y0, x1, y1 = (int(round(v)) for v in face.box)
            predictor = self._predictor5 if self.mesh is not None else self._predictor68
            shape = predictor(rgb, dlib.rectangle(x0, y0, x1 - 1, y1 - 1))
        return np.asarray(self._encoder.compute_face_descriptor(rgb, shape), dtype=np.float32)
