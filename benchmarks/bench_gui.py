"""GUI: cold start to the first paint, and the longest main-thread stall while a real job runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from benchmarks.common import Result

ROOT = Path(__file__).resolve().parents[1]

_COLD = textwrap.dedent("""
    import time, json, sys
    t0 = float(sys.argv[1])
    from PySide6.QtCore import QObject, QEvent
    from PySide6.QtWidgets import QApplication
    from studio.gui import theme
    from studio.gui.main_window import MainWindow
    app = QApplication([])
    theme.apply(app)
    w = MainWindow()
    painted = []
    class Spy(QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Paint and not painted:
                painted.append(time.time() - t0)
                app.quit()
            return False
    spy = Spy()
    w.installEventFilter(spy)
    w.show()
    app.exec()
    print(json.dumps({"first_paint": painted[0] if painted else None}))
""")

_STALL = textwrap.dedent("""
    import time, json
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from studio.core.project import Project
    from studio.gui import theme
    from studio.gui.main_window import MainWindow
    app = QApplication([])
    theme.apply(app)
    w = MainWindow()
    w.show()
    folder = Project.create(__import__("sys").argv[1], "Bench")
    folder.close()
    w.open_project(folder.path)
    w.show_panel("voice")
    warm_mode = __import__("sys").argv[2] == "warm"
    gaps, last = [], [time.perf_counter()]
    warm_gap = [0.0]
    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    done, per_run = [], []
    def finished(job):
        done.append(job.state.value)
        per_run.append(max(gaps[1:]) if len(gaps) > 1 else 0.0)
        if len(done) == 2:
            app.quit()
        else:  # a second run: the worker's imports (scipy, onnxruntime) are warm now
            gaps.clear()
            last[0] = time.perf_counter()
            w.jobs.start(w.session.project, "narrate", {"text": script}, "bench narration 2")
    w.jobs.finished.connect(finished)
    script = " ".join(["The studio keeps the window responsive while the voice is synthesised."] * 6)
    def start():
        gaps.clear()
        last[0] = time.perf_counter()
        timer.start()
        w.jobs.start(w.session.project, "narrate", {"text": script}, "bench narration")
    if warm_mode:  # as `studio gui` does: heavy imports in the background after the window shows
        from studio.gui.warmup import schedule_warm_up
        warm = schedule_warm_up(200)
        QTimer.singleShot(200, w.jobs.warm_up_process)  # the first job process, as app.py starts it
        poll = QTimer()
        poll.setInterval(20)
        def check():
            if warm.done.is_set():
                poll.stop()
                warm_gap[0] = max(gaps[1:]) if len(gaps) > 1 else 0.0
                start()
        poll.timeout.connect(check)
        QTimer.singleShot(150, lambda: (last.__setitem__(0, time.perf_counter()), timer.start(), poll.start()))
    else:
        QTimer.singleShot(200, start)
    app.exec()
    timer.stop()
    w.close()
    print(json.dumps({"cold_gap": per_run[0], "max_gap": per_run[1], "warm_up_gap": warm_gap[0],
                      "ticks": len(gaps), "state": done[-1]}))
""")


def _run(code: str, *args: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as home:
        env["PERSONA_STUDIO_HOME"] = home
        r = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(r.stderr[-2000:])
        return json.loads(r.stdout.strip().splitlines()[-1])


def run() -> list[Result]:
    import time

    starts = []
    for _ in range(3):
        starts.append(_run(_COLD, repr(time.time()))["first_paint"])
    cold = min(starts)
    with tempfile.TemporaryDirectory() as tmp:
        bare = _run(_STALL, tmp, "bare")
    with tempfile.TemporaryDirectory() as tmp:
        stall = _run(_STALL, tmp, "warm")
    ms = lambda gap: gap * 1000 - 5  # noqa: E731 - the 5 ms timer period is not a stall
    return [
        Result("gui cold start to first paint", cold, "s", "≤ 1.5 s", cold <= 1.5,
               f"best of 3 (all: {', '.join(f'{s:.2f}' for s in starts)})"),
        Result("gui main-thread stall during a narrate job", ms(stall["max_gap"]), "ms", "≤ 50 ms",
               ms(stall["max_gap"]) <= 50, f"5 ms timer, {stall['ticks']} ticks, job {stall['state']} (2nd run)"),
        Result("gui stall during the first job of a session", ms(stall["cold_gap"]), "ms", "≤ 50 ms",
               ms(stall["cold_gap"]) <= 50, "after the start-up warm-up, as `studio gui` runs"),
        Result("gui stall during the start-up warm-up (idle)", ms(stall["warm_up_gap"]), "ms", "",
               None, "scipy/cv2/dlib imported on a background thread; torch & co. in the job process"),
        Result("gui stall during the first job, no warm-up", ms(bare["cold_gap"]), "ms", "",
               None, f"the job process starts cold; 2nd run {ms(bare['max_gap']):.0f} ms"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r.line())
