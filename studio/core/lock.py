"""A lock file that stops two processes from writing one project.

The lock holds the owner's pid and host. A lock whose process is gone (crash, kill) is stale and
is taken over, so a crash never locks a user out of their project.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """True if a process with `pid` exists on this machine."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LockInfo(dict):
    @property
    def description(self) -> str:
        return f"process {self.get('pid')} on {self.get('host')} (since {self.get('since')})"


class ProjectLock:
    """An exclusive, crash-safe lock file."""

    def __init__(self, path: Path):
        self.path = path
        self.held = False

    def owner(self) -> LockInfo | None:
        try:
            return LockInfo(json.loads(self.path.read_text("utf-8")))
        except (FileNotFoundError, ValueError, OSError):
            return None

    def _stale(self, info: LockInfo | None) -> bool:
        if info is None:
            return True
        if info.get("host") != socket.gethostname():
            return False  # cannot check another machine's process; trust the lock
        return not pid_alive(int(info.get("pid", -1)))

    def acquire(self) -> bool:
        """Take the lock; False if a live process holds it."""
        payload = json.dumps(
            {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        ).encode()
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                info = self.owner()
                if info is not None and int(info.get("pid", -1)) == os.getpid() and info.get(
                    "host"
                ) == socket.gethostname():
                    return False  # held by another Project object in this same process
                if self._stale(info):
                    try:
                        self.path.unlink()
                    except FileNotFoundError:
                        pass
                    continue
                return False
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            self.held = True
            return True
        return False

    def release(self) -> None:
        if self.held:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
            self.held = False
