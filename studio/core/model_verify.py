"""`studio models verify`: every model file re-hashed and compared with what was recorded.

Single files are compared with the catalogue's sha256 or the one recorded at download/import;
folders file by file with the manifest recorded at download/import. A model never hashed before
(found in a cache or folder we did not fill) is hashed now and recorded; files in the Hugging
Face cache are also checked against the hash their cache entry is named after.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .assets import sha256_file
from .model_hashes import folder_files, git_blob_sha1, hash_folder, manifest_digest

if TYPE_CHECKING:
    from .models import ModelInfo, ModelStore, Status


def verify(store: ModelStore, model_id: str) -> tuple[Status, str]:
    """Full sha256 check against what was recorded at download/import. Returns (status, message).

    A model never hashed before (found in a cache or folder we did not fill) is hashed now and
    recorded; files in the Hugging Face cache are also checked against the hash their cache
    entry is named after (the hub's LFS sha256 or git blob id).
    """
    info = store.locate(model_id)
    if info.path is None:
        return "missing", f"{model_id}: not found. {store.how_to_get(model_id)}"
    if info.where == "package":
        return "present", f"{model_id}: present at {info.path} ({info.where})"
    if info.entry.layout == "folder":
        return _verify_folder(store, model_id, info)
    expected = store.expected_sha256(model_id)
    digest = sha256_file(info.path)
    published = _hub_cache_hash(info.path, digest)
    if (expected and digest != expected) or published is False:
        want = f"{expected[:12]}…" if expected else "the hash the hub published for it"
        return "corrupt", (
            f"{model_id}: {info.path} has sha256 {digest[:12]}…, expected {want}. "
            f"Delete it and run `studio models download {model_id}`."
        )
    if not expected:
        store.record_hash(model_id, digest, "hub" if published else "first-use")
    return "present", f"{model_id}: OK ({info.path}, sha256 {digest[:12]}…)"


def _verify_folder(store: ModelStore, model_id: str, info: ModelInfo) -> tuple[Status, str]:
    assert info.path is not None
    rec = store.hashes.get(model_id)
    if rec is not None and rec.files:
        bad = [n for n, want in rec.files.items()
               if not (info.path / n).is_file() or sha256_file(info.path / n) != want]
        if bad:
            return "corrupt", (
                f"{model_id}: {len(bad)} of {len(rec.files)} files changed or missing in {info.path} "
                f"({', '.join(bad[:3])}{'…' if len(bad) > 3 else ''}). Run `studio models download "
                f"{model_id}` again (or import the folder again)."
            )
        return "present", f"{model_id}: OK ({info.path}, {len(rec.files)} files, recorded at {rec.source})"
    names = list(info.entry.source.files) or folder_files(info.path)
    files = hash_folder(info.path, names)
    wrong = [n for n in names if _hub_cache_hash(info.path / n, files[n]) is False]
    if wrong:
        return "corrupt", (f"{model_id}: {', '.join(wrong[:3])} in {info.path} do not match the hub's "
                           f"hash. Run `studio models download {model_id}` again.")
    from_hub = all(_hub_cache_hash(info.path / n, files[n]) for n in names)
    store.record_hash(model_id, manifest_digest(files), "hub" if from_hub else "first-use", files)
    return "present", f"{model_id}: OK ({info.path}, {len(files)} files hashed and recorded)"


def _hub_cache_hash(path: Path, sha256: str) -> bool | None:
    """Whether a file in the Hugging Face cache matches the hash its blob is named after.

    The cache stores each file as blobs/<etag>; for LFS files the etag is the sha256, for small
    files the git blob id. None when `path` is not such a cache link (or the name is neither).
    """
    try:
        blob = path.resolve()
    except OSError:
        return None
    if blob == path.absolute() or blob.parent.name != "blobs":
        return None
    name = blob.name
    if len(name) == 64:
        return name == sha256
    if len(name) == 40:
        return name == git_blob_sha1(blob)
    return None
