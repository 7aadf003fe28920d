"""Lip-sync: a still (optionally with a camera move) or a clip + a narration → a talking clip.

Engines behind one `LipSyncer` (add one: a row in NEURAL_ENGINES, a branch in `run`):
- 'landmarks': the embedded talking-photo engine (`talking.py`): MediaPipe mesh, visemes with
  coarticulation, painted mouth interior, blinks, head motion, brows — one frame loop, and the
  only engine that takes a camera move in the same pass.
- 'wav2lip': Wav2Lip GAN 96 ONNX (when `wav2lip_gan_96` is in the model store). Pass 1 finds
  the face on every frame (once for a still), pass 2 renders and re-measures the mouth.
'auto' takes the first installed neural engine, else the embedded one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from pipelines.video_io import VideoWriter, even_size, is_video, probe, read_frames
from studio.core.errors import BadInput
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext, null_context

from .life import LifeSettings
from .sync_score import mouth_opening, sync_scores
from .visemes import mouth_track

Engine = Literal["auto", "wav2lip", "landmarks"]
WAV2LIP_ID = "wav2lip_gan_96"
ENGINE_WORDS = {"wav2lip": "Wav2Lip GAN (ONNX)", "landmarks": "Talking-photo engine (embedded)"}
#: neural engines in the order 'auto' prefers them: (engine name, catalogue id of its model)
NEURAL_ENGINES: list[tuple[str, str]] = [("wav2lip", WAV2LIP_ID)]


@dataclass
class LipSyncRequest:
    """The picture, the voice and how to animate."""

    visual: Path
    audio: np.ndarray  # mono float32
    rate: int
    audio_path: Path  # muxed into the output as AAC
    phonemes: list[dict] | None = None
    fps: float = 30.0
    restore: bool = False
    life: LifeSettings = field(default_factory=LifeSettings)
    #: with a still: {"move", "strength", "size": (w, h)} — the camera move rendered in the same pass
    camera: dict | None = None


@dataclass
class LipSyncResult:
    frames: int
    fps: float
    size: tuple[int, int]
    engine: str  # 'wav2lip' | 'landmarks'
    scores: dict
    sample_frame: np.ndarray
    models: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    face_models: list[str] = field(default_factory=list)  # what found and tracked the face


def choose_engine(store: ModelStore, engine: Engine) -> str:
    """'auto' → the first installed neural engine, else the embedded talking-photo engine."""
    if engine == "landmarks":
        return "landmarks"
    for name, model_id in NEURAL_ENGINES:
        if engine == name:
            store.require(model_id, purpose=f"{ENGINE_WORDS[name]} lip-sync")
            return name
    if engine == "auto":
        return next((n for n, m in NEURAL_ENGINES if store.find(m) is not None), "landmarks")
    names = ", ".join(["auto", *(n for n, _ in NEURAL_ENGINES), "landmarks"])
    raise BadInput(f"Unknown lip-sync engine '{engine}': use {names}.")


class LipSyncer:
    """`load()`, `run(request, out_path, ctx)`, `unload()` for one engine."""

    def __init__(self, store: ModelStore, engine: Engine = "auto"):
        self.store = store
        self.engine = choose_engine(store, engine)
        self.analyzer = None
        self.wav2lip = None
        self.restorer = None

    def load(self, device: str = "cpu", restore: bool = False) -> None:
        from pipelines.faces import FaceRestorer, open_analyzer

        self.analyzer = open_analyzer(self.store, prefer="dlib")  # dlib boxes + mesh landmarks
        if self.engine == "wav2lip":
            from pipelines.faces import onnx_providers

            from .wav2lip_onnx import Wav2LipOnnx

            providers = onnx_providers("cpu" if device == "cpu" else self.store.settings.onnx_provider)
            self.wav2lip = Wav2LipOnnx(self.store.require(WAV2LIP_ID, purpose="Wav2Lip lip-sync")[0], providers)
            if restore:
                self.restorer = FaceRestorer.open(self.store)

    def unload(self) -> None:
        self.analyzer = self.wav2lip = self.restorer = None

    # ------------------------------------------------------------------ frames
    def _clip_frames(self, path: Path, n: int) -> Iterator[np.ndarray]:
        """`n` frames of a clip, looping it when the narration is longer."""
        made = 0
        while made < n:
            got = 0
            for f in read_frames(path):
                yield even_size(f)
                made += 1
                got += 1
                if made >= n:
                    return
            if got == 0:
                raise BadInput(f"{path} has no frames.")

    def _faces(self, frames: Iterator[np.ndarray], n: int, fps: float, ctx: TaskContext) -> list:
        """Landmarks (68, 2) per frame (None where no face), smoothed over ±2 frames."""
        from pipelines.faces import FaceTracker

        tracker = FaceTracker(self.analyzer, every=10, embed=False, max_faces=1, rate=fps)
        out: list[np.ndarray | None] = []
        for i, f in enumerate(frames):
            faces = tracker.update(f)
            out.append(faces[0].landmarks68 if faces and faces[0].landmarks68 is not None else None)
            if i % 10 == 0:
                ctx.progress(i, n, "finding the face")
        return _smooth_landmarks(out)

    # ------------------------------------------------------------------ run
    def run(self, req: LipSyncRequest, out_path: Path, ctx: TaskContext | None = None) -> LipSyncResult:
        ctx = ctx or null_context()
        if self.analyzer is None:
            self.load(restore=req.restore)
        if self.engine == "landmarks":
            return self._run_talking(req, out_path, ctx)
        if req.camera:
            raise BadInput(f"{ENGINE_WORDS[self.engine]} animates a clip: make the camera move first "
                           "(studio animate), then lip-sync that clip.")
        duration = len(req.audio) / float(req.rate)
        if duration <= 0:
            raise BadInput("The narration is empty (0 s of audio).")
        clip = is_video(req.visual)
        fps = probe(req.visual).fps if clip else float(req.fps)
        n = max(1, int(round(duration * fps)))
        still = None
        if clip:
            landmarks = self._faces(self._clip_frames(req.visual, n), n, fps, ctx.sub(0.0, 0.3))
            frames: Iterator[np.ndarray] = self._clip_frames(req.visual, n)
        else:
            from pipelines.faces import load_image

            still = even_size(load_image(req.visual))
            found = self.analyzer.detect(still, embed=False)
            landmarks = [found[0].landmarks68 if found else None] * n
            frames = (still for _ in range(n))
        if all(lm is None for lm in landmarks):
            raise BadInput(f"No face found in {req.visual.name}; use a picture where the face is clearly visible.")
        track = mouth_track(req.audio, req.rate, fps, n, req.phonemes)
        render = self._wav2lip_renderer(req, n, fps, landmarks)
        from pipelines.faces import FaceTracker

        meter = FaceTracker(self.analyzer, every=15, embed=False, max_faces=1, rate=fps, smooth=False)
        opening = np.full(n, np.nan)
        sample = None
        work = ctx.sub(0.3 if clip else 0.0, 1.0)
        size = None
        writer: VideoWriter | None = None
        try:
            for i, frame in enumerate(frames):
                lm = landmarks[i]
                out = frame if lm is None else render(i, frame, lm)
                if writer is None:
                    size = (out.shape[1], out.shape[0])
                    writer = VideoWriter(out_path, size, fps, crf=18, preset="veryfast", audio=req.audio_path)
                writer.write(out)
                got = meter.update(out)
                if got and got[0].landmarks68 is not None:
                    opening[i] = mouth_opening(got[0].landmarks68)
                if i == n // 2:
                    sample = out
                if i % 5 == 0:
                    work.progress(i, n, f"frame {i + 1}/{n}")
        except BaseException:  # a cancel or failure leaves no half-written clip
            if writer is not None:
                writer.abort()
            raise
        if writer is not None:
            writer.close()
        scores = sync_scores(opening, track.envelope, fps)
        models = [WAV2LIP_ID]
        notes = []
        if req.restore and self.engine == "wav2lip":
            if self.restorer is not None:
                models.append(self.restorer.model_id)
            else:
                notes.append("mouth restoration skipped: no face restorer installed")
        return LipSyncResult(n, fps, size or (0, 0), self.engine, scores,
                             sample if sample is not None else out, models, notes,
                             self.analyzer.models_used())

    def _run_talking(self, req: LipSyncRequest, out_path: Path, ctx: TaskContext) -> LipSyncResult:
        from .talking import TalkingEngine, TalkingRequest

        assert self.analyzer is not None
        res = TalkingEngine(self.analyzer).run(
            TalkingRequest(req.visual, req.audio, req.rate, req.audio_path, req.phonemes, req.fps, req.life,
                           req.camera), out_path, ctx)
        return LipSyncResult(res.frames, res.fps, res.size, "landmarks", res.scores, res.sample_frame, [], [],
                             self.analyzer.models_used())

    def _wav2lip_renderer(self, req: LipSyncRequest, n: int, fps: float, landmarks: list):
        from math import gcd

        from scipy.signal import resample_poly

        from pipelines.faces import paste_back

        from .mel import SAMPLE_RATE, mel_windows, melspectrogram
        from .wav2lip_onnx import SIZE, box_affine, crop_box, mouth_mask, smooth_boxes

        g = gcd(req.rate, SAMPLE_RATE)
        wav16 = resample_poly(req.audio, SAMPLE_RATE // g, req.rate // g) if req.rate != SAMPLE_RATE else req.audio
        windows = mel_windows(melspectrogram(wav16), n, fps)
        boxes = np.array([_box_of(lm) if lm is not None else (np.nan,) * 4 for lm in landmarks], np.float64)
        boxes = _fill_missing(boxes)
        boxes = smooth_boxes(boxes)
        mask = mouth_mask()
        restorer = self.restorer
        model = self.wav2lip
        assert model is not None

        def render(i: int, frame: np.ndarray, lm: np.ndarray) -> np.ndarray:
            import cv2

            box = crop_box(tuple(boxes[i]), frame.shape[:2])
            m = box_affine(box)
            crop = cv2.warpAffine(frame, m, (SIZE, SIZE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
            pred = model.predict(windows[i], crop)
            out = paste_back(frame, pred, m, mask)
            if restorer is not None:
                from pipelines.faces.dlib_backend import kps5_from_68
                from pipelines.faces.types import DetectedFace

                face = DetectedFace(box=tuple(box), score=1.0, kps5=kps5_from_68(lm), backend="dlib")
                restored = restorer.restore(out, face)
                out = paste_back(out, cv2.warpAffine(restored, m, (SIZE, SIZE), flags=cv2.INTER_AREA), m, mask)
            return out

        self.mel_windows = windows  # kept for inspection (tests check one window per frame)
        return render


def _box_of(lm: np.ndarray) -> tuple[float, float, float, float]:
    """A Wav2Lip-style face box from landmarks: brows to chin, jaw side to side."""
    x0, y0 = lm[:, 0].min(), lm[17:27, 1].min()
    x1, y1 = lm[:, 0].max(), lm[:, 1].max()
    return float(x0), float(y0), float(x1), float(y1)


def _fill_missing(boxes: np.ndarray) -> np.ndarray:
    """Frames without a face borrow the nearest detected box (only used if landmarks exist there)."""
    ok = ~np.isnan(boxes[:, 0])
    if ok.all() or not ok.any():
        return boxes
    idx = np.arange(len(boxes))
    for c in range(4):
        boxes[:, c] = np.interp(idx, idx[ok], boxes[ok, c])
    return boxes


def _smooth_landmarks(seq: list) -> list:
    """Average each frame's landmarks with its neighbours (±2) to remove detector jitter."""
    out = []
    for i, lm in enumerate(seq):
        if lm is None:
            out.append(None)
            continue
        near = [seq[j] for j in range(max(0, i - 2), min(len(seq), i + 3)) if seq[j] is not None]
        out.append(np.mean(near, axis=0).astype(np.float32))
    return out

