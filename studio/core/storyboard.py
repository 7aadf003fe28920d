"""The storyboard: a post as a list of scenes, each with its own visual, under one narration.

A script splits into scenes by `---` lines (which may carry the scene's settings), by blank
lines between paragraphs, or comes as a YAML scene file with per-scene settings. One narration
runs across every cut; `place_cuts` puts the cuts on the word gaps where each scene's words
begin (from the narration's word timings), so a cut never lands inside a word.

What the post job made for a scene (its clip, the still it came from, re-roll candidates) is
recorded on the scene as `made`, so re-rolling one scene redoes only that scene and a resumed
post job reuses every scene that was finished.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import BadInput

VisualKind = Literal["talking", "still", "motion", "broll"]
TransitionKind = Literal["cut", "crossfade", "dip", "push"]
VISUAL_KINDS: tuple[str, ...] = ("talking", "still", "motion", "broll")
TRANSITIONS: tuple[str, ...] = ("cut", "crossfade", "dip", "push")
#: what each visual kind is, in the user's words (CLI help, the window's scene cards)
VISUAL_WORDS = {
    "talking": "the persona talking (lip-synced)",
    "still": "a still with a camera move",
    "motion": "a motion-model clip",
    "broll": "an imported photo or video (B-roll)",
}
#: seconds a transition lasts unless a scene says otherwise
DEFAULT_TRANSITION_S = 0.4
#: the shortest scene the cut placement keeps (shorter ones are merged into a neighbour's words)
MIN_SCENE_S = 0.6


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SceneVisual(_Model):
    """What is on screen during a scene."""

    kind: VisualKind = "talking"
    #: a still, photo or video: an asset id or a file (talking/still/motion: the image to animate;
    #: broll: the photo or video itself). None: the post's still (talking/still/motion).
    source: str | None = None
    #: generate the still from this prompt (talking/still/motion), instead of `source`
    prompt: str | None = None
    seed: int | None = None
    #: camera move over a still or photo ("none": hold it still)
    move: str = "push-in"
    #: motion engine for `motion` scenes (auto, svd, camera, or what the studio adds)
    engine: str = "auto"
    #: B-roll video: play its own sound (ducked under the narration) at `volume`
    sound: bool = False
    volume: float = Field(default=1.0, ge=0.0, le=4.0)
    #: B-roll video: the second of the source the scene starts at
    in_point: float = Field(default=0.0, ge=0.0)

    @property
    def shows_persona(self) -> bool:
        """Whether the persona's face is meant to be on screen (gets the identity check)."""
        return self.kind != "broll"


class SceneMade(_Model):
    """What the post job made for a scene; a re-roll replaces it."""

    #: the asset on the timeline for this scene (talking clip, camera clip, B-roll photo/video)
    clip: str | None = None
    #: the still the clip was made from (a generated or chosen still), if any
    still: str | None = None
    #: the narration part the talking clip was lip-synced to
    audio: str | None = None
    #: timeline seconds of the scene's cut in and cut out
    start: float = 0.0
    end: float = 0.0
    identity: float | None = None
    identity_verdict: str | None = None
    #: re-roll candidates (still or clip asset ids), best identity first
    candidates: list[str] = Field(default_factory=list)
    candidate_scores: dict[str, float | None] = Field(default_factory=dict)
    engine: str | None = None


class Scene(_Model):
    """One shot of the post: the words said over it and what is shown."""

    id: str = Field(default_factory=lambda: f"scene-{uuid.uuid4().hex[:8]}")
    text: str
    visual: SceneVisual = Field(default_factory=SceneVisual)
    #: how this scene enters from the one before it (ignored for the first scene)
    transition: TransitionKind = "cut"
    transition_s: float = Field(default=DEFAULT_TRANSITION_S, ge=0.0, le=3.0)
    #: a look for this scene only (see studio/render/looks.py), e.g. "old-film"
    look: str | None = None
    made: SceneMade | None = None


class Storyboard(_Model):
    """A post's scenes, its optional hook line and look, and what they were made from."""

    scenes: list[Scene] = Field(min_length=1)
    #: a hook / title line shown big over the opening seconds
    hook: str | None = None
    hook_seconds: float = Field(default=2.5, gt=0.0, le=10.0)
    #: a look for the whole post (each scene's own look replaces it for that scene)
    look: str | None = None
    #: the still talking/still/motion scenes use when they name none
    still: str | None = None
    narration: str | None = None
    narration_seconds: float | None = None

    @property
    def script(self) -> str:
        """The narration's text: every scene's words, paragraph by paragraph."""
        return "\n\n".join(s.text.strip() for s in self.scenes)

    def scene(self, ref: str | int) -> tuple[int, Scene]:
        """(index, scene) for a 1-based number or a scene id (BadInput otherwise)."""
        if isinstance(ref, int) or str(ref).isdigit():
            n = int(ref)
            if not 1 <= n <= len(self.scenes):
                raise BadInput(f"This post has {len(self.scenes)} scenes; choose 1 to {len(self.scenes)} (got {n}).")
            return n - 1, self.scenes[n - 1]
        for i, s in enumerate(self.scenes):
            if s.id == ref:
                return i, s
        raise BadInput(f"No scene '{ref}' in this post; give its number (1 to {len(self.scenes)}).")

    def with_scene(self, index: int, scene: Scene) -> Storyboard:
        scenes = list(self.scenes)
        scenes[index] = scene
        return self.model_copy(update={"scenes": scenes})

    @field_validator("scenes")
    @classmethod
    def _texts(cls, scenes: list[Scene]) -> list[Scene]:
        for i, s in enumerate(scenes, 1):
            if not s.text.strip():
                raise ValueError(f"scene {i} has no words; every scene needs part of the narration")
        return scenes


# ----------------------------------------------------------------------------- parsing scripts

_RULE = re.compile(r"^\s*-{3,}\s*(.*?)\s*$")
_PARA = re.compile(r"\n\s*\n")


def _visual_words(spec: str, line: str) -> dict[str, Any]:
    """Settings on a `---` line: `--- broll: beach.jpg, crossfade, look: old-film, sound`."""
    out: dict[str, Any] = {}
    visual: dict[str, Any] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key, _, value = part.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key in VISUAL_KINDS or key == "generate":
            visual["kind"] = "still" if key == "generate" else key
            if value:
                visual["prompt" if key == "generate" else "source"] = value
        elif key in TRANSITIONS and not value:
            out["transition"] = key
        elif key in ("transition", "look"):
            out[key] = value
        elif key in ("prompt", "source", "move", "engine"):
            visual[key] = value
        elif key == "seed":
            visual["seed"] = value
        elif key == "sound":
            visual["sound"] = value.lower() not in ("off", "no", "false", "0")
        elif key == "volume":
            visual["volume"] = value
        else:
            raise BadInput(
                f"The scene line '{line.strip()}' has '{part}', which is not a scene setting. Use e.g. "
                "'--- broll: photo.jpg, crossfade' or '--- talking, look: old-film' (kinds: "
                f"{', '.join(VISUAL_KINDS)}; transitions: {', '.join(TRANSITIONS)})."
            )
    if visual:
        out["visual"] = visual
    return out


def split_script(text: str, by: Literal["auto", "rule", "paragraph", "none"] = "auto") -> list[dict[str, Any]]:
    """Scene dicts (text + settings) from a plain-text script.

    auto: `---` lines when there are any, else blank lines between paragraphs. A `---` line may
    carry the settings of the scene below it; one at the very top sets the first scene's.
    """
    text = text.replace("\r\n", "\n").strip()
    lines = text.split("\n")
    has_rule = any(_RULE.match(line) for line in lines)
    if by == "none":
        return [{"text": text}]
    if by == "rule" or (by == "auto" and has_rule):
        scenes: list[dict[str, Any]] = []
        current: dict[str, Any] = {}
        body: list[str] = []
        for line in lines:
            m = _RULE.match(line)
            if m:
                if "\n".join(body).strip() or scenes or current:
                    if "\n".join(body).strip():
                        scenes.append({**current, "text": "\n".join(body).strip()})
                    elif current:
                        raise BadInput(f"A scene above '{line.strip()}' has settings but no words.")
                current, body = _visual_words(m.group(1), line), []
                continue
            body.append(line)
        if "\n".join(body).strip():
            scenes.append({**current, "text": "\n".join(body).strip()})
        elif current:
            raise BadInput("The last '---' line starts a scene with no words: remove it or add the words.")
        return scenes
    paras = [p.strip() for p in _PARA.split(text) if p.strip()]
    return [{"text": p} for p in paras]


def scene_line(scene: dict[str, Any]) -> str:
    """The `---` line that gives a scene dict (as `split_script` makes) its settings."""
    visual = dict(scene.get("visual") or {})
    parts = []
    kind = visual.pop("kind", None)
    if kind == "still" and visual.get("prompt") and not visual.get("source"):
        parts.append(f"generate: {visual.pop('prompt')}")
    elif kind:
        src = visual.pop("source", None)
        parts.append(f"{kind}: {src}" if src else kind)
    if scene.get("transition") and scene["transition"] != "cut":
        parts.append(str(scene["transition"]))
    if scene.get("look"):
        parts.append(f"look: {scene['look']}")
    for key in ("prompt", "source", "move", "engine", "seed", "volume"):
        if visual.get(key) is not None:
            parts.append(f"{key}: {visual[key]}")
    if visual.get("sound"):
        parts.append("sound")
    return ("--- " + ", ".join(parts)) if parts else "---"


def script_from_scenes(scenes: Sequence[dict[str, Any]]) -> str:
    """A plain-text script with `---` lines from scene dicts: `split_script` reads it back the same."""
    out = []
    for i, sc in enumerate(scenes):
        line = scene_line(sc)
        if i > 0 or line != "---":
            out.append(line)
        out.append(str(sc.get("text", "")).strip())
    return "\n".join(out) + "\n"


def parse_scene_file(text: str) -> dict[str, Any]:
    """A YAML scene file -> storyboard dict (`scenes:` list plus hook, look, title...).

    Each scene is `{text, visual, transition, look}`; `visual` may be a kind word
    ("talking"), "broll FILE" or a mapping of SceneVisual fields.
    """
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise BadInput(f"The scene file is not valid YAML{at}: {getattr(e, 'problem', e)}.") from None
    if isinstance(doc, list):
        doc = {"scenes": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("scenes"), list) or not doc["scenes"]:
        raise BadInput("A scene file needs a `scenes:` list, each item with the `text` said over it.")
    scenes = []
    for i, item in enumerate(doc["scenes"], 1):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            raise BadInput(f"Scene {i} of the scene file must be a mapping with `text` (got {type(item).__name__}).")
        item = dict(item)
        visual = item.get("visual")
        if isinstance(visual, str):
            kind, _, rest = visual.strip().partition(" ")
            if kind == "generate":
                visual = {"kind": "still", "prompt": rest.strip()}
            else:
                visual = {"kind": kind, **({"source": rest.strip()} if rest.strip() else {})}
            item["visual"] = visual
        scenes.append(item)
    return {**doc, "scenes": scenes}


def looks_like_scene_file(text: str, name: str = "") -> bool:
    """A YAML scene file rather than a plain script (by suffix, or a leading `scenes:` key)."""
    if name.lower().endswith((".yaml", ".yml")):
        return True
    return bool(re.match(r"^\s*(#.*\n\s*)*(scenes|hook|look|title)\s*:", text))


def build_storyboard(doc: dict[str, Any] | None = None, *, script: str | None = None,
                     split: str = "auto", defaults: dict[str, Any] | None = None) -> Storyboard:
    """A Storyboard from a scene-file dict or a plain script; BadInput says what is wrong.

    `defaults` are SceneVisual fields for scenes that do not set them (the post's --move, ...).
    """
    if doc is None:
        if script is None:
            raise BadInput("Give a script or a scene file.")
        doc = {"scenes": split_script(script, split)}  # type: ignore[arg-type]
    defaults = {k: v for k, v in (defaults or {}).items() if v is not None}
    board_keys = {"hook", "hook_seconds", "look", "still"}
    scene_default = {k: doc[k] for k in ("transition", "transition_s") if k in doc}
    scenes = []
    for i, s in enumerate(doc["scenes"], 1):
        s = dict(s)
        if s.get("transition") is None:
            s.pop("transition", None)
        visual = {**defaults, **(s.pop("visual", None) or {})}
        try:
            scenes.append(Scene.model_validate({**scene_default, **s, "visual": visual}))
        except ValidationError as e:
            err = e.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise BadInput(f"Scene {i}: {loc}: {err['msg']}.") from None
    try:
        return Storyboard(scenes=scenes, **{k: v for k, v in doc.items() if k in board_keys})
    except ValidationError as e:
        err = e.errors()[0]
        raise BadInput(f"Storyboard: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}.") from None


# ----------------------------------------------------------------------------- cut placement

def _tokens(text: str) -> list[str]:
    return [t for t in (re.sub(r"[^\w']+", "", w.lower()).strip("'") for w in text.split()) if t]


def scene_word_starts(scene_texts: Sequence[str], words: Sequence[dict]) -> list[int]:
    """Index of the narration word each scene begins at (the first is always 0).

    The narration's words are the spoken ones (numbers read out, abbreviations expanded), so
    the script's words are aligned to them by sequence matching, not by counting.
    """
    spoken = [re.sub(r"[^\w']+", "", str(w.get("word", "")).lower()).strip("'") for w in words]
    script: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(scene_texts):
        toks = _tokens(t)
        script += toks
        owner += [i] * len(toks)
    mapped: list[int | None] = [None] * len(script)
    for a, b, size in SequenceMatcher(None, script, spoken, autojunk=False).get_matching_blocks():
        for k in range(size):
            mapped[a + k] = b + k
    starts = [0]
    first_tok = 0
    for i, t in enumerate(scene_texts):
        n = len(_tokens(t))
        if i > 0:
            guess = None
            for j in range(first_tok, first_tok + n):
                if mapped[j] is not None:
                    guess = mapped[j] - (j - first_tok)  # type: ignore[operator]
                    break
            if guess is None:  # nothing matched: share the words by the scripts' lengths
                guess = round(len(words) * first_tok / max(len(script), 1))
            starts.append(min(max(guess, starts[-1] + 1), max(len(words) - 1, 0)))
        first_tok += n
    return starts


def place_cuts(scene_texts: Sequence[str], words: Sequence[dict], duration: float) -> list[float]:
    """Cut times (len = scenes + 1: 0, each cut, `duration`) on the word gaps between scenes.

    A cut goes in the middle of the pause before a scene's first word (sentence ends have the
    longest pauses), never inside a word. Without word timings the time is shared by length.
    """
    n = len(scene_texts)
    if n == 1:
        return [0.0, duration]
    if not words:
        lengths = [max(len(t), 1) for t in scene_texts]
        total = sum(lengths)
        acc, cuts = 0, [0.0]
        for ln in lengths[:-1]:
            acc += ln
            cuts.append(duration * acc / total)
        return [*cuts, duration]
    starts = scene_word_starts(scene_texts, words)
    cuts = [0.0]
    for k in starts[1:]:
        prev_end = float(words[k - 1]["end"]) if k > 0 else 0.0
        nxt = float(words[k]["start"])
        cuts.append(round((prev_end + nxt) / 2 if nxt > prev_end else nxt, 3))
    cuts.append(duration)
    # keep every scene at least MIN_SCENE_S long where the words allow it
    for i in range(1, n):
        cuts[i] = min(max(cuts[i], cuts[i - 1] + MIN_SCENE_S), duration - MIN_SCENE_S * (n - i))
    return cuts


def scene_spans(board: Storyboard, cuts: Sequence[float]) -> list[tuple[float, float]]:
    """(start, end) of each scene's clip on the timeline: its cuts widened by half of each
    transition, so the clips overlap by the transition's length (a cut has none)."""
    n = len(board.scenes)
    halves = [0.0] * (n + 1)  # halves[i]: half the transition at cut i
    for i in range(1, n):
        s = board.scenes[i]
        if s.transition != "cut" and s.transition_s > 0:
            shortest = min(cuts[i] - cuts[i - 1], cuts[i + 1] - cuts[i])
            halves[i] = min(s.transition_s, shortest / 2) / 2
    return [(round(cuts[i] - halves[i], 3), round(cuts[i + 1] + halves[i + 1], 3)) for i in range(n)]


def storyboard_params(text: str, name: str = "", base_dir: str | None = None,
                      split: str = "auto") -> dict[str, Any]:
    """The post job's `storyboard` and `sources` params from a script or scene file's text.

    Scene sources that are files relative to `base_dir` (the script's folder) become absolute
    paths; `sources[i]` is scene i's (None when it names none), so a job bundle can carry them.
    The storyboard is checked here, so a bad scene fails before a job is queued."""
    from pathlib import Path

    doc = parse_scene_file(text) if looks_like_scene_file(text, name) else {"scenes": split_script(text, split)}  # type: ignore[arg-type]
    build_storyboard(doc)
    scenes, sources = [], []
    for s in doc["scenes"]:
        s = dict(s)
        visual = dict(s.get("visual") or {})
        src = visual.pop("source", None)
        if src and base_dir and not Path(str(src)).expanduser().is_absolute():
            candidate = Path(base_dir) / str(src)
            if candidate.exists():
                src = str(candidate.resolve())
        sources.append(str(src) if src else None)
        s["visual"] = visual
        scenes.append(s)
    return {"storyboard": {**{k: v for k, v in doc.items() if k != "scenes"}, "scenes": scenes}, "sources": sources}
