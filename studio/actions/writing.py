"""The writing assistant for a project: the persona's brief and speaking rate, the backend chosen in
Settings, and drafts saved to the content calendar. Shared by `studio write …` and the window.

Text is sent only where the user configured: the local model runs in this process; an endpoint is
used only when Settings ▸ Writing assistant names one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipelines.writing.chat import ChatBackend, LlamaCppChat, OpenAIChat
from pipelines.writing.writer import (
    Draft,
    PersonaBrief,
    ScriptRequest,
    ScriptWriter,
    TextSink,
    UploadTarget,
)
from studio.core.calendar import PlanItem
from studio.core.errors import BadInput
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import TaskContext

#: words per second of conversational English narration (150 wpm) when the persona has none yet
DEFAULT_WPS = 2.5
#: a narration shorter than this says little about a speaking rate
MIN_RATE_SECONDS = 2.0


@dataclass(frozen=True)
class SpeakingRate:
    words_per_second: float
    #: 'narrations' (measured from N takes' word timings) or 'default'
    source: str
    narrations: int = 0
    seconds: float = 0.0


def speaking_rate(project: Project) -> SpeakingRate:
    """Words per second of the persona's narrations, from their word timings (first word's start to
    last word's end, so leading/trailing silence does not count); the default scaled by the voice's
    speed when there are none."""
    words = 0
    seconds = 0.0
    takes = 0
    for a in project.assets_of("narration"):
        f = project.sidecar(a, ".words.json")
        try:
            timings = json.loads(f.read_text("utf-8")) if f.is_file() else []
        except (OSError, ValueError):
            continue
        timings = [w for w in timings if isinstance(w, dict) and "start" in w and "end" in w]
        if len(timings) < 2:
            continue
        span = float(timings[-1]["end"]) - float(timings[0]["start"])
        if span < MIN_RATE_SECONDS:
            continue
        words += len(timings)
        seconds += span
        takes += 1
    if takes:
        return SpeakingRate(round(words / seconds, 3), "narrations", takes, round(seconds, 2))
    return SpeakingRate(round(DEFAULT_WPS * project.persona.voice.speed, 3), "default")


def persona_brief(project: Project, n_past: int = 3) -> PersonaBrief:
    """Name, description, tone and the newest past scripts (posts, then narrations)."""
    past: list[str] = []
    for post in reversed(project.data.posts):
        if post.script.strip() and post.script.strip() not in past:
            past.append(post.script.strip())
    for a in reversed(project.assets_of("narration")):
        text = str(a.provenance.parameters.get("text") or "").strip()
        if text and text not in past:
            past.append(text)
    p = project.persona
    return PersonaBrief(name=p.name, description=p.description, tone=p.tone, past_scripts=past[:n_past])


def open_backend(settings: Settings, store: ModelStore, api_key: str | None = None) -> ChatBackend:
    """The backend Settings choose: the local GGUF model (ModelMissing naming the download when it
    is not installed) or the configured OpenAI-compatible endpoint (`api_key`: the saved secret,
    read by the caller: the CLI or the window)."""
    if settings.writer_backend == "endpoint":
        if not settings.writer_endpoint:
            raise BadInput("The writing assistant is set to use an endpoint, but none is configured. Set its "
                           "address in Settings ▸ Writing assistant (e.g. http://127.0.0.1:11434/v1 for Ollama), "
                           "or choose the local model.")
        return OpenAIChat(settings.writer_endpoint, settings.writer_endpoint_model, api_key)
    ref = settings.writer_model
    if ref.lower().endswith(".gguf"):
        path = Path(ref).expanduser()
        if not path.is_file():
            raise BadInput(f"The writing model {path} does not exist. Choose a GGUF file or a catalogue model "
                           "(`studio models list`, kind llm) in Settings ▸ Writing assistant.")
        from studio.core.assets import ModelUse

        use = ModelUse(id=path.name, licence="unknown (a file chosen by the user)", commercial_use=None, role="writing")
        name = path.name
    else:
        entry = store.entry(ref)
        if entry.kind != "llm":
            raise BadInput(f"'{ref}' is a {entry.kind} model; the writing assistant needs a language model "
                           "(kind llm in `studio models list`).")
        (path,) = store.require(ref, purpose="The writing assistant")
        use = store.use(ref, "writing")
        name = entry.name
    gpu_layers = 0 if settings.device == "cpu" else -1  # a CUDA/Metal build offloads; a CPU build ignores it
    return LlamaCppChat(path, use, f"{name} (local)", n_gpu_layers=gpu_layers)


def upload_targets(presets: list[str]) -> list[UploadTarget]:
    from studio.render.platforms import limits_for
    from studio.render.presets import get_preset

    return [UploadTarget(p, f"{limits_for(p).platform} ({get_preset(p).name})", limits_for(p).caption_max,
                         limits_for(p).hashtags_max) for p in presets]


def write(project: Project, backend: ChatBackend, *, topic: str = "", seconds: float | None = None,
          platforms: list[str] | None = None, parts: tuple[str, ...] = ("script", "openings", "upload"),
          item: PlanItem | None = None, script: str | None = None, openings: int = 3, seed: int | None = None,
          task: TaskContext | None = None, on_text: TextSink | None = None) -> dict[str, Any]:
    """Draft for a topic (or a calendar item: its topic, platforms and script). Returns the draft
    as a dict: script, scenes, hook, openings, upload {preset: {caption, hashtags, notes}}, words,
    seconds, rate, backend, model. Upload text is fitted to each platform's limits."""
    from studio.render.platforms import fit_upload

    from .plan import check_platforms

    task = task or TaskContext()
    if item is not None:
        topic = topic or item.topic
        platforms = platforms or list(item.platforms)
        if script is None and "script" not in parts and item.script.strip():
            script = item.script
    plats = check_platforms(platforms or project.persona.default_formats)
    rate = speaking_rate(project)
    req = ScriptRequest(topic=topic, seconds=float(seconds or 30.0), words_per_second=rate.words_per_second,
                        persona=persona_brief(project), openings=openings, uploads=upload_targets(plats),
                        parts=parts, script=script, seed=seed)
    draft: Draft = ScriptWriter(backend).run(req, task, on_text)
    upload: dict[str, Any] = {}
    for pid, (caption, tags) in draft.upload.items():
        fitted, notes = fit_upload(pid, caption, tags)
        upload[pid] = {"caption": fitted.caption, "hashtags": fitted.hashtags, "notes": notes}
    return {
        "topic": topic, "script": draft.script, "scenes": draft.scenes, "hook": draft.hook,
        "openings": draft.openings, "upload": upload, "words": draft.words, "seconds": draft.seconds,
        "target_words": req.target_words, "target_seconds": req.seconds, "trimmed": draft.trimmed,
        "rate": asdict(rate), "backend": backend.name, "model": backend.model_use().model_dump(),
        "chunks": draft.chunks,
    }


def save_to_item(project: Project, ref: str, result: dict[str, Any]) -> PlanItem:
    """Put a draft into a calendar item: the script (an idea becomes scripted), the upload text,
    and the model that wrote it."""
    from studio.core.assets import ModelUse
    from studio.core.calendar import UploadText

    from .plan import _put, get_item

    item = get_item(project, ref)
    changes: dict[str, Any] = {}
    if result.get("script"):
        changes["script"] = result["script"]
        if item.state == "idea":
            changes["state"] = "scripted"
    if result.get("upload"):
        changes["upload"] = {**item.upload, **{p: UploadText(caption=u["caption"], hashtags=u["hashtags"])
                                               for p, u in result["upload"].items()}}
    use = ModelUse.model_validate(result["model"])
    changes["drafted_by"] = [m for m in item.drafted_by if m.id != use.id] + [use]
    return _put(project, item.model_copy(update=changes))
