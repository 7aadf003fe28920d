"""What each platform's upload form accepts: caption length, hashtags, file size, duration, aspect.

Kept as data beside the export presets (presets.py has the video sizes and duration limits); keyed
by preset id, since a publish kit has one folder per preset. Limits as the platforms document them
(checked 2025; conservative where two numbers are in use):

- TikTok: captions 2,200 characters through the Content Posting API that upload tools use; the app
  allows up to 4,000 for many accounts, so 2,200 is the one that works everywhere. Video up to
  4 GB (Content Posting API media requirements), at least 3 s.
- Instagram (Reels, feed, square): captions 2,200 characters, at most 30 hashtags (Instagram Help
  Centre). Reels video up to 1 GB and 3 s – 15 min for uploads through the Graph API (Meta "Reels
  publishing" media specs); aspect 0.01:1 – 10:1, 9:16 recommended.
- YouTube (Shorts, 16:9): title 100 characters, description 5,000 characters (YouTube Help "Add
  video details"); "don't add more than 15 hashtags" (YouTube hashtag policy; over 60 and all are
  ignored). Uploads up to 256 GB.
- X: 280 weighted characters for standard accounts, where URLs count 23 and characters outside the
  Latin/punctuation ranges count 2 (twitter-text v3 configuration); video up to 512 MB,
  0.5 – 140 s, aspect 1:3 – 3:1 (X media best practices).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studio.core.calendar import UploadText
from studio.core.errors import BadInput

from .presets import PRESETS, ExportPreset, get_preset

_MB = 1024 * 1024
_GB = 1024 * _MB


@dataclass(frozen=True)
class PlatformLimits:
    """One platform's upload limits (for a preset id)."""

    platform: str
    caption_max: int
    hashtags_max: int | None
    file_max_bytes: int
    min_seconds: float
    #: (narrowest, widest) width/height the platform accepts
    aspect_range: tuple[float, float]
    title_max: int | None = None
    #: 'chars' (Unicode code points) or 'x' (X's weighted count)
    counting: str = "chars"
    source: str = ""


_TIKTOK = PlatformLimits("TikTok", 2200, None, 4 * _GB, 3.0, (9 / 16, 16 / 9),
                         source="TikTok Content Posting API: caption 2,200, video ≤ 4 GB, ≥ 3 s")
_INSTAGRAM = PlatformLimits("Instagram", 2200, 30, 1 * _GB, 3.0, (0.01, 10.0),
                            source="Instagram Help Centre: caption 2,200, 30 hashtags; Meta Reels specs: ≤ 1 GB, ≥ 3 s")
_YOUTUBE = PlatformLimits("YouTube", 5000, 15, 256 * _GB, 1.0, (0.01, 100.0), title_max=100,
                          source="YouTube Help: title 100, description 5,000, ≤ 15 hashtags, ≤ 256 GB")
_X = PlatformLimits("X", 280, None, 512 * _MB, 0.5, (1 / 3, 3.0), counting="x",
                    source="X: 280 weighted characters (standard accounts), video ≤ 512 MB, 0.5–140 s")

LIMITS: dict[str, PlatformLimits] = {
    "tiktok": _TIKTOK,
    "reels": _INSTAGRAM,
    "feed": _INSTAGRAM,
    "square": _INSTAGRAM,
    "shorts": _YOUTUBE,
    "youtube": _YOUTUBE,
    "x": _X,
}
assert set(LIMITS) == set(PRESETS), "every export preset needs its platform's upload limits"

# twitter-text v3: code points in these ranges weigh 1, all others 2; a URL weighs 23.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HASHTAG = re.compile(r"#(\w+)", re.UNICODE)


def limits_for(preset_id: str) -> PlatformLimits:
    get_preset(preset_id)  # BadInput naming the valid presets
    return LIMITS[preset_id.lower()]


def x_weighted_length(text: str) -> int:
    """X's weighted length. Every code point outside the light ranges counts 2, so an emoji made of
    several code points (ZWJ sequences) is counted longer than X does: never shorter (safe side)."""
    n = 0
    for part_is_url, part in _split_urls(text):
        if part_is_url:
            n += 23
            continue
        for ch in part:
            cp = ord(ch)
            if cp == 0xFE0F:  # variation selector: part of the emoji before it
                continue
            n += 1 if any(a <= cp <= b for a, b in _X_LIGHT) else 2
    return n


def _split_urls(text: str) -> list[tuple[bool, str]]:
    out, pos = [], 0
    for m in _URL.finditer(text):
        out.append((False, text[pos:m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    out.append((False, text[pos:]))
    return out


def text_length(preset_id: str, text: str) -> int:
    """The length of `text` as the platform of `preset_id` counts it."""
    lim = limits_for(preset_id)
    return x_weighted_length(text) if lim.counting == "x" else len(text)


def clean_hashtags(tags: list[str] | str) -> list[str]:
    """Hashtags without '#', duplicates (case-insensitive) and anything that is not a word."""
    if isinstance(tags, str):
        tags = re.split(r"[\s,]+", tags)
    seen: set[str] = set()
    out = []
    for t in tags:
        t = t.strip().lstrip("#")
        t = re.sub(r"\W+", "", t, flags=re.UNICODE)
        if t and t.lower() not in seen:
            seen.add(t.lower())
            out.append(t)
    return out


def upload_problems(preset_id: str, upload: UploadText) -> list[str]:
    """What is wrong with `upload` for the platform (empty when it fits), each a full sentence."""
    lim = limits_for(preset_id)
    name = f"{lim.platform} ({get_preset(preset_id).name})"
    problems = []
    n = text_length(preset_id, upload.text())
    if n > lim.caption_max:
        unit = "weighted characters" if lim.counting == "x" else "characters"
        problems.append(f"The {name} caption is {n} {unit} with its hashtags; {lim.platform} accepts at "
                        f"most {lim.caption_max} ({lim.source}). Shorten it by {n - lim.caption_max}.")
    if lim.hashtags_max is not None and len(upload.hashtags) > lim.hashtags_max:
        problems.append(f"The {name} caption has {len(upload.hashtags)} hashtags; {lim.platform} allows at "
                        f"most {lim.hashtags_max}. Remove {len(upload.hashtags) - lim.hashtags_max}.")
    return problems


def require_fits(preset_id: str, upload: UploadText) -> None:
    """BadInput with every problem when `upload` does not fit the platform's limits."""
    problems = upload_problems(preset_id, upload)
    if problems:
        raise BadInput(" ".join(problems))


def fit_upload(preset_id: str, caption: str, hashtags: list[str]) -> tuple[UploadText, list[str]]:
    """Make drafted text fit: keep the allowed number of hashtags, drop hashtags that do not fit,
    then shorten the caption at a word boundary (with '…'). Returns the text and what was cut."""
    lim = limits_for(preset_id)
    notes: list[str] = []
    tags = clean_hashtags(hashtags)
    if lim.hashtags_max is not None and len(tags) > lim.hashtags_max:
        notes.append(f"kept {lim.hashtags_max} of {len(tags)} hashtags ({lim.platform} allows {lim.hashtags_max})")
        tags = tags[: lim.hashtags_max]
    caption = caption.strip()

    def size(c: str, t: list[str]) -> int:
        return text_length(preset_id, UploadText(caption=c, hashtags=t).text())

    while tags and size(caption, tags) > lim.caption_max and size(caption, []) <= lim.caption_max:
        tags = tags[:-1]
        if not notes or not notes[-1].startswith("dropped"):
            notes.append("dropped hashtags that did not fit")
    if size(caption, tags) > lim.caption_max:
        words = caption.split(" ")
        while len(words) > 1 and size(" ".join(words) + "…", tags) > lim.caption_max:
            words.pop()
        cut = " ".join(words).rstrip(" ,;:") + "…"
        if size(cut, tags) > lim.caption_max:  # one enormous word
            cut = cut[: max(0, lim.caption_max - size("…", tags) - 1)] + "…"
        notes.append(f"shortened the caption to fit {lim.caption_max} characters")
        caption = cut
    return UploadText(caption=caption, hashtags=tags), notes


def hashtags_in(text: str) -> list[str]:
    """The hashtags written in `text` (without '#')."""
    return clean_hashtags(_HASHTAG.findall(text))


def media_checks(preset: ExportPreset, seconds: float, size_bytes: int, width: int, height: int) -> list[tuple[str, bool]]:
    """The checklist of a publish kit: (line, passed) for duration, file size and aspect."""
    lim = limits_for(preset.id)
    aspect = width / height if height else 0.0
    lo, hi = lim.aspect_range
    max_s = preset.max_seconds
    return [
        (f"Duration {seconds:.1f} s (≥ {lim.min_seconds:g} s" + (f", ≤ {max_s:g} s: {preset.limit_source})" if max_s else ")"),
         seconds >= lim.min_seconds and (max_s is None or seconds <= max_s + 1e-3)),
        (f"File size {size_bytes / _MB:.1f} MB (≤ {_human(lim.file_max_bytes)})", size_bytes <= lim.file_max_bytes),
        (f"Frame {width}×{height}, aspect {aspect:.3f} (accepted {lo:.3g} – {hi:.3g}; preset {preset.width}×{preset.height})",
         lo - 1e-3 <= aspect <= hi + 1e-3),
    ]


def _human(n: int) -> str:
    return f"{n / _GB:g} GB" if n >= _GB else f"{n / _MB:g} MB"
