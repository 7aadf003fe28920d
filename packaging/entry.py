"""Entry point of the frozen `studio` executable (PyInstaller one-folder bundle).

Runs the same CLI as the `studio` console script. `--bundle-qt-check PNG` is a packaging
diagnostic that needs no GUI code: it opens a Qt window with a media player offscreen and
saves a screenshot, proving the bundle's Qt platform and multimedia plugins load.
"""

from __future__ import annotations

import multiprocessing
import sys
import time


def _qt_check(png: str) -> int:
    """Open a small window with a QMediaPlayer, grab it to `png`, print the time it took."""
    t0 = time.perf_counter()
    from PySide6.QtMultimedia import QMediaPlayer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([sys.argv[0]])
    player = QMediaPlayer()  # loads the multimedia backend plugin
    label = QLabel("Persona Studio bundle check")
    label.resize(320, 80)
    label.show()
    app.processEvents()
    ok = label.grab().save(png)
    print(f"qt-check: platform={app.platformName()} media={player.isAvailable()} "
          f"saved={ok} seconds={time.perf_counter() - t0:.2f}")
    return 0 if ok else 1


def run() -> int:
    """Run the CLI (or the packaging diagnostic) and return the exit code."""
    multiprocessing.freeze_support()  # torch/diffusers workers re-enter this executable
    if len(sys.argv) == 3 and sys.argv[1] == "--bundle-qt-check":
        return _qt_check(sys.argv[2])
    from studio.cli.main import main

    return main()


if __name__ == "__main__":
    sys.exit(run())
