"""The install is locked: what `make install` put in the venv is what constraints.txt says."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text("utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: '{line}' is not NAME==VERSION"
            pins[_norm(name)] = version
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _direct() -> list[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    reqs = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    return sorted({_norm(re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0]) for r in reqs})


def test_every_direct_dependency_is_locked_and_installed_at_that_version():
    pins = _lock()
    wrong = []
    for name in _direct():
        if name == "torch":  # pinned by the Makefile (TORCH_SPEC), CPU or CUDA build
            continue
        if name not in pins:
            wrong.append(f"{name}: not in constraints.txt (run `make lock`)")
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: locked at {pins[name]} but not installed")
            continue
        if installed != pins[name]:
            wrong.append(f"{name}: installed {installed}, locked {pins[name]}")
    assert not wrong, "\n".join(wrong)


def test_the_lock_pins_exact_versions_only():
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", v) for v in _lock().values())
