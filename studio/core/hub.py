"""Downloads from the Hugging Face Hub, through huggingface_hub, into the shared hub cache.

One download = the repo's file list with the hashes the hub publishes (`model_info(...,
files_metadata=True)`: LFS sha256 for weights, git blob ids for small files) at one commit, then
`hf_hub_download` per file at that commit (the user's token, the hub cache other tools share,
resumed after network drops; files already in the cache are not fetched again), each file
checked against its published hash before it is used. A file that does not match is deleted
from the cache and reported. Errors become one-line `DownloadFailed` messages that say what to
do: accept a gated licence, fix a token, or download by hand and where to put the file.

`HF_ENDPOINT` is read at call time (huggingface_hub reads it once, at import), so a mirror or a
test server can be set per process.
"""

from __future__ import annotations

import fnmatch
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .assets import sha256_file
from .errors import ChecksumMismatch, DownloadFailed
from .hf_token import Token, current_token
from .model_hashes import git_blob_sha1
from .tasks import Cancelled, TaskContext

HUB = "https://huggingface.co"


@dataclass(frozen=True)
class HubFile:
    """One file of a repo at a commit, with the hash the hub publishes for it."""

    path: str
    size: int
    sha256: str | None  # LFS files
    blob_id: str | None  # git object id (small files)


@dataclass(frozen=True)
class HubDownload:
    """What a finished download gives the store."""

    commit: str
    snapshot: Path  # the cache's snapshot folder of that commit
    files: dict[str, str]  # path -> sha256 (checked)


def endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "").rstrip("/") or HUB


def repo_page(repo: str) -> str:
    """Where a person accepts a gated repository's licence (always the real hub's page)."""
    return f"{HUB}/{repo}"


def _is_glob(name: str) -> bool:
    return any(c in name for c in "*?[")


def _wanted(siblings: dict[str, HubFile], files: tuple[str, ...], repo: str, commit: str) -> list[HubFile]:
    """The catalogue's files (globs expanded, e.g. sharded weights); every repo file if none named."""
    chosen: dict[str, HubFile] = {}
    missing = []
    for f in files or ("*",):
        hits = sorted(p for p in siblings if fnmatch.fnmatchcase(p, f)) if _is_glob(f) else [f] * (f in siblings)
        if not hits:
            missing.append(f)
        chosen.update((p, siblings[p]) for p in hits)
    if missing:
        raise DownloadFailed(
            f"{repo} has no {', '.join(missing)} at commit {commit[:12]}: the catalogue entry is out of "
            "date. Update Persona Studio, or download the model by hand and import it."
        )
    return list(chosen.values())


def repo_files(repo: str, revision: str, files: tuple[str, ...] = (),
               token: Token | None = None) -> tuple[str, list[HubFile]]:
    """(commit, files) of `repo` at `revision`: the named files (globs allowed), or all of them."""
    from huggingface_hub import HfApi

    info = HfApi(endpoint=endpoint()).model_info(repo, revision=revision, files_metadata=True,
                                                 token=_token_arg(token))
    siblings = {
        s.rfilename: HubFile(s.rfilename, int(s.size or 0), s.lfs.sha256 if s.lfs else None, s.blob_id)
        for s in info.siblings or []
    }
    return info.sha, _wanted(siblings, files, repo, info.sha)


def _token_arg(token: Token | None) -> str | bool:
    # False, not None: None would let huggingface_hub look for a token again on its own
    return token.value if token else False


def progress_bar_class(on_bytes: Callable[[int], None]) -> type:
    """A tqdm class for huggingface_hub's `tqdm_class`: silent, it reports bytes to `on_bytes`."""
    from tqdm import tqdm

    class _ToTask(tqdm):
        def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003 - tqdm's signature
            kwargs.pop("name", None)
            kwargs["disable"] = True  # nothing printed: our own bar shows it
            super().__init__(*args, **kwargs)
            self.bytes_done = int(kwargs.get("initial") or 0)

        def update(self, n: float | None = 1) -> bool | None:
            self.bytes_done += int(n or 0)
            on_bytes(self.bytes_done)
            return None

    return _ToTask


def _check(path: Path, f: HubFile) -> str:
    """sha256 of the downloaded file, after checking it against what the hub publishes."""
    digest = sha256_file(path)
    if f.sha256:
        ok, want, got = digest == f.sha256, f.sha256, digest
    elif f.blob_id:
        got = git_blob_sha1(path)
        ok, want = got == f.blob_id, f.blob_id
    else:  # the hub published nothing for it (should not happen): keep the measured hash
        return digest
    if not ok:
        blob = path.resolve()
        path.unlink(missing_ok=True)
        if blob != path:
            blob.unlink(missing_ok=True)
        kind = "sha256" if f.sha256 else "git blob id"
        raise ChecksumMismatch(
            f"{f.path}: the downloaded bytes have {kind} {got[:12]}…, but the hub publishes {want[:12]}…; "
            "the file was deleted. Run the download again (a proxy or a broken disk can cause this)."
        )
    return digest


def download(repo: str, revision: str, files: tuple[str, ...], cache_dir: Path, ctx: TaskContext,
             what: str, manual_hint: str) -> HubDownload:
    """Download and check the files; `what` names the model and `manual_hint` says where a
    hand-downloaded copy goes, for the error messages."""
    from huggingface_hub import hf_hub_download

    token = current_token()
    caller = threading.current_thread()
    try:
        commit, wanted = repo_files(repo, revision, files, token)
        total = sum(f.size for f in wanted) or 1
        done = 0
        hashes: dict[str, str] = {}
        snapshot: Path | None = None
        for f in wanted:
            label = f"{f.path} ({_gb(done)} of {_gb(total)})"

            def on_bytes(n: int, base: int = done, size: int = f.size, label: str = label) -> None:
                if threading.current_thread() is caller:  # xet reports from its own threads
                    ctx.progress(base + min(n, size or n), total, label)

            ctx.progress(done, total, label)
            local = hf_hub_download(
                repo, f.path, revision=commit, cache_dir=str(cache_dir), token=_token_arg(token),
                endpoint=endpoint(), tqdm_class=progress_bar_class(on_bytes),
            )
            ctx.raise_if_cancelled()
            path = Path(local)
            hashes[f.path] = _check(path, f)
            snapshot = Path(str(path)[: -len(f.path)].rstrip("/\\"))
            done += f.size
        ctx.progress(total, total, "checked")
    except (ChecksumMismatch, DownloadFailed, Cancelled):
        raise
    except Exception as e:  # noqa: BLE001 - every hub/network failure becomes one message
        raise hub_error(e, repo, what, manual_hint, token) from e
    assert snapshot is not None
    if revision != commit:  # like huggingface_hub, so other tools find this snapshot by branch
        ref = cache_dir / ("models--" + repo.replace("/", "--")) / "refs" / revision
        ref.parent.mkdir(parents=True, exist_ok=True)
        ref.write_text(commit)
    return HubDownload(commit, snapshot, hashes)


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def _status(e: BaseException) -> int | None:
    resp = getattr(e, "response", None)
    return getattr(resp, "status_code", None)


def _is_offline(e: BaseException) -> bool:
    from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled

    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, (LocalEntryNotFoundError, OfflineModeIsEnabled, ConnectionError, TimeoutError)):
            return True
        name = type(seen).__name__
        if name in ("ConnectError", "ConnectTimeout", "ReadTimeout", "TimeoutException", "RemoteProtocolError",
                    "NetworkError"):
            return True  # httpx-style transport errors (not OSError subclasses)
        seen = seen.__cause__ or seen.__context__
    return False


def hub_error(e: BaseException, repo: str, what: str, manual_hint: str, token: Token | None) -> DownloadFailed:
    """The one-line message for a failed hub download."""
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    page = repo_page(repo)
    login = ("log in with `hf auth login`, or paste a token (huggingface.co/settings/tokens) into "
             "Settings ▸ Hugging Face token or `studio models login`, or set HF_TOKEN")
    status = _status(e)
    if isinstance(e, GatedRepoError):
        if token is None:
            return DownloadFailed(
                f"{what} comes from a gated repository: accept the licence at {page}, then {login}, "
                "and run the download again."
            )
        return DownloadFailed(
            f"{what} comes from a gated repository and {token.describe()} has no access yet: accept the "
            f"licence at {page} with that account (or use a token of the account that did), then run the "
            "download again."
        )
    if isinstance(e, RevisionNotFoundError | RemoteEntryNotFoundError):
        return DownloadFailed(f"{repo} no longer has what the catalogue names for {what} ({e}). "
                              f"Update Persona Studio, or download it by hand and {manual_hint}.")
    if isinstance(e, RepositoryNotFoundError) or status == 401:
        if token is not None and status == 401:
            return DownloadFailed(f"The hub refused {token.describe()} for {what} (expired or mistyped?): "
                                  f"make a new one at huggingface.co/settings/tokens, then {login}.")
        return DownloadFailed(f"{repo} was not found or is private ({what}); check the repository at {page}, "
                              f"or {login} if it is yours.")
    if status == 403:
        return DownloadFailed(f"The hub does not allow {'this token' if token else 'anonymous downloads'} to read "
                              f"{repo} ({what}): open {page} to see why, then {login}.")
    if _is_offline(e):
        return DownloadFailed(
            f"Could not download {what}: no connection to {endpoint()} (offline?). Run the download again "
            f"when online (finished files are kept), or download it by hand from {page} and {manual_hint}."
        )
    if isinstance(e, HfHubHTTPError) and status and status >= 500:
        return DownloadFailed(f"The hub answered HTTP {status} for {what}: it is having trouble. Try again "
                              f"in a few minutes (finished files are kept).")
    detail = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
    return DownloadFailed(f"Could not download {what}: {detail}. Try again, or download it by hand from "
                          f"{page} and {manual_hint}.")
