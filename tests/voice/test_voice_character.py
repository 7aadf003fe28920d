"""The voice character (Praat's change gender) on the real embedded Piper voice, judged by measurement:
pitch and formants moved into a woman's range, loudness and length unchanged, the words sidecar
still matching the audio (forced alignment), and the narration job recording what it did."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.jobs import run_job

SCRIPT = "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background."


def _rms_db(x: np.ndarray) -> float:
    return 20 * np.log10(float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))))


def _formants(audio: np.ndarray, rate: int) -> tuple[float, float]:
    from pipelines.tts.voice_character import formant_medians

    return formant_medians(audio, rate)


@pytest.fixture(scope="module")
def take(piper_narrator):
    from pipelines.tts import NarrationRequest

    res = piper_narrator.run(NarrationRequest(text=SCRIPT))
    return res.audio, res.sample_rate


def test_the_female_character_moves_pitch_and_formants_and_keeps_length_and_loudness(take, capsys):
    from pipelines.tts.voice_character import PRESETS, apply_character, pitch_median

    audio, rate = take
    out = apply_character(audio, rate, PRESETS["female"])
    assert out.shape == audio.shape and out.dtype == np.float32
    f0_before, f0_after = pitch_median(audio, rate), pitch_median(out, rate)
    (f1a, f2a), (f1b, f2b) = _formants(audio, rate), _formants(out, rate)
    with capsys.disabled():
        print(f"\n  joe → female: F0 {f0_before:.0f} → {f0_after:.0f} Hz, F1 {f1a:.0f} → {f1b:.0f} Hz, "
              f"F2 {f2a:.0f} → {f2b:.0f} Hz, RMS {_rms_db(audio):.1f} → {_rms_db(out):.1f} dB")
    assert f0_before < 140 and 165 <= f0_after <= 255  # a man's voice into a woman's range
    assert f1b > 1.06 * f1a and f2b > 1.05 * f2a  # a smaller vocal tract
    assert abs(_rms_db(out) - _rms_db(audio)) < 0.5
    assert np.abs(out).max() <= 0.99
    # neutral changes nothing; a semitone shift is relative to the voice's own median
    assert apply_character(audio, rate, PRESETS["none"]) is not None
    np.testing.assert_array_equal(apply_character(audio, rate, PRESETS["none"]), audio.astype(np.float32))
    from pipelines.tts.voice_character import VoiceCharacter

    up = pitch_median(apply_character(audio, rate, VoiceCharacter(pitch_semitones=12)), rate)
    assert 1.8 * f0_before < up < 2.2 * f0_before


def test_narration_with_a_character_keeps_its_word_timings_and_says_so(project, capsys):
    from pipelines.speech import SPEECH_RATE
    from pipelines.speech.metrics import timing_error
    from pipelines.speech.sphinx import SphinxAligner
    from pipelines.speech.types import WordTiming
    from pipelines.tts.audio_io import read_wav, resample
    from studio.actions.voice import set_voice
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    set_voice(project, ModelStore(Settings()), character="female")
    job = run_job(project, "narrate", {"text": SCRIPT})
    asset = project.asset(job.result["assets"][0])
    prov = asset.provenance
    assert prov.engine == ("Piper (en_US-joe-medium), voice character: Praat change gender, formant ×1.18, "
                           "pitch 210 Hz")
    assert prov.parameters["voice_character"]["formant_shift"] == 1.18
    assert prov.parameters["voice_character"]["pitch_hz"] == 210.0
    audio, rate = read_wav(project.asset_path(asset))
    words = [WordTiming(w["word"], w["start"], w["end"])
             for w in json.loads(project.sidecar(asset, ".words.json").read_text("utf-8"))]
    phonemes = json.loads(project.sidecar(asset, ".phonemes.json").read_text("utf-8"))
    assert phonemes and phonemes[-1]["end"] <= len(audio) / rate + 1e-3
    # the sidecar's times are where the converted voice says the words
    aligned = SphinxAligner().align(resample(audio, rate, SPEECH_RATE), [w.word for w in words])
    err = timing_error(words, aligned.words)
    with capsys.disabled():
        print(f"\n  sidecar words vs forced alignment of the converted narration: {err}")
    assert err.matched == len(words) and err.mean_ms < 80 and err.max_ms < 250


def test_voice_set_character_pitch_and_formant_from_the_cli(project_path, cli, capsys):
    from studio.core.project import Project

    assert cli("voice", "set", project_path, "--character", "female", "--pitch", "+2st") == 0
    assert "voice character: Praat change gender, formant ×1.18, pitch +2 semitones" in capsys.readouterr().out
    with Project.open(project_path) as p:
        v = p.persona.voice
        assert (v.formant_shift, v.pitch_hz, v.pitch_semitones) == (1.18, 0.0, 2.0)
    assert cli("voice", "set", project_path, "--pitch", "20") == 2
    assert "60–600 Hz" in capsys.readouterr().err
    assert cli("voice", "set", project_path, "--character", "robot") == 2
    assert cli("voice", "set", project_path, "--character", "none") == 0
    with Project.open(project_path) as p:
        assert (p.persona.voice.formant_shift, p.persona.voice.pitch_semitones) == (1.0, 0.0)
