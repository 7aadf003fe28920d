"""A voice character: the rendered narration's pitch and formants moved, its timing kept.

Praat's "Change gender" (through praat-parselmouth, GPL-3) resynthesises speech by PSOLA with a
new pitch median and range, and shifts the formants (the vocal tract's resonances, what makes a
voice sound larger or smaller) by resampling around the pitch-synchronous overlap-add. With a
duration factor of 1.0 every sound stays where it was, so a narration's word and phoneme timings
(the captions and the lip-sync) stay valid; the loudness is brought back to the original's.

The only neural English voice that ships in a package (Piper's `joe`) is a man's; a character
lets a persona sound like herself offline, e.g. `female`: formants ×1.18, median pitch 210 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Praat's pitch analysis range for "Change gender" (its defaults for speech)
PITCH_FLOOR, PITCH_CEILING = 75.0, 600.0


@dataclass(frozen=True)
class VoiceCharacter:
    """Praat's "Change gender" parameters; the neutral character changes nothing.

    `pitch_hz` is the new median pitch (0 keeps the voice's own); `pitch_semitones` instead
    moves the voice's own median by that many semitones; `pitch_range` scales the pitch's
    movement around the median (1 keeps the intonation); `formant_shift` scales the formants
    (above 1: a shorter vocal tract, a woman's or a child's; below 1: a larger one)."""

    formant_shift: float = 1.0
    pitch_hz: float = 0.0
    pitch_semitones: float = 0.0
    pitch_range: float = 1.0

    @property
    def neutral(self) -> bool:
        return (abs(self.formant_shift - 1.0) < 1e-6 and self.pitch_hz <= 0 and abs(self.pitch_semitones) < 1e-6
                and abs(self.pitch_range - 1.0) < 1e-6)

    def describe(self) -> str:
        """Words for provenance: 'Praat change gender, formant ×1.18, pitch 210 Hz'."""
        parts = ["Praat change gender", f"formant ×{self.formant_shift:.2f}".rstrip("0").rstrip(".")]
        if self.pitch_hz > 0:
            parts.append(f"pitch {self.pitch_hz:.0f} Hz")
        elif abs(self.pitch_semitones) > 1e-6:
            parts.append(f"pitch {self.pitch_semitones:+g} semitones")
        if abs(self.pitch_range - 1.0) > 1e-6:
            parts.append(f"pitch range ×{self.pitch_range:g}")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, float]:
        return {"formant_shift": self.formant_shift, "pitch_hz": self.pitch_hz,
                "pitch_semitones": self.pitch_semitones, "pitch_range": self.pitch_range}


#: ready-made characters (`studio voice set --character NAME`)
PRESETS: dict[str, VoiceCharacter] = {
    "none": VoiceCharacter(),
    "female": VoiceCharacter(formant_shift=1.18, pitch_hz=210.0),
    "male": VoiceCharacter(formant_shift=0.87, pitch_hz=110.0),
}


def pitch_median(audio: np.ndarray, rate: int) -> float:
    """Median F0 (Hz) of the voiced frames, by Praat's pitch analysis (0 when nothing is voiced)."""
    import parselmouth

    snd = parselmouth.Sound(np.asarray(audio, np.float64), sampling_frequency=float(rate))
    f0 = snd.to_pitch(pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING).selected_array["frequency"]
    f0 = f0[f0 > 0]
    return float(np.median(f0)) if len(f0) else 0.0


def formant_medians(audio: np.ndarray, rate: int) -> tuple[float, float]:
    """Median F1, F2 (Hz) over the voiced 10-ms frames (Praat's Burg analysis, 5 formants ≤ 5.5 kHz)."""
    import parselmouth

    snd = parselmouth.Sound(np.asarray(audio, np.float64), sampling_frequency=float(rate))
    pitch = snd.to_pitch(pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING)
    formant = snd.to_formant_burg(max_number_of_formants=5, maximum_formant=5500)
    f1, f2 = [], []
    for t in np.arange(0.02, snd.duration, 0.01):
        f0 = pitch.get_value_at_time(t)
        if f0 == f0 and f0 > 0:  # voiced (NaN where not)
            f1.append(formant.get_value_at_time(1, t))
            f2.append(formant.get_value_at_time(2, t))
    return (float(np.nanmedian(f1)), float(np.nanmedian(f2))) if f1 else (0.0, 0.0)


def apply_character(audio: np.ndarray, rate: int, character: VoiceCharacter) -> np.ndarray:
    """`audio` (mono float) spoken in `character`: same length, same RMS loudness, float32."""
    import parselmouth
    from parselmouth.praat import call

    x = np.asarray(audio, np.float32)
    if character.neutral or len(x) < rate // 20:
        return x
    target = character.pitch_hz
    if target <= 0 and abs(character.pitch_semitones) > 1e-6:
        own = pitch_median(x, rate)
        target = own * 2.0 ** (character.pitch_semitones / 12.0) if own > 0 else 0.0
    snd = parselmouth.Sound(x.astype(np.float64), sampling_frequency=float(rate))
    try:
        changed = call(snd, "Change gender", PITCH_FLOOR, PITCH_CEILING, float(character.formant_shift),
                       float(max(target, 0.0)), float(character.pitch_range), 1.0)
    except parselmouth.PraatError:  # nothing voiced to resynthesise (silence, a click)
        return x
    y = np.asarray(changed.values[0], np.float32)
    # duration factor 1 keeps the length; make it exact so sidecar times and the video line up
    y = y[: len(x)] if len(y) >= len(x) else np.pad(y, (0, len(x) - len(y)))
    rms_in, rms_out = float(np.sqrt(np.mean(x * x))), float(np.sqrt(np.mean(y * y)))
    if rms_out > 1e-9:
        y = y * (rms_in / rms_out)
    return _soft_limit(y).astype(np.float32)


def _soft_limit(y: np.ndarray, knee: float = 0.9, ceiling: float = 0.99) -> np.ndarray:
    """Peaks above `knee` bent smoothly under `ceiling` (a narration normalised to full scale
    peaks higher once its pitch moves; scaling it all down would make it quieter)."""
    a = np.abs(y)
    over = a > knee
    if not over.any():
        return y
    room = ceiling - knee
    bent = knee + room * np.tanh((a[over] - knee) / room)
    out = y.copy()
    out[over] = np.sign(y[over]) * bent
    return out
