"""Downloads through huggingface_hub against a loopback hub (tests/hub_server.py): a good
download into the shared cache with every file checked, a gated repo with and without a token,
a file whose bytes differ from the published sha256, offline, the saved token, and verify."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from studio.cli.main import main
from studio.core import hf_token
from studio.core.errors import ChecksumMismatch, DownloadFailed
from studio.core.model_catalog import ModelEntry, ModelSource
from studio.core.models import ModelStore
from studio.core.settings import Settings
from studio.core.tasks import TaskContext
from tests.hub_server import COMMIT, FakeHub, FakeRepo

WEIGHTS = bytes(range(256)) * 2048  # 512 KiB "unet"
CONFIG = b'{"in_channels": 4}'
REPO = "acme/tiny-folder"
GATED = "acme/gated-video"


def _entries() -> tuple[ModelEntry, ...]:
    folder = ModelEntry(id="tiny-folder", name="Tiny folder model", kind="sdxl-checkpoint", layout="folder",
                        source=ModelSource(type="hf", repo=REPO, files=("unet/config.json",
                                                                        "unet/model.fp16.safetensors")),
                        licence="test", commercial_use=True)
    gated = ModelEntry(id="tiny-gated", name="Tiny gated model", kind="svd", filename="weights.safetensors",
                       source=ModelSource(type="hf", repo=GATED, files=("weights.safetensors",)),
                       licence="test (gated)", commercial_use=False)
    shards = ModelEntry(id="tiny-shards", name="Tiny sharded model", kind="video-model", layout="folder",
                        source=ModelSource(type="hf", repo=REPO, files=("unet/*",)),
                        licence="test", commercial_use=True)
    return folder, gated, shards


@pytest.fixture
def hub(monkeypatch, studio_home):
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", False)  # tests run offline except against this server
    monkeypatch.setattr(hc, "HF_TOKEN_PATH", str(studio_home / "hf-login-token"))  # no real login
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with FakeHub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        fake.add(REPO, FakeRepo({"unet/config.json": CONFIG, "unet/model.fp16.safetensors": WEIGHTS},
                                lfs={"unet/model.fp16.safetensors"}))
        fake.add(GATED, FakeRepo({"weights.safetensors": WEIGHTS}, lfs={"weights.safetensors"}, gated=True,
                                 allowed_tokens={"hf_accepted"}))
        yield fake


def _store(tmp_path) -> ModelStore:
    return ModelStore(Settings(models_dir=str(tmp_path / "models")), catalog=_entries())


def test_download_goes_into_the_shared_cache_checked_with_progress(tmp_path, hub, studio_home):
    store = _store(tmp_path)
    seen = []
    path = store.download("tiny-folder", TaskContext(lambda p: seen.append((p.fraction, p.label))))
    cache = studio_home / "hf-cache" / "models--acme--tiny-folder"
    assert path == cache / "snapshots" / COMMIT
    assert (path / "unet" / "model.fp16.safetensors").read_bytes() == WEIGHTS
    assert (cache / "refs" / "main").read_text() == COMMIT  # found by branch, by us and other tools
    assert store.locate("tiny-folder").where == "hf-cache"
    rec = store.hashes.get("tiny-folder")
    assert rec.source == "hub" and rec.files["unet/model.fp16.safetensors"] == hashlib.sha256(WEIGHTS).hexdigest()
    assert store.use("tiny-folder", "checkpoint").sha256 == rec.sha256  # provenance cites the manifest
    assert seen[-1][0] == pytest.approx(1.0) and any("model.fp16.safetensors" in lab for _, lab in seen)
    assert store.verify("tiny-folder")[0] == "present"
    # a second download fetches nothing again
    before = len([r for r in hub.state.requests if r[0] == "GET" and "/resolve/" in r[1]])
    store.download("tiny-folder")
    assert len([r for r in hub.state.requests if r[0] == "GET" and "/resolve/" in r[1]]) == before


def test_pattern_download_takes_every_matching_file(tmp_path, hub):
    store = _store(tmp_path)
    path = store.download("tiny-shards")
    assert sorted(store.hashes.get("tiny-shards").files) == ["unet/config.json", "unet/model.fp16.safetensors"]
    assert store.locate("tiny-shards").path == path


def test_gated_repo_without_token_says_accept_the_licence_and_log_in(tmp_path, hub, capsys, monkeypatch):
    store = _store(tmp_path)
    with pytest.raises(DownloadFailed) as err:
        store.download("tiny-gated")
    msg = str(err.value)
    assert f"accept the licence at https://huggingface.co/{GATED}" in msg and "log in" in msg
    assert "try again later" not in msg.lower()
    # the same through the CLI: one line, no traceback
    import studio.cli.models_cmds as cmds

    monkeypatch.setattr(cmds, "_store", lambda: _store(tmp_path))
    assert main(["models", "download", "tiny-gated"]) == 1
    err_text = capsys.readouterr().err
    assert f"https://huggingface.co/{GATED}" in err_text and "Traceback" not in err_text


def test_gated_repo_with_a_token_that_has_not_accepted_says_so(tmp_path, hub, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_notaccepted")
    with pytest.raises(DownloadFailed) as err:
        _store(tmp_path).download("tiny-gated")
    assert "HF_TOKEN" in str(err.value) and "…pted" in str(err.value) and "hf_notaccepted" not in str(err.value)
    sent = [a for m, p, a in hub.state.requests if "/resolve/" in p]
    assert sent and all(a == "Bearer hf_notaccepted" for a in sent)


def test_saved_token_is_private_and_used(tmp_path, hub, studio_home):
    path = hf_token.save_token("hf_accepted")
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "hf_accepted" not in (studio_home / "config" / "settings.json").read_text() \
        if (studio_home / "config" / "settings.json").exists() else True
    store = _store(tmp_path)
    got = store.download("tiny-gated")
    assert got.read_bytes() == WEIGHTS
    assert hf_token.current_token().source == "settings"
    hf_token.clear_token()
    assert hf_token.current_token() is None


def test_bytes_that_do_not_match_the_published_sha256_are_deleted_and_reported(tmp_path, hub, studio_home):
    hub.state.repos[REPO].tamper["unet/model.fp16.safetensors"] = b"\0" * len(WEIGHTS)
    store = _store(tmp_path)
    with pytest.raises(ChecksumMismatch, match="publishes") as err:
        store.download("tiny-folder")
    assert "deleted" in str(err.value)
    cache = studio_home / "hf-cache" / "models--acme--tiny-folder"
    assert not list(cache.glob("snapshots/*/unet/model.fp16.safetensors"))
    assert not [b for b in cache.glob("blobs/*") if b.read_bytes() == b"\0" * len(WEIGHTS)]
    assert store.locate("tiny-folder").status == "missing"
    del hub.state.repos[REPO].tamper["unet/model.fp16.safetensors"]
    assert store.download("tiny-folder").is_dir()  # the next try downloads it again


def test_offline_names_the_file_and_where_to_put_it(tmp_path, hub, monkeypatch):
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", True)
    store = _store(tmp_path)
    with pytest.raises(DownloadFailed) as err:
        store.download("tiny-folder")
    msg = str(err.value)
    assert "tiny-folder" in msg and f"https://huggingface.co/{REPO}" in msg
    assert str(store.store_path(store.entry("tiny-folder"))) in msg and "studio models import tiny-folder" in msg


def test_verify_finds_a_changed_file_in_a_downloaded_folder(tmp_path, hub):
    store = _store(tmp_path)
    path = store.download("tiny-folder")
    target = (path / "unet" / "model.fp16.safetensors").resolve()
    target.chmod(0o644)
    target.write_bytes(b"bitrot" + WEIGHTS[6:])
    status, msg = store.verify("tiny-folder")
    assert status == "corrupt" and "model.fp16.safetensors" in msg


def test_imported_folder_is_hashed_once_and_reverified(tmp_path):
    src = tmp_path / "mine"
    (src / "unet").mkdir(parents=True)
    (src / "unet" / "config.json").write_bytes(CONFIG)
    (src / "unet" / "model.fp16.safetensors").write_bytes(WEIGHTS)
    store = _store(tmp_path)
    dest = store.import_file("tiny-folder", src)
    rec = store.hashes.get("tiny-folder")
    assert rec.source == "import" and set(rec.files) == {"unet/config.json", "unet/model.fp16.safetensors"}
    assert store.verify("tiny-folder")[0] == "present"
    (dest / "unet" / "config.json").write_text("{}")
    assert store.verify("tiny-folder")[0] == "corrupt"
    (src / "unet" / "config.json").unlink()
    with pytest.raises(Exception, match="lacks unet/config.json"):
        store.import_file("tiny-folder", src)
