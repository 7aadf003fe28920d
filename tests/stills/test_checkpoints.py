"""Checkpoint resolution, refusals, sizes, presets and the shipped SDXL tokenizers."""

from __future__ import annotations

import pytest

from pipelines.sdxl.checkpoint import parse_lora, resolve_model
from pipelines.sdxl.sizes import canvas_for_aspect, resolve_size
from studio.cli.main import main
from studio.core.errors import BadInput, NotFound
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.settings import Settings


def test_missing_and_pickle_checkpoints_are_refused(tmp_path):
    store = ModelStore(Settings.load())
    with pytest.raises(NotFound, match="neither a model id"):
        resolve_model(str(tmp_path / "nope.safetensors"), store)
    ckpt = tmp_path / "old.ckpt"
    ckpt.write_bytes(b"\x80\x04not really")
    with pytest.raises(BadInput, match="pickle"):
        resolve_model(str(ckpt), store)
    assert resolve_model(str(ckpt), store, allow_pickle=True).pickle
    with pytest.raises(NotFound, match="studio models download sdxl-base-1.0"):
        resolve_model("sdxl-base-1.0", store)  # catalogue id, not installed


def test_cli_checkpoint_errors_exit_2(tmp_path, capsys):
    Project.create(tmp_path, "Cli").close()
    proj = str(tmp_path / "Cli.persona")
    assert main(["generate", proj, "x", "--checkpoint", str(tmp_path / "missing.safetensors")]) == 2
    pkl = tmp_path / "m.ckpt"
    pkl.write_bytes(b"x")
    assert main(["generate", proj, "x", "--checkpoint", str(pkl)]) == 2
    err = capsys.readouterr().err
    assert "neither a model id" in err and "pickle" in err and "Traceback" not in err


def test_broken_single_file_gives_a_clear_error(tmp_path):
    from pipelines.device import plan_device
    from pipelines.sdxl.checkpoint import ModelFile
    from pipelines.sdxl.loader import load_txt2img
    from studio.core.errors import StudioError

    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}")
    with pytest.raises(StudioError, match="Could not load the SDXL checkpoint broken.safetensors"):
        load_txt2img(ModelFile("broken", bad, "single-file"), plan_device("cpu"))


def test_sizes_and_aspects():
    assert resolve_size("9:16") == (768, 1344) and resolve_size("4:5") == (896, 1152)
    assert resolve_size(None, "64x40") == (64, 40)
    with pytest.raises(BadInput):
        resolve_size(None, "65x64")
    with pytest.raises(BadInput):
        resolve_size("3:2")
    for fmt, (a, b) in {"9:16": (9, 16), "4:5": (4, 5), "16:9": (16, 9), "1:1": (1, 1)}.items():
        w, h = canvas_for_aspect(1024, 1024, fmt)
        assert w * b == h * a and w >= 1024 and h >= 1024 and w % 8 == 0 and h % 8 == 0


def test_lora_spec_parsing():
    assert parse_lora("my-lora:0.6") == ("my-lora", 0.6)
    assert parse_lora("C:/loras/x.safetensors") == ("C:/loras/x.safetensors", 0.8)
    assert parse_lora("C:/loras/x.safetensors:1.2") == ("C:/loras/x.safetensors", 1.2)


def test_styles_and_prompt(capsys):
    from pipelines.sdxl.styles import build_prompt, get_style, list_styles

    names = {s.name for s in list_styles()}
    assert {"photoreal", "golden-hour", "studio-portrait", "street"} <= names
    prompt, neg = build_prompt("on a bike", "photo of Mara", "lowres", get_style("street"))
    assert prompt.startswith("photo of Mara, on a bike, candid street") and neg.startswith("lowres, posed")
    assert main(["styles"]) == 0
    assert "golden-hour" in capsys.readouterr().out


def test_shipped_sdxl_tokenizers_match_clip_ids():
    from transformers import CLIPTokenizer

    from pipelines.sdxl.loader import sdxl_config_dir

    t1 = CLIPTokenizer.from_pretrained(sdxl_config_dir() / "tokenizer")
    t2 = CLIPTokenizer.from_pretrained(sdxl_config_dir() / "tokenizer_2")
    ids = t1("a photo of a cat").input_ids
    assert ids == [49406, 320, 1125, 539, 320, 2368, 49407]
    assert len(t1) == len(t2) == 49408
    assert t1.pad_token_id == 49407 and t2.pad_token_id == 0
    assert t2("a photo", padding="max_length", max_length=77).input_ids[-1] == 0
