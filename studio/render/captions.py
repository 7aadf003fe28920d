"""Captions: word timings -> lines -> ASS (word-by-word highlight), SRT and WebVTT.

The ASS file is sized to the output (PlayResX/Y = preset size) so margins are pixels, and its
margins keep every line inside the preset's safe zone; libass wraps long lines within them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from studio.core.persona import CaptionStyle
from studio.core.timeline import Clip

from .presets import ExportPreset

AI_LABEL = "AI-generated"


@dataclass(frozen=True)
class Word:
    """One word on screen from `start` to `end` (timeline seconds)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class CaptionLine:
    """Words shown together; `timed` lines highlight the word being spoken."""

    words: tuple[Word, ...]
    timed: bool = True

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def lines_from_clips(clips: Iterable[Clip], words_per_line: int = 4, max_gap: float = 0.6) -> list[CaptionLine]:
    """Group caption clips into lines.

    A clip holding one word is a timed word; consecutive words share a line until it has
    `words_per_line` words or the speaker pauses longer than `max_gap`. A clip holding several
    words (typed captions) is a line of its own, shown whole for the clip's duration.
    """
    lines: list[CaptionLine] = []
    current: list[Word] = []

    def flush() -> None:
        if current:
            lines.append(CaptionLine(tuple(current)))
            current.clear()

    for c in sorted(clips, key=lambda c: c.start):
        text = (c.text or "").strip()
        if not text:
            continue
        if len(text.split()) > 1:
            flush()
            lines.append(CaptionLine((Word(text, c.start, c.end),), timed=False))
            continue
        w = Word(text, c.start, c.end)
        if current and (len(current) >= words_per_line or w.start - current[-1].end > max_gap):
            flush()
        current.append(w)
        if text[-1] in ".!?…":  # a sentence ends the line: never "Nova. This" on one line
            flush()
    flush()
    return lines


def hold_until(lines: Sequence[CaptionLine], i: int, max_hold: float = 0.6) -> float:
    """When line `i` leaves the screen: at the next line if that follows within `max_hold`
    (no blank flashes in short pauses), else `max_hold` after its last word."""
    end = lines[i].end
    if i + 1 < len(lines) and lines[i + 1].start - end <= max_hold:
        return lines[i + 1].start
    return end + max_hold if i + 1 == len(lines) else min(end + max_hold, lines[i + 1].start)


def ass_colour(hex_rgb: str, alpha: int = 0) -> str:
    """'#RRGGBB' -> ASS '&HAABBGGRR'."""
    h = hex_rgb.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"Colour '{hex_rgb}' is not #RRGGBB.")
    r, g, b = h[0:2], h[2:4], h[4:6]
    return f"&H{alpha:02X}{b}{g}{r}".upper()


def _tag(colour: str) -> str:
    """Style colour '&HAABBGGRR' -> override-tag colour '&HBBGGRR&'."""
    return f"&H{colour[-6:]}&"


def _ts(t: float) -> str:
    cs = max(0, round(t * 100))
    h, rem = divmod(cs, 360000)
    m, rem = divmod(rem, 6000)
    s, cs = divmod(rem, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("{", "(").replace("}", ")").replace("\n", " ")


def caption_margins(preset: ExportPreset, position: str, pad: int = 0) -> tuple[int, int, int, int]:
    """(alignment, margin_l, margin_r, margin_v) that keep a line inside the safe zone.

    `pad` (the outline width plus antialiasing) is added so the glyph outlines stay inside too.
    """
    x0, y0, x1, y1 = preset.safe.box(preset.width, preset.height)
    ml, mr = x0 + pad, preset.width - x1 + pad
    if position == "top":
        return 8, ml, mr, y0 + pad
    if position == "middle":
        return 5, ml, mr, 0
    return 2, ml, mr, preset.height - y1 + pad


#: caption style templates (CaptionStyle.template), in the user's words
TEMPLATES = {
    "highlight": "the spoken word lit up in the highlight colour",
    "pop": "each word pops in as it is said",
    "boxed": "white words on a dark box, the spoken word highlighted",
    "minimal": "small, whole lines, no highlight",
}


@dataclass(frozen=True)
class TitleLine:
    """Big text over the picture for a while: a post's hook or title card."""

    text: str
    start: float
    end: float


def build_ass(
    lines: Sequence[CaptionLine],
    style: CaptionStyle,
    preset: ExportPreset,
    label: str | None = None,
    titles: Sequence[TitleLine] = (),
) -> str:
    """An ASS script for `preset` in the style's template (see TEMPLATES).

    `label` (e.g. "AI-generated") adds a small permanent line in the safe zone's top-left corner;
    `titles` are big lines in the upper safe zone (a hook), fading in and out.
    """
    template = getattr(style, "template", "highlight")
    # sized by the short side: 72 px captions on 1080x1920 are 72 px on 1920x1080 too, not 128
    scale = min(preset.width, preset.height) / 1080
    size = max(8, round(style.size * scale * (0.75 if template == "minimal" else 1.0)))
    outline = round(style.outline * scale * (0.5 if template == "minimal" else 1.0), 1)
    border_style, back = 1, "&H80000000"
    if template == "boxed":  # BorderStyle 3: an opaque box whose padding is the outline width
        border_style, back, outline = 3, ass_colour("#000000", alpha=0x50), round(max(6.0, size * 0.18), 1)
    # a box reaches one outline width past the glyphs on every side: twice the room for it
    shadow = 2 if template == "minimal" else 0
    pad = int(outline) * (2 if template == "boxed" else 1) + 2 + shadow
    align, ml, mr, mv = caption_margins(preset, style.position, pad=pad)
    primary, hl = ass_colour(style.color), ass_colour(style.highlight_color)
    edge = ass_colour(style.outline_color) if template != "boxed" else back
    x0, y0, x1, _ = preset.safe.box(preset.width, preset.height)
    label_size = max(8, round(28 * scale))
    title_size = max(10, round(96 * scale))
    head = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {preset.width}",
        f"PlayResY: {preset.height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Caption,{style.font},{size},{primary},{hl},{edge},{back},-1,0,0,0,100,100,0,0,"
        f"{border_style},{outline},{shadow},{align},{ml},{mr},{mv},1",
        f"Style: Label,{style.font},{label_size},&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,-1,0,0,0,"
        f"100,100,0,0,1,{max(1.0, outline / 2)},0,7,{x0},{x0},{y0},1",
        f"Style: Title,{style.font},{title_size},{primary},{hl},&H00000000,&H80000000,-1,0,0,0,100,100,0,0,"
        f"1,{max(2.0, round(6 * scale, 1))},0,8,{x0 + 4},{preset.width - x1 + 4},{y0 + label_size * 2},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events: list[str] = []
    for k, line in enumerate(lines):
        words = [_escape(w.text.upper() if style.uppercase else w.text) for w in line.words]
        if not line.timed or template == "minimal":
            end = line.end if not line.timed else hold_until(lines, k)
            events.append(f"Dialogue: 0,{_ts(line.start)},{_ts(end)},Caption,,0,0,0,,{' '.join(words)}")
            continue
        for i, w in enumerate(line.words):
            # each word's event lasts until the next word starts, so the line never flickers
            end = line.words[i + 1].start if i + 1 < len(line.words) else hold_until(lines, k)
            if template == "pop":
                # said words stay, the new one pops from 70 % to full size; the rest is not said yet
                pop = "{\\fscx70\\fscy70\\t(0,110,\\fscx100\\fscy100)" + f"\\1c{_tag(hl)}}}"
                shown = words[:i] + [f"{pop}{words[i]}{{\\1c{_tag(primary)}}}"]
                events.append(f"Dialogue: 0,{_ts(w.start)},{_ts(end)},Caption,,0,0,0,,{' '.join(shown)}")
                continue
            parts = [
                f"{{\\1c{_tag(hl)}}}{t}{{\\1c{_tag(primary)}}}" if j == i else t
                for j, t in enumerate(words)
            ]
            events.append(f"Dialogue: 0,{_ts(w.start)},{_ts(end)},Caption,,0,0,0,,{' '.join(parts)}")
    for t in titles:
        text = _escape(t.text.upper() if style.uppercase else t.text)
        events.append(f"Dialogue: 2,{_ts(t.start)},{_ts(t.end)},Title,,0,0,0,,{{\\fad(150,250)}}{text}")
    if label:
        events.append(f"Dialogue: 1,{_ts(0)},{_ts(359999)},Label,,0,0,0,,{_escape(label)}")
    return "\n".join(head + events) + "\n"


def title_lines(clips: Iterable[Clip]) -> list[TitleLine]:
    """Text clips of the overlay track (a hook) as title lines."""
    return [TitleLine(c.text.strip(), c.start, c.end) for c in clips if c.asset_id is None and (c.text or "").strip()]


def _srt_ts(t: float, sep: str = ",") -> str:
    ms = max(0, round(t * 1000))
    h, rem = divmod(ms, 3600000)
    m, rem = divmod(rem, 60000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def build_srt(lines: Sequence[CaptionLine]) -> str:
    """SubRip: one cue per caption line, from its first word's start to its last word's end."""
    cues = [
        f"{i}\n{_srt_ts(line.start)} --> {_srt_ts(line.end)}\n{line.text}\n"
        for i, line in enumerate(lines, 1)
    ]
    return "\n".join(cues)


def build_vtt(lines: Sequence[CaptionLine]) -> str:
    """WebVTT with the same cues as the SRT."""
    cues = [
        f"{_srt_ts(line.start, '.')} --> {_srt_ts(line.end, '.')}\n{line.text}\n" for line in lines
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) cues of an SRT or VTT file (for checks and re-import)."""
    import re

    out = []
    pat = re.compile(r"(\d+):(\d+):(\d+)[,.](\d+) --> (\d+):(\d+):(\d+)[,.](\d+)\n(.*?)(?:\n\n|\n?$)", re.S)
    for m in pat.finditer(text):
        g = [int(x) for x in m.groups()[:8]]
        out.append((g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000, g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000, m.group(9).strip()))
    return out
