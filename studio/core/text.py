"""Short forms of user text for titles and labels."""

from __future__ import annotations

ELLIPSIS = "…"


def short_title(text: str, limit: int = 40) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters with an ellipsis.

    "Morning run done! Who else is up this early?" -> "Morning run done! Who else is up this…";
    a first word longer than `limit` is cut inside the word (there is no boundary to cut at).
    """
    one_line = " ".join(text.split())
    if len(one_line) <= limit:
        return one_line
    room = one_line[: max(limit - len(ELLIPSIS), 1)]
    if one_line[len(room)] == " " or " " not in room:
        cut = room  # the cut falls between words, or inside the only word
    else:
        cut = room.rsplit(" ", 1)[0]
    # keep the cut clean: no dangling punctuation between the last word and the ellipsis
    return cut.rstrip(" ,;:-–—") + ELLIPSIS


def setting_words(key: str) -> str:
    """How an error names a job setting so it reads right in the window and at the command line:
    'blink_rate' -> 'Blink rate (--blink-rate)' ("--blink-rate must be…" spoke CLI to window users)."""
    return f"{key.replace('_', ' ').capitalize()} (--{key.replace('_', '-')})"
