"""Downloads from plain release URLs (FaceFusion / insightface assets on GitHub), which
huggingface_hub cannot fetch: resumed from a `.part` file, progress through a TaskContext, and
the finished file checked against a sha256 before it is moved into place.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from .assets import sha256_file
from .errors import ChecksumMismatch, DownloadFailed
from .tasks import TaskContext


def fetch(url: str, dest: Path, ctx: TaskContext, timeout: float, label: str) -> None:
    """GET `url` into `dest`, resuming from `dest.part` when the server honours Range."""
    import requests

    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with requests.get(url, stream=True, timeout=timeout, headers=headers, allow_redirects=True) as r:
        if r.status_code == 416:  # the part file is already complete
            os.replace(part, dest)
            return
        if r.status_code in (401, 403):
            raise DownloadFailed(
                f"{url} answered HTTP {r.status_code} (not allowed): the file may have moved or need a "
                f"login. Download it in a browser and put it at {dest} (or `studio models import`)."
            )
        if r.status_code not in (200, 206):
            raise DownloadFailed(f"{url} answered HTTP {r.status_code}. Try again later, or download it by hand to {dest}.")
        if r.status_code == 200:
            have = 0  # the server ignored the range: start over
        total = have + int(r.headers.get("Content-Length", 0) or 0)
        with open(part, "ab" if have else "wb") as fh:
            done = have
            for chunk in r.iter_content(chunk_size=1 << 16):
                fh.write(chunk)
                done += len(chunk)
                ctx.progress(done, total or done, label)
    os.replace(part, dest)


def check_sha256(path: Path, expected: str | None, what: str) -> str:
    """The file's sha256; a mismatch with `expected` deletes the file and raises ChecksumMismatch."""
    digest = sha256_file(path)
    if expected and digest != expected:
        path.unlink()
        raise ChecksumMismatch(
            f"The downloaded {what} is corrupt (sha256 {digest[:12]}…, expected {expected[:12]}…); "
            "it was deleted. Run the download again."
        )
    return digest


def download(url: str, dest: Path, ctx: TaskContext, timeout: float, *, archive_member: str | None,
             downloads_dir: Path, expected_sha256: str | None, what: str) -> str:
    """Fetch `url` (or the member of the zip it points to) to `dest`; returns the checked sha256."""
    if archive_member:
        archive = downloads_dir / Path(url).name
        if not archive.exists():
            fetch(url, archive, ctx, timeout, f"Downloading {archive.name}")
        with zipfile.ZipFile(archive) as zf:
            member = next((n for n in zf.namelist() if Path(n).name == archive_member), None)
            if member is None:
                raise DownloadFailed(f"{archive} has no {archive_member}; delete it and download again.")
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".part")
            with zf.open(member) as fin, open(tmp, "wb") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)
        digest = check_sha256(tmp, expected_sha256, what)
        os.replace(tmp, dest)
        return digest
    fetch(url, dest, ctx, timeout, f"Downloading {dest.name}")
    return check_sha256(dest, expected_sha256, what)
