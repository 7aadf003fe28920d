"""The local writing assistant through llama-cpp-python on a tiny random-weight GGUF model written
in the test (tests/tiny/gguf_llm.py, Qwen2.5-shaped): loading through the model store, the chat
template from the file, streaming, cancel, token limits, seeds, and a file llama.cpp refuses."""

from __future__ import annotations

import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is the optional extra `writing` (pip install '.[writing]')")
pytest.importorskip("gguf")

from pipelines.writing.chat import ChatRequest, LlamaCppChat, WriterUnavailable, forget_models  # noqa: E402
from studio.actions import plan  # noqa: E402
from studio.actions.writing import open_backend, save_to_item, write  # noqa: E402
from studio.core.assets import ModelUse  # noqa: E402
from studio.core.models import ModelStore  # noqa: E402
from studio.core.project import Project  # noqa: E402
from studio.core.settings import Settings  # noqa: E402
from studio.core.tasks import Cancelled, TaskContext  # noqa: E402
from studio.render.platforms import text_length  # noqa: E402
from tests.tiny.gguf_llm import write_tiny_gguf  # noqa: E402

USE = ModelUse(id="tiny", licence="test", commercial_use=True, role="writing")
ASK = [{"role": "system", "content": "You write scripts."}, {"role": "user", "content": "Write about the sea."}]


@pytest.fixture(scope="module")
def tiny_gguf(tmp_path_factory):
    path = write_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny-qwen2.gguf")
    yield path
    forget_models()


def test_llama_cpp_loads_it_with_the_files_chat_template(tiny_gguf):
    chat = LlamaCppChat(tiny_gguf, USE, "tiny", n_ctx=1024)
    llm = chat.load()
    assert llm.metadata["general.architecture"] == "qwen2"
    assert "<|im_start|>" in llm.metadata["tokenizer.chat_template"]
    assert chat.count_tokens("the sea") > 0
    assert chat.load() is llm  # cached between drafts


def test_streams_at_most_max_tokens_and_a_seed_repeats(tiny_gguf):
    chat = LlamaCppChat(tiny_gguf, USE, "tiny", n_ctx=1024)
    seen = []
    ctx = TaskContext(on_progress=seen.append)
    first = list(chat.stream(ChatRequest(ASK, max_tokens=12, seed=3), ctx))
    assert 0 < chat.stats.chunks == len(first) <= chat.stats.tokens <= 12
    assert chat.stats.finish_reason in ("length", "stop")
    assert seen and seen[-1].total == 12 and seen[-1].step == chat.stats.tokens  # progress = tokens of the budget
    assert "".join(first).isprintable() or "\n" in "".join(first)
    again = list(chat.stream(ChatRequest(ASK, max_tokens=12, seed=3), TaskContext()))
    assert "".join(again) == "".join(first)


def test_cancel_stops_generation_and_the_model_stays_usable(tiny_gguf):
    chat = LlamaCppChat(tiny_gguf, USE, "tiny", n_ctx=1024)
    ctx = TaskContext()
    got = []
    with pytest.raises(Cancelled):
        for delta in chat.stream(ChatRequest(ASK, max_tokens=400, seed=1, temperature=1.0), ctx):
            got.append(delta)
            if len(got) == 3:
                ctx.cancel()
    assert len(got) == 3
    assert list(chat.stream(ChatRequest(ASK, max_tokens=4, seed=1), TaskContext()))  # lock released


def test_cancel_lands_while_llama_cpp_python_holds_text_back(tmp_path):
    """Random high bytes are unfinished UTF-8: llama-cpp-python yields nothing until they decode,
    so a cancel checked only between chunks waited for the whole budget (50 s here)."""
    import threading
    import time

    raw = write_tiny_gguf(tmp_path / "bytes.gguf", ascii_only=False)
    chat = LlamaCppChat(raw, USE, "bytes", n_ctx=1024)
    chat.load()
    ctx = TaskContext()
    threading.Timer(0.5, ctx.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        list(chat.stream(ChatRequest(ASK, max_tokens=400, seed=1, temperature=1.0), ctx))
    assert time.monotonic() - t0 < 5.0 and chat.stats.tokens < 400


def test_full_draft_through_the_model_store_keeps_to_the_limits(tiny_gguf, tmp_path):
    settings = Settings()
    store = ModelStore(settings)
    store.import_file("tiny-writer", tiny_gguf, kind="llm")
    settings.writer_model = "tiny-writer"
    settings.device = "cpu"
    backend = open_backend(settings, store)
    assert isinstance(backend, LlamaCppChat) and backend.n_gpu_layers == 0
    streamed = []
    with Project.create(tmp_path, "Mara") as p:
        p.update_persona(description="A runner", tone="upbeat")
        item = plan.add_item(p, "today", "Dawn run", ["x", "reels"])
        res = write(p, backend, item=item, seconds=8, seed=5, on_text=lambda part, d: streamed.append(part))
        # 8 s at the default 2.5 words/s = 20 words: the script's token budget and the cut follow it
        assert res["target_words"] == 20 and res["chunks"]["script"] <= 20 * 1.15 * 1.8 + 17
        assert res["words"] <= 23
        assert set(streamed) >= {"script", "openings", "upload:x", "upload:reels"}
        assert res["chunks"]["upload:x"] <= 280 // 3 + 60
        for pid, up in res["upload"].items():
            from studio.core.calendar import UploadText

            assert text_length(pid, UploadText(caption=up["caption"], hashtags=up["hashtags"]).text()) <= (
                280 if pid == "x" else 2200)
        assert res["model"]["id"] == "tiny-writer" and "local" in res["backend"]
        saved = save_to_item(p, item.id, res)
        assert saved.drafted_by[0].id == "tiny-writer"


def test_a_file_llama_cpp_refuses_says_so(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(WriterUnavailable, match="llama.cpp cannot load broken.gguf"):
        LlamaCppChat(bad, USE, "bad").load()


def test_cli_writes_with_the_local_model(tiny_gguf, tmp_path, capsys):
    import json

    from studio.cli.main import main

    settings = Settings()
    ModelStore(settings).import_file("tiny-writer", tiny_gguf, kind="llm")
    settings.writer_model = "tiny-writer"
    settings.save()
    Project.create(tmp_path, "Mara").close()
    assert main(["write", "script", str(tmp_path / "Mara.persona"), "the sea", "-s", "6", "--only", "script",
                 "--seed", "2", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["target_words"] == 15 and res["model"]["id"] == "tiny-writer" and res["chunks"]["script"] > 0
    assert main(["write", "models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["llama_cpp"] is True and listed["selected"] == "tiny-writer"
