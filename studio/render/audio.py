"""Audio as filtergraph text: narration + music bed, ducking under speech, two-pass loudnorm."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from studio.core.timeline import Clip

TARGET_LUFS = -14.0
TRUE_PEAK = -1.0
LRA = 11.0


@dataclass(frozen=True)
class AudioPart:
    """One audio clip from ffmpeg input `index`, placed as `clip` says."""

    index: int
    clip: Clip


@dataclass(frozen=True)
class LoudnessMeasure:
    """What loudnorm's first pass measured (its JSON), fed back in the second pass."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float

    @classmethod
    def parse(cls, stderr: str) -> LoudnessMeasure:
        """Read the JSON block loudnorm prints with print_format=json."""
        blocks = re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr, re.S)
        if not blocks:
            raise ValueError("loudnorm printed no measurement (is there any audio?)")
        d = json.loads(blocks[-1])

        def num(key: str) -> float:
            v = float(d[key])
            return v if v > -1e9 and v == v else -99.0  # silence reports -inf

        return cls(num("input_i"), num("input_tp"), num("input_lra"), num("input_thresh"),
                   num("target_offset"))


def _clip_chain(part: AudioPart, label: str) -> str:
    c = part.clip
    chain = [f"atrim=start={c.in_point:.3f}:end={c.out_point:.3f}", "asetpts=PTS-STARTPTS"]
    speed = c.speed
    while speed > 2.0:  # atempo takes 0.5..2 per instance
        chain.append("atempo=2.0")
        speed /= 2.0
    while speed < 0.5:
        chain.append("atempo=0.5")
        speed /= 0.5
    if abs(speed - 1.0) > 1e-6:
        chain.append(f"atempo={speed:.4f}")
    if abs(c.volume - 1.0) > 1e-6:
        chain.append(f"volume={c.volume:.3f}")
    ms = round(c.start * 1000)
    chain += ["aresample=48000", "aformat=sample_fmts=fltp:channel_layouts=stereo"]
    if ms:
        chain.append(f"adelay={ms}:all=1")
    return f"[{part.index}:a]{','.join(chain)}[{label}]"


def _mix(labels: Sequence[str], out: str) -> list[str]:
    if len(labels) == 1:
        return [f"[{labels[0]}]anull[{out}]"]
    ins = "".join(f"[{x}]" for x in labels)
    return [f"{ins}amix=inputs={len(labels)}:duration=longest:normalize=0[{out}]"]


def loudnorm_filter(measure: LoudnessMeasure | None) -> str:
    """First pass (measure: None) prints JSON; second pass applies the measure linearly."""
    base = f"loudnorm=I={TARGET_LUFS}:TP={TRUE_PEAK}:LRA={LRA}"
    if measure is None:
        return base + ":print_format=json"
    m = measure
    return (
        f"{base}:measured_I={m.input_i:.2f}:measured_TP={m.input_tp:.2f}:"
        f"measured_LRA={m.input_lra:.2f}:measured_thresh={m.input_thresh:.2f}:"
        f"offset={m.target_offset:.2f}:linear=true:print_format=summary"
    )


def audio_graph(
    narration: Sequence[AudioPart],
    music: Sequence[AudioPart],
    duration: float,
    measure: LoudnessMeasure | None,
    out: str = "aout",
    duck: bool = True,
) -> list[str]:
    """Filtergraph chains mixing narration and music into `[out]`, `duration` seconds long.

    Music is ducked by a sidechain compressor keyed by the narration (about −12 dB under
    speech, 20 ms attack, 400 ms release); then loudnorm (pass 1 or 2) and resampling back to
    48 kHz (loudnorm works at 192 kHz internally).
    """
    chains: list[str] = []
    narr = [f"n{i}" for i in range(len(narration))]
    mus = [f"m{i}" for i in range(len(music))]
    chains += [_clip_chain(p, lab) for p, lab in zip(narration, narr, strict=True)]
    chains += [_clip_chain(p, lab) for p, lab in zip(music, mus, strict=True)]
    pad = f"apad=whole_dur={duration:.3f},atrim=0:{duration:.3f}"
    if narr and mus:
        chains += _mix(narr, "narr")
        chains += _mix(mus, "mus")
        if duck:
            # the key runs to the end: sidechaincompress stops with its shorter input, which cut
            # music (and B-roll sound) off where the narration ended
            chains.append(f"[narr]apad=whole_dur={duration:.3f},asplit=2[narr_main][narr_key]")
            chains.append(
                "[mus][narr_key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400:"
                "makeup=1[ducked]"
            )
            chains.append("[narr_main][ducked]amix=inputs=2:duration=longest:normalize=0[premix]")
        else:
            chains.append("[narr][mus]amix=inputs=2:duration=longest:normalize=0[premix]")
    elif narr or mus:
        chains += _mix(narr or mus, "premix")
    else:
        chains.append(f"anullsrc=r=48000:cl=stereo,atrim=0:{duration:.3f}[premix]")
        return [*chains, f"[premix]anull[{out}]"]
    chains.append(f"[premix]{pad},{loudnorm_filter(measure)},aresample=48000[{out}]")
    return chains
