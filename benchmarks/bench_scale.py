"""Scale: a persona after years of work (5,000 assets, 300 posts, 1,000 jobs) opens, saves and
lists fast, in the CLI and in the window (issue 16 item 7).

Goals: open ≤ 1 s, save ≤ 50 ms, the window's asset bin painted ≤ 200 ms after it is filled.
Each line gives the wall time and the CPU time of the measuring process: on a shared, loaded
machine wall time is the CPU time stretched by the other processes; the CPU time is what the
code costs, and what a quiet machine's wall time comes close to. `ok` is judged on the CPU time,
and the machine's load average is printed with it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchmarks.common import Result

ROOT = Path(__file__).resolve().parents[1]
ASSETS, POSTS, JOBS = 5000, 300, 1000


def _timed(fn, repeat: int = 3) -> tuple[float, float]:
    """Best (wall, cpu) seconds of `repeat` runs."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu


def _result(name: str, wc: tuple[float, float], goal_s: float | None, unit: str = "ms", extra: str = "") -> Result:
    wall, cpu = wc
    scale = 1000 if unit == "ms" else 1
    goal = f"≤ {goal_s * scale:g} {unit} CPU" if goal_s is not None else ""
    detail = f"wall {wall * scale:.0f} {unit}" if unit == "ms" else f"wall {wall:.2f} s"
    detail += f"; {extra}" if extra else ""
    return Result(name, cpu * scale, unit, goal, (cpu <= goal_s) if goal_s is not None else None, detail)


#: the window: open the project, time the asset bin's refresh to its first paint, and the longest
#: main-thread stall (5 ms timer) over the 3 s after opening while thumbnails fill in
_WINDOW = textwrap.dedent("""
    import json, sys, time
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication
    from studio.gui import theme
    from studio.gui.main_window import MainWindow
    from studio.gui.warmup import schedule_warm_up
    app = QApplication([])
    theme.apply(app)
    w = MainWindow()
    w.resize(1600, 1000)
    w.show()
    warm = schedule_warm_up(0)  # as `studio gui` does: heavy imports off the main thread first
    while not warm.done.is_set():
        app.processEvents()
        time.sleep(0.01)
    w.show_panel("assets")  # the bin may share a tab with the jobs dock: bring it to the front
    bin_ = w.asset_bin
    marks = {}
    class Spy(QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Paint and "painted" not in marks and "filled" in marks:
                marks["painted"] = time.perf_counter()
                marks["painted_cpu"] = time.process_time()
            return False
    spy = Spy()
    bin_.list.viewport().installEventFilter(spy)
    # the bin's refresh starts by clearing its list and ends by resetting its thumbnail queue
    real_clear, real_reset = bin_.list.clear, bin_.list.reset_items
    def clear():
        if "refresh" not in marks and bin_.session.project is not None:
            marks["refresh"], marks["refresh_cpu"] = time.perf_counter(), time.process_time()
        real_clear()
    def reset_items():
        real_reset()
        if "refresh" in marks:
            marks.setdefault("filled", time.perf_counter())
    bin_.list.clear, bin_.list.reset_items = clear, reset_items
    gaps, last = [], [0.0]
    def tick():
        now = time.perf_counter()
        gaps.append((now - last[0], now - t0))
        last[0] = now
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    t0 = time.perf_counter(); c0 = time.process_time()
    w.open_project(sys.argv[1])
    opened, opened_cpu = time.perf_counter() - t0, time.process_time() - c0
    last[0] = time.perf_counter()
    timer.start()
    seen = {}
    def stop():
        seen.update(thumbs=len(bin_.list._thumbed), items=bin_.list.count())
        app.quit()
    QTimer.singleShot(3000, stop)
    app.exec()
    worst = max(gaps[1:]) if len(gaps) > 1 else (0.0, 0.0)
    print(json.dumps({"open_in_window": opened, "open_in_window_cpu": opened_cpu,
                      "bin_paint": marks["painted"] - marks["refresh"],
                      "bin_paint_cpu": marks["painted_cpu"] - marks["refresh_cpu"],
                      "bin_fill": marks["filled"] - marks["refresh"],
                      "max_gap": worst[0], "max_gap_at": worst[1], **seen}))
""")


def _window(folder: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as home:
        env["PERSONA_STUDIO_HOME"] = home
        r = subprocess.run([sys.executable, "-c", _WINDOW, str(folder)], env=env, capture_output=True, text=True,
                           timeout=600)
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-2000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def run() -> list[Result]:
    from benchmarks.scale_project import build
    from studio.cli.main import main
    from studio.core.assets import Provenance
    from studio.core.jobs import JobQueue
    from studio.core.project import Project

    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        folder = build(tmp, ASSETS, POSTS, JOBS)
        size = (folder / "project.json").stat().st_size / 2**20
        results.append(Result(f"scale project built ({ASSETS} assets, {POSTS} posts, {JOBS} jobs)",
                              time.perf_counter() - t0, "s", detail=f"project.json {size:.1f} MB"))
        results.append(_result("open (5,000 assets)", _timed(lambda: Project.open(folder).close()), 1.0, "s",
                               load))
        results.append(_result("open read-only", _timed(lambda: Project.open(folder, read_only=True).close()),
                               1.0, "s"))
        with Project.open(folder) as p:
            p.save()  # the first save makes each timeline's JSON once
            results.append(_result("save (5,000 assets)", _timed(p.save, 5), 0.05, extra=load))
            def register() -> None:
                f = p.stage(".txt")
                f.write_text("x")
                p.register(f, "audio", Provenance(pipeline="bench"))

            results.append(_result("register one asset (moves + saves)", _timed(register, 3), 0.05))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            info = _timed(lambda: main(["info", str(folder)]), 2)
        results.append(_result("studio info (lists 5,000 assets with verdicts)", info, 1.5, "s"))
        queue = JobQueue(folder / "jobs")
        from studio.core import jobs as jobs_mod

        def cold() -> None:
            jobs_mod._PARSED.clear()
            queue.list()

        results.append(_result("jobs list (1,000 jobs, first read)", _timed(cold, 2), 0.5, "s"))
        results.append(_result("jobs list again (the window polls it each second)", _timed(queue.list, 3), 0.05))
        win = _window(folder)
        results.append(Result("window: open the project (main thread)", win["open_in_window_cpu"] * 1000, "ms",
                              "", None, f"wall {win['open_in_window'] * 1000:.0f} ms; includes Project.open"))
        results.append(Result("window: asset bin refresh to first paint", win["bin_paint_cpu"] * 1000, "ms",
                              "≤ 200 ms CPU", win["bin_paint_cpu"] <= 0.2,
                              f"wall {win['bin_paint'] * 1000:.0f} ms (the other panels' refreshes run before the "
                              f"paint); {win['items']} tiles listed in {win['bin_fill'] * 1000:.0f} ms; {load}"))
        results.append(Result("window: longest stall in the 3 s after opening", win["max_gap"] * 1000 - 5, "ms",
                              "≤ 50 ms", win["max_gap"] * 1000 - 5 <= 50,
                              f"wall, 5 ms timer, at {win['max_gap_at']:.2f} s; {win['thumbs']} thumbnails in view "
                              f"filled in meanwhile; {load}"))
    return results


if __name__ == "__main__":
    for r in run():
        print(r.line())
