"""Entry point of the windowed `persona-studio` executable (Windows Start menu, file association).

`persona-studio PATH` opens PATH (a .persona folder or its project.json) in the window.
"""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from studio.cli.main import main

    sys.exit(main(["gui", *sys.argv[1:]]))
