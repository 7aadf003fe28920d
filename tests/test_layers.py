"""The architecture's import rules (DESIGN.md), checked on the source and in fresh interpreters."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package -> top-level modules it must never import (at any depth in its files)
FORBIDDEN = {
    "studio/core": ("PySide6", "shiboken6", "studio.gui", "studio.cli", "studio.render", "studio.actions", "pipelines"),
    "pipelines": ("PySide6", "shiboken6", "studio.gui", "studio.cli", "studio.actions", "studio.render"),
    "studio/render": ("PySide6", "shiboken6", "studio.gui", "studio.cli", "studio.actions"),
    "studio/actions": ("PySide6", "shiboken6", "studio.gui", "studio.cli", "studio.farm"),
    "studio/farm": ("PySide6", "shiboken6", "studio.gui", "studio.cli"),
    "studio/cli": ("PySide6", "shiboken6"),  # the CLI reaches the window only through studio.gui.app, lazily
}
#: heavy libraries studio/core may not import at module level (inside functions is fine)
CORE_LAZY = ("torch", "diffusers", "transformers", "onnxruntime", "cv2", "dlib", "piper")


#: the entry points, which read the user's settings from disk and hand them down; nothing else may
ENTRY_POINTS = ("studio/cli/", "studio/gui/app.py", "studio/gui/main_window.py", "studio/farm/worker.py")


def _imports(path: Path, top_level_only: bool = False):
    tree = ast.parse(path.read_text("utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno


def _files(pkg: str):
    return sorted((ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("pkg", sorted(FORBIDDEN))
def test_layer_imports(pkg):
    bad = []
    for f in _files(pkg):
        if pkg == "studio/cli" and f.name == "gui_cmds.py":
            continue  # the one CLI module that opens the window (imports studio.gui lazily)
        for mod, line in _imports(f):
            if any(mod == x or mod.startswith(x + ".") for x in FORBIDDEN[pkg]):
                bad.append(f"{f.relative_to(ROOT)}:{line} imports {mod}")
    assert not bad, "\n".join(bad)


def test_core_imports_heavy_libraries_lazily():
    bad = []
    for f in _files("studio/core"):
        for mod, line in _imports(f, top_level_only=True):
            if mod.split(".")[0] in CORE_LAZY:
                bad.append(f"{f.relative_to(ROOT)}:{line} imports {mod} at module level")
    assert not bad, "\n".join(bad)


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout


def test_core_render_pipelines_import_without_qt_and_core_without_torch():
    code = """
import importlib, pkgutil, sys
import studio.core, studio.render, pipelines
def walk(pkg):
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(m.name)
walk(studio.core)
print("core-torch", "torch" in sys.modules)
walk(studio.render); walk(pipelines)
print("qt", any(m.startswith("PySide6") for m in sys.modules))
"""
    out = _run(code)
    assert "core-torch False" in out
    assert "qt False" in out


def test_settings_are_read_from_disk_only_by_entry_points():
    """Handlers, renderers, pipelines and the model store get settings handed in (DESIGN.md)."""
    bad = []
    for pkg in ("studio", "pipelines"):
        for f in _files(pkg):
            rel = f.relative_to(ROOT).as_posix()
            if rel.startswith(ENTRY_POINTS):
                continue
            for node in ast.walk(ast.parse(f.read_text("utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load"
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "Settings"):
                    bad.append(f"{rel}:{node.lineno} calls Settings.load()")
    assert not bad, "\n".join(bad)
