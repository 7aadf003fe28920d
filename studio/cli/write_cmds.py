"""`studio write …`: the writing assistant — a script of a target length in the persona's voice,
hook and openings, scene split, and upload captions per platform, streamed as they are written."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from studio.core.errors import BadInput

from .common import console, load_settings, open_project, out, print_json, progress_task

write_app = typer.Typer(help="The writing assistant (a local model or your own endpoint; see Settings).",
                        no_args_is_help=True)

PARTS = {"all": ("script", "openings", "upload"), "script": ("script",), "openings": ("openings",),
         "captions": ("upload",)}


def register(app: typer.Typer) -> None:
    app.add_typer(write_app, name="write")


def _stream(json_out: bool):  # noqa: ANN202 - the on_text sink
    """Print each part under a heading as its text arrives (nothing when --json)."""
    current = [""]

    def on_text(part: str, delta: str) -> None:
        if json_out:
            return
        if part != current[0]:
            heading = {"script": "Script", "openings": "Openings"}.get(part, part.replace("upload:", "Caption: "))
            sys.stdout.write(("\n\n" if current[0] else "") + f"── {heading} ──\n")
            current[0] = part
        sys.stdout.write(delta)
        sys.stdout.flush()

    return on_text


def _summary(res: dict) -> None:
    from studio.render.licences import verdict_text

    out.print("\n")
    if res["script"]:
        r = res["rate"]
        how = (f"{r['words_per_second']:.2f} words/s measured on {r['narrations']} narration(s)" if r["source"] == "narrations"
               else f"{r['words_per_second']:.2f} words/s (default: the persona has no narrations yet)")
        out.print(f"Script: {res['words']} words ≈ {res['seconds']:.0f} s at {how}; target {res['target_seconds']:.0f} s"
                  + ("; cut back to whole sentences near the target" if res["trimmed"] else "")
                  + f"; {len(res['scenes'])} scene(s).")
    if res["hook"]:
        out.print(f"Hook: {res['hook']}")
        for o in res["openings"]:
            out.print(f"  or: {o}")
    for pid, up in res["upload"].items():
        out.print(f"[{pid}] {up['caption']}" + (" " + " ".join("#" + t for t in up["hashtags"]) if up["hashtags"] else ""))
        for n in up["notes"]:
            out.print(f"  ({n})")
    m = res["model"]
    out.print(f"Written by {res['backend']} — licence: {m.get('licence')}; {verdict_text(m.get('commercial_use'), short=True)}")

def _run(project: str, topic: str, seconds: float | None, platform: list[str] | None, plan_item: str | None,
         save: bool, parts: tuple[str, ...], openings: int, seed: int | None, script_file: Path | None,
         json_out: bool) -> None:
    from studio.actions.plan import get_item
    from studio.actions.voice import read_script
    from studio.actions.writing import open_backend, save_to_item, write
    from studio.core.models import ModelStore

    if save and not plan_item:
        raise BadInput("--save puts the draft into a calendar item: give it with --plan ITEM.")
    settings = load_settings()
    from studio.core.secrets import read_secret

    # says what to download or configure before anything else happens
    backend = open_backend(settings, ModelStore(settings), read_secret("writer_api_key"))
    script = read_script(script_file) if script_file else None
    with open_project(project, write=save) as p:
        item = get_item(p, plan_item) if plan_item else None
        if not topic and item is None and script is None:
            raise BadInput("Give a topic (`studio write script PROJECT \"my morning routine\"`) or a calendar item (--plan ITEM).")
        with progress_task("Writing", quiet=True) as task:  # the text itself is the progress; Ctrl-C cancels
            res = write(p, backend, topic=topic or "", seconds=seconds, platforms=platform or None, parts=parts,
                        item=item, script=script, openings=openings, seed=seed, task=task,
                        on_text=_stream(json_out))
        if save and item is not None:
            saved = save_to_item(p, item.id, res)
            res["saved_to"] = {"item": saved.id, "state": saved.state}
    if json_out:
        print_json(res)
        return
    _summary(res)
    if res.get("saved_to"):
        out.print(f"Saved to {res['saved_to']['item']} (now {res['saved_to']['state']}).")


@write_app.command("script")
def script_cmd(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    topic: str = typer.Argument(None, help="What the post is about (default: the calendar item's topic)."),
    seconds: float = typer.Option(30.0, "--seconds", "-s", help="Target length when spoken, at the persona's speaking rate."),
    platform: list[str] = typer.Option(None, "--platform", "-p", help="Write upload text for this export preset; repeat."),
    plan_item: str = typer.Option(None, "--plan", help="A calendar item: its topic and platforms are used."),
    save: bool = typer.Option(False, "--save", help="Put the draft into the --plan item (script, captions)."),
    only: str = typer.Option("all", "--only", help="all, script, openings or captions."),
    openings: int = typer.Option(3, "--openings", help="How many alternative openings besides the hook."),
    seed: int = typer.Option(None, "--seed", help="Sampling seed, for a repeatable draft."),
    script_file: Path = typer.Option(None, "--script", help="Write openings/captions for this script file instead."),
    json_out: bool = typer.Option(False, "--json", help="Print the draft as JSON (nothing is streamed)."),
) -> None:
    """Draft a script with hook, openings, scenes (--- lines) and captions, streamed as it is written."""
    if only not in PARTS:
        raise BadInput(f"--only must be one of {', '.join(PARTS)} (got '{only}').")
    if not 0 <= openings <= 10:
        raise BadInput("--openings must be between 0 and 10.")
    parts = PARTS[only]
    if script_file is not None and "script" in parts:
        parts = tuple(x for x in parts if x != "script")
    _run(project, topic or "", seconds, platform, plan_item, save, parts, openings, seed, script_file, json_out)


@write_app.command("captions")
def captions_cmd(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    item: str = typer.Argument(..., help="The calendar item whose script the captions are for."),
    save: bool = typer.Option(False, "--save", help="Put the captions into the item."),
    seed: int = typer.Option(None, "--seed", help="Sampling seed, for repeatable captions."),
    json_out: bool = typer.Option(False, "--json", help="Print the captions as JSON."),
) -> None:
    """Draft each platform's caption and hashtags for a calendar item's script, within its limits."""
    _run(project, "", None, None, item, save, ("upload",), 0, seed, None, json_out)


@write_app.command("models")
def models_cmd(json_out: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """What the writing assistant would use: the local models, or the endpoint's models."""
    from pipelines.writing.chat import OpenAIChat, llama_cpp_available
    from studio.core.models import ModelStore

    settings = load_settings()
    if settings.writer_backend == "endpoint" and settings.writer_endpoint:
        from studio.core.secrets import read_secret

        ids = OpenAIChat(settings.writer_endpoint, settings.writer_endpoint_model or "?",
                         read_secret("writer_api_key")).list_models()
        if json_out:
            print_json({"backend": "endpoint", "url": settings.writer_endpoint, "models": ids,
                        "selected": settings.writer_endpoint_model})
        else:
            out.print(f"Endpoint {settings.writer_endpoint} serves: {', '.join(ids) or 'nothing'}")
            if settings.writer_endpoint_model not in ids:
                console.print(f"[yellow]The selected model '{escape(str(settings.writer_endpoint_model))}' is not among them.[/yellow]")
        return
    store = ModelStore(settings)
    rows = [(e.id, store.locate(e.id).status, e.licence, e.size) for e in store.entries() if e.kind == "llm"]
    if json_out:
        print_json({"backend": "local", "llama_cpp": llama_cpp_available(), "selected": settings.writer_model,
                    "models": [{"id": i, "status": s, "licence": lic, "size": n} for i, s, lic, n in rows]})
        return
    for i, s, lic, n in rows:
        mark = "*" if i == settings.writer_model else " "
        out.print(f"{mark} {i:<30} {s:<8} {lic:<12} {(n or 0) / 1e9:.1f} GB")
    if not llama_cpp_available():
        from pipelines.writing.chat import INSTALL_HINT

        console.print(f"[yellow]llama-cpp-python is not installed.[/yellow] {escape(INSTALL_HINT)}")
