"""Every command's options: help text on each, and one name per idea across commands."""

from __future__ import annotations

import typer.main

from studio.cli.main import app


# typer ships its own copy of click: go by duck type, not by click's classes
def _commands(cmd, path: str = "studio"):  # noqa: ANN001
    yield path, cmd
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, f"{path} {name}")


def _options():
    root = typer.main.get_command(app)
    for path, cmd in _commands(root):
        for p in cmd.params:
            if p.param_type_name == "option" and "--help" not in p.opts:
                yield path, p


def test_every_option_says_what_it_does():
    """inpaint/outpaint/styles had bare --seed, --steps, --cfg, --checkpoint, --low-vram, --json."""
    bare = [f"{path} {p.opts[0]}" for path, p in _options() if not (p.help or "").strip()]
    assert not bare, f"options without help: {bare}"


def test_same_idea_same_option_name():
    """`studio swap` wrote its result with --output while export and post use --out/-o, and
    `studio timeline add/trim --out` was a time in seconds."""
    for path, p in _options():
        names = set(p.opts) | set(p.secondary_opts)
        if "--output" in names or "--out" in names:
            assert {"--out", "-o"} <= names, f"{path}: output option should be --out/-o, has {sorted(names)}"
        if p.name == "json_out":
            assert names == {"--json"}, f"{path}: {sorted(names)}"
