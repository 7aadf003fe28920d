"""What speech recognition and forced alignment return: timed words and phonemes."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.tts.types import PhonemeTiming, WordTiming

#: Every engine here works on 16 kHz mono float audio.
SPEECH_RATE = 16_000


@dataclass
class Transcript:
    """Words (and phonemes, where the engine gives them) with their times in seconds.

    `method` is 'aligned' (forced alignment of a known script) or 'recognised' (speech
    recognition without a script); `engine` names what did it, for provenance.
    """

    words: list[WordTiming]
    phonemes: list[PhonemeTiming] = field(default_factory=list)
    method: str = "recognised"
    engine: str = "pocketsphinx"
    language: str = "en"
    duration: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(w.word for w in self.words)


class AlignmentFailed(Exception):
    """The audio does not fit the script (another text, music, silence): no alignment found."""
