"""`make gpu-check` on a machine without a GPU: it says so, lists every registered check and exits
0; the registry finds the check modules; the ONNX checks' own code runs as a CPU dry run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_skips_cleanly_without_a_gpu_and_lists_every_check(tmp_path):
    out = tmp_path / "gpu.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": ""}
    run = subprocess.run([sys.executable, "-m", "benchmarks.gpu_check", "--json", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "gpu-check: skipped" in run.stdout and "Traceback" not in run.stderr
    doc = json.loads(out.read_text())
    names = [c["name"] for c in doc["checks"]]
    assert doc["skipped"] and all(c["status"] == "SKIP" for c in doc["checks"])
    for needed in ("SDXL model CPU offload + VAE tiling", "SDXL single-file", "SVD fp16 on GPU, chunked VAE decode",
                   "SCRFD", "Wav2Lip", "plus-face under model offload", "FaceID", "MuseTalk 1.5 fp16"):
        assert any(needed in n for n in names), needed


def test_registry_and_a_cpu_dry_run_of_the_onnx_checks():
    from benchmarks.gpu_check import main
    from benchmarks.gpu_checks import load_checks

    checks = load_checks()
    assert len({c.name for c in checks}) == len(checks) >= 12
    assert {"stills", "motion", "faces", "lipsync"} <= {c.area for c in checks}
    assert main(["--device", "cpu", "onnxruntime"]) == 0  # real graphs, real session code, CPU provider
