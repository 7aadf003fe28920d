"""Start the window: `studio` with no command, or `studio gui [PROJECT] [--screenshot] [--panel]`."""

from __future__ import annotations

import sys
from pathlib import Path


def run_gui(project_path: str | None, screenshot: str | None = None, panel: str | None = None,
            size: tuple[int, int] | None = None) -> int:
    """Open the main window (optionally on a project and panel); with `screenshot`, save a PNG of
    it and exit. Returns the process exit code."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from . import theme
    from .errors import show_error
    from .main_window import MainWindow
    from .warmup import schedule_warm_up

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Persona Studio")
    app.setOrganizationName("persona-studio")
    theme.apply(app)
    window = MainWindow()
    if size:
        window.resize(*size)
    if screenshot:
        window.ask_recover = lambda _p: False  # never block a screenshot on a question
    if project_path:
        window.open_project(Path(project_path))
    if panel and not window.show_panel(panel):
        print(f"error: no panel '{panel}'; this build has: {', '.join(window.panel_keys())}", file=sys.stderr)
        window.close()
        return 2
    previous_hook = sys.excepthook

    def on_error(kind, exc, tb) -> None:  # noqa: ANN001 - unexpected errors become dialogs
        if exc is not None and exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        show_error(window, exc)

    sys.excepthook = on_error
    window.show()
    # heavy imports on a background thread while the user looks at the window, so the first
    # job does not stall it (see warmup.py); a screenshot run exits before it would matter
    warm = None if screenshot else schedule_warm_up()
    if not screenshot:  # the first job process starts (and imports torch) while the user reads
        QTimer.singleShot(1500, window.jobs.warm_up_process)
    rc = [0]
    if screenshot:
        def grab() -> None:
            target = window
            if panel == "models":
                target = window.open_models()
                target.resize(1100, 640)
                app.processEvents()
            ok = target.grab().save(str(screenshot), "PNG")
            if not ok:
                print(f"error: could not write {screenshot}", file=sys.stderr)
                rc[0] = 1
            if target is not window:
                target.close()
            window.close()
            app.quit()

        QTimer.singleShot(400, grab)
    try:
        code = app.exec()
    finally:
        sys.excepthook = previous_hook
        if warm is not None:  # never let the interpreter shut down in the middle of an import
            warm.wait(30)
    return rc[0] or code
