"""The writing assistant: a script of a target length in the persona's voice, a hook and other
openings, a scene split for the storyboard, and upload text per platform — from any ChatBackend.

Each part is its own short chat (small local models follow one simple instruction far better than
one long structured one) and streams as it is written. Lengths are enforced in code, not trusted
to the model: the script's token budget follows the target word count and the text is cut back to
whole sentences near it; openings are single lines; captions are fitted to the platform's limits
by the caller (studio/render/platforms.py).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from studio.core.errors import BadInput
from studio.core.tasks import TaskContext

from .chat import ChatBackend, ChatRequest

#: streamed text goes to on_text(part, delta); part is 'script', 'openings' or 'upload:PRESET'
TextSink = Callable[[str, str], None]

SCENE_BREAK = "---"
#: tokens per English word in these models' tokenizers is ~1.3; the budget leaves room for
#: scene lines and punctuation, the text is then cut back to the target
TOKENS_PER_WORD = 1.8
#: the script may run this much over its target before it is cut back
OVERRUN = 1.15
SECONDS_PER_SCENE = 6.0


@dataclass
class PersonaBrief:
    """Who is speaking: the persona's name, description, tone and a few past scripts."""

    name: str
    description: str = ""
    tone: str = ""
    past_scripts: list[str] = field(default_factory=list)


@dataclass
class UploadTarget:
    """A platform to write upload text for, with its limits."""

    preset: str
    platform: str
    caption_max: int
    hashtags_max: int | None = None


@dataclass
class ScriptRequest:
    topic: str
    seconds: float
    words_per_second: float
    persona: PersonaBrief
    openings: int = 3
    uploads: list[UploadTarget] = field(default_factory=list)
    parts: tuple[str, ...] = ("script", "openings", "upload")
    #: an existing script to write openings / upload text for (instead of writing a new one)
    script: str | None = None
    seed: int | None = None
    temperature: float = 0.8

    @property
    def target_words(self) -> int:
        return max(8, round(self.seconds * self.words_per_second))

    @property
    def scenes(self) -> int:
        return max(1, round(self.seconds / SECONDS_PER_SCENE))


@dataclass
class Draft:
    """What the assistant wrote (parts not asked for are empty)."""

    script: str = ""
    scenes: list[str] = field(default_factory=list)
    words: int = 0
    seconds: float = 0.0
    hook: str = ""
    openings: list[str] = field(default_factory=list)
    #: preset id -> (caption, hashtags) as written (the caller fits them to the platform)
    upload: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: the script was cut back to the target length
    trimmed: bool = False
    #: chunks streamed per part (what the model actually sent)
    chunks: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------- prompts
def _system(p: PersonaBrief) -> str:
    lines = [f"You write short-form social video scripts for {p.name}, a virtual influencer, in their own voice."]
    if p.description.strip():
        lines.append(f"About {p.name}: {p.description.strip()}")
    if p.tone.strip():
        lines.append(f"Tone: {p.tone.strip()}")
    for i, s in enumerate(p.past_scripts[:3], 1):
        lines.append(f"Past script {i} (match this voice):\n{s.strip()[:800]}")
    lines.append("Write only the words to be spoken or posted: no stage directions, no emoji descriptions, "
                 "no explanations before or after.")
    return "\n\n".join(lines)


def script_messages(req: ScriptRequest) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": _system(req.persona)},
        {"role": "user", "content": (
            f"Write a script about: {req.topic.strip()}\n"
            f"Length: about {req.target_words} words ({req.seconds:.0f} seconds spoken).\n"
            f"Split it into {req.scenes} scene(s): put a line containing only {SCENE_BREAK} between scenes.\n"
            "Open with a strong hook in the first sentence.")},
    ]


def openings_messages(req: ScriptRequest, script: str) -> list[dict[str, str]]:
    n = req.openings + 1
    return [
        {"role": "system", "content": _system(req.persona)},
        {"role": "user", "content": (
            f"Here is a video script:\n\n{script.strip()}\n\n"
            f"Write {n} different opening lines (hooks) that could replace its first sentence. "
            "One per line, each under 15 words, no numbering.")},
    ]


def upload_messages(req: ScriptRequest, script: str, target: UploadTarget) -> list[dict[str, str]]:
    tags = f"up to {target.hashtags_max}" if target.hashtags_max else "3 to 5"
    return [
        {"role": "system", "content": _system(req.persona)},
        {"role": "user", "content": (
            f"Here is a video script:\n\n{script.strip()}\n\n"
            f"Write the {target.platform} caption for this video, at most {min(target.caption_max, 600)} "
            f"characters. Then, on its own last line, write 'Hashtags:' followed by {tags} relevant hashtags.")},
    ]


# ---------------------------------------------------------------------- parsing (what small models do)
_LABEL = re.compile(r"^\s*(\*\*)?(scene\s*\d+|hook|script|intro|outro)\s*[:.)-]*(\*\*)?\s*", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\(\d+\))\s+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*\s")


def printable(text: str) -> str:
    """`text` without control characters (other than newline and tab): nothing a narrator could say
    or a caption could show, and what a broken or tiny model sometimes emits."""
    return "".join(ch for ch in text.replace("\r\n", "\n") if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def clean_script(text: str) -> str:
    """Scene breaks normalised to '---' lines, 'Scene 1:' style labels and markdown bold removed."""
    out = []
    for line in printable(text).split("\n"):
        s = line.strip()
        if re.fullmatch(r"[-–—*_=]{3,}", s):
            if out and out[-1] != SCENE_BREAK:
                out.append(SCENE_BREAK)
            continue
        s = _LABEL.sub("", s).replace("**", "")
        out.append(s)
    while out and out[-1] in ("", SCENE_BREAK):
        out.pop()
    while out and out[0] in ("", SCENE_BREAK):
        out.pop(0)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def split_scenes(script: str) -> list[str]:
    """The script's scenes: the text between '---' lines (how the storyboard splits a script)."""
    parts = re.split(r"(?m)^\s*-{3,}\s*$", script)
    return [p.strip() for p in parts if p.strip()]


def scenes_as_paragraphs(script: str) -> str:
    """The script with its bare '---' scene lines turned into blank lines, for what narrates it
    (the narrator's word list would otherwise hold '---', and captions show it). The storyboard
    splits a script without '---' lines at its paragraphs, so the scenes stay where they were."""
    if not re.search(r"(?m)^\s*-{3,}\s*$", script):
        return script.strip()  # scenes are paragraphs already
    parts = split_scenes(script)
    return "\n\n".join(re.sub(r"\n\s*\n+", "\n", p) for p in parts)


def count_words(text: str) -> int:
    return len([w for w in re.split(r"\s+", text) if w and w != SCENE_BREAK])


def fit_words(script: str, max_words: int) -> tuple[str, bool]:
    """The script cut back to at most `max_words` words, at the last sentence end when there is one
    in the second half (else at the word); returns (text, whether it was cut)."""
    if count_words(script) <= max_words:
        return script, False
    kept, n, out = [], 0, []
    for token in re.split(r"(\s+)", script):
        if token.strip() and token.strip() != SCENE_BREAK:
            if n == max_words:
                break
            n += 1
        kept.append(token)
    out = "".join(kept).rstrip()
    ends = [m.end() for m in _SENTENCE_END.finditer(out + " ")]
    good = [e for e in ends if count_words(out[:e]) >= max_words // 2]
    cut = out[: good[-1]].rstrip() if good else out.rstrip(" ,;:-") + "…"
    return clean_script(cut), True


def parse_lines(text: str, n: int, max_words: int = 20) -> list[str]:
    """Up to `n` single lines: bullets, numbers and quotes removed, each at most `max_words` words."""
    out = []
    for line in printable(text).split("\n"):
        s = _BULLET.sub("", line.strip()).strip().strip("\"'“”").strip()
        if not s or s.endswith(":") and len(s) < 40:
            continue  # "Here are some openings:"
        words = s.split()
        out.append(" ".join(words[:max_words]))
        if len(out) == n:
            break
    return out


def parse_upload(text: str) -> tuple[str, list[str]]:
    """(caption, hashtags) from 'caption … / Hashtags: #a #b': the hashtag line is taken out of the
    caption; hashtags written inline stay in the caption text and are not repeated."""
    caption_lines, tags = [], []
    for line in printable(text).split("\n"):
        m = re.match(r"^\s*\**\s*hashtags?\s*\**\s*[:\-]\s*(.*)$", line, re.IGNORECASE)
        if m:
            tags += re.findall(r"#?(\w+)", m.group(1), re.UNICODE)
            continue
        if re.fullmatch(r"\s*(#\w+\s*)+", line, re.UNICODE):  # a line of hashtags only
            tags += re.findall(r"#(\w+)", line, re.UNICODE)
            continue
        caption_lines.append(line)
    caption = re.sub(r"^\s*\**caption\**\s*[:\-]\s*", "", "\n".join(caption_lines).strip(), flags=re.IGNORECASE)
    return caption.strip().strip("\"“”").strip(), tags


# ---------------------------------------------------------------------- the writer
class ScriptWriter:
    """Writes a Draft with one backend; `run` does the parts asked for, streaming each."""

    def __init__(self, backend: ChatBackend):
        self.backend = backend

    def _complete(self, part: str, messages: list[dict[str, str]], max_tokens: int, req: ScriptRequest,
                  ctx: TaskContext, on_text: TextSink | None, label: str) -> tuple[str, int]:
        chunks: list[str] = []
        request = ChatRequest(messages, max_tokens=max_tokens, temperature=req.temperature, seed=req.seed,
                              label=label)
        for delta in self.backend.stream(request, ctx):
            chunks.append(delta)
            if on_text is not None:
                on_text(part, delta)
        return "".join(chunks), len(chunks)

    def run(self, req: ScriptRequest, ctx: TaskContext, on_text: TextSink | None = None) -> Draft:
        if not req.topic.strip() and not req.script:
            raise BadInput("Give the writing assistant a topic, e.g. `studio write script PROJECT \"my morning routine\"`.")
        if not 3.0 <= req.seconds <= 600.0:
            raise BadInput(f"The script length must be 3–600 seconds (got {req.seconds:g}).")
        draft = Draft()
        steps = [p for p in ("script", "openings") if p in req.parts] + (
            [f"upload:{u.preset}" for u in req.uploads] if "upload" in req.parts else [])
        if not steps:
            raise BadInput("Nothing to write: ask for the script, the openings or upload text.")
        spans = {s: (i / len(steps), (i + 1) / len(steps)) for i, s in enumerate(steps)}
        script = (req.script or "").strip()
        if "script" in req.parts:
            budget = math.ceil(req.target_words * OVERRUN * TOKENS_PER_WORD) + 16
            raw, n = self._complete("script", script_messages(req), budget, req, ctx.sub(*spans["script"]),
                                    on_text, "Writing the script")
            draft.chunks["script"] = n
            script, draft.trimmed = fit_words(clean_script(raw), math.ceil(req.target_words * OVERRUN))
        if script:
            draft.script = script
            draft.scenes = split_scenes(script)
            draft.words = count_words(script)
            draft.seconds = round(draft.words / req.words_per_second, 1)
        elif any(s != "script" for s in steps):
            raise BadInput("The openings and upload text are written for a script: write the script first.")
        if "openings" in req.parts:
            raw, n = self._complete("openings", openings_messages(req, script), 30 * (req.openings + 1), req,
                                    ctx.sub(*spans["openings"]), on_text, "Writing openings")
            draft.chunks["openings"] = n
            lines = parse_lines(raw, req.openings + 1)
            draft.hook = lines[0] if lines else ""
            draft.openings = lines[1:]
        if "upload" in req.parts:
            for u in req.uploads:
                key = f"upload:{u.preset}"
                raw, n = self._complete(key, upload_messages(req, script, u), min(u.caption_max // 3, 300) + 60,
                                        req, ctx.sub(*spans[key]), on_text, f"Writing the {u.platform} caption")
                draft.chunks[key] = n
                draft.upload[u.preset] = parse_upload(raw)
        ctx.progress(1, 1, "Draft written")
        return draft
