"""User text shared by the window and the CLI: titles cut at a word, settings named in words that read
right in both (issue 13 item 5: "--n must be between…" spoke CLI to window users)."""

from __future__ import annotations

import pytest

from studio.actions.stills import _int
from studio.core.errors import BadInput
from studio.core.text import setting_words, short_title


def test_settings_are_named_in_words_with_their_flag():
    assert setting_words("blink_rate") == "Blink rate (--blink-rate)"
    with pytest.raises(BadInput, match=r"^Candidates \(-n\) must be between 1 and 64 \(got 0\)\.$"):
        _int({"n": 0}, "n", 4, 1, 64)
    with pytest.raises(BadInput, match=r"^Steps \(--steps\) must be between 1 and 200"):
        _int({"steps": 999}, "steps", 30, 1, 200)


def test_short_title_cuts_at_a_word():
    assert short_title("Morning run done! Who else is up this early?") == "Morning run done! Who else is up this…"
    assert short_title("one two three", 9) == "one two…"
    assert short_title("  spaced\n  out  ") == "spaced out"
