"""Narration jobs and the persona's voice settings (shared by the CLI and the window)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio.core.assets import Asset, Provenance
from studio.core.errors import BadInput
from studio.core.models import ModelStore
from studio.core.project import Project

from .context import JobContext
from .registry import Resources, action

#: Longest script one narration takes (about 40 minutes of speech).
MAX_SCRIPT_CHARS = 40_000


def read_script(path: str | Path) -> str:
    """A script file's text; unreadable or empty files are BadInput with what to do."""
    p = Path(path).expanduser()
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise BadInput(f"Cannot read the script '{p}': {e.strerror or e}. Give a UTF-8 text file.") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"The script '{p}' is not UTF-8 text. Save it as UTF-8 (plain text) and try again.") from None
    return check_script(text, source=str(p))


def check_script(text: str | None, source: str = "The script") -> str:
    """The script, or BadInput if it is empty, has no speakable words, or is too long."""
    from pipelines.tts.text_normalise import normalise, split_sentences

    text = (text or "").strip()
    if not text:
        raise BadInput(f"{source} is empty. Give the words to say, e.g. `studio narrate PROJECT \"Hello!\"`.")
    if len(text) > MAX_SCRIPT_CHARS:
        raise BadInput(f"{source} has {len(text)} characters; split it into narrations under {MAX_SCRIPT_CHARS}.")
    if not split_sentences(normalise(text)):
        raise BadInput(f"{source} has no words to say (only symbols or emoji).")
    return text


#: the voice an engine speaks in when none is chosen for it
DEFAULT_VOICES = {"piper": "piper-en_US-joe-medium", "kokoro": "kokoro-af_heart", "chatterbox": "chatterbox",
                  "xtts": "xtts-v2"}
#: engines that clone the persona's voice samples
CLONING = ("chatterbox", "xtts")


def _engine_words(engine: str, voice_id: str) -> str:
    from studio.core.catalog.voice import kokoro_voice_label

    if engine == "xtts":
        return "XTTS-v2 voice clone"
    if engine == "chatterbox":
        return "Chatterbox-Turbo voice clone" if voice_id == "chatterbox-turbo" else "Chatterbox voice clone"
    if engine == "kokoro":
        return kokoro_voice_label(voice_id)
    return f"Piper ({voice_id.removeprefix('piper-')})"


def voice_engine(voice_id: str) -> str:
    """The engine that speaks a voice id (for pickers: a picked voice selects its engine)."""
    from pipelines.tts import engine_for_voice

    return engine_for_voice(voice_id)


def resolve_voice(store: ModelStore, voice, engine: str | None, voice_id: str | None) -> tuple[str, str]:  # noqa: ANN001
    """(engine, voice id) of a narration: given ones win; a voice id alone names its engine;
    an engine alone speaks the persona's voice if it is that engine's, else the engine's default."""
    from pipelines.tts import engine_for_voice

    if engine is None and voice_id:
        engine = engine_for_voice(voice_id)
    engine = engine or voice.engine
    if not voice_id:
        voice_id = voice.voice_id if engine == voice.engine else DEFAULT_VOICES.get(engine, voice.voice_id)
    return engine, voice_id


@action("narrate", label="Narrate", resources=Resources("voice"), isolate=True)
def narrate(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Speak `params['text']` in the persona's voice; registers a 48 kHz narration + word timings."""
    project = ctx.project
    project.persona.require_consent("speak as them")
    from pipelines.tts import NarrationRequest, open_narrator
    from pipelines.tts.audio_io import STUDIO_RATE, resample, write_wav

    text = check_script(params.get("text"))
    voice = project.persona.voice
    store = ctx.store
    engine, voice_id = resolve_voice(store, voice, params.get("engine"), params.get("voice_id"))
    speed = float(params.get("speed") or voice.speed)
    if not 0.2 < speed <= 3.0:
        raise BadInput(f"Speed (--speed) must be between 0.2 and 3 (got {speed}).")
    samples = [project.path / s for s in voice.reference_samples]
    request = NarrationRequest(text=text, voice_id=voice_id, speed=speed, noise_scale=voice.noise_scale,
                               noise_w=voice.noise_w, language=voice.language, reference_samples=samples,
                               exaggeration=voice.exaggeration, cfg_weight=voice.cfg_weight)
    from studio.core.licence_policy import voice_models

    for mid in voice_models(engine, voice_id):  # a commercial-safe persona: refused before loading
        if mid in {e.id for e in store.entries()}:
            store.check(mid, "Narration")
    narrator = open_narrator(store, engine, voice_id)
    ctx.progress(0, 1, "loading the voice")
    narrator.load(params.get("device", "cpu"))
    try:
        result = narrator.run(request, ctx.sub(0.02, 0.95))
        models = narrator.model_uses() if hasattr(narrator, "model_uses") else [narrator.model_use()]
    finally:
        narrator.unload()
    character = voice_character(voice)
    raw = result.audio
    if not character.neutral:
        from pipelines.tts.voice_character import apply_character

        ctx.progress(0.96, 1, "voice character")
        raw = apply_character(raw, result.sample_rate, character)  # same length: timings stay valid
    audio = resample(raw, result.sample_rate, STUDIO_RATE)
    wav = project.stage(".wav")
    write_wav(wav, audio, STUDIO_RATE)
    words = project.stage(".json")
    words.write_text(json.dumps([w.as_dict() for w in result.words], ensure_ascii=False, indent=1), "utf-8")
    phonemes = project.stage(".json")
    phonemes.write_text(json.dumps([p.as_dict() for p in result.phonemes], ensure_ascii=False), "utf-8")
    words_for = _engine_words(engine, voice_id)
    if not character.neutral:
        words_for += f", voice character: {character.describe()}"
    prov = Provenance(
        pipeline="narration",
        engine=words_for,
        models=models,
        parameters={
            "text": text,
            "spoken_text": " ".join(result.sentences),
            "engine": engine,
            "voice_id": voice_id,
            "speed": speed,
            "noise_scale": voice.noise_scale,
            "noise_w": voice.noise_w,
            "language": voice.language,
            "reference_samples": list(voice.reference_samples) if engine in CLONING else [],
            **({"exaggeration": voice.exaggeration, "cfg_weight": voice.cfg_weight,
                "watermark": "Resemble Perth (implicit)"} if engine == "chatterbox" else {}),
            **({"voice_character": {**character.as_dict(), "method": character.describe(),
                                    "library": "praat-parselmouth (Praat, GPL-3)"}} if not character.neutral else {}),
            "sample_rate": STUDIO_RATE,
            "source_sample_rate": result.sample_rate,
            "timing_method": result.timing_method,
            "sentences": len(result.sentences),
        },
        scores={"duration_s": round(len(audio) / STUDIO_RATE, 3), "words": len(result.words)},
        timing_method=result.timing_method,
    )
    label = params.get("label") or _label(text)
    asset = project.register(wav, "narration", prov, label=label,
                             extra_files={".words.json": words, ".phonemes.json": phonemes})
    ctx.progress(1, 1, "done")
    return {"assets": [asset.id], "duration": prov.scores["duration_s"], "words": len(result.words),
            "timing_method": result.timing_method, "path": str(project.asset_path(asset))}


def voice_character(voice):  # noqa: ANN001, ANN201 - VoiceSettings -> VoiceCharacter
    """The persona's voice character (pitch and formant shift applied to every narration)."""
    from pipelines.tts.voice_character import VoiceCharacter

    return VoiceCharacter(formant_shift=voice.formant_shift, pitch_hz=voice.pitch_hz,
                          pitch_semitones=voice.pitch_semitones, pitch_range=voice.pitch_range)


def parse_pitch(text: str) -> tuple[float, float]:
    """(pitch_hz, pitch_semitones) from '210', '210Hz', '+3st', '-2 semitones' or 'keep'."""
    import re

    t = text.strip().lower().replace(" ", "")
    if t in ("", "0", "keep", "none", "off"):
        return 0.0, 0.0
    m = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(hz|st|semitones?)?", t)
    if not m:
        raise BadInput(f"Pitch '{text}': give a median pitch in Hz (e.g. 210) or a shift in semitones (e.g. +3st).")
    value, unit = float(m.group(1)), m.group(2) or ("st" if t[0] in "+-" else "hz")
    if unit == "hz":
        if not 60 <= value <= 600:
            raise BadInput(f"Pitch {value:g} Hz is outside a voice's range; give 60–600 Hz (a woman's voice: ~210).")
        return value, 0.0
    if not -24 <= value <= 24:
        raise BadInput(f"Pitch shift {value:+g} semitones: give at most 24 up or down.")
    return 0.0, value


def _label(text: str, n: int = 6) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def word_timings(project: Project, narration: Asset | str) -> list[dict]:
    """The [{'word','start','end'}] sidecar of a narration asset ([] if it has none)."""
    f = project.sidecar(narration, ".words.json")
    return json.loads(f.read_text("utf-8")) if f.is_file() else []


# ---------------------------------------------------------------------- voice settings
def set_voice(project: Project, store: ModelStore, engine: str | None = None, voice_id: str | None = None,
              speed: float | None = None, noise_scale: float | None = None, noise_w: float | None = None,
              language: str | None = None, exaggeration: float | None = None,
              cfg_weight: float | None = None, character: str | None = None, pitch: str | None = None,
              formant_shift: float | None = None, pitch_range: float | None = None) -> dict:
    """Change the persona's voice settings; the voice must be one the chosen engine speaks.

    The voice character: `character` a preset (none, female, male) sets all four values, then
    `pitch` ('210' Hz, '+3st'), `formant_shift` and `pitch_range` adjust them."""
    from pipelines.tts import ENGINES
    from pipelines.tts.voice_character import PRESETS

    if engine is not None and engine not in ENGINES:
        raise BadInput(f"Unknown voice engine '{engine}'; choose one of: {', '.join(ENGINES)}.")
    current = project.persona.voice
    changes: dict[str, Any] = {k: v for k, v in {"speed": speed, "noise_scale": noise_scale, "noise_w": noise_w,
                                                 "language": language, "exaggeration": exaggeration,
                                                 "cfg_weight": cfg_weight, "formant_shift": formant_shift,
                                                 "pitch_range": pitch_range}.items() if v is not None}
    if character is not None:
        if character not in PRESETS:
            raise BadInput(f"Unknown voice character '{character}'; choose one of: {', '.join(PRESETS)}.")
        changes = {**PRESETS[character].as_dict(), **changes}
    if pitch is not None:
        changes["pitch_hz"], changes["pitch_semitones"] = parse_pitch(pitch)
    if engine is not None or voice_id is not None:
        new_engine, new_voice = resolve_voice(store, current, engine, voice_id)
        check_voice(store, new_engine, new_voice)
        changes.update(engine=new_engine, voice_id=new_voice)
    try:
        voice = current.model_copy(update=changes)
        type(voice).model_validate(voice.model_dump())
    except ValueError as e:
        raise BadInput(f"Invalid voice setting: {e}") from None
    project.update_persona(voice=voice)
    return voice.model_dump()


def check_voice(store: ModelStore, engine: str, voice_id: str) -> None:
    """BadInput/NotFound unless `engine` speaks `voice_id` (a catalogue voice or a Kokoro voice)."""
    from studio.core.catalog.voice import KOKORO_PREFIX, kokoro_voice_ids

    if engine == "kokoro":
        if voice_id not in kokoro_voice_ids():
            raise BadInput(f"'{voice_id}' is not a Kokoro voice; `studio voice list` shows them "
                           f"(e.g. {KOKORO_PREFIX}af_heart).")
        return
    entry = store.entry(voice_id)  # NotFound names `studio models list`
    wanted = {"piper": "tts-voice"}.get(engine, "tts-clone")
    ok = entry.kind == wanted and (engine == "piper" or voice_id == DEFAULT_VOICES[engine]
                                   or (engine == "chatterbox" and voice_id.startswith("chatterbox")))
    if not ok:
        raise BadInput(f"'{voice_id}' is a {entry.kind} model; the {engine} engine cannot speak it. "
                       "`studio voice list` shows the voices of every engine.")


def voice_choices(store: ModelStore) -> list[dict[str, Any]]:
    """Every voice the studio can speak in, for pickers: id, label, engine, licence, installed."""
    from studio.core.catalog.voice import kokoro_voice_ids, kokoro_voice_label

    kokoro_ready = any(store.find(m) for m in ("kokoro-82m", "kokoro-82m-int8")) and \
        store.find("kokoro-voices-v1.0") is not None
    kokoro = store.entry("kokoro-82m")
    out = [{"id": v, "label": kokoro_voice_label(v), "engine": "kokoro", "licence": kokoro.licence,
            "commercial_use": kokoro.commercial_use, "installed": kokoro_ready} for v in kokoro_voice_ids()]
    for e in store.entries():
        if e.kind == "tts-voice":
            out.append({"id": e.id, "label": e.name, "engine": "piper", "licence": e.licence,
                        "commercial_use": e.commercial_use, "installed": store.find(e.id) is not None})
        elif e.kind == "tts-clone" and e.id in ("chatterbox", "chatterbox-turbo", "xtts-v2"):
            out.append({"id": e.id, "label": e.name, "engine": "xtts" if e.id == "xtts-v2" else "chatterbox",
                        "licence": e.licence, "commercial_use": e.commercial_use,
                        "installed": store.find(e.id) is not None})
    return out


def add_voice_sample(project: Project, file: str | Path) -> Asset:
    """Import a voice recording as an audio asset and use it as a cloning reference."""
    from pipelines.tts.audio_io import read_wav

    src = Path(file).expanduser()
    audio, rate = read_wav(src)  # BadInput when it is not audio
    seconds = len(audio) / rate
    if seconds < 2.0:
        raise BadInput(f"{src.name} is {seconds:.1f} s long; a voice sample needs at least 2 s (6–30 s is best).")
    asset = project.import_file(src, "audio", label=f"voice sample {src.stem}")
    voice = project.persona.voice
    project.update_persona(voice=voice.model_copy(update={"reference_samples": [*voice.reference_samples, asset.path]}))
    return asset
