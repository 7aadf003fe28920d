"""Lip-sync: a still (optionally with a camera move) or a clip + a narration → a talking clip.

Engines behind one `LipSyncer` (add one: a row in NEURAL_ENGINES, a branch in `run`):
- 'landmarks': the embedded talking-photo engine (`talking.py`): MediaPipe mesh, visemes with
  coarticulation, painted mouth interior, blinks, head motion, brows — one frame loop, and the
  only engine that takes a camera move in the same pass.
- 'musetalk': MuseTalk 1.5 (`musetalk.py`), the neural engine for GPUs (commercial use allowed).
- 'wav2lip': Wav2Lip GAN 96 ONNX (when `wav2lip_gan_96` is in the model store); non-commercial,
  so only when asked for by name.
The neural engines: pass 1 finds the face on every frame (once for a still), pass 2 renders
(MuseTalk a batch at a time), optionally restores the face shown, and re-measures the mouth.
'auto' takes the first installed engine of AUTO_ENGINES (MuseTalk, with a CUDA GPU), else the
embedded one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from pipelines.video_io import VideoWriter, even_size, is_video, looped_frames, probe
from studio.core.errors import BadInput
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext, null_context

from .life import LifeSettings
from .musetalk import MODEL_IDS as MUSETALK_IDS
from .sync_score import mouth_opening, sync_scores
from .visemes import mouth_track

Engine = Literal["auto", "musetalk", "wav2lip", "landmarks"]
WAV2LIP_ID = "wav2lip_gan_96"
ENGINE_WORDS = {"musetalk": "MuseTalk 1.5 (neural, GPU)", "wav2lip": "Wav2Lip GAN (ONNX)",
                "landmarks": "Talking-photo engine (embedded)"}
#: neural engines: (engine name, catalogue ids of its models)
NEURAL_ENGINES: list[tuple[str, tuple[str, ...]]] = [
    ("musetalk", MUSETALK_IDS),
    ("wav2lip", (WAV2LIP_ID,)),
]
#: the ones 'auto' may take, in order (installed + a CUDA GPU); Wav2Lip is non-commercial: never
AUTO_ENGINES = ("musetalk",)


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
    #: (time s, cx, cy, size px) of the face per frame, when the engine knows it (talking engine)
    face_track: list[tuple[float, float, float, float]] = field(default_factory=list)


def choose_engine(store: ModelStore, engine: Engine, cuda: bool | None = None) -> str:
    """'auto' → the first AUTO_ENGINES engine that is installed, when a CUDA GPU is there
    (`cuda`; None asks torch), else the embedded talking-photo engine. A named engine runs
    wherever it is installed (MuseTalk on a CPU is slow but works)."""
    if engine == "landmarks":
        return "landmarks"
    for name, model_ids in NEURAL_ENGINES:
        if engine == name:
            store.require(*model_ids, purpose=f"{ENGINE_WORDS[name]} lip-sync")
            return name
    if engine == "auto":
        for name, model_ids in NEURAL_ENGINES:
            if name in AUTO_ENGINES and all(store.find(m) is not None for m in model_ids) and (
                    _cuda() if cuda is None else cuda):
                return name
        return "landmarks"
    names = ", ".join(["auto", *(n for n, _ in NEURAL_ENGINES), "landmarks"])
    raise BadInput(f"Unknown lip-sync engine '{engine}': use {names}.")


def _cuda() -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return False
    return bool(torch.cuda.is_available())


class LipSyncer:
    """`load()`, `run(request, out_path, ctx)`, `unload()` for one engine."""

    def __init__(self, store: ModelStore, engine: Engine = "auto", cuda: bool | None = None):
        self.store = store
        self.engine = choose_engine(store, engine, cuda)
        self.analyzer = None
        self.wav2lip = None
        self.musetalk = None
        self.restorer = None

    def load(self, device: str = "cpu", restore: bool = False) -> None:
        """`device`: 'auto' | 'cuda' | 'cpu' (MuseTalk: CUDA fp16 when there, else CPU float32)."""
        from pipelines.faces import FaceRestorer, open_analyzer

        self.analyzer = open_analyzer(self.store, prefer="dlib")  # dlib boxes + mesh landmarks
        if self.engine == "wav2lip":
            from pipelines.faces import onnx_providers

            from .wav2lip_onnx import Wav2LipOnnx

            providers = onnx_providers("cpu" if device == "cpu" else self.store.settings.onnx_provider)
            self.wav2lip = Wav2LipOnnx(self.store.require(WAV2LIP_ID, purpose="Wav2Lip lip-sync")[0], providers)
        if self.engine == "musetalk":
            from .musetalk import MuseTalk, plan

            p = plan(device, self.store.settings.low_vram)
            self.musetalk = MuseTalk.load(*self.store.require(*MUSETALK_IDS, purpose="MuseTalk lip-sync"),
                                          device=p.device, dtype=p.dtype, offload=p.offload)
            self.musetalk.notes.append(f"MuseTalk on {p.reason}")
        if restore and self.engine in ("wav2lip", "musetalk"):
            self.restorer = FaceRestorer.open(self.store, asked=True)

    def unload(self) -> None:
        self.analyzer = self.wav2lip = self.musetalk = self.restorer = None

    # ------------------------------------------------------------------ frames
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
            landmarks = self._faces(looped_frames(req.visual, n), n, fps, ctx.sub(0.0, 0.3))
            frames: Iterator[np.ndarray] = looped_frames(req.visual, n)
        else:
            from pipelines.faces import load_image

            still = even_size(load_image(req.visual))
            found = self.analyzer.detect(still, embed=False)
            landmarks = [found[0].landmarks68 if found else None] * n
            frames = (still for _ in range(n))
        if all(lm is None for lm in landmarks):
            raise BadInput(f"No face found in {req.visual.name}; use a picture where the face is clearly visible.")
        track = mouth_track(req.audio, req.rate, fps, n, req.phonemes)
        work = ctx.sub(0.3 if clip else 0.0, 1.0)
        if self.engine == "musetalk":
            outputs = self._musetalk_frames(req, frames, landmarks, fps, still is not None, work)
        else:
            render = self._wav2lip_renderer(req, n, fps, landmarks)
            outputs = (frame if landmarks[i] is None else render(i, frame, landmarks[i]) for i, frame in enumerate(frames))
        from pipelines.faces import FaceTracker

        meter = FaceTracker(self.analyzer, every=15, embed=False, max_faces=1, rate=fps, smooth=False)
        opening = np.full(n, np.nan)
        sample = None
        size = None
        restored = 0
        writer: VideoWriter | None = None
        try:
            for i, out in enumerate(outputs):
                if self.restorer is not None and landmarks[i] is not None:
                    from .wav2lip_onnx import restore_face

                    out = restore_face(self.restorer, out, landmarks[i])
                    restored += 1
                if writer is None:
                    size = (out.shape[1], out.shape[0])
                    writer = VideoWriter(out_path, size, fps, crf=18, preset="veryfast", audio=req.audio_path)
                writer.write(out)
                got = meter.update(out)
                if got and got[0].landmarks68 is not None:
                    opening[i] = mouth_opening(got[0].landmarks68)
                if i == n // 2:
                    sample = out
                if i % 5 == 0 and self.engine != "musetalk":  # MuseTalk reports per batch
                    work.progress(i, n, f"frame {i + 1}/{n}")
        except BaseException:  # a cancel or failure leaves no half-written clip
            if writer is not None:
                writer.abort()
            raise
        if writer is not None:
            writer.close()
        scores = sync_scores(opening, track.envelope, fps)
        models = list(dict(NEURAL_ENGINES)[self.engine])
        notes = list(self.musetalk.notes) if self.musetalk is not None else []
        if req.restore:
            if restored:  # listed only when it changed frames that are in the clip
                models.append(self.restorer.model_id)
                notes.append(f"face restored on {restored} of {n} frames ({self.restorer.model_id})")
            else:
                notes.append("face restoration skipped: " + ("no face restorer installed (studio models "
                             "download gfpgan-1.4)" if self.restorer is None else "no face to restore"))
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
                             self.analyzer.models_used(), res.face_track)

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
        model = self.wav2lip
        assert model is not None

        def render(i: int, frame: np.ndarray, lm: np.ndarray) -> np.ndarray:
            import cv2

            box = crop_box(tuple(boxes[i]), frame.shape[:2])
            m = box_affine(box)
            crop = cv2.warpAffine(frame, m, (SIZE, SIZE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
            pred = model.predict(windows[i], crop)
            return paste_back(frame, pred, m, mask)

        self.mel_windows = windows  # kept for inspection (tests check one window per frame)
        return render


    def _musetalk_frames(self, req: LipSyncRequest, frames: Iterator[np.ndarray], landmarks: list, fps: float,
                         still: bool, ctx: TaskContext) -> Iterator[np.ndarray]:
        """MuseTalk's frames in order, rendered a batch at a time (progress/cancel per batch)."""
        mt = self.musetalk
        assert mt is not None
        ctx.progress(0, len(landmarks), "MuseTalk: encoding the narration")
        prompts = mt.audio_prompts(req.audio, req.rate, len(landmarks), fps)
        return mt.stream(frames, landmarks, prompts, ctx, still=still)


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

