"""`studio scenes`, `studio reroll`, `studio pick`: a post's storyboard, and remaking one scene."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import FARM, finish_job, open_project, out, print_json, print_verdict, progress_task


def register(app: typer.Typer) -> None:
    app.command("scenes")(scenes)
    app.command("reroll")(reroll)
    app.command("pick")(pick)


def _last_post(p, ref: str | None):  # noqa: ANN001, ANN202
    from studio.core.errors import NotFound

    if ref:
        return p.post(ref)
    boards = [x for x in p.data.posts if x.storyboard is not None]
    if not boards:
        raise NotFound("This project has no post with scenes yet: make one with `studio post PROJECT --script FILE`.")
    return boards[-1]


def scenes(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    post: str = typer.Argument(None, help="Post id or title; default: the newest post with scenes."),
    json_out: bool = typer.Option(False, "--json", help="Print the storyboard as JSON."),
) -> None:
    """A post's storyboard: each scene's words, picture, cut times, identity and candidates."""
    from studio.core.storyboard import VISUAL_WORDS

    with open_project(project, write=False) as p:
        rec = _last_post(p, post)
        board = rec.storyboard
        if json_out:
            print_json({"post": rec.id, "state": rec.state, "storyboard": board.model_dump(mode="json") if board else None})
            return
        out.print(f"{rec.id}  {rec.title}  ({rec.state})")
        if board is None:
            out.print("  made before storyboards: one shot")
            return
        if board.hook:
            out.print(f"  hook: {board.hook}")
        if board.look:
            out.print(f"  look: {board.look}")
        for n, s in enumerate(board.scenes, 1):
            m = s.made
            when = f"{m.start:6.2f}–{m.end:6.2f} s" if m else "not made yet"
            ident = f"  identity {m.identity:.0f} ({m.identity_verdict})" if m and m.identity is not None else ""
            enter = "" if n == 1 or s.transition == "cut" else f"  ← {s.transition} {s.transition_s:.1f} s"
            out.print(f"  {n}. {s.visual.kind:<8} {when}{enter}{ident}")
            out.print(f"     {VISUAL_WORDS[s.visual.kind]}: {m.clip if m else '-'}" + (f", look {s.look}" if s.look else ""))
            out.print(f"     “{s.text[:70]}{'…' if len(s.text) > 70 else ''}”")
            if m and len(m.candidates) > 1:
                ranked = ", ".join(f"{k}: {c} ({m.candidate_scores.get(c) or '?'})" for k, c in enumerate(m.candidates, 1))
                out.print(f"     candidates: {ranked}")


def _run(project: str, kind: str, params: dict, title: str, json_out: bool, farm: str | None) -> None:
    from .common import run_job

    with open_project(project) as p, progress_task(title, quiet=json_out) as ctx:
        params = {**params, "post": _last_post(p, params.get("post")).id}
        job = finish_job(run_job(p, kind, params, title=title, ctx=ctx, farm=farm), p)
    res = job.result
    if json_out:
        print_json({"job": job.id, **res})
        return
    ident = f", identity {res['identity']:.0f} ({res['identity_verdict']})" if res.get("identity") is not None else ""
    out.print(f"Scene {res['scene']} of {res['post']}: {res['clip']} from {res['still'] or 'its video'}{ident}")
    if len(res.get("candidates") or []) > 1:
        for k, c in enumerate(res["candidates"], 1):
            score = "?" if c["identity"] is None else f"{c['identity']:.0f}"
            out.print(f"  candidate {k}: {c['asset']} (identity {score})")
    for preset_id, path in res.get("exports", {}).items():
        out.print(f"  {preset_id:<8} {path}")
    print_verdict(res)


def reroll(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    post: str = typer.Argument(None, help="Post id or title; default: the newest post with scenes."),
    scene: str = typer.Option(..., "--scene", "-s", help="Scene number (1 = first) or id."),
    prompt: str = typer.Option(None, "--prompt", help="Generate the scene's still from this prompt (new or changed)."),
    seed: int = typer.Option(None, "--seed", help="First seed for the generated candidates."),
    candidates: int = typer.Option(3, "--candidates", "-n", help="How many candidates to make and rank by identity."),
    source: Path = typer.Option(None, "--source", help="Use this photo or video for the scene instead."),
    pick_n: int = typer.Option(None, "--pick", help="Use candidate N (default: the best identity)."),
    no_export: bool = typer.Option(False, "--no-export", help="Update the timeline only; export later."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Remake one scene (new seed, prompt or picture; N candidates ranked by identity); the other
    scenes stay exactly as they are and the post is re-exported from what is already made."""
    params = {"post": post, "scene": scene, "prompt": prompt, "seed": seed, "candidates": candidates,
              "source": str(source) if source else None, "pick": pick_n, "export": not no_export}
    _run(project, "scene.reroll", params, f"Re-roll scene {scene}", json_out, farm)


def pick(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    post: str = typer.Argument(None, help="Post id or title; default: the newest post with scenes."),
    scene: str = typer.Option(..., "--scene", "-s", help="Scene number (1 = first) or id."),
    candidate: str = typer.Option(..., "--candidate", "-c", help="Candidate number (`studio scenes` lists them) or asset id."),
    no_export: bool = typer.Option(False, "--no-export", help="Update the timeline only; export later."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Use another of a scene's candidates; the other scenes stay as they are."""
    params = {"post": post, "scene": scene, "candidate": candidate, "export": not no_export}
    _run(project, "scene.pick", params, f"Pick for scene {scene}", json_out, farm)
