"""`studio demo`: a captioned, lip-synced post made fully offline on the embedded default models."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import typer

from studio.core.paths import resources_dir
from studio.core.persona import LikenessStatement, Persona, VoiceSettings
from studio.core.project import Project, project_dir_for

from .common import finish_job, out, print_verdict, progress_task

DEMO_NAME = "Demo"  # the project folder (Demo.persona)
PERSONA_NAME = "Nova"  # who speaks: the script says her name
#: the face: skimage's `astronaut`, NASA's portrait of Eileen Collins — a real person, in the public
#: domain as a photo but shown here without her consent, so the demo says it is for demonstration only
DEMO_LIKENESS = LikenessStatement(
    not_a_real_person=False, stated_in="demo", first_photo="portrait.jpg", purpose="demonstration",
    subject="astronaut Eileen Collins",
    source="NASA portrait, public domain")
#: the voice: the only neural English voice that ships in a package is Piper's `joe`, a man's; the
#: female voice character (Praat's change gender: formants ×1.18, median pitch 210 Hz) matches the face
DEMO_VOICE = VoiceSettings(formant_shift=1.18, pitch_hz=210.0)
DEMO_SCRIPT = (
    "Hi, I'm Nova. This whole post was made on one laptop, with no internet. "
    "Face, voice, motion and captions: all from a single photo."
)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def make_music_bed(path: Path, seconds: float, rate: int = 48000) -> Path:
    """A soft synthesised pad (A minor, slow swell) to show ducking; made here, no licence issue."""
    t = np.arange(int(seconds * rate)) / rate
    chord = [220.0, 261.63, 329.63, 440.0]
    pad = sum(np.sin(2 * np.pi * f * t + i) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.1 * t + i)) for i, f in enumerate(chord))
    beat = (np.sin(2 * np.pi * 2.0 * t) > 0.95).astype(float) * np.sin(2 * np.pi * 60 * t)  # soft kick at 120 bpm
    sig = 0.12 * pad / len(chord) + 0.25 * beat
    fade = np.minimum(1.0, np.minimum(t / 1.0, (seconds - t) / 1.0))
    pcm = (np.clip(sig * fade, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def demo_persona() -> Persona:
    """Nova: the bundled portrait's face (a real person, demonstration only) and a female voice character."""
    return Persona(
        name=PERSONA_NAME,
        description="Demo persona: NASA's public-domain portrait of astronaut Eileen Collins, for demonstration only.",
        style_prompt="portrait photo, soft window light, natural skin texture, 85mm",
        kind="real", likeness=DEMO_LIKENESS, voice=DEMO_VOICE,
    )


def demo(
    directory: Path = typer.Option(Path("projects"), "--dir", "-d", help="Where to create Demo.persona."),
    size: str = typer.Option("720x1280", "--size", help="Motion clip size WxH (exports are always full preset size)."),
    quick: bool = typer.Option(False, "--quick", help="Small exports (for smoke tests of installs)."),
) -> None:
    """Make a persona from the public-domain portrait and a finished 9:16 post plus 4:5 and 1:1 versions."""
    from .common import run_job

    folder = project_dir_for(directory, DEMO_NAME)
    if folder.exists():
        shutil.rmtree(folder)  # the demo is regenerated from scratch every time
    persona = demo_persona()
    w, h = (int(v) for v in size.lower().split("x"))
    with Project.create(directory, DEMO_NAME, persona) as project:
        portrait = resources_dir() / "demo" / "portrait.jpg"
        with progress_task("Adding the reference face") as ctx:
            finish_job(run_job(project, "faces.add", {"photos": [str(portrait)]}, "Add demo face", ctx=ctx))
        music = make_music_bed(project.stage(".wav"), 16.0)
        music_asset = project.import_file(music, "music", label="demo pad (synthesised)")
        music.unlink()
        params = {"script": DEMO_SCRIPT, "presets": ["reels", "feed", "square"], "music": music_asset.id,
                  "engine": "camera", "move": "push-in", "size": [w, h], "title": "Demo post",
                  "export_size": [270, 480] if quick else None}
        with progress_task("Making the demo post") as ctx:
            job = finish_job(run_job(project, "post", params, "Demo post", ctx=ctx), project)
        res = job.result
        out.print(f"Demo project: {project.path}")
        out.print(f"  motion: {res['motion_engine']}; lip-sync: {res['lipsync_engine']} "
                  f"(sync r={res['sync_correlation']:.2f})")
        for preset_id, path in res["exports"].items():
            out.print(f"  {preset_id:<7} {path}")
        print_verdict(res)
        from studio.actions.voice import voice_character

        out.print(f"Voice: Piper joe, voice character: {voice_character(project.persona.voice).describe()}")
        out.print("Open it in the window with `studio gui " + str(project.path) + "`.")
