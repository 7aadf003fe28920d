"""`studio narrate`, `studio voice set|sample|show`, `studio lipsync`."""

from __future__ import annotations

from pathlib import Path

import typer

from studio.core.errors import BadInput

from .common import (
    FARM,
    finish_job,
    load_settings,
    open_project,
    out,
    print_json,
    print_verdict,
    progress_task,
)

voice_app = typer.Typer(help="The persona's voice: engine, voice, speed and cloning samples.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("narrate")(narrate)
    app.command("lipsync")(lipsync)
    app.add_typer(voice_app, name="voice")


def narrate(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    text: str = typer.Argument(None, help="What to say (or use --script FILE)."),
    script: Path = typer.Option(None, "--script", help="A UTF-8 text file with the script."),
    voice: str = typer.Option(None, "--voice", help="Voice id for this narration (default: the persona's)."),
    engine: str = typer.Option(None, "--engine", help="piper or xtts (default: the persona's)."),
    speed: float = typer.Option(None, "--speed", help="Speaking speed, 1.0 = normal (default: the persona's)."),
    label: str = typer.Option("", "--label", help="A name for the narration in the asset bin."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Speak a script in the persona's voice; saves a 48 kHz WAV with word timings for captions."""
    from studio.actions.voice import check_script, read_script

    from .common import run_job

    if script is not None and text:
        raise BadInput("Give the script as text or with --script FILE, not both.")
    words = read_script(script) if script is not None else check_script(text)
    params = {"text": words, "voice_id": voice, "engine": engine, "speed": speed, "label": label}
    with open_project(project) as p, progress_task("Narrating", quiet=json_out) as ctx:
        job = finish_job(run_job(p, "narrate", params, title=f"Narrate: {words[:40]}", ctx=ctx, farm=farm), p)
        res = job.result
        if json_out:
            print_json({"job": job.id, **res})
        else:
            out.print(f"Narration {res['assets'][0]}: {res['duration']:.2f} s, {res['words']} words "
                      f"(timings: {res['timing_method']}) -> {res['path']}")
            print_verdict(res)


@voice_app.command("set")
def voice_set(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    engine: str = typer.Option(None, "--engine", help="piper (default, offline) or xtts (voice cloning)."),
    voice: str = typer.Option(None, "--voice", help="Voice id from `studio models list` (kind tts-voice)."),
    speed: float = typer.Option(None, "--speed", help="Speaking speed, 1.0 = normal."),
    noise_scale: float = typer.Option(None, "--noise-scale", help="Piper voice variation (0.667 default)."),
    noise_w: float = typer.Option(None, "--noise-w", help="Piper rhythm variation (0.8 default)."),
    language: str = typer.Option(None, "--language", help="Language code for XTTS, e.g. en, de, fr."),
    json_out: bool = typer.Option(False, "--json", help="Print the voice settings as JSON."),
) -> None:
    """Choose the persona's voice engine, voice and speed."""
    from studio.actions.voice import set_voice
    from studio.core.models import ModelStore

    with open_project(project) as p:
        v = set_voice(p, ModelStore(load_settings()), engine=engine, voice_id=voice, speed=speed, noise_scale=noise_scale, noise_w=noise_w,
                      language=language)
    if json_out:
        print_json(v)
    else:
        out.print(f"Voice: {v['engine']} / {v['voice_id']} (speed {v['speed']})")


@voice_app.command("sample")
def voice_sample(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    file: Path = typer.Argument(..., help="A recording of the voice (WAV/MP3/FLAC, 6–30 s of clean speech)."),
) -> None:
    """Add a reference recording for voice cloning (XTTS)."""
    from studio.actions.voice import add_voice_sample

    with open_project(project) as p:
        a = add_voice_sample(p, file)
        n = len(p.persona.voice.reference_samples)
    out.print(f"Added voice sample {a.id} ({n} sample{'s' if n != 1 else ''} now).")


@voice_app.command("show")
def voice_show(project: str = typer.Argument(..., help="Path of the NAME.persona folder.")) -> None:
    """Print the persona's voice settings as JSON."""
    with open_project(project, write=False) as p:
        print_json(p.persona.voice.model_dump())


def lipsync(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    visual: str = typer.Argument(..., help="A clip or still: asset id or file."),
    narration: str = typer.Argument(..., help="A narration: asset id or audio file."),
    engine: str = typer.Option("auto", "--engine", help="auto (Wav2Lip if installed), wav2lip or landmarks."),
    fps: float = typer.Option(30.0, "--fps", help="Frame rate when the input is a still."),
    restore: bool = typer.Option(False, "--restore", help="Restore the mouth region with the face restorer (Wav2Lip)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Make a talking clip: the persona's mouth moves with the narration."""
    from .common import run_job

    if engine not in ("auto", "wav2lip", "landmarks"):
        raise BadInput(f"--engine must be auto, wav2lip or landmarks (got '{engine}').")
    if not 1.0 <= fps <= 120.0:
        raise BadInput(f"--fps must be between 1 and 120 (got {fps}).")
    with open_project(project) as p:
        p.resolve_input(visual)  # NotFound (exit 2) before a job is queued
        p.resolve_input(narration)
        params = {"visual": visual, "narration": narration, "engine": engine, "fps": fps, "restore": restore}
        with progress_task("Lip-sync", quiet=json_out) as ctx:
            job = finish_job(run_job(p, "lipsync", params, title="Lip-sync", ctx=ctx, farm=farm), p)
        res = job.result
        if json_out:
            print_json({"job": job.id, **res})
        else:
            out.print(f"Talking clip {res['assets'][0]} ({res['engine']}): {res['frames']} frames, lip-sync "
                      f"correlation {res['sync_correlation']:.2f}, offset {res['sync_offset_ms']:+.0f} ms -> {res['path']}")
            print_verdict(res)
