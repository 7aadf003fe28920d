"""A real 30 s three-scene post (talking, B-roll photo, talking) on the bundled portrait, made
once per `make bench` run and shared by the render benchmarks: its clips are real talking
clips with a face, so face tracking and captions are in what the export benchmarks measure."""

from __future__ import annotations

import os
import resource
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT = """--- talking
Hi, I'm Nova, and this is my first week of making videos from a single photo. Every morning I write a
short script, and by the time my coffee is ready, the post is done: my face, my voice and the captions.
--- broll: {broll}, move: none
This is the little cafe where it all happens. The coffee is strong, the light is soft, and nobody
minds a person talking to their phone in the corner.
--- talking, crossfade
Try it for a week: one idea, one photo, one post a day, and nothing else on your plate. Then tell me
how it went, and what you would change. See you tomorrow.
"""
PRESETS = ["reels", "square", "youtube"]


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class RealPost:
    """The made post: project, post id, its length, and how long making it took."""

    project: Any
    post: str
    seconds: float
    wall: float
    cpu: float
    result: dict[str, Any] = field(default_factory=dict)


_MADE: dict[str, Any] = {}


def real_post() -> RealPost:
    """Make the post (first call) or return the one made earlier in this process."""
    if "post" in _MADE:
        return _MADE["post"]
    from PIL import Image
    from skimage import data

    from studio.core.paths import resources_dir
    from studio.core.project import Project
    from studio.core.settings import Settings
    from studio.core.storyboard import storyboard_params
    from studio.farm.run import run_job

    tmp = tempfile.TemporaryDirectory(prefix="bench-post-")
    _MADE["tmp"] = tmp  # lives as long as the process
    d = Path(tmp.name)
    os.environ["PERSONA_STUDIO_HOME"] = str(d / "home")
    settings = Settings()
    Image.fromarray(data.coffee()).save(d / "cafe.png")
    p = Project.create(d, "Bench")
    run_job(p, "faces.add", {"photos": [str(resources_dir() / "demo" / "portrait.jpg")], "not_a_real_person": True},
            settings)
    params = {"presets": PRESETS, "engine": "camera", "size": [1080, 1920],
              **storyboard_params(SCRIPT.format(broll=d / "cafe.png"), "post.txt", str(d))}
    t0, c0 = time.perf_counter(), cpu_seconds()
    job = run_job(p, "post", params, settings)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    if job.state.value != "done":
        raise RuntimeError(f"the benchmark post failed: {job.error}")
    post = p.post(job.result["post"])
    seconds = p.timeline(post.timeline_id).duration
    _MADE["post"] = RealPost(p, post.id, seconds, wall, cpu, job.result)
    return _MADE["post"]
