"""`make gpu-check`: every model-backed pipeline with tiny models on CUDA, a table of pass/fail.

    python -m benchmarks.gpu_check            run every check (benchmarks/gpu_checks/*.py)
    python -m benchmarks.gpu_check sdxl svd   only checks whose name or area contains a word
    python -m benchmarks.gpu_check --list     list the checks (works without a GPU)
    python -m benchmarks.gpu_check --json F   also write the results to F
    python -m benchmarks.gpu_check --device cpu   a dry run of the checks' own code on the CPU
                                                  (float32, CPU providers, no CUDA assertions)

Without a CUDA GPU (or with a CPU build of torch) it says so, lists what it would run and exits 0.
Exit code 1 when any check fails. Timings are wall seconds per check (CUDA synchronised), tiny
models included: they show that the path runs, not how fast real weights are.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/gpu_check.py`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.gpu_checks import CheckEnv, GpuCheck, load_checks, scratch


@dataclass
class Outcome:
    name: str
    area: str
    status: str  # PASS, FAIL, SKIP
    seconds: float
    detail: str


def cuda_reason() -> str | None:
    """Why there is no usable CUDA GPU, or None when there is one."""
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if torch.version.cuda is None:
        return f"torch {torch.__version__} is a CPU build (make install TORCH_SPEC=torch TORCH_INDEX=...cu128)"
    if not torch.cuda.is_available():
        return "no CUDA GPU is visible to torch"
    return None


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def run_check(check: GpuCheck, env: CheckEnv) -> Outcome:
    from pipelines.model_cache import shared_models

    t0 = time.perf_counter()
    try:
        detail = check.run(env) or ""
        _sync()
        status = "PASS"
    except Exception as e:  # noqa: BLE001 - a failing check is a row in the table, not a crash
        status, detail = "FAIL", f"{type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}"
    seconds = time.perf_counter() - t0
    shared_models().clear()  # each check starts from an empty GPU
    return Outcome(check.name, check.area, status, seconds, detail)


def table(rows: list[Outcome]) -> str:
    w = max([len(r.name) for r in rows] + [5])
    lines = [f"{'check':<{w}}  {'area':<8} {'result':<6} {'s':>7}  detail", "-" * (w + 40)]
    for r in rows:
        secs = f"{r.seconds:7.2f}" if r.status != "SKIP" else "      -"
        lines.append(f"{r.name:<{w}}  {r.area:<8} {r.status:<6} {secs}  {r.detail}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    json_out, device = _option(argv, "--json"), _option(argv, "--device") or "cuda"
    argv = [a for i, a in enumerate(argv) if a not in ("--json", "--device")
            and (i == 0 or argv[i - 1] not in ("--json", "--device"))]
    checks = load_checks()
    words = [a for a in argv if not a.startswith("--")]
    if words:
        checks = [c for c in checks if any(w.lower() in (c.name + " " + c.area).lower() for w in words)]
    if "--list" in argv:
        for c in checks:
            print(f"{c.area:<8} {c.name}")
        return 0
    reason = cuda_reason() if device == "cuda" else None
    if reason:
        print(f"gpu-check: skipped, {reason}. {len(checks)} checks need an NVIDIA GPU with a CUDA build of "
              "torch and onnxruntime-gpu (`make gpu`):")
        rows = [Outcome(c.name, c.area, "SKIP", 0.0, "no CUDA GPU") for c in checks]
        print(table(rows))
        _write(json_out, rows, reason)
        return 0
    from pipelines.loading import quiet_libraries

    quiet_libraries()
    import torch

    where = torch.cuda.get_device_name(0) if device == "cuda" else "the CPU (dry run)"
    print(f"gpu-check on {where} (torch {torch.__version__}, CUDA {torch.version.cuda})", flush=True)
    rows = []
    with scratch() as tmp:
        env = CheckEnv(workdir=Path(tmp), device=device)
        for c in checks:
            rows.append(run_check(c, env))
            r = rows[-1]
            print(f"  {r.status} {r.name} ({r.seconds:.2f} s) {r.detail}", flush=True)
    print()
    print(table(rows))
    failed = sum(r.status == "FAIL" for r in rows)
    print(f"\ngpu-check: {len(rows) - failed} passed, {failed} failed")
    _write(json_out, rows, None)
    return 1 if failed else 0


def _option(argv: list[str], name: str) -> str | None:
    if name in argv and argv.index(name) + 1 < len(argv):
        return argv[argv.index(name) + 1]
    return None


def _write(path: str | None, rows: list[Outcome], skipped: str | None) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"skipped": skipped, "checks": [asdict(r) for r in rows]}, fh, indent=2)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
