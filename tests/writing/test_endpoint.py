"""The writing assistant through a loopback OpenAI-compatible endpoint (as Ollama / llama.cpp server /
LM Studio serve it): persona brief, speaking rate, streaming, cancel, length limits, errors, CLI."""

from __future__ import annotations

import json
import threading
import time

import pytest

from pipelines.writing.chat import ChatRequest, OpenAIChat, WriterUnavailable
from studio.actions import plan
from studio.actions.writing import open_backend, save_to_item, speaking_rate, write
from studio.cli.main import main
from studio.core.assets import Provenance
from studio.core.errors import BadInput, ModelMissing
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.settings import Settings
from studio.core.tasks import Cancelled, TaskContext
from studio.render.platforms import text_length
from tests.writing.openai_server import ChatServer

LONG_SCRIPT = ("**Scene 1:** Ever wondered why mornings feel magic? " + "I lace up and run. " * 40
               + "\n\n---\n\nScene 2: The city wakes with me. " + "Coffee, then work. " * 40 + "\n---\n")
OPENINGS = "Here are some openings:\n1. Mornings are my superpower.\n2) Five a.m., again.\n- \"Guess who's up?\"\n* Sunrise or bust.\nExtra line."


def reply(body: dict) -> list[str]:
    """What the endpoint says: by what the prompt asks for, in word-sized chunks."""
    ask = body["messages"][-1]["content"]
    if ask.startswith("Write a script"):
        text = LONG_SCRIPT  # far longer than asked: the assistant must cut it back
    elif "opening lines" in ask:
        text = OPENINGS
    else:
        text = "Up before the sun. " * 200 + "\nHashtags: " + " ".join(f"#tag{i}" for i in range(40))
    return [w + " " for w in text.split(" ")]


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path, "Mara") as p:
        p.update_persona(description="A runner who films her city at dawn", tone="warm, upbeat, short sentences")
        # a past narration whose word timings give the speaking rate: 10 words over 2.5 s = 4 words/s
        wav = p.stage(".wav")
        wav.write_bytes(b"RIFF....WAVE")
        words = p.stage(".json")
        words.write_text(json.dumps([{"word": f"w{i}", "start": 0.5 + i * 0.25, "end": 0.5 + (i + 1) * 0.25}
                                     for i in range(10)]))
        p.register(wav, "narration", Provenance(pipeline="narration", parameters={"text": "Dawn is mine."}),
                   extra_files={".words.json": words})
        yield p


def test_speaking_rate_from_word_timings_or_default(project, tmp_path):
    r = speaking_rate(project)
    assert (r.words_per_second, r.source, r.narrations) == (4.0, "narrations", 1)
    with Project.create(tmp_path, "New") as q:
        q.update_persona(voice=q.persona.voice.model_copy(update={"speed": 1.2}))
        assert (speaking_rate(q).words_per_second, speaking_rate(q).source) == (3.0, "default")


def test_draft_streams_every_part_and_keeps_to_the_limits(project):
    chunks: list[tuple[str, str]] = []
    with ChatServer(reply, models=("tiny",)) as srv:
        backend = OpenAIChat(srv.url, "tiny")
        res = write(project, backend, topic="my dawn runs", seconds=30, platforms=["reels", "x"],
                    on_text=lambda part, d: chunks.append((part, d)), seed=7)
    system = srv.requests[0]["messages"][0]["content"]
    assert "A runner who films her city at dawn" in system and "warm, upbeat" in system
    assert "Dawn is mine." in system  # a past script, for the voice
    ask = srv.requests[0]["messages"][1]["content"]
    assert "about 120 words" in ask and "5 scene(s)" in ask  # 30 s at the measured 4 words/s
    assert srv.requests[0]["stream"] is True and srv.requests[0]["seed"] == 7
    assert srv.requests[0]["max_tokens"] == 265  # ceil(120 * 1.15 * 1.8) + 16
    # streamed: every chunk the server sent reached on_text, part by part, in order
    assert [p for p, _ in chunks][:1] == ["script"] and {p for p, _ in chunks} == {
        "script", "openings", "upload:reels", "upload:x"}
    assert "".join(d for p, d in chunks if p == "openings").strip() == OPENINGS.strip()
    assert res["chunks"]["script"] == len(reply({"messages": [{"content": "Write a script"}]}))
    # the script: cut back to whole sentences near the target, labels gone, scenes on --- lines
    assert res["trimmed"] and res["words"] <= 138 and res["script"].endswith(".")
    assert "Scene" not in res["script"] and "**" not in res["script"]
    assert res["scenes"][0].startswith("Ever wondered") and res["seconds"] == round(res["words"] / 4.0, 1)
    assert res["hook"] == "Mornings are my superpower."
    assert res["openings"] == ["Five a.m., again.", "Guess who's up?", "Sunrise or bust."]  # 3, "Extra line." dropped
    # captions fitted to each platform's limits
    reels, x = res["upload"]["reels"], res["upload"]["x"]
    assert len(reels["hashtags"]) == 30 and text_length("reels", _text(reels)) <= 2200
    assert text_length("x", _text(x)) <= 280 and x["caption"].endswith("…")
    assert any("kept 30 of 40" in n for n in reels["notes"])
    assert res["model"]["id"] == "endpoint:tiny" and res["model"]["commercial_use"] is None


def _text(up: dict) -> str:
    from studio.core.calendar import UploadText

    return UploadText(caption=up["caption"], hashtags=up["hashtags"]).text()


def test_cancel_stops_the_stream_at_once(project):
    def slow(_body):
        yield from (f"word{i} " for i in range(200))

    with ChatServer(slow, delay=0.05) as srv:
        task = TaskContext()
        got: list[str] = []

        def on_text(_part, d):
            got.append(d)
            if len(got) == 3:
                task.cancel()

        t0 = time.monotonic()
        with pytest.raises(Cancelled):
            write(project, OpenAIChat(srv.url, "tiny"), topic="x", seconds=10, parts=("script",), task=task,
                  on_text=on_text)
        assert time.monotonic() - t0 < 3.0 and len(got) == 3
        deadline = time.monotonic() + 5
        while not srv.sent and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv.sent and srv.sent[0] < 200  # the server saw the client go away


def test_cancel_while_waiting_for_the_first_token(project):
    def stalls(_body):
        time.sleep(5)
        yield "late"

    with ChatServer(stalls) as srv:
        task = TaskContext()
        threading.Timer(0.3, task.cancel).start()
        t0 = time.monotonic()
        with pytest.raises(Cancelled):
            list(OpenAIChat(srv.url, "tiny").stream(ChatRequest([{"role": "user", "content": "hi"}], 10), task))
        assert time.monotonic() - t0 < 2.0  # not the server's 5 s


def test_endpoint_errors_say_what_to_do(project):
    with ChatServer(reply, models=("tiny",), api_key="sekret") as srv:
        with pytest.raises(WriterUnavailable, match="HTTP 401.*API key"):
            list(OpenAIChat(srv.url, "tiny").stream(ChatRequest([{"role": "user", "content": "hi"}], 5), TaskContext()))
        good = OpenAIChat(srv.url, "tiny", api_key="sekret")
        assert good.list_models() == ["tiny"]
        assert "".join(good.stream(ChatRequest([{"role": "user", "content": "opening lines"}], 5), TaskContext()))
        assert srv.headers[-1]["Authorization"] == "Bearer sekret"
        with pytest.raises(WriterUnavailable, match="model 'big' not found.*Check the model name"):
            list(OpenAIChat(srv.url, "big", api_key="sekret").stream(
                ChatRequest([{"role": "user", "content": "hi"}], 5), TaskContext()))
        port = srv.httpd.server_address[1]
    with pytest.raises(WriterUnavailable, match="Cannot reach.*running"):
        OpenAIChat(f"http://127.0.0.1:{port}/v1", "tiny").list_models()
    with pytest.raises(BadInput, match="not an endpoint address"):
        OpenAIChat("localhost:11434", "tiny")
    with pytest.raises(BadInput, match="none is configured"):
        open_backend(Settings(writer_backend="endpoint"), ModelStore(Settings()))


def test_without_a_local_model_it_names_the_download():
    with pytest.raises(ModelMissing, match="studio models download qwen2.5-1.5b-instruct-gguf"):
        open_backend(Settings(), ModelStore(Settings()))


def test_cli_writes_into_a_calendar_item(project, capsys):
    folder = str(project.path)
    item = plan.add_item(project, "today", "Dawn run", ["tiktok"])
    project.close()
    with ChatServer(reply) as srv:
        Settings(writer_backend="endpoint", writer_endpoint=srv.url, writer_endpoint_model="tiny").save()
        assert main(["write", "script", folder, "--plan", item.id, "--save", "--seconds", "12"]) == 0
        shown = capsys.readouterr().out
        assert "── Script ──" in shown and "── Caption: tiktok ──" in shown and "Saved to" in shown
        assert "licence: unknown" in shown
        assert main(["write", "models", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["models"] == ["tiny"]
    with Project.open(folder, read_only=True) as p:
        saved = plan.get_item(p, item.id)
        assert saved.state == "scripted" and saved.script.startswith("Ever wondered")
        assert saved.upload["tiktok"].caption and saved.drafted_by[0].id == "endpoint:tiny"
    assert main(["write", "script", folder, "x", "--save"]) == 2  # --save needs --plan
    Settings().save()  # back to the local default, which is not downloaded
    assert main(["write", "script", folder, "topic"]) == 1
    assert "studio models download qwen2.5-1.5b-instruct-gguf" in capsys.readouterr().err


def test_save_to_item_keeps_other_platforms(project):
    item = plan.add_item(project, "today", "Dawn run", ["tiktok", "reels"])
    plan.set_upload(project, item.id, "reels", "Keep me", "#keep")
    res = {"script": "", "upload": {"tiktok": {"caption": "New", "hashtags": ["run"], "notes": []}},
           "model": {"id": "m", "licence": "Apache-2.0", "commercial_use": True}}
    saved = save_to_item(project, item.id, res)
    assert saved.upload["reels"].caption == "Keep me" and saved.upload["tiktok"].hashtags == ["run"]
    assert saved.state == "idea"  # captions alone do not make it scripted


def test_cli_errors_keep_square_brackets(project, tmp_path, capsys):
    """rich took `[writing]` / `[xtts]` in a message for markup and dropped it."""
    folder = str(project.path)
    project.close()
    Settings(writer_model=str(tmp_path / "model[q4].gguf")).save()
    assert main(["write", "script", folder, "topic"]) == 2
    assert "model[q4].gguf does not exist" in capsys.readouterr().err


def test_scene_lines_become_paragraphs_for_narration():
    from pipelines.writing.writer import scenes_as_paragraphs, split_scenes

    script = "One.\n\nStill one.\n---\nTwo.\n  ---  \nThree."
    assert split_scenes(script) == ["One.\n\nStill one.", "Two.", "Three."]
    narrated = scenes_as_paragraphs(script)
    assert "---" not in narrated and narrated.split("\n\n") == ["One.\nStill one.", "Two.", "Three."]
    assert scenes_as_paragraphs("A.\n\nB.") == "A.\n\nB."  # paragraph scenes stay as they are
