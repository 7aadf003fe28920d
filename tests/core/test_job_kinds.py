"""One declaration per job kind, read by the window, the job process and the farm."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from studio.actions.registry import all_kinds, farm_kinds, farm_resources, kind_of
from studio.core.errors import BadInput, NotFound

ROOT = Path(__file__).resolve().parents[2]
#: modules whose import means a job loads torch (diffusers pipelines, torch models)
TORCH = ("torch", "diffusers", "transformers", "pipelines.sdxl", "pipelines.motion.svd", "pipelines.device")


def _module_file(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


def _absolute(module: str, node: ast.ImportFrom, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    pkg = parts if is_pkg else parts[:-1]
    pkg = pkg[: len(pkg) - (node.level - 1)]
    return ".".join(pkg + ([node.module] if node.module else []))


def _imports_in(tree: ast.AST, module: str, is_pkg: bool) -> dict[str, str]:
    """name bound by an import in `tree` -> the module (or module.attr) it comes from."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                found[(a.asname or a.name).split(".")[0]] = a.name
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node, is_pkg)
            for a in node.names:
                found[a.asname or a.name] = f"{base}.{a.name}"
    return found


def _torchy(target: str) -> bool:
    return any(target == t or target.startswith(t + ".") for t in TORCH)


def _reaches_torch(module: str, func: str | None = None, seen: set | None = None) -> bool:
    """Whether running `module.func` (the whole module when func is None) imports a torch-using
    module: imports in the function and in what it calls, followed through studio.actions and
    pipelines."""
    seen = seen if seen is not None else set()
    if (module, func) in seen:
        return False
    seen.add((module, func))
    f = _module_file(module)
    if f is None:
        return False
    is_pkg = f.name == "__init__.py"
    tree = ast.parse(f.read_text("utf-8"))
    top = _imports_in(ast.Module(body=[n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)],
                                 type_ignores=[]), module, is_pkg)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    if func is None:
        targets = set(_imports_in(tree, module, is_pkg).values())
        local: set[str] = set()
    else:
        body = defs.get(func)
        if body is None:
            return False
        inner = _imports_in(body, module, is_pkg)
        # names in the body (not in the signature's annotations) and what they call
        used = {n.id for stmt in body.body for n in ast.walk(stmt) if isinstance(n, ast.Name)}
        used |= {n.value.id for stmt in body.body for n in ast.walk(stmt)
                 if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
        targets = set(inner.values()) | {top[u] for u in used if u in top}
        local = {u for u in used if u in defs and u != func}
    for t in targets:
        if _torchy(t):
            return True
        if t.startswith(("studio.actions", "pipelines")):
            mod, _, attr = t.rpartition(".")
            if _module_file(t) is not None:  # a module
                if _reaches_torch(t, None, seen):
                    return True
            elif _reaches_torch(mod, attr, seen):
                return True
    return any(_reaches_torch(module, name, seen) for name in local)


def _handler_reaches_torch(kind) -> bool:
    return _reaches_torch(kind.handler.__module__, kind.handler.__name__)


def test_every_registered_kind_is_declared_completely():
    kinds = all_kinds()
    assert {k.name for k in kinds} >= {"generate", "inpaint", "outpaint", "narrate", "motion.animate", "lipsync",
                                       "post", "export", "captions", "faces.add", "faces.remove", "faces.score",
                                       "faces.swap", "pick-references"}
    for k in kinds:
        assert k.label and k.label[0].isupper(), k.name
        assert callable(k.handler)
        if k.resources is not None:  # what a farm worker reserves
            assert k.resources.group and k.resources.cpus > 0
        # a kind that travels names its inputs in params that exist in its CLI (no silent drops)
        assert all(isinstance(i, str) and i for i in k.inputs)


@pytest.mark.parametrize("kind", [k.name for k in all_kinds()])
def test_torch_using_kinds_run_outside_the_window(kind):
    declared = kind_of(kind)
    if _handler_reaches_torch(declared):
        assert declared.isolate, f"{kind} loads torch but is not declared isolate=True"


def test_window_runs_every_torch_kind_in_the_job_process(qapp):
    from studio.core.settings import Settings
    from studio.gui.workers import JobController

    jobs = JobController(Settings())
    for k in all_kinds():
        where = jobs.where(k.name)
        if _handler_reaches_torch(k):
            assert where == "process", k.name
        assert where == ("process" if k.isolate else "thread"), k.name
    # inpaint and outpaint share the job process's SDXL with generate (one model in memory)
    assert jobs.where("inpaint") == jobs.where("outpaint") == jobs.where("generate") == "process"


def test_farm_kinds_and_unknown_kinds_say_what_to_do():
    assert {"generate", "narrate", "motion.animate", "lipsync", "post", "export"} <= set(farm_kinds())
    assert farm_resources("generate").gpus == 1 and farm_resources("narrate").gpus == 0
    with pytest.raises(BadInput, match="run on this machine only"):
        farm_resources("faces.add")
    with pytest.raises(NotFound, match="No action 'bogus'"):
        kind_of("bogus")


def test_the_torch_check_sees_what_a_handler_loads():
    """The check itself: generate loads SDXL (torch); faces.remove and captions do not."""
    assert _handler_reaches_torch(kind_of("generate"))
    assert _handler_reaches_torch(kind_of("inpaint"))
    assert not _handler_reaches_torch(kind_of("captions"))
    assert not _handler_reaches_torch(kind_of("faces.remove"))
