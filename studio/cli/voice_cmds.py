"""`studio narrate`, `studio voice set|sample|show|list`, `studio transcribe`, `studio words show|set`,
`studio lipsync`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

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
words_app = typer.Typer(help="The timed words of a narration take (captions): show or correct them.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("narrate")(narrate)
    app.command("transcribe")(transcribe)
    app.command("lipsync")(lipsync)
    app.add_typer(voice_app, name="voice")
    app.add_typer(words_app, name="words")


def narrate(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    text: str = typer.Argument(None, help="What to say (or use --script FILE)."),
    script: Path = typer.Option(None, "--script", help="A UTF-8 text file with the script."),
    voice: str = typer.Option(None, "--voice", help="Voice id for this narration (default: the persona's)."),
    engine: str = typer.Option(None, "--engine", help="piper, kokoro, chatterbox or xtts (default: the voice's)."),
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
    engine: str = typer.Option(None, "--engine", help="piper (offline), kokoro (downloadable voices), chatterbox "
                               "(voice clone, commercial use OK) or xtts (voice clone, non-commercial)."),
    voice: str = typer.Option(None, "--voice", help="Voice id from `studio voice list` (e.g. kokoro-af_heart)."),
    speed: float = typer.Option(None, "--speed", help="Speaking speed, 1.0 = normal."),
    noise_scale: float = typer.Option(None, "--noise-scale", help="Piper voice variation (0.667 default)."),
    noise_w: float = typer.Option(None, "--noise-w", help="Piper rhythm variation (0.8 default)."),
    language: str = typer.Option(None, "--language", help="Language code for XTTS, e.g. en, de, fr."),
    exaggeration: float = typer.Option(None, "--exaggeration", help="Chatterbox emotion: 0.5 neutral, up to 2."),
    cfg_weight: float = typer.Option(None, "--cfg-weight", help="Chatterbox pacing guidance 0–1 (0.5 default)."),
    character: str = typer.Option(None, "--character", help="Voice character preset: none, female (formants ×1.18, "
                                  "pitch 210 Hz) or male (×0.87, 110 Hz): Praat's change gender on every narration."),
    pitch: str = typer.Option(None, "--pitch", help="Voice character pitch: a median in Hz (e.g. 210), a shift "
                              "in semitones (e.g. +3st), or keep."),
    formant: float = typer.Option(None, "--formant", help="Voice character formant shift ratio (1 = unchanged, "
                                  "1.1–1.2 sounds like a smaller vocal tract)."),
    pitch_range: float = typer.Option(None, "--pitch-range", help="Voice character pitch range factor (1 = as spoken)."),
    json_out: bool = typer.Option(False, "--json", help="Print the voice settings as JSON."),
) -> None:
    """Choose the persona's voice engine, voice, speed and voice character."""
    from studio.actions.voice import set_voice, voice_character
    from studio.core.models import ModelStore

    with open_project(project) as p:
        v = set_voice(p, ModelStore(load_settings()), engine=engine, voice_id=voice, speed=speed, noise_scale=noise_scale, noise_w=noise_w,
                      language=language, exaggeration=exaggeration, cfg_weight=cfg_weight, character=character,
                      pitch=pitch, formant_shift=formant, pitch_range=pitch_range)
        ch = voice_character(p.persona.voice)
    if json_out:
        print_json(v)
    else:
        out.print(f"Voice: {v['engine']} / {v['voice_id']} (speed {v['speed']})"
                  + ("" if ch.neutral else f"; voice character: {ch.describe()}"))


@voice_app.command("sample")
def voice_sample(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    file: Path = typer.Argument(..., help="A recording of the voice (WAV/MP3/FLAC, 6–30 s of clean speech)."),
) -> None:
    """Add a reference recording for voice cloning (Chatterbox, XTTS)."""
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


@voice_app.command("list")
def voice_list(json_out: bool = typer.Option(False, "--json", help="Print the voices as JSON.")) -> None:
    """Every voice the studio can speak in: engine, licence, and whether it is installed."""
    from studio.actions.voice import voice_choices
    from studio.core.models import ModelStore

    voices = voice_choices(ModelStore(load_settings()))
    if json_out:
        print_json(voices)
        return
    for v in voices:
        mark = "[green]installed[/green]" if v["installed"] else "[dim]download[/dim] "
        ok = "commercial use OK" if v["commercial_use"] else "[yellow]no commercial use[/yellow]"
        out.print(f"{mark}  {v['id']:28} {v['engine']:10} {escape(v['label'])}  ({ok})", markup=True)


def transcribe(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    source: str = typer.Argument(..., help="A recording or video: asset id or file (WAV, MP3, M4A, MP4, MOV…)."),
    script: Path = typer.Option(None, "--script", help="The words that are said (UTF-8 text): aligned, not guessed."),
    text: str = typer.Option(None, "--text", help="The words that are said, as text (instead of --script)."),
    engine: str = typer.Option("auto", "--engine", help="Recognition without a script: auto (Whisper when its "
                               "model is installed), whisper or pocketsphinx (English, offline)."),
    language: str = typer.Option(None, "--language", help="Spoken language for Whisper, e.g. en, de (default: detect)."),
    timeline: str = typer.Option(None, "--timeline", help="Also put the words on this timeline's captions track."),
    label: str = typer.Option("", "--label", help="A name for the take in the asset bin."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Word-timed captions for any audio or video: a narration take with .words.json for captions."""
    from studio.actions.voice import check_script, read_script

    from .common import run_job

    if script is not None and text:
        raise BadInput("Give the script with --script FILE or --text, not both.")
    if engine not in ("auto", "whisper", "pocketsphinx"):
        raise BadInput(f"--engine must be auto, whisper or pocketsphinx (got '{engine}').")
    words = read_script(script) if script is not None else check_script(text) if text else None
    with open_project(project) as p:
        p.resolve_input(source)  # NotFound (exit 2) before a job is queued
        if timeline:
            p.timeline(timeline)
        params = {"source": source, "script": words, "engine": engine, "language": language, "label": label}
        with progress_task("Transcribing", quiet=json_out) as ctx:
            job = finish_job(run_job(p, "transcribe", params, title=f"Transcribe {Path(source).name}", ctx=ctx,
                                     farm=farm), p)
        res = dict(job.result)
        if timeline:
            cap = finish_job(run_job(p, "captions", {"timeline": timeline, "narration": res["assets"][0]}, "Captions"))
            res["captions"] = cap.result["words"]
        if json_out:
            print_json({"job": job.id, **res})
        else:
            out.print(f"Take {res['assets'][0]}: {res['words']} words ({res['method']} by {res['engine']}), "
                      f"{res['duration']:.2f} s -> {res['path']}")
            out.print(f"  \"{res['text'][:200]}\"")
            if timeline:
                out.print(f"  {res['captions']} captions on timeline {timeline}")
            print_verdict(res)


@words_app.command("show")
def words_show(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    take: str = typer.Argument(..., help="A narration take's asset id."),
    text_only: bool = typer.Option(False, "--text", help="Print only the words, as one line of text."),
) -> None:
    """Print a take's timed words as JSON (or as text)."""
    from studio.actions.voice import word_timings

    with open_project(project, write=False) as p:
        words = word_timings(p, p.asset(take))
    if text_only:
        out.print(" ".join(w["word"] for w in words), markup=False)
    else:
        print_json(words)


@words_app.command("set")
def words_set(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    take: str = typer.Argument(..., help="A narration take's asset id."),
    text: str = typer.Option(None, "--text", help="The corrected words: re-timed from the current ones."),
    file: Path = typer.Option(None, "--file", help="A JSON list of {word, start, end} (edited `words show`)."),
    timeline: str = typer.Option(None, "--timeline", help="Also rebuild this timeline's captions from them."),
) -> None:
    """Correct a take's words before export (captions follow)."""
    from studio.actions.transcribe import read_words_file, set_words

    from .common import run_job

    if (text is None) == (file is None):
        raise BadInput("Give the corrected words with --text or --file (one of them).")
    with open_project(project) as p:
        words = set_words(p, take, text=text, words=read_words_file(file) if file else None)
        if timeline:
            finish_job(run_job(p, "captions", {"timeline": timeline, "narration": take}, "Captions"))
    out.print(f"{len(words)} words saved for {take}" + (f"; captions on {timeline} rebuilt." if timeline else "."))


def lipsync(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    visual: str = typer.Argument(..., help="A clip or still: asset id or file."),
    narration: str = typer.Argument(..., help="A narration: asset id or audio file."),
    engine: str = typer.Option("auto", "--engine", help="auto (MuseTalk if installed and a CUDA GPU is there, else "
                               "landmarks), musetalk, wav2lip (non-commercial) or landmarks."),
    fps: float = typer.Option(30.0, "--fps", help="Frame rate when the input is a still."),
    restore: bool = typer.Option(False, "--restore", help="Restore the lip-synced face with the face restorer "
                                 "(MuseTalk, Wav2Lip)."),
    expressiveness: float = typer.Option(1.0, "--expressiveness", help="Mouth, brows and nods: 0 calm … 1 natural … 2 lively."),
    blink_rate: float = typer.Option(15.0, "--blink-rate", help="Blinks a minute (0 = none; people blink 10-20)."),
    head_motion: float = typer.Option(1.0, "--head-motion", help="Head sway, nods and breathing: 0 still … 1 natural … 2."),
    seed: int = typer.Option(0, "--seed", help="Seed of the blinks and head motion (same seed, same clip)."),
    move: str = typer.Option("none", "--move", help="With a still: a camera move in the same pass (push-in, pan, parallax)."),
    size: str = typer.Option("1080x1920", "--size", help="Output size with --move (WxH)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Make a talking clip: the persona speaks, blinks and moves with the narration."""
    from .common import run_job

    if engine not in ("auto", "musetalk", "wav2lip", "landmarks"):
        raise BadInput(f"--engine must be auto, musetalk, wav2lip or landmarks (got '{engine}').")
    if not 1.0 <= fps <= 120.0:
        raise BadInput(f"--fps must be between 1 and 120 (got {fps}).")
    with open_project(project) as p:
        p.resolve_input(visual)  # NotFound (exit 2) before a job is queued
        p.resolve_input(narration)
        params = {"visual": visual, "narration": narration, "engine": engine, "fps": fps, "restore": restore,
                  "expressiveness": expressiveness, "blink_rate": blink_rate, "head_motion": head_motion,
                  "seed": seed, "move": move, "size": size}
        with progress_task("Lip-sync", quiet=json_out) as ctx:
            job = finish_job(run_job(p, "lipsync", params, title="Lip-sync", ctx=ctx, farm=farm), p)
        res = job.result
        if json_out:
            print_json({"job": job.id, **res})
        else:
            life = (f", {res['blinks_per_min']:.0f} blinks/min, head roll {res['head_roll_range_deg']:.1f}°"
                    if res.get("blinks_per_min") is not None else "")
            out.print(f"Talking clip {res['assets'][0]} ({res['engine']}): {res['frames']} frames, lip-sync "
                      f"correlation {res['sync_correlation']:.2f}, offset {res['sync_offset_ms']:+.0f} ms{life} -> {res['path']}")
            print_verdict(res)
