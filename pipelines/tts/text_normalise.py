"""Script text → speakable sentences: numbers, money, percentages, abbreviations and emoji.

Piper's espeak front end reads digits itself, but then the words it speaks are not the words in
the script, and captions (word timings) would not match the audio. So we expand everything to
plain words first, with this small English normaliser (no extra dependency).
"""

from __future__ import annotations

import re
import unicodedata

from studio.core.errors import BadInput

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))

#: Abbreviations whose period must not end a sentence, with what is said.
ABBREVIATIONS: dict[str, str] = {
    "dr.": "doctor",
    "mr.": "mister",
    "mrs.": "missus",
    "ms.": "miz",
    "prof.": "professor",
    "st.": "saint",
    "jr.": "junior",
    "sr.": "senior",
    "vs.": "versus",
    "etc.": "et cetera",
    "e.g.": "for example",
    "i.e.": "that is",
    "approx.": "approximately",
    "no.": "number",
    "min.": "minutes",
    "hr.": "hours",
    "ft.": "feet",
    "km": "kilometres",
    "kg": "kilograms",
    "&": "and",
}

_TITLES = frozenset({"dr.", "mr.", "mrs.", "ms.", "prof.", "st."})
_CURRENCY = {"$": ("dollar", "dollars", "cent", "cents"), "€": ("euro", "euros", "cent", "cents"),
             "£": ("pound", "pounds", "penny", "pence")}
_ORDINAL_SUFFIX = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                   "nine": "ninth", "twelve": "twelfth"}


def int_to_words(n: int) -> str:
    """English words for an integer (`1234` → 'one thousand two hundred thirty four')."""
    if n < 0:
        return "minus " + int_to_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _TENS[tens] + (" " + _ONES[rest] if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return _ONES[hundreds] + " hundred" + (" " + int_to_words(rest) if rest else "")
    for scale, name in _SCALES:
        if n >= scale:
            high, rest = divmod(n, scale)
            return int_to_words(high) + " " + name + (" " + int_to_words(rest) if rest else "")
    raise AssertionError("unreachable")


def year_to_words(n: int) -> str:
    """Years are read in pairs: 1999 → 'nineteen ninety nine', 2026 → 'twenty twenty six'."""
    if 2000 <= n <= 2009:
        return int_to_words(n)
    high, low = divmod(n, 100)
    if low == 0:
        return int_to_words(high) + " hundred"
    return int_to_words(high) + (" oh " if low < 10 else " ") + int_to_words(low)


def ordinal_words(n: int) -> str:
    words = int_to_words(n).split()
    last = words[-1]
    if last in _ORDINAL_SUFFIX:
        words[-1] = _ORDINAL_SUFFIX[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def _number_words(text: str) -> str:
    """'1,234' / '3.5' / '2026' → words."""
    raw = text.replace(",", "")
    if "." in raw:
        whole, frac = raw.split(".", 1)
        head = int_to_words(int(whole)) if whole else "zero"
        return head + " point " + " ".join(_ONES[int(d)] for d in frac)
    n = int(raw)
    if "," not in text and len(raw) == 4 and 1100 <= n <= 2099 and not raw.startswith("0"):
        return year_to_words(n)
    return int_to_words(n)


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MONEY_RE = re.compile(r"([$€£])\s?(" + _NUM + r")(\s?(?:k|m|bn|million|billion|thousand)\b)?", re.I)
_PERCENT_RE = re.compile(r"(" + _NUM + r")\s?%")
_ORDINAL_RE = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.I)
_NUMBER_RE = re.compile(r"(?<![\w.])-?(" + _NUM + r")(?![\d])")
_SCALE_WORD = {"k": "thousand", "m": "million", "bn": "billion"}


def _money(m: re.Match[str]) -> str:
    one, many, cent, cents = _CURRENCY[m.group(1)]
    amount = m.group(2).replace(",", "")
    scale = (m.group(3) or "").strip().lower()
    if scale:
        return f"{_number_words(m.group(2))} {_SCALE_WORD.get(scale, scale)} {many}"
    whole, _, frac = amount.partition(".")
    n = int(whole or 0)
    words = f"{int_to_words(n)} {one if n == 1 else many}"
    if frac:
        c = int((frac + "0")[:2])
        if c:
            words += f" and {int_to_words(c)} {cent if c == 1 else cents}"
    return words


def describe_emoji(ch: str) -> str:
    """Emoji are dropped (Piper would spell their names): return '' for symbols, keep text."""
    cat = unicodedata.category(ch)
    if cat in ("So", "Sk", "Cs", "Co") or ch in "\u200d\ufe0f\ufe0e":
        return " "
    return ch


def normalise(text: str) -> str:
    """Make script text speakable: expand numbers, money, %, ordinals, abbreviations; drop emoji."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(describe_emoji(c) for c in text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    for abbr, said in ABBREVIATIONS.items():
        if abbr in _TITLES:  # 'Dr. Smith': the period must not end the sentence
            pattern = r"(?<!\w)" + re.escape(abbr)
        elif abbr.endswith("."):  # '... etc. Next' does end one: keep a period there
            pattern = r"(?<!\w)" + re.escape(abbr)
            text = re.sub("(?i:" + pattern + r")(?=\s+[A-Z]|\s*$)", " " + said + ".", text)
        elif abbr.isalpha():  # units only after a number: '5 km', '5kg'
            pattern = r"(?<=\d)\s?" + re.escape(abbr) + r"\b"
        else:
            pattern = re.escape(abbr)
        text = re.sub(pattern, " " + said + " ", text, flags=re.I)
    text = _MONEY_RE.sub(_money, text)
    text = _PERCENT_RE.sub(lambda m: _number_words(m.group(1)) + " percent", text)
    text = _ORDINAL_RE.sub(lambda m: ordinal_words(int(m.group(1))), text)
    text = _NUMBER_RE.sub(lambda m: (" minus " if m.group(0).startswith("-") else " ") + _number_words(m.group(1)) + " ", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    return text.strip()


_SENTENCE_RE = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n\s*\n")


def split_sentences(text: str, max_chars: int = 400) -> list[str]:
    """Split normalised text into sentences; very long ones are cut at commas/spaces."""
    out: list[str] = []
    for part in _SENTENCE_RE.split(text):
        part = " ".join(part.split())
        while len(part) > max_chars:
            cut = part.rfind(", ", 0, max_chars)
            cut = cut + 1 if cut > max_chars // 3 else part.rfind(" ", 0, max_chars)
            if cut <= 0:
                cut = max_chars
            out.append(part[:cut].strip())
            part = part[cut:].strip()
        if re.search(r"\w", part):
            out.append(part)
    return out


def script_sentences(text: str) -> list[str]:
    """The sentences a voice speaks for a script (normalised, split); a script with no words
    (only symbols or emoji) is bad input, said the same way by every engine."""
    sentences = split_sentences(normalise(text))
    if not sentences:
        raise BadInput("The script has nothing to say (no words after removing symbols and emoji).")
    return sentences


_WORD_RE = re.compile(r"[\w'’-]+", re.UNICODE)


def words_of(sentence: str) -> list[str]:
    """The spoken words of a normalised sentence (punctuation removed, apostrophes kept)."""
    return [w.strip("'-") for w in _WORD_RE.findall(sentence) if w.strip("'-")]


_TRAILING_PUNCT = re.compile(r"[,.!?;:…]+")


def display_words(sentence: str) -> list[str]:
    """The same words as `words_of`, each with the punctuation that follows it (for captions)."""
    out = []
    for m in _WORD_RE.finditer(sentence):
        word = m.group().strip("'-")
        if word:
            tail = _TRAILING_PUNCT.match(sentence, m.end())
            out.append(word + (tail.group() if tail else ""))
    return out
