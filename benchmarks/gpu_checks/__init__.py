"""The registry of GPU checks that `make gpu-check` runs (benchmarks/gpu_check.py).

Each check runs one model-backed pipeline through its real code with tiny random-weight models
(tests/tiny/) on CUDA and returns a short detail string, or raises. To add a pipeline (FLUX.2,
Z-Image, Wan, MuseTalk, ...), drop a module in this folder with functions like

    @gpu_check("Wan 2.2 TI2V fp16, model offload", area="motion")
    def wan_offload(env: CheckEnv) -> str:
        ...
        return "17 frames, 0.9 GB peak"

Every module here is imported by `load_checks()`; nothing else needs to change.
"""

from __future__ import annotations

import importlib
import pkgutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any


@dataclass
class CheckEnv:
    """What a check may use: a scratch folder, a model store over it, and shared tiny models."""

    workdir: Path
    device: str = "cuda"
    _made: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def settings(self) -> Any:
        from studio.core.settings import Settings

        return Settings(models_dir=str(self.workdir / "models"), hf_cache=str(self.workdir / "hf-cache"),
                        device=self.device, onnx_provider=self.device)

    @cached_property
    def store(self) -> Any:
        from studio.core.models import ModelStore

        return ModelStore(self.settings)

    def once(self, name: str, make: Callable[[Path], Any]) -> Any:
        """`make(folder)` the first time a check asks for `name`; the same result after that."""
        if name not in self._made:
            folder = self.workdir / name
            folder.mkdir(parents=True, exist_ok=True)
            self._made[name] = make(folder)
        return self._made[name]

    def plan(self, offload: bool = False, vae_tiling: bool = False) -> Any:
        """A CUDA fp16 device plan (forced, not read from the free memory); float32 on a CPU dry run."""
        from pipelines.device import DevicePlan

        dtype = "float16" if self.device == "cuda" else "float32"
        return DevicePlan(self.device, dtype, offload, vae_tiling, "gpu-check")


@dataclass(frozen=True)
class GpuCheck:
    name: str
    area: str
    run: Callable[[CheckEnv], str]


CHECKS: list[GpuCheck] = []


def gpu_check(name: str, area: str) -> Callable[[Callable[[CheckEnv], str]], Callable[[CheckEnv], str]]:
    """Register `fn(env) -> detail` as a GPU check."""

    def register(fn: Callable[[CheckEnv], str]) -> Callable[[CheckEnv], str]:
        CHECKS.append(GpuCheck(name, area, fn))
        return fn

    return register


def load_checks() -> list[GpuCheck]:
    """Import every check module in this package (each registers its checks) and list them."""
    for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{m.name}")
    return list(CHECKS)


def scratch() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="gpu-check-")
