"""A persona after years of work, for the scale benchmark: 5,000 assets, 300 posts, 1,000 jobs.

Built from the real schema objects (assets with full provenance, timelines with caption tracks,
posts, finished job files) and written with one save, so building it takes seconds instead of
5,000 registrations. Image assets are real 512 px JPEGs (the window decodes their thumbnails).
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from studio.core.assets import KIND_FOLDER, Asset, ModelUse, Provenance
from studio.core.jobs import Job, JobQueue, JobState
from studio.core.project import Project
from studio.core.schema import Post
from studio.core.timeline import Clip, Timeline, Track

#: kind -> share of the assets
MIX = {"still": 0.40, "clip": 0.20, "narration": 0.15, "export": 0.15, "reference": 0.04, "music": 0.03,
       "image": 0.03}
_MODELS = {
    "still": [ModelUse(id="sdxl-base-1.0", licence="CreativeML Open RAIL++-M", commercial_use=True, role="checkpoint"),
              ModelUse(id="inswapper_128", licence="non-commercial research", commercial_use=False, role="swap")],
    "clip": [ModelUse(id="svd-xt", licence="SVD non-commercial", commercial_use=False, role="motion")],
    "narration": [ModelUse(id="piper-en_US-joe-medium", licence="CC0-1.0", commercial_use=True, role="voice")],
    "reference": [ModelUse(id="dlib-face-models", licence="CC0", commercial_use=True, role="face analysis")],
}


def _media() -> tuple[bytes, bytes]:
    """A real 1 s H.264 clip and a real 1 s WAV (the timeline reads their durations)."""
    import subprocess
    import tempfile

    from studio.core.media import ffmpeg_exe

    with tempfile.TemporaryDirectory() as tmp:
        mp4, wav = Path(tmp) / "c.mp4", Path(tmp) / "n.wav"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x112:rate=30:duration=1",
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", str(mp4)], check=True)
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=1",
                        "-ar", "48000", str(wav)], check=True)
        return mp4.read_bytes(), wav.read_bytes()


def _jpeg(size: int = 512) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    img = (rng.random((size, size, 3)) * 255).astype("uint8")
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def build(parent: str | Path, assets: int = 5000, posts: int = 300, jobs: int = 1000, seed: int = 0) -> Path:
    """Create `parent/Scale.persona` and return its folder."""
    rnd = random.Random(seed)
    jpeg = _jpeg()
    mp4, wav = _media()
    with Project.create(parent, "Scale") as p:
        made: dict[str, list[Asset]] = {k: [] for k in MIX}
        kinds = [k for k, share in MIX.items() for _ in range(round(share * assets))][:assets]
        while len(kinds) < assets:
            kinds.append("still")
        for i, kind in enumerate(kinds):
            suffix = {"still": ".jpg", "image": ".jpg", "reference": ".jpg", "clip": ".mp4", "export": ".mp4",
                      "narration": ".wav", "music": ".wav"}[kind]
            aid = f"{kind}-{i:08x}"
            rel = f"{KIND_FOLDER[kind]}/{aid}{suffix}"
            data = {".jpg": jpeg, ".mp4": mp4, ".wav": wav}[suffix]
            (p.path / rel).write_bytes(data)
            parents = [rnd.choice(made[k]).id for k in ("still", "narration") if made[k] and kind in ("clip", "export")]
            params: dict = {"prompt": "reading in a sunny cafe, golden hour, " * 3, "seed": i, "steps": 30, "cfg": 6.0}
            extra: dict = {}
            if kind == "export":
                params = {"preset": "reels", "width": 1080, "height": 1920, "fps": 30.0, "duration": 14.2,
                          "ffmpeg_args": [f"-arg{j}" for j in range(60)]}
                extra["commercial_use"] = {"verdict": "not allowed", "blocking": ["svd-xt"], "unknown": [],
                                           "models": [m.model_dump() for m in _MODELS["clip"]]}
            prov = Provenance(pipeline=kind, engine=f"{kind} engine", models=list(_MODELS.get(kind, [])), seed=i,
                              parameters=params, scores={"identity": 80 + rnd.random() * 15, "identity_verdict":
                                                         "same person"}, studio_version="0.9.0", **extra)
            a = Asset(id=aid, kind=kind, path=rel, sha256="0" * 64, size=len(data), parents=parents,
                      provenance=prov, label=f"{kind} {i}")
            made[kind].append(a)
            p.data.assets.append(a)
        for n in range(posts):
            tl = _timeline(rnd, made, n)
            p.data.timelines.append(tl)
            exports = {"reels": rnd.choice(made["export"]).id} if made["export"] else {}
            p.data.posts.append(Post(title=f"Post {n}", timeline_id=tl.id, script="Hello there. " * 20,
                                     presets=["reels"], exports=exports))
        p.save()
        queue = JobQueue(p.path / "jobs")
        for n in range(jobs):
            job = Job(kind=rnd.choice(["generate", "narrate", "post", "export"]), title=f"Job {n}",
                      params={"prompt": "x" * 80}, state=JobState.done, progress=1.0, label="Done",
                      result={"assets": [rnd.choice(p.data.assets).id]}, attempts=1)
            queue.save(job, durable=False)
        return p.path


def _timeline(rnd: random.Random, made: dict[str, list[Asset]], n: int) -> Timeline:
    words = [Clip(start=i * 0.35, out_point=0.3, text=f"word{i}") for i in range(40)]
    video = [Clip(asset_id=rnd.choice(made["clip"]).id, start=i * 3.0, out_point=3.0) for i in range(5)]
    narration = [Clip(asset_id=rnd.choice(made["narration"]).id, start=0.0, out_point=14.0)]
    tracks = (Track(kind="video", clips=tuple(video)), Track(kind="overlay"), Track(kind="narration", clips=tuple(narration)),
              Track(kind="music"), Track(kind="captions", clips=tuple(words)))
    return Timeline(name=f"Post {n}", tracks=tracks)
