"""Forced alignment and speech recognition with PocketSphinx (its English model ships in the wheel).

Alignment: the script's words become a linear finite-state grammar (one state per word);
PocketSphinx inserts optional silence and noise fillers between words itself
(`fsgusefiller`), so pauses do not stretch the words around them. A second pass over the same
audio gives phone-level times (`set_alignment`), written as espeak IPA for lip-sync.
Recognition: the wheel's US English trigram model, one utterance per speech region found by
PocketSphinx's own voice-activity segmenter, each region aligned again for its phones.

Audio goes in at 16 kHz; times come out in seconds (PocketSphinx counts 100 frames a second).
"""

from __future__ import annotations

import re

import numpy as np

from studio.core.tasks import TaskContext, null_context

from .phones import arpabet_to_ipa, guess_pronunciation
from .types import SPEECH_RATE, AlignmentFailed, PhonemeTiming, Transcript, WordTiming

FRAME_RATE = 100  # PocketSphinx's default -frate
ENGINE = "pocketsphinx (en-us)"
#: audio fed per call, so progress moves and cancel is honoured (1 s)
CHUNK = SPEECH_RATE


def _pcm(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def _decoder(**kw):  # noqa: ANN003, ANN202
    from pocketsphinx import Decoder

    # model paths default to the wheel's en-us model, dictionary and language model
    return Decoder(samprate=SPEECH_RATE, loglevel="FATAL", **kw)


def _feed(decoder, pcm: bytes, ctx: TaskContext, label: str, whole: bool = False) -> None:  # noqa: ANN001
    """One utterance, in 1 s pieces (progress and cancel between them); `whole` gives it in one
    piece (the phone-alignment pass cannot finish an utterance fed in pieces)."""
    step = len(pcm) or 1 if whole else CHUNK * 2
    total = max(len(pcm), 1)
    decoder.start_utt()
    try:
        for i in range(0, len(pcm), step):
            ctx.progress(i, total, label)
            decoder.process_raw(pcm[i:i + step], no_search=False, full_utt=whole)
    finally:
        decoder.end_utt()
    ctx.progress(total, total, label)


def dictionary_word(word: str) -> str:
    """The dictionary spelling of a script word: lower case, curly apostrophes straightened."""
    return re.sub(r"[^\w']+", "", word.replace("\u2019", "'").lower())


class SphinxAligner:
    """Times the words of a known script in speech audio (16 kHz mono float)."""

    engine_name = ENGINE

    def __init__(self) -> None:
        self.decoder = None
        self._runs = 0

    def load(self, device: str = "cpu") -> None:
        """Load the wheel's model (CPU only; `device` is accepted for the common engine API)."""
        if self.decoder is None:
            # bestpath off: the phone pass aligns to the grammar search's own best path
            self.decoder = _decoder(lm=None, bestpath=False)

    def _pronounceable(self, words: list[str]) -> list[str | None]:
        """Dictionary form of each word; words the dictionary lacks get espeak's pronunciation
        (None: nothing to say, e.g. a lone symbol)."""
        assert self.decoder is not None
        out: list[str | None] = []
        for w in words:
            key = dictionary_word(w)
            if not key:
                out.append(None)
                continue
            if self.decoder.lookup_word(key) is None:
                phones = guess_pronunciation(key.replace("_", " "))
                if not phones:
                    out.append(None)
                    continue
                self.decoder.add_word(key, " ".join(phones), True)
            out.append(key)
        return out

    def align(self, audio: np.ndarray, words: list[str], ctx: TaskContext | None = None,
              offset: float = 0.0) -> Transcript:
        """Word and phone times for `words` spoken in `audio`; AlignmentFailed when they do not fit."""
        ctx = ctx or null_context()
        self.load()
        assert self.decoder is not None
        keys = self._pronounceable(list(words))
        spoken = [k for k in keys if k]
        duration = len(audio) / SPEECH_RATE
        if not spoken:
            raise AlignmentFailed("the script has no words to align")
        self._runs += 1
        name = f"script{self._runs}"
        fsg = self.decoder.create_fsg(name, 0, len(spoken), [(i, i + 1, 1.0, w) for i, w in enumerate(spoken)])
        self.decoder.add_fsg(name, fsg)
        self.decoder.activate_search(name)
        if self._runs > 1:  # the last script's grammar is no longer needed
            self.decoder.remove_search(f"script{self._runs - 1}")
        pcm = _pcm(audio)
        _feed(self.decoder, pcm, ctx.sub(0.0, 0.6), "aligning words", whole=True)
        if self.decoder.hyp() is None:
            raise AlignmentFailed("no path through the script fits this audio")
        self.decoder.set_alignment()
        _feed(self.decoder, pcm, ctx.sub(0.6, 1.0), "aligning phonemes", whole=True)
        timed, phonemes = _read_alignment(self.decoder.get_alignment(), offset)
        if len(timed) != len(spoken):
            raise AlignmentFailed(f"aligned {len(timed)} of {len(spoken)} words")
        return Transcript(_place(words, keys, timed, offset, duration), phonemes, "aligned", self.engine_name,
                          "en", duration)


def _read_alignment(alignment, offset: float) -> tuple[list[tuple[float, float]], list[PhonemeTiming]]:  # noqa: ANN001
    """(start, end) of each aligned word and the IPA phonemes inside, skipping silence/fillers."""
    words: list[tuple[float, float]] = []
    phonemes: list[PhonemeTiming] = []
    for w in alignment:
        name = w.name
        if name.startswith(("<", "[", "+")) or name == "(NULL)":
            continue
        start = offset + w.start / FRAME_RATE
        words.append((start, start + w.duration / FRAME_RATE))
        for p in w:
            symbols = arpabet_to_ipa(p.name)
            if not symbols:
                continue
            p0 = offset + p.start / FRAME_RATE
            step = p.duration / FRAME_RATE / len(symbols)
            phonemes += [PhonemeTiming(s, p0 + i * step, p0 + (i + 1) * step) for i, s in enumerate(symbols)]
    return words, phonemes


def _place(words: list[str], keys: list[str | None], timed: list[tuple[float, float]], offset: float,
           duration: float) -> list[WordTiming]:
    """Script words with their aligned times; an unpronounceable word sits between its neighbours."""
    out: list[WordTiming] = []
    it = iter(timed)
    for w, k in zip(words, keys, strict=True):
        if k:
            s, e = next(it)
            out.append(WordTiming(w, s, e))
        else:
            t = out[-1].end if out else offset
            out.append(WordTiming(w, t, t))
    # give a zero-length word the gap up to the next word (or the end)
    for i, w in enumerate(out):
        if w.end <= w.start:
            nxt = next((x.start for x in out[i + 1:] if x.end > x.start), offset + duration)
            out[i] = WordTiming(w.word, w.start, max(w.start + 0.01, min(nxt, w.start + 0.3)))
    return out


class SphinxRecognizer:
    """English speech recognition with word and phone times (no script needed)."""

    engine_name = ENGINE

    def __init__(self) -> None:
        self.decoder = None
        self.aligner = SphinxAligner()

    def load(self, device: str = "cpu") -> None:
        """Load the wheel's language model and dictionary (CPU only)."""
        if self.decoder is None:
            self.decoder = _decoder()

    def unload(self) -> None:
        self.decoder = None

    def recognise(self, audio: np.ndarray, ctx: TaskContext | None = None) -> Transcript:
        """Words heard in `audio` (16 kHz mono float), with times; [] when nothing is said."""
        from pocketsphinx import Segmenter

        ctx = ctx or null_context()
        self.load()
        assert self.decoder is not None
        duration = len(audio) / SPEECH_RATE
        pcm = _pcm(audio)
        segmenter = Segmenter(sample_rate=SPEECH_RATE)
        regions = list(segmenter.segment(_Reader(pcm)))
        words: list[WordTiming] = []
        phonemes: list[PhonemeTiming] = []
        for i, region in enumerate(regions):
            sub = ctx.sub(i / len(regions), (i + 1) / len(regions))
            _feed(self.decoder, region.pcm, sub.sub(0.0, 0.7), f"listening {i + 1}/{len(regions)}")
            heard = [_spelling(s.word) for s in self.decoder.seg()]
            heard = [w for w in heard if w]
            if not heard:
                continue
            seg_audio = np.frombuffer(region.pcm, "<i2").astype(np.float32) / 32768.0
            try:
                part = self.aligner.align(seg_audio, heard, sub.sub(0.7, 1.0), offset=region.start_time)
            except AlignmentFailed:  # keep the recogniser's own word times
                part = Transcript([WordTiming(_spelling(s.word), region.start_time + s.start_frame / FRAME_RATE,
                                              region.start_time + (s.end_frame + 1) / FRAME_RATE)
                                   for s in self.decoder.seg() if _spelling(s.word)])
            words += part.words
            phonemes += part.phonemes
        ctx.progress(1, 1, "done")
        return Transcript(words, phonemes, "recognised", self.engine_name, "en", duration)


def _spelling(word: str) -> str:
    """A recognised word as text: fillers dropped, alternate pronunciations ('read(2)') merged."""
    if word.startswith(("<", "[", "+")) or word == "(NULL)":
        return ""
    word = re.sub(r"\(\d+\)$", "", word)
    return "I" if word == "i" else word.replace("i'", "I'", 1) if word.startswith("i'") else word


class _Reader:
    """A bytes buffer read in pieces (the segmenter reads a stream)."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, n: int) -> bytes:
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk
