"""`make gpu-check` includes FLUX.2 [klein], Z-Image and Wan 2.2 in every memory mode; one of the
checks' own code runs here as a CPU dry run (the CUDA assertions need a GPU)."""

from __future__ import annotations


def test_new_pipelines_are_registered_in_every_memory_mode():
    from benchmarks.gpu_checks import load_checks

    names = {c.name: c.area for c in load_checks()}
    for model, area in (("FLUX.2 [klein]", "stills"), ("Z-Image-Turbo", "stills"), ("Wan 2.2 TI2V", "motion")):
        mine = [n for n, a in names.items() if n.startswith(model) and a == area]
        assert any("on GPU" in n for n in mine) and any("offload" in n for n in mine), model
    assert sum("group offload" in n for n in names) >= 3


def test_wan_check_runs_as_a_cpu_dry_run():
    from benchmarks.gpu_check import main

    assert main(["--device", "cpu", "Wan 2.2 TI2V bf16"]) == 0
