"""Narration with the real embedded Piper voice, through the engine and the CLI."""

from __future__ import annotations

import json
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from pipelines.tts.types import NarrationRequest
from studio.core.errors import BadInput, StudioError


def test_piper_sentence_has_sane_length_and_timed_words(piper_narrator):
    text = "The quick brown fox jumps over the lazy dog near the quiet river."
    res = piper_narrator.run(NarrationRequest(text))
    assert res.timing_method == "piper-alignments"
    assert 1.5 <= res.duration <= 8.0
    assert [w.word for w in res.words] == text.split()  # as written, punctuation kept for captions
    starts = [w.start for w in res.words]
    assert starts == sorted(starts)
    for a, b in zip(res.words, res.words[1:], strict=False):
        assert a.start < a.end <= b.start + 1e-6
    assert res.words[0].start >= 0 and res.words[-1].end <= res.duration
    # speech is where the words say it is: louder inside words than in the lead-in silence
    rate = res.sample_rate
    inside = res.audio[int(res.words[0].start * rate): int(res.words[-1].end * rate)]
    assert np.sqrt(np.mean(inside**2)) > 5 * np.sqrt(np.mean(res.audio[: int(res.words[0].start * rate)] ** 2) + 1e-9)
    assert res.phonemes and all(p.end > p.start for p in res.phonemes)


def test_speed_changes_duration(piper_narrator):
    text = "Speaking faster makes the same words shorter."
    slow = piper_narrator.run(NarrationRequest(text, speed=0.8)).duration
    fast = piper_narrator.run(NarrationRequest(text, speed=1.6)).duration
    assert fast < slow * 0.75


def test_words_fall_back_to_phoneme_counts_when_espeak_groups_differ(piper_narrator):
    # espeak fuses some word pairs; every script word must still get a timing, in order
    res = piper_narrator.run(NarrationRequest("Use it, e.g. twice. Bread, milk, etc."))
    assert [w.word for w in res.words] == ["Use", "it,", "for", "example", "twice.", "Bread,", "milk,", "et", "cetera."]
    assert all(b.start >= a.start for a, b in zip(res.words, res.words[1:], strict=False))
    assert res.timing_method in ("piper-alignments", "piper-alignments+phoneme-count")


def test_narrate_cli_registers_48k_narration_with_words(project_path, cli):
    rc = cli("narrate", project_path, "Dr. Lee sold 1,234 cups at $5 each, 25% more than in 2025! 🎉", "--speed", "1.1")
    assert rc == 0
    from studio.core.project import Project

    with Project.open(project_path, read_only=True) as p:
        (asset,) = p.assets_of("narration")
        with wave.open(str(p.asset_path(asset))) as w:
            assert w.getframerate() == 48_000 and w.getnchannels() == 1
            duration = w.getnframes() / 48_000
        words = json.loads(p.sidecar(asset, ".words.json").read_text())
        spoken = [w["word"].rstrip(",.!?") for w in words]  # captions keep punctuation; compare words
        assert spoken[:6] == ["doctor", "Lee", "sold", "one", "thousand", "two"]
        assert "dollars" in spoken and "percent" in spoken and spoken[-3:] == ["twenty", "twenty", "five"]
        assert all(0 <= w["start"] < w["end"] <= duration for w in words)
        prov = asset.provenance
        assert prov.parameters["timing_method"] == "piper-alignments"
        assert prov.parameters["speed"] == 1.1 and prov.parameters["sample_rate"] == 48_000
        assert prov.models[0].id == "piper-en_US-joe-medium" and prov.models[0].commercial_use is True
        assert "CC0" in prov.models[0].licence and len(prov.models[0].sha256) == 64


def test_empty_or_unreadable_script_is_bad_input(project_path, cli, tmp_path):
    assert cli("narrate", project_path, "   ") == 2
    (tmp_path / "emoji.txt").write_text("🎉🎉", "utf-8")
    assert cli("narrate", project_path, "--script", tmp_path / "emoji.txt") == 2
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 ol\xe9".encode("latin-1"))
    assert cli("narrate", project_path, "--script", tmp_path / "latin1.txt") == 2
    assert cli("narrate", project_path, "--script", tmp_path / "missing.txt") == 2
    from studio.core.project import Project

    with Project.open(project_path, read_only=True) as p:
        assert p.assets_of("narration") == []


def test_imported_piper_voice_brings_its_config_and_is_chosen(project_path, cli, tmp_path):
    from pipelines.tts.piper_engine import locate_voice
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    joe = locate_voice(ModelStore(Settings.load()), "piper-en_US-joe-medium")
    src = tmp_path / "my-voice.onnx"
    src.symlink_to(joe.onnx)
    (tmp_path / "my-voice.onnx.json").write_bytes(joe.config.read_bytes())
    assert cli("models", "import", "my-voice", src, "--kind", "tts-voice", "--link") == 0
    files = locate_voice(ModelStore(Settings.load()), "my-voice")
    assert files.config.is_file() and files.onnx.parent == files.config.parent
    assert cli("voice", "set", project_path, "--engine", "piper", "--voice", "my-voice", "--speed", "1.2") == 0
    assert cli("voice", "set", project_path, "--voice", "wav2lip_gan_96") == 2  # not a voice
    assert cli("voice", "set", project_path, "--speed", "9") == 2
    from studio.core.project import Project

    with Project.open(project_path, read_only=True) as p:
        assert (p.persona.voice.voice_id, p.persona.voice.speed) == ("my-voice", 1.2)


def test_voice_sample_is_stored_as_reference(project, tmp_path):
    from pipelines.tts.audio_io import write_wav
    from studio.actions.voice import add_voice_sample

    t = np.arange(48_000 * 3) / 48_000
    write_wav(tmp_path / "me.wav", 0.3 * np.sin(2 * np.pi * 180 * t), 48_000)
    asset = add_voice_sample(project, tmp_path / "me.wav")
    assert project.persona.voice.reference_samples == [asset.path]
    assert (project.path / asset.path).is_file()
    write_wav(tmp_path / "short.wav", np.zeros(4800), 48_000)
    with pytest.raises(BadInput):
        add_voice_sample(project, tmp_path / "short.wav")
    (tmp_path / "noise.wav").write_bytes(b"not audio at all")
    with pytest.raises(BadInput):
        add_voice_sample(project, tmp_path / "noise.wav")


def test_xtts_selection_paths(project_path, cli):
    from pipelines.tts import open_narrator
    from pipelines.tts.xtts_engine import XttsNarrator, xtts_available
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    store = ModelStore(Settings.load())
    assert isinstance(open_narrator(store, "xtts", "xtts-v2"), XttsNarrator)
    with pytest.raises(BadInput, match="studio voice sample"):
        XttsNarrator(store).run(NarrationRequest("Hello there.", voice_id="xtts-v2"))
    with pytest.raises(BadInput, match="not found"):
        XttsNarrator(store).run(NarrationRequest("Hello.", reference_samples=[Path("/nope.wav")]))
    assert cli("voice", "set", project_path, "--engine", "xtts") == 0
    if not xtts_available():
        with pytest.raises(StudioError, match=r"persona-studio\[xtts\]"):
            XttsNarrator(store).load()
    assert cli("narrate", project_path, "Hello there.") == 1  # extra or weights missing: a clear failure
    from studio.core.project import Project

    with Project.open(project_path, read_only=True) as p:
        assert p.assets_of("narration") == []


@pytest.mark.weights
def test_xtts_clones_from_a_sample(project, tmp_path):
    from pipelines.tts.xtts_engine import XttsNarrator, xtts_available
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    store = ModelStore(Settings.load())
    if not xtts_available() or store.find("xtts-v2") is None:
        pytest.skip("coqui-tts and the xtts-v2 weights are not installed")
    sample = next(iter(store.root.glob("**/samples/*.wav")), None)
    if sample is None:
        pytest.skip("no reference wav next to the XTTS weights")
    res = XttsNarrator(store).run(NarrationRequest("Hello there, friends.", reference_samples=[sample]))
    assert res.sample_rate == 24_000 and 0.5 < res.duration < 6 and len(res.words) == 3


def test_second_narration_takes_the_spare_session_and_says_the_same(project, monkeypatch):
    """A later narration in the process does not load the voice, and its audio is bit-identical
    (a reused session would draw different noise: see pipelines/tts/voice_cache.py)."""
    from pipelines.tts import piper_engine, voice_cache
    from tests.jobs import run_job

    voice_cache.clear()
    loads: list[str] = []
    real = piper_engine._load_voice
    monkeypatch.setattr(piper_engine, "_load_voice", lambda *a: (loads.append(threading.current_thread().name), real(*a))[1])
    first = run_job(project, "narrate", {"text": "Same words, same sound."})
    voice_cache.wait_idle()
    second = run_job(project, "narrate", {"text": "Same words, same sound."})
    voice_cache.wait_idle()
    assert loads[0] == threading.current_thread().name  # the first job loaded in its own thread
    assert all(name.startswith("piper-voice-loader") for name in loads[1:]) and len(loads) == 3
    a, b = (project.asset(j.result["assets"][0]) for j in (first, second))
    assert a.sha256 == b.sha256
    assert project.sidecar(a, ".words.json").read_bytes() == project.sidecar(b, ".words.json").read_bytes()
    voice_cache.clear()
