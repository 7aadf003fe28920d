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


def _leaf_commands():
    root = typer.main.get_command(app)
    for path, cmd in _commands(root):
        if not hasattr(cmd, "commands"):
            yield path, cmd


def _run_cli(args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "studio.cli.main", *args], capture_output=True, text=True,
                          timeout=120)


def test_usage_errors_of_every_command_are_one_line_with_exit_code_2(capsys):
    """typer 0.29 vendors click: its usage errors escaped main() as tracebacks with exit code 1."""
    from studio.cli.main import main

    paths = [path for path, _ in _leaf_commands()]
    assert len(paths) > 30
    for path in paths:
        args = path.split()[1:]
        assert main([*args, "--no-such-option"]) == 2, path
        err = capsys.readouterr().err.strip()
        assert "Traceback" not in err and len(err.splitlines()) == 1, f"{path}: {err}"
        assert "--no-such-option" in err and f"`{path} --help`" in err, f"{path}: {err}"


def test_usage_errors_in_a_fresh_interpreter():
    """What a user types, as the `studio` program (exit code and stderr of the real process)."""
    cases = {
        ("narrate", "--bogus"): "No such option: --bogus",
        ("new",): "Missing argument",
        ("animate", "P", "x", "--seconds", "abc"): "Invalid value for '--seconds'",
        ("bogus",): "No such command 'bogus'",
    }
    for args, expected in cases.items():
        r = _run_cli(list(args))
        assert r.returncode == 2, (args, r.stderr)
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert expected in r.stderr, r.stderr


def test_square_brackets_in_names_and_messages_print_as_they_are(capsys):
    """rich read "FLUX.2 [klein] 4B" as markup and printed "FLUX.2  4B" (names, warnings, messages)."""
    from studio.cli.common import warn
    from studio.cli.main import main

    assert main(["models", "list"]) == 0
    printed = capsys.readouterr().out
    assert "FLUX.2 [klein] 4B" in printed and "[dim]" not in printed and "[green]" not in printed
    warn("FLUX.2 [klein] needs a GPU; pip install 'persona-studio[xtts]'")
    assert "FLUX.2 [klein] needs a GPU; pip install 'persona-studio[xtts]'" in capsys.readouterr().err
