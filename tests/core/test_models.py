"""The model store: finding files in the user's folders, importing, verifying, downloading."""

from __future__ import annotations

import hashlib
import http.server
import threading

import pytest

from studio.core.errors import BadInput, ChecksumMismatch, DownloadFailed, ModelMissing
from studio.core.model_catalog import CATALOG, ModelEntry, ModelSource
from studio.core.models import ModelStore
from studio.core.settings import Settings
from studio.core.tasks import TaskContext

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


def _entry(url: str, sha: str | None = PAYLOAD_SHA, mid: str = "tiny-model") -> ModelEntry:
    return ModelEntry(id=mid, name="Tiny test model", kind="face-swapper", filename="tiny.onnx",
                      source=ModelSource(type="url", url=url), sha256=sha, size=len(PAYLOAD),
                      licence="test", commercial_use=True)


class _RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD with Range support; can be told to drop the connection half-way."""

    drop_after: int | None = None
    requests: list[str] = []

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        _RangeHandler.requests.append(self.headers.get("Range", ""))
        start = 0
        rng = self.headers.get("Range")
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        else:
            self.send_response(200)
        body = PAYLOAD[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if _RangeHandler.drop_after is not None:
            self.wfile.write(body[: _RangeHandler.drop_after])
            _RangeHandler.drop_after = None
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RangeHandler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    _RangeHandler.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _store(tmp_path, *entries, **settings):
    s = Settings(models_dir=str(tmp_path / "models"), **settings)
    return ModelStore(s, catalog=tuple(entries) or CATALOG)


def test_catalogue_has_required_entries_with_licences():
    ids = {e.id for e in CATALOG}
    for needed in ("sdxl-base-1.0", "svd", "svd-xt", "buffalo_l-det", "buffalo_l-rec", "inswapper_128",
                   "wav2lip_gan_96", "gfpgan-1.4", "codeformer", "ip-adapter-faceid-sdxl",
                   "ip-adapter-plus-face-sdxl", "xtts-v2", "piper-en_US-joe-medium", "dlib-face-models",
                   "juggernaut-xl"):
        assert needed in ids
    for e in CATALOG:
        assert e.licence
    non_commercial = {e.id for e in CATALOG if not e.commercial_use}
    assert {"inswapper_128", "buffalo_l-rec", "wav2lip_gan_96", "xtts-v2", "svd", "svd-xt"} <= non_commercial


def test_embedded_defaults_are_found_in_their_packages(tmp_path):
    store = _store(tmp_path)
    dlib_models = store.find("dlib-face-models")
    assert dlib_models and (dlib_models / "models" / "shape_predictor_68_face_landmarks.dat").exists()
    assert store.locate("piper-en_US-joe-medium").status == "present"


def test_finds_model_in_fake_hf_cache_layout(tmp_path):
    cache = tmp_path / "hub"
    repo = cache / "models--stabilityai--stable-video-diffusion-img2vid-xt"
    snap = repo / "snapshots" / ("a" * 40)
    entry = next(e for e in CATALOG if e.id == "svd-xt")
    for f in entry.source.files:
        (snap / f).parent.mkdir(parents=True, exist_ok=True)
        (snap / f).write_text("{}")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    store = _store(tmp_path, hf_cache=str(cache))
    info = store.locate("svd-xt")
    assert info.status == "present" and info.where == "hf-cache" and info.path == snap
    assert store.locate("svd").status == "missing"  # a different repo is not confused with it
    (snap / "unet" / "config.json").unlink()  # an incomplete snapshot does not count
    assert store.locate("svd-xt").status == "missing"


def test_finds_files_in_comfyui_and_a1111_folders(tmp_path):
    comfy = tmp_path / "ComfyUI"
    (comfy / "models" / "insightface").mkdir(parents=True)
    (comfy / "models" / "insightface" / "inswapper_128.onnx").write_bytes(b"x" * 10)
    a1111 = tmp_path / "webui"
    (a1111 / "models" / "insightface" / "models" / "buffalo_l").mkdir(parents=True)
    (a1111 / "models" / "insightface" / "models" / "buffalo_l" / "det_10g.onnx").write_bytes(b"d")
    store = _store(tmp_path, comfyui_dirs=[str(comfy)], a1111_dirs=[str(a1111)])
    assert store.locate("inswapper_128").where == "comfyui"
    assert store.locate("buffalo_l-det").where == "a1111"
    with pytest.raises(ModelMissing, match="studio models download buffalo_l-rec"):
        store.require("buffalo_l-det", "buffalo_l-rec", purpose="Face swap")


def test_import_verifies_sha256(tmp_path):
    good = tmp_path / "tiny.onnx"
    good.write_bytes(PAYLOAD)
    bad = tmp_path / "other.onnx"
    bad.write_bytes(b"not the model")
    store = _store(tmp_path, _entry("http://unused"))
    with pytest.raises(ChecksumMismatch, match="not Tiny test model"):
        store.import_file("tiny-model", bad)
    assert store.find("tiny-model") is None
    dest = store.import_file("tiny-model", good, link=True)
    assert dest.read_bytes() == PAYLOAD
    assert store.verify("tiny-model")[0] == "present"
    dest.write_bytes(b"corrupted on disk")
    status, msg = store.verify("tiny-model")
    assert status == "corrupt" and "studio models download tiny-model" in msg


def test_import_own_checkpoint_creates_user_entry(tmp_path):
    ckpt = tmp_path / "myJuggernautV9.safetensors"
    ckpt.write_bytes(b"weights")
    store = _store(tmp_path)
    with pytest.raises(BadInput, match="--kind"):
        store.import_file("my-ckpt", ckpt)
    store.import_file("my-ckpt", ckpt, kind="sdxl-checkpoint")
    again = _store(tmp_path)  # persisted for the next run
    assert again.entry("my-ckpt").kind == "sdxl-checkpoint"
    assert again.find("my-ckpt").read_bytes() == b"weights"


def test_download_resumes_and_checks_sha256(tmp_path, server):
    store = _store(tmp_path, _entry(server + "/tiny.onnx"))
    _RangeHandler.drop_after = 300_000  # the first attempt breaks off
    with pytest.raises(DownloadFailed):
        store.download("tiny-model")
    part = store.store_path(store.entry("tiny-model")).with_suffix(".onnx.part")
    assert part.exists() and part.stat().st_size > 0
    seen = []
    path = store.download("tiny-model", TaskContext(lambda p: seen.append(p.fraction)))
    assert path.read_bytes() == PAYLOAD
    assert _RangeHandler.requests[-1].startswith("bytes=")  # resumed, not restarted
    assert seen and seen[-1] == pytest.approx(1.0)


def test_download_with_wrong_hash_is_rejected_and_deleted(tmp_path, server):
    store = _store(tmp_path, _entry(server + "/tiny.onnx", sha="0" * 64))
    with pytest.raises(ChecksumMismatch, match="corrupt"):
        store.download("tiny-model")
    assert store.find("tiny-model") is None


def test_download_offline_names_the_file_and_where_to_put_it(tmp_path):
    store = _store(tmp_path, _entry("http://127.0.0.1:9/tiny.onnx"))  # nothing listens on port 9
    with pytest.raises(DownloadFailed) as err:
        store.download("tiny-model", timeout=2)
    msg = str(err.value)
    assert "tiny-model" in msg and str(store.store_path(store.entry("tiny-model"))) in msg
    assert "studio models import tiny-model FILE" in msg


def test_import_only_model_explains_itself(tmp_path):
    store = _store(tmp_path)
    with pytest.raises(BadInput, match="CivitAI"):
        store.download("juggernaut-xl")


def test_model_use_records_licence_commercial_flag_and_hash(tmp_path):
    """Provenance of every asset goes through ModelStore.use: the motion job used to record its
    identity-check models with no licence or commercial flag, and SVD with no sha256."""
    store = ModelStore(Settings(models_dir=str(tmp_path)))
    use = store.use("inswapper_128", "face swap")
    entry = store.entry("inswapper_128")
    assert (use.licence, use.commercial_use, use.role) == (entry.licence, False, "face swap")
    assert use.sha256 is None  # no catalogue hash and not downloaded yet
    store.record_hash("inswapper_128", "ab" * 32)  # what a download or import records
    assert store.use("inswapper_128", "face swap").sha256 == "ab" * 32
    outside = store.use("my-own-restorer", "face restore")  # a file the user gave: kept, marked
    assert outside.id == "my-own-restorer" and "unknown" in outside.licence


def test_folder_entries_with_glob_files_are_found_only_when_complete(tmp_path):
    """Sharded diffusers folders (FLUX.2 klein, Z-Image, Wan) list their weights as globs."""
    from studio.core import hub
    from studio.core.hub import HubFile

    entry = next(e for e in CATALOG if e.id == "flux2-klein-4b")
    store = _store(tmp_path, entry)
    folder = store.store_path(entry)
    for f in ("model_index.json", "scheduler/scheduler_config.json", "tokenizer/tokenizer.json",
              "text_encoder/config.json", "text_encoder/model-00001-of-00002.safetensors",
              "transformer/config.json", "transformer/diffusion_pytorch_model.safetensors", "vae/config.json"):
        (folder / f).parent.mkdir(parents=True, exist_ok=True)
        (folder / f).write_text("x")
    assert store.locate(entry.id).status == "missing"  # no vae weights yet
    (folder / "vae" / "diffusion_pytorch_model.safetensors").write_text("x")
    assert store.locate(entry.id).status == "present"

    listed = ["model_index.json", "flux-2-klein-4b.safetensors", "scheduler/scheduler_config.json",
              "tokenizer/tokenizer.json", "tokenizer/vocab.json", "text_encoder/config.json",
              "text_encoder/model-00001-of-00002.safetensors", "text_encoder/model-00002-of-00002.safetensors",
              "text_encoder/model.safetensors.index.json", "transformer/config.json",
              "transformer/diffusion_pytorch_model.safetensors", "vae/config.json",
              "vae/diffusion_pytorch_model.safetensors"]
    siblings = {p: HubFile(p, 1, None, None) for p in listed}  # the repo's files, as the hub lists them
    files = [f.path for f in hub._wanted(siblings, entry.source.files, entry.source.repo, "0" * 40)]
    assert "flux-2-klein-4b.safetensors" not in files  # the single-file copy is not downloaded
    assert set(files) == set(listed) - {"flux-2-klein-4b.safetensors"}


class _ForbiddenHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_release_url_that_answers_403_says_what_to_do(tmp_path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ForbiddenHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        store = _store(tmp_path, _entry(f"http://127.0.0.1:{httpd.server_address[1]}/tiny.onnx"))
        with pytest.raises(DownloadFailed) as err:
            store.download("tiny-model")
    finally:
        httpd.shutdown()
    msg = str(err.value)
    assert "HTTP 403" in msg and "browser" in msg and str(store.store_path(store.entry("tiny-model"))) in msg
