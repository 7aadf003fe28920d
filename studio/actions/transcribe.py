"""`transcribe`: timed words for any recording or video — the user's own narration (aligned to its
script when one is given, recognised otherwise) or B-roll with its own sound. The result is a
narration take (48 kHz WAV) with the same `.words.json` / `.phonemes.json` sidecars as a
synthesised one, so captions, lip-sync and posts use it unchanged. `set_words` saves a user's
corrected transcript, re-timed from the words it was edited from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio.core.assets import Asset, Provenance
from studio.core.atomic import atomic_write_json
from studio.core.errors import BadInput
from studio.core.project import Project

from .context import JobContext
from .registry import Resources, action

#: kinds of asset a transcription can start from
SOURCE_KINDS = ("narration", "audio", "music", "clip", "export")


def _script_words(text: str) -> tuple[list[str], list[str]]:
    """(spoken words, the same words as written, with punctuation) of a script."""
    from pipelines.tts.text_normalise import display_words, normalise, split_sentences, words_of

    spoken, shown = [], []
    for s in split_sentences(normalise(text)):
        w, d = words_of(s), display_words(s)
        spoken += w
        shown += d if len(d) == len(w) else w
    return spoken, shown


@action("transcribe", label="Transcribe", inputs=("source",), resources=Resources("speech"), isolate=True)
def transcribe(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Time the words of `params['source']` (asset id or audio/video file).

    params: source; script (text: align it instead of recognising); engine (auto | pocketsphinx |
    whisper, for recognition); language (e.g. 'en'); label. Registers a narration take.
    """
    from pipelines.speech import SPEECH_RATE, AlignmentFailed, open_recognizer
    from pipelines.speech.sphinx import SphinxAligner
    from pipelines.tts.audio_io import STUDIO_RATE, read_wav, resample, write_wav

    project = ctx.project
    project.persona.require_consent("caption their voice")
    path, asset = project.resolve_input(str(params["source"]))
    if asset is not None and asset.kind not in SOURCE_KINDS:
        raise BadInput(f"{asset.id} is a {asset.kind}; transcribe a recording, a narration or a video clip.")
    ctx.progress(0, 1, "reading the audio")
    audio, rate = read_wav(path)  # video and compressed audio through ffmpeg
    if audio.size < rate // 4:
        raise BadInput(f"{path.name} has no audio to transcribe (under 0.25 s of sound).")
    speech = resample(audio, rate, SPEECH_RATE)
    script = (params.get("script") or "").strip()
    language = params.get("language") or None
    aligner = SphinxAligner()
    models = []
    if script:
        from .voice import check_script

        spoken, shown = _script_words(check_script(script))
        try:
            tr = aligner.align(speech, spoken, ctx.sub(0.05, 0.95))
        except AlignmentFailed as e:
            raise BadInput(f"The recording does not fit the script ({e}). Check that the script is what is "
                           "said, or transcribe without --script to recognise the words.") from None
        tr.words = [w.__class__(d, w.start, w.end) for w, d in zip(tr.words, shown, strict=True)]
        models.append(ctx.store.use("pocketsphinx-en-us", "forced alignment"))
    else:
        recognizer = open_recognizer(ctx.store, params.get("engine") or "auto", language)
        recognizer.load(params.get("device", "cpu"))
        try:
            tr = recognizer.recognise(speech, ctx.sub(0.05, 0.85))
            models.append(recognizer.model_use() if hasattr(recognizer, "model_use")
                          else ctx.store.use("pocketsphinx-en-us", "speech recognition"))
        finally:
            if hasattr(recognizer, "unload"):
                recognizer.unload()
        if not tr.words:
            raise BadInput(f"No speech found in {path.name}. Is it the right file, and is the voice audible?")
        if not tr.phonemes and (tr.language or "en").startswith("en"):  # phonemes for lip-sync
            try:
                tr.phonemes = aligner.align(speech, [w.word for w in tr.words], ctx.sub(0.85, 0.95)).phonemes
                models.append(ctx.store.use("pocketsphinx-en-us", "phoneme alignment"))
            except AlignmentFailed:
                pass
    wav = project.stage(".wav")
    write_wav(wav, resample(audio, rate, STUDIO_RATE), STUDIO_RATE)
    words = project.stage(".json")
    words.write_text(json.dumps([w.as_dict() for w in tr.words], ensure_ascii=False, indent=1), "utf-8")
    phonemes = project.stage(".json")
    phonemes.write_text(json.dumps([p.as_dict() for p in tr.phonemes], ensure_ascii=False), "utf-8")
    text = tr.text
    prov = Provenance(
        pipeline="transcription",
        engine=tr.engine,
        models=models,
        parameters={"source": asset.id if asset else path.name, "text": text, "method": tr.method,
                    "script": script or None, "language": tr.language, "sample_rate": STUDIO_RATE,
                    "source_sample_rate": rate, "timing_method": tr.method},
        scores={"duration_s": round(len(audio) / rate, 3), "words": len(tr.words)},
        timing_method=tr.method,
    )
    label = params.get("label") or f"{'aligned' if script else 'transcript'}: {' '.join(text.split()[:5])}"
    take = project.register(wav, "narration", prov, parents=[asset.id] if asset else [], label=label,
                            extra_files={".words.json": words, ".phonemes.json": phonemes})
    ctx.progress(1, 1, "done")
    return {"assets": [take.id], "words": len(tr.words), "text": text, "method": tr.method, "engine": tr.engine,
            "duration": prov.scores["duration_s"], "path": str(project.asset_path(take))}


def set_words(project: Project, take: Asset | str, text: str | None = None,
              words: list[dict] | None = None) -> list[dict]:
    """Save corrected words for a take: `text` is re-timed from the current words (unchanged words
    keep their times), or `words` ([{'word','start','end'}]) replace them as given."""
    from pipelines.speech.retime import retime, retimed_phonemes
    from pipelines.tts.types import PhonemeTiming, WordTiming

    from .voice import word_timings

    a = project.asset(take) if isinstance(take, str) else take
    if a.kind != "narration":
        raise BadInput(f"{a.id} is a {a.kind}; only narration takes have words to edit.")
    old = [WordTiming(str(w["word"]), float(w["start"]), float(w["end"])) for w in word_timings(project, a)]
    duration = float(a.provenance.scores.get("duration_s") or (old[-1].end if old else 0.0))
    if (text is None) == (words is None):
        raise BadInput("Give the corrected text or the words with their times (one of them).")
    if text is not None:
        if not text.split():
            raise BadInput("The corrected text is empty; type the words that are said.")
        new = retime(old, text, duration)
    else:
        try:
            new = [WordTiming(str(w["word"]), float(w["start"]), float(w["end"])) for w in words or []]
        except (KeyError, TypeError, ValueError):
            raise BadInput('Words must be a list of {"word": ..., "start": s, "end": s}.') from None
        bad = [w.word for w in new if not (0 <= w.start <= w.end <= duration + 0.5) or not w.word.strip()]
        if bad:
            raise BadInput(f"These words have no text or times outside the take (0–{duration:.2f} s): {bad[:5]}")
    side = project.sidecar(a, ".phonemes.json")
    old_ph = [PhonemeTiming(p["phoneme"], p["start"], p["end"]) for p in json.loads(side.read_text("utf-8"))] \
        if side.is_file() else []
    phonemes = retimed_phonemes(old, new, old_ph)
    atomic_write_json(project.sidecar(a, ".words.json"), [w.as_dict() for w in new])
    atomic_write_json(side, [p.as_dict() for p in phonemes])
    params = {**a.provenance.parameters, "text": " ".join(w.word for w in new), "words_edited": True}
    project.update_asset(a.id, provenance=a.provenance.model_copy(update={"parameters": params}))
    return [w.as_dict() for w in new]


def read_words_file(path: str | Path) -> list[dict]:
    """A words JSON file ([{'word','start','end'}]) a user edited by hand."""
    p = Path(path).expanduser()
    try:
        data = json.loads(p.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise BadInput(f"Cannot read the words file '{p}': {e}. Give a JSON list of words with times.") from None
    if not isinstance(data, list):
        raise BadInput(f"{p} is not a JSON list of words.")
    return data
