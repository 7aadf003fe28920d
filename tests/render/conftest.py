"""Render fixtures: tiny generated media and a project with a ready timeline (no downloads)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from studio.core.assets import ModelUse, Provenance
from studio.core.project import Project
from studio.core.timeline import AddClip, Clip, ReplaceTrackClips, Timeline, caption_clips
from studio.render.ffmpeg import ffmpeg_exe

WORDS = [
    {"word": w, "start": round(0.1 + i * 0.45, 2), "end": round(0.1 + i * 0.45 + 0.4, 2)}
    for i, w in enumerate("Hello from your new persona today".split())
]


def ff(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """A 3 s landscape test clip, a 3 s 'narration' (speech-like tone bursts) and a music bed."""
    d = tmp_path_factory.mktemp("media")
    ff("-f", "lavfi", "-i", "testsrc2=s=320x180:r=30:d=3", "-c:v", "libx264", "-pix_fmt", "yuv420p",
       str(d / "clip.mp4"))
    # tone bursts (on 0.4 s, off 0.05 s) like words, so ducking has something to key on
    ff("-f", "lavfi", "-i", "sine=f=220:d=3:sample_rate=22050",
       "-af", "volume='if(lt(mod(t,0.45),0.4),0.5,0)':eval=frame", str(d / "narration.wav"))
    ff("-f", "lavfi", "-i", "anoisesrc=d=4:a=0.2:c=pink:r=44100", str(d / "music.wav"))
    return {"clip": d / "clip.mp4", "narration": d / "narration.wav", "music": d / "music.wav"}


def make_project(parent: Path, media: dict[str, Path]) -> tuple[Project, Timeline, dict[str, str]]:
    p = Project.create(parent, "Render Test")
    ids: dict[str, str] = {}
    st = p.stage(".mp4")
    st.write_bytes(media["clip"].read_bytes())
    svd = ModelUse(id="svd", licence="Stable Video Diffusion Non-Commercial Community License",
                   commercial_use=False, role="motion")
    ids["clip"] = p.register(st, "clip", Provenance(pipeline="motion", models=[svd])).id
    st = p.stage(".wav")
    st.write_bytes(media["narration"].read_bytes())
    words = p.stage(".words.json")
    words.write_text(json.dumps(WORDS), "utf-8")
    piper = ModelUse(id="piper-en_US-joe-medium", licence="CC0-1.0", commercial_use=True)
    ids["narration"] = p.register(st, "narration", Provenance(pipeline="voice", models=[piper]),
                                  extra_files={".words.json": words}).id
    ids["music"] = p.import_file(media["music"], "music").id
    tl = Timeline.empty()
    for track, key in (("video", "clip"), ("narration", "narration"), ("music", "music")):
        tl = AddClip(track=track, clip=Clip(asset_id=ids[key], start=0, out_point=3.0)).apply(tl)
    tl = ReplaceTrackClips.on(tl, "captions", caption_clips(WORDS)).apply(tl)
    p.put_timeline(tl)
    return p, tl, ids


@pytest.fixture
def project(tmp_path, media):
    p, tl, ids = make_project(tmp_path, media)
    yield p, tl, ids
    p.close()


@pytest.fixture
def words() -> list[dict]:
    return WORDS


@pytest.fixture
def project_factory(media):
    """make(parent) -> (project, timeline, ids); the caller closes the project."""
    return lambda parent: make_project(parent, media)
