"""Phone sets: CMU ARPAbet (pocketsphinx) and espeak IPA (Piper, the lip-sync visemes).

The aligner times ARPAbet phones; lip-sync reads espeak IPA symbols (`pipelines/lipsync/
visemes.py`), so aligned phones are written in IPA. Words missing from the CMU dictionary
(names, brands: 'Kokoro', 'TikTok') get a pronunciation from espeak-ng (the copy bundled with
piper-tts), mapped back to ARPAbet.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

#: ARPAbet → espeak IPA symbols (diphthongs and affricates as two symbols, as espeak writes them).
ARPABET_IPA: dict[str, tuple[str, ...]] = {
    "AA": ("ɑ",), "AE": ("æ",), "AH": ("ʌ",), "AO": ("ɔ",), "AW": ("a", "ʊ"), "AY": ("a", "ɪ"),
    "B": ("b",), "CH": ("t", "ʃ"), "D": ("d",), "DH": ("ð",), "EH": ("ɛ",), "ER": ("ɚ",),
    "EY": ("e", "ɪ"), "F": ("f",), "G": ("ɡ",), "HH": ("h",), "IH": ("ɪ",), "IY": ("i",),
    "JH": ("d", "ʒ"), "K": ("k",), "L": ("l",), "M": ("m",), "N": ("n",), "NG": ("ŋ",),
    "OW": ("o", "ʊ"), "OY": ("ɔ", "ɪ"), "P": ("p",), "R": ("ɹ",), "S": ("s",), "SH": ("ʃ",),
    "T": ("t",), "TH": ("θ",), "UH": ("ʊ",), "UW": ("u",), "V": ("v",), "W": ("w",), "Y": ("j",),
    "Z": ("z",), "ZH": ("ʒ",),
}

#: espeak IPA → ARPAbet, two-symbol sequences first (see `ipa_to_arpabet`).
_IPA_PAIRS = {"aɪ": "AY", "aʊ": "AW", "eɪ": "EY", "oʊ": "OW", "ɔɪ": "OY", "tʃ": "CH", "dʒ": "JH",
              "ɜː": "ER", "ɑː": "AA", "ɔː": "AO", "iː": "IY", "uː": "UW", "əl": "L"}
_IPA_SINGLE = {
    "ɑ": "AA", "a": "AA", "æ": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ɔ": "AO", "ɒ": "AA", "b": "B",
    "d": "D", "ð": "DH", "ɛ": "EH", "e": "EY", "ɚ": "ER", "ɜ": "ER", "f": "F", "ɡ": "G", "g": "G",
    "h": "HH", "ɪ": "IH", "ᵻ": "IH", "i": "IY", "k": "K", "l": "L", "m": "M", "n": "N", "ŋ": "NG",
    "o": "OW", "p": "P", "ɹ": "R", "r": "R", "s": "S", "ʃ": "SH", "t": "T", "ɾ": "T", "ʔ": "T",
    "θ": "TH", "ʊ": "UH", "u": "UW", "v": "V", "w": "W", "j": "Y", "z": "Z", "ʒ": "ZH", "x": "K",
    "ç": "HH", "y": "UW", "ø": "ER", "œ": "ER",
}


def arpabet_to_ipa(phone: str) -> tuple[str, ...]:
    """IPA symbols of one ARPAbet phone ('AY1' → ('a', 'ɪ')); () for silence and noise."""
    return ARPABET_IPA.get(phone.rstrip("012").upper(), ())


def ipa_to_arpabet(symbols: list[str]) -> list[str]:
    """ARPAbet phones for espeak IPA symbols; stress and length marks are dropped."""
    seq = [s for s in symbols if s not in "ˈˌ ^$_" and s]
    out: list[str] = []
    i = 0
    while i < len(seq):
        pair = "".join(seq[i:i + 2])
        if pair in _IPA_PAIRS:
            out.append(_IPA_PAIRS[pair])
            i += 2
            continue
        phone = _IPA_SINGLE.get(seq[i])
        if phone is not None:
            out.append(phone)
        i += 1
    return out


@lru_cache(maxsize=4)
def espeak(voice: str = "en-us") -> Callable[[str], list[str]]:
    """text → flat list of espeak IPA symbols, with the espeak-ng data bundled in piper-tts."""
    from piper.phonemize_espeak import ESPEAK_DATA_DIR, EspeakPhonemizer

    ph = EspeakPhonemizer(ESPEAK_DATA_DIR)
    return lambda text: [p for sent in ph.phonemize(voice, text) for p in sent]


def guess_pronunciation(word: str, voice: str = "en-us") -> list[str]:
    """ARPAbet pronunciation of a word the CMU dictionary lacks, from espeak-ng."""
    return ipa_to_arpabet(espeak(voice)(word))
