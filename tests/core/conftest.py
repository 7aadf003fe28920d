"""Fixtures for the fault tests: small tmpfs mounts (a full disk, a read-only folder)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest


@pytest.fixture
def tmpfs(tmp_path):
    """`mount(size="3m") -> folder`: a fresh tmpfs (unmounted after the test); `readonly(folder)`
    remounts it read-only. Skipped with the reason where this machine cannot mount (not root, no
    CAP_SYS_ADMIN, a container without mount rights)."""
    mounted: list[Path] = []

    class Mounts:
        def mount(self, size: str = "3m") -> Path:
            where = tmp_path / f"tmpfs-{uuid.uuid4().hex[:6]}"
            where.mkdir()
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                pytest.skip(f"cannot mount a tmpfs here ({(r.stderr or r.stdout).strip() or r.returncode}); "
                            "these fault tests need root with mount rights")
            mounted.append(where)
            return where

        def readonly(self, where: Path) -> None:
            r = subprocess.run(["mount", "-o", "remount,ro", str(where)], capture_output=True, text=True)
            if r.returncode != 0:
                pytest.skip(f"cannot remount the tmpfs read-only ({r.stderr.strip()})")

    yield Mounts()
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
