"""Face centres over time for reframing: recorded tracks, cached tracks, or detection.

Three sources, cheapest first (`export._face_keys` asks in this order):
- a recorded track: the talking-photo engine knows where it put the face on every frame and
  writes it next to its clip as a `.faces.json` sidecar (`FaceTrack`), so exporting a talking
  clip decodes nothing to find the face;
- the face-track cache: a track detected once for a file is kept under the studio's data folder,
  keyed by the file's sha256, so a second export of the same clip does not decode it again;
- detection: sample frames, run a detector (`detector(rgb) -> list of (cx, cy, size)`, passed
  in so tests and callers choose the backend; `default_detector()` wraps `pipelines.faces`).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.core.atomic import atomic_write_bytes
from studio.core.models import ModelStore
from studio.core.tasks import TaskContext

from .ffmpeg import ffmpeg_exe, probe
from .reframe import Keyframe

Detector = Callable[[np.ndarray], list[tuple[float, float, float]]]

#: sidecar of a clip holding its recorded face track
FACES_SUFFIX = ".faces.json"
_FORMAT = "persona-studio face track"


def _checked(rows: list[tuple]) -> list[tuple]:
    """`rows` when they are finite (t, x, y, ...) rows in time order; ValueError otherwise (a
    NaN would reach ffmpeg's crop expression and fail the export)."""
    a = np.asarray(rows, np.float64).reshape(len(rows), -1)
    if len(rows) and (a.shape[1] < 3 or not np.isfinite(a).all() or (np.diff(a[:, 0]) < 0).any()):
        raise ValueError("face track rows are not finite, time-ordered (t, x, y) rows")
    return rows


def keys_between(keys: Sequence[Keyframe], start: float, end: float | None = None) -> list[Keyframe]:
    """The time-sorted `keys` covering [start, end], with the neighbour on each side (so the
    crop interpolates at the ends as it would on the whole track)."""
    if not keys:
        return []
    end = keys[-1][0] if end is None else end
    times = np.array([k[0] for k in keys])
    lo = max(int(np.searchsorted(times, start, "right")) - 1, 0)
    hi = min(int(np.searchsorted(times, end, "left")) + 1, len(keys))
    return list(keys[lo:hi])


@dataclass(frozen=True)
class FaceTrack:
    """Where the face is in a clip over time: (time s, cx px, cy px) keyframes in the clip's
    pixels (the `Keyframe` form `reframe` takes) and the face's size (px) at each."""

    width: int
    height: int
    keys: tuple[Keyframe, ...]
    sizes: tuple[float, ...] = ()
    source: str = ""

    def between(self, start: float, end: float | None = None) -> list[Keyframe]:
        """Keyframes covering [start, end] (with the neighbour on each side, so the crop's
        interpolation at the ends is the same as on the whole track)."""
        return keys_between(self.keys, start, end)

    def to_json(self) -> dict:
        sizes = self.sizes if len(self.sizes) == len(self.keys) else (0.0,) * len(self.keys)
        return {"format": _FORMAT, "version": 1, "width": self.width, "height": self.height,
                "source": self.source,
                "keys": [[round(t, 4), round(cx, 2), round(cy, 2), round(s, 2)]
                         for (t, cx, cy), s in zip(self.keys, sizes, strict=True)]}

    @classmethod
    def from_json(cls, doc: dict) -> FaceTrack:
        if doc.get("format") != _FORMAT or int(doc.get("version", 0)) != 1:
            raise ValueError("not a version-1 face track")
        rows = _checked([tuple(float(v) for v in r) for r in doc.get("keys") or []])
        return cls(int(doc["width"]), int(doc["height"]), tuple((r[0], r[1], r[2]) for r in rows),
                   tuple(r[3] if len(r) > 3 else 0.0 for r in rows), str(doc.get("source", "")))


def _write(path: Path, doc: dict, durable: bool = True) -> None:
    atomic_write_bytes(path, json.dumps(doc, separators=(",", ":")).encode("utf-8"), durable)


def write_track(path: str | Path, track: FaceTrack) -> Path:
    """Save `track` as compact JSON at `path` (atomically)."""
    _write(Path(path), track.to_json())
    return Path(path)


def read_track(path: str | Path) -> FaceTrack | None:
    """The track saved at `path`, or None when there is none or it cannot be read (a track is
    an optimisation: a broken one means detecting again, never a failed export)."""
    try:
        return FaceTrack.from_json(json.loads(Path(path).read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def recorded_track(sidecar: str | Path, width: int | None, height: int | None) -> FaceTrack | None:
    """The track in a clip's `.faces.json` sidecar, when there is one for a clip of this size."""
    track = read_track(sidecar)
    if track is None or not track.keys or (width, height) != (track.width, track.height):
        return None
    return track


class TrackCache:
    """Detected face tracks by file content (sha256), so a clip is decoded for its face once.

    One JSON file per (file, detector, sample rate) holding the ranges tracked so far; a
    request inside a tracked range is answered from it."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _file(self, sha256: str, detector: str, sample_fps: float) -> Path:
        # v1: bump when detection changes (analysis size, box centre), so old tracks are not reused
        return self.root / f"{sha256}-{detector}-{sample_fps:g}-v1.json"

    def _ranges(self, f: Path) -> list[tuple[float, float, list[Keyframe]]]:
        """The readable ranges in cache file `f` (a broken one is left out, never an error)."""
        try:
            doc = json.loads(f.read_text("utf-8"))
            rows = list(doc["ranges"])
        except (OSError, ValueError, KeyError, TypeError):
            return []
        out = []
        for r in rows:
            try:
                keys = _checked([(float(t), float(x), float(y)) for t, x, y in r["keys"]])
                out.append((float(r["start"]), float(r["end"]), keys))
            except (ValueError, KeyError, TypeError, IndexError):
                continue
        return out

    def get(self, sha256: str, detector: str, sample_fps: float, start: float, end: float) -> list[Keyframe] | None:
        """The keyframes of [start, end] when a cached range covers it, else None."""
        for r0, r1, keys in self._ranges(self._file(sha256, detector, sample_fps)):
            if r0 <= start + 1e-3 and end <= r1 + 1e-3:
                return keys_between(keys, start, end) if end > start else keys
        return None

    def put(self, sha256: str, detector: str, sample_fps: float, start: float, end: float,
            keys: Sequence[Keyframe]) -> None:
        """Remember the keyframes detected for [start, end] (a failed write is not an error)."""
        f = self._file(sha256, detector, sample_fps)
        # keep the other readable ranges, at most 15; one inside the new range is replaced by it
        kept = [r for r in self._ranges(f) if not (start <= r[0] and r[1] <= end)][-15:]
        kept.append((start, end, list(keys)))
        doc = {"ranges": [{"start": r0, "end": r1, "keys": [[round(t, 4), round(x, 2), round(y, 2)]
                                                             for t, x, y in ks]} for r0, r1, ks in kept]}
        try:
            f.parent.mkdir(parents=True, exist_ok=True)
            _write(f, doc, durable=False)
        except OSError:  # a read-only or full data folder: the next export detects again
            pass


def track_cache() -> TrackCache:
    """The studio's face-track cache (under its data folder; PERSONA_STUDIO_HOME moves it)."""
    from studio.core.settings import data_dir

    return TrackCache(data_dir() / "cache" / "face-tracks")


#: the detector `default_detector` uses, and the name the face-track cache files it under
STUDIO_DETECTOR = "dlib"


def default_detector(store: ModelStore, prefer: str = STUDIO_DETECTOR) -> Detector:
    """The studio's face analyzer (`pipelines.faces`) as a `Detector`, boxes only.

    dlib is the default: it ships with the package, so reframing never needs a download.
    """
    from pipelines.faces import open_analyzer

    analyzer = open_analyzer(store, prefer=prefer)  # type: ignore[arg-type]

    def detect(rgb: np.ndarray) -> list[tuple[float, float, float]]:
        faces = analyzer.detect(rgb, embed=False, landmarks=False)
        return [(*f.center, max(f.width, f.height)) for f in faces]

    return detect


def _largest(found: list[tuple[float, float, float]]) -> tuple[float, float] | None:
    if not found:
        return None
    cx, cy, _ = max(found, key=lambda f: f[2])
    return cx, cy


def face_keyframes_image(rgb: np.ndarray, detector: Detector) -> list[Keyframe]:
    """One keyframe at t=0 for a still (empty when no face)."""
    c = _largest(detector(rgb))
    return [] if c is None else [(0.0, c[0], c[1])]


def face_keyframes_video(
    path: str | Path,
    detector: Detector,
    start: float = 0.0,
    end: float | None = None,
    sample_fps: float = 4.0,
    analysis_width: int = 480,
    ctx: TaskContext | None = None,
) -> list[Keyframe]:
    """Face centres (source pixels, source seconds) sampled `sample_fps` times a second.

    Frames are decoded by ffmpeg at `analysis_width` (detection is scale-tolerant and this keeps
    it fast); gaps where no face is found are filled by holding the neighbouring values.
    """
    info = probe(path)
    if not info.width or not info.height:
        return []
    end = info.duration if end is None else min(end, info.duration)
    aw = min(analysis_width, info.width) // 2 * 2
    ah = round(info.height * aw / info.width) // 2 * 2
    cmd = [
        ffmpeg_exe(), "-v", "error", "-ss", f"{start:.3f}", "-t", f"{max(end - start, 0.01):.3f}",
        "-i", str(path), "-vf", f"fps={sample_fps},scale={aw}:{ah}", "-f", "rawvideo",
        "-pix_fmt", "rgb24", "-",
    ]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, ah, aw, 3)
    sx, sy = info.width / aw, info.height / ah
    found: list[tuple[float, tuple[float, float] | None]] = []
    for i, frame in enumerate(frames):
        if ctx is not None:
            ctx.progress(i, len(frames), "Finding the face")
        c = _largest(detector(frame))
        found.append((start + i / sample_fps, None if c is None else (c[0] * sx, c[1] * sy)))
    known = [(t, c) for t, c in found if c is not None]
    if not known:
        return []
    keys: list[Keyframe] = []
    for t, c in found:
        if c is None:  # hold the nearest known centre
            c = min(known, key=lambda k: abs(k[0] - t))[1]
        keys.append((t, c[0], c[1]))
    return keys
