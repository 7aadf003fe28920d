"""Forced alignment and speech recognition run for real: PocketSphinx (its English model ships in
the wheel) on a real Piper narration of a known sentence, measured against Piper's own phoneme
alignments. The word error rate and timing errors are printed in the test output."""

from __future__ import annotations

import json

import numpy as np
import pytest

from studio.core.errors import BadInput
from tests.jobs import run_job

SCRIPT = "The quick brown fox jumps over the lazy dog. Then it runs home before the rain starts."


@pytest.fixture(scope="module")
def piper_take(piper_narrator):
    """(16 kHz audio, Piper's own word timings) of SCRIPT, said by the embedded voice."""
    from pipelines.speech import SPEECH_RATE
    from pipelines.tts import NarrationRequest
    from pipelines.tts.audio_io import resample

    res = piper_narrator.run(NarrationRequest(text=SCRIPT))
    assert res.timing_method == "piper-alignments"  # the reference is Piper's duration clock
    return resample(res.audio, res.sample_rate, SPEECH_RATE), res.words


def _report(capsys, line: str) -> None:
    with capsys.disabled():
        print(f"\n  {line}")


def test_forced_alignment_of_a_piper_narration(piper_take, capsys):
    from pipelines.speech.metrics import timing_error
    from pipelines.speech.sphinx import SphinxAligner

    audio, reference = piper_take
    tr = SphinxAligner().align(audio, [w.word for w in reference])
    assert [w.word for w in tr.words] == [w.word for w in reference]  # the script's words, as written
    err = timing_error(reference, tr.words)
    _report(capsys, f"forced alignment (pocketsphinx) vs Piper's alignments: {err}")
    assert err.matched == len(reference) and err.mean_ms < 80 and err.max_ms < 200
    assert all(a.start <= a.end <= b.start + 1e-6 for a, b in zip(tr.words, tr.words[1:], strict=False))
    # phonemes in espeak IPA, inside their words, for lip-sync
    assert {"ð", "k", "b", "ɹ", "f"} <= {p.phoneme for p in tr.phonemes}
    fox = next(w for w in tr.words if w.word == "fox")
    assert [p.phoneme for p in tr.phonemes if fox.start - 1e-6 <= p.start < fox.end - 1e-6] == ["f", "ɑ", "k", "s"]


def test_recognition_of_a_piper_narration(piper_take, capsys):
    from pipelines.speech.metrics import timing_error, word_error_rate
    from pipelines.speech.sphinx import SphinxRecognizer

    audio, reference = piper_take
    tr = SphinxRecognizer().recognise(audio)
    wer = word_error_rate([w.word for w in reference], [w.word for w in tr.words])
    err = timing_error(reference, tr.words)
    _report(capsys, f"recognition (pocketsphinx): WER {wer:.1%} ({tr.text!r}); timing {err}")
    assert wer <= 0.2 and err.matched >= len(reference) - 3 and err.mean_ms < 100
    assert tr.phonemes and tr.method == "recognised"


def test_engines_without_timings_get_aligned_sentences(piper_narrator, piper_take):
    """`time_sentences` (Kokoro, Chatterbox, XTTS): each sentence aligned on its own audio span."""
    from pipelines.speech.metrics import timing_error
    from pipelines.tts import NarrationRequest
    from pipelines.tts.aligned_timing import SentenceTake, time_sentences
    from pipelines.tts.text_normalise import split_sentences

    res = piper_narrator.run(NarrationRequest(text=SCRIPT))
    cut = int(round(res.words[9].start * res.sample_rate)) - 1  # 'Then' begins the second sentence
    first, second = split_sentences(SCRIPT)
    takes = [SentenceTake(first, res.audio[:cut], 0.0), SentenceTake(second, res.audio[cut:], cut / res.sample_rate)]
    words, phonemes, method = time_sentences(takes, res.sample_rate)
    assert method == "forced-alignment" and [w.word for w in words] == [w.word for w in res.words]
    assert timing_error(res.words, words).mean_ms < 80 and phonemes


def test_alignment_refuses_audio_without_the_words():
    from pipelines.speech import AlignmentFailed
    from pipelines.speech.sphinx import SphinxAligner

    silence = np.zeros(16000, np.float32)
    with pytest.raises(AlignmentFailed):
        SphinxAligner().align(silence, "a much longer script than one second of silence could hold".split())


def test_words_the_dictionary_lacks_get_espeaks_pronunciation():
    from pipelines.speech.phones import arpabet_to_ipa, guess_pronunciation, ipa_to_arpabet

    assert guess_pronunciation("kokoro")[:2] == ["K", "AH"]
    assert ipa_to_arpabet(["t", "ʃ", "ˈ", "a", "ɪ"]) == ["CH", "AY"]
    assert arpabet_to_ipa("AY1") == ("a", "ɪ") and arpabet_to_ipa("SIL") == ()


def test_metrics():
    from pipelines.speech.metrics import word_error_rate

    assert word_error_rate("the cat sat".split(), "the cat sat".split()) == 0
    assert word_error_rate("the cat sat".split(), "a cat sat down".split()) == pytest.approx(2 / 3)
    assert word_error_rate(["Hello,"], ["hello"]) == 0  # case and punctuation do not count


def test_retime_keeps_the_times_of_unchanged_words():
    from pipelines.speech.retime import retime
    from pipelines.tts.types import WordTiming as W

    old = [W("the", 0.0, 0.2), W("quick", 0.2, 0.5), W("brown", 0.5, 0.8), W("fax", 0.9, 1.2), W("jumped", 1.6, 2.0)]
    new = retime(old, "The quick brown fox, it jumped", duration=2.5)
    assert [w.word for w in new] == ["The", "quick", "brown", "fox,", "it", "jumped"]
    assert (new[1].start, new[1].end) == (0.2, 0.5)  # unchanged
    # 'fax' became 'fox, it': the two share the replaced word's span
    assert new[3].start == 0.9 and new[3].end == new[4].start and new[4].end == pytest.approx(1.2)
    assert (new[5].start, new[5].end) == (1.6, 2.0)
    assert [w.word for w in retime(old, "quick brown", 2.5)] == ["quick", "brown"]  # deletions go
    gap = retime(old, "the quick brown fax and jumped", 2.5)  # an inserted word sits in the pause
    assert 1.2 <= gap[4].start < gap[4].end <= 1.6
    both = retime(old[3:], "fox jumps")  # two replaced words share the span of the two they replace
    assert (both[0].start, both[-1].end) == (0.9, 2.0)


def test_transcribe_job_captions_and_edits(project, piper_narrator, capsys):
    """`transcribe` a narration without its script, put the words on a timeline, correct them."""
    from studio.actions.transcribe import set_words
    from studio.actions.voice import word_timings
    from studio.core.timeline import AddClip, Clip, Timeline

    made = run_job(project, "narrate", {"text": SCRIPT}).result["assets"][0]
    job = run_job(project, "transcribe", {"source": made})
    assert job.state == "done", job.error
    take = project.asset(job.result["assets"][0])
    assert take.kind == "narration" and take.parents == [made] and take.provenance.pipeline == "transcription"
    assert take.provenance.models[0].id == "pocketsphinx-en-us" and take.provenance.models[0].commercial_use
    words = word_timings(project, take)
    phonemes = json.loads(project.sidecar(take, ".phonemes.json").read_text("utf-8"))
    assert len(words) >= 15 and phonemes and set(phonemes[0]) == {"phoneme", "start", "end"}
    # on a timeline: the recording's clip at 1.5 s; the captions follow it
    tl = Timeline.empty("t")
    tl = AddClip(track="narration", clip=Clip(asset_id=made, start=1.5, out_point=5.0)).apply(tl)
    project.put_timeline(tl)
    caps = run_job(project, "captions", {"timeline": tl.id, "narration": take.id})
    assert caps.state == "done" and caps.result["words"] == len(words)
    first = project.timeline(tl.id).track("captions").clips[0]
    assert first.start == pytest.approx(words[0]["start"] + 1.5, abs=1e-3) and first.text == words[0]["word"]
    # a correction keeps the other words' times
    text = " ".join(w["word"] for w in words).replace("jumped", "jumps")
    fixed = set_words(project, take, text=text)
    assert "jumps" in [w["word"] for w in fixed]
    assert [(w["start"], w["end"]) for w in fixed] == [(w["start"], w["end"]) for w in words]
    assert project.asset(take.id).provenance.parameters["words_edited"] is True
    with pytest.raises(BadInput):
        set_words(project, take, words=[{"word": "late", "start": 99.0, "end": 100.0}])


def test_transcribe_with_a_script_aligns_it(project):
    made = run_job(project, "narrate", {"text": SCRIPT}).result["assets"][0]
    job = run_job(project, "transcribe", {"source": made, "script": SCRIPT})
    assert job.state == "done" and job.result["method"] == "aligned"
    assert job.result["text"] == SCRIPT  # the script's words, with its punctuation
    bad = run_job(project, "transcribe", {"source": made, "script": "Completely different words that nobody "
                                          "said in this recording at all, over and over, many many times."})
    assert bad.state in ("done", "failed")  # an aligner may force any path; a failure must be BadInput
    if bad.state == "failed":
        assert bad.error_code == 2


def test_transcribe_cli_refuses_what_it_cannot_read(project_path, cli, tmp_path):
    assert cli("transcribe", project_path, tmp_path / "nope.wav") == 2
    (tmp_path / "notes.txt").write_text("not audio")
    assert cli("transcribe", project_path, tmp_path / "notes.txt") == 2
    assert cli("transcribe", project_path, tmp_path / "notes.txt", "--engine", "bogus") == 2
