"""`studio generate`, `studio inpaint`, `studio outpaint`, `studio styles`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from .common import (
    FARM,
    finish_job,
    open_project,
    out,
    print_json,
    print_verdict,
    progress_task,
    warn,
)

# one wording for the options generate, inpaint and outpaint share
_SEED_HELP = "Random seed (recorded; same seed, same image); random if not given."
_STEPS_HELP = "Denoising steps (default: the model's own: FLUX.2 [klein] 4, Z-Image-Turbo 8, SDXL 30)."
_CFG_HELP = "Guidance scale (default: the model's own: klein ignores it, Z-Image 0 = off, SDXL 6)."
_CHECKPOINT_HELP = "SDXL checkpoint: model id, .safetensors file or diffusers folder (default: the persona's)."
_MODEL_HELP = ("Image model: flux2-klein, z-image-turbo, sdxl, a model id or a diffusers folder "
               "(default auto: the best installed commercial-use model, FLUX.2 [klein] first).")
_LOW_VRAM_HELP = "Offload to the CPU and tile the VAE (small GPUs)."


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
    app.command("inpaint")(inpaint)
    app.command("outpaint")(outpaint)
    app.command("styles")(styles)


def _check_models(params: dict) -> None:
    """Fail fast (exit 2, no job) on a checkpoint or LoRA that is missing or refused."""
    from pipelines.sdxl.checkpoint import parse_lora, resolve_model
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    settings = Settings.load()
    store = ModelStore(settings)
    model = params.get("model")
    if model and model not in ("auto", "sdxl"):
        from studio.actions.stills_engine import family_of

        if family_of(model, store) == "sdxl":  # an SDXL checkpoint by id or file: check it now
            resolve_model(model, store, "checkpoint", settings.allow_pickle_checkpoints)
    if params.get("checkpoint"):
        resolve_model(params["checkpoint"], store, "checkpoint", settings.allow_pickle_checkpoints)
    for spec in params.get("loras") or []:
        resolve_model(parse_lora(spec)[0], store, "LoRA", settings.allow_pickle_checkpoints)


def _run(project: str, kind: str, params: dict, title: str, json_out: bool, farm: str | None = None) -> dict:
    from .common import run_job

    _check_models(params)
    with open_project(project) as p, progress_task(title, quiet=json_out) as ctx:
        job = finish_job(run_job(p, kind, params, title, ctx=ctx, farm=farm), p)
        result = dict(job.result)
        result["job"] = job.id
        result["paths"] = [str(p.asset_path(a)) for a in result.get("assets", [])]
    if json_out:
        print_json(result)
    else:
        if result.get("engine"):
            out.print(f"Model: {result['engine']} ({result.get('model_choice', '')})")
        for w in result.get("warnings", []):
            warn(w)
        for row in result.get("candidates", []):
            score = "—" if row.get("verdict") in (None, "no identity") else f"{row['score']:.1f} {row['verdict']}"
            mark = "kept" if row.get("kept") else ""
            out.print(f"  seed {row['seed']:<11} {score:<26} swap: {row.get('swap', '-'):<16} {mark}")
        for aid, path in zip(result.get("assets", []), result["paths"], strict=False):
            out.print(f"{aid}  {path}")
        print_verdict(result)
        if result.get("hint"):
            out.print(result["hint"])
    return result


def generate(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    prompt: str = typer.Argument(None, help="What to show, e.g. 'reading in a sunny cafe'."),
    n: int = typer.Option(4, "-n", "--candidates", help="How many candidates to draw."),
    keep: int = typer.Option(1, "--keep", help="How many of the best to keep as stills."),
    seed: int = typer.Option(None, "--seed", help="First seed (candidates use seed, seed+1, …); random if not given."),
    fmt: str = typer.Option(None, "--format", help="Aspect: 9:16, 4:5, 1:1 or 16:9 (SDXL's size for it)."),
    size: str = typer.Option(None, "--size", help="Exact size WxH (multiples of 8; 64 for best results)."),
    model: str = typer.Option(None, "--model", help=_MODEL_HELP),
    checkpoint: str = typer.Option(None, "--checkpoint", help=_CHECKPOINT_HELP),
    steps: int = typer.Option(None, "--steps", help=_STEPS_HELP),
    cfg: float = typer.Option(None, "--cfg", help=_CFG_HELP),
    references: bool = typer.Option(True, "--references/--no-references",
                                    help="FLUX.2 [klein]: give the persona's reference photos to the model."),
    style: str = typer.Option(None, "--style", help="A style preset (`studio styles`)."),
    lora: list[str] = typer.Option(None, "--lora", help="ID_OR_FILE:WEIGHT; repeat for several."),
    low_vram: bool = typer.Option(False, "--low-vram", help=_LOW_VRAM_HELP),
    no_swap: bool = typer.Option(False, "--no-swap", help="Do not swap faces to the persona."),
    restore: bool = typer.Option(False, "--restore", help="Restore faces after the swap (GFPGAN/CodeFormer)."),
    ip_adapter: str = typer.Option(None, "--ip-adapter", help="ip-adapter-plus-face-sdxl or ip-adapter-faceid-sdxl."),
    as_reference: str = typer.Option(None, "--as-reference", help="Invent candidate faces from a description (new synthetic persona)."),
    pick: str = typer.Option(None, "--pick", help="Make the listed candidates (e.g. 1,3) of the last --as-reference/--variations run reference faces."),
    variations: int = typer.Option(None, "--variations", help="Draw K more angles/expressions of the picked reference face."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Generate stills of the persona: candidates (FLUX.2 [klein] with the reference photos, Z-Image or
    SDXL), face swap, keep the most like them."""
    from studio.core.errors import BadInput

    if pick:
        _run(project, "pick-references", {"pick": pick}, "Adding reference faces", json_out)
        return
    if not prompt and not as_reference and not variations:
        raise BadInput('Give a prompt, e.g. `studio generate PROJECT "walking in the rain"` (or --as-reference "description").')
    params = {
        "prompt": prompt, "n": n, "keep": keep, "seed": seed, "format": fmt, "size": size,
        "model": model, "checkpoint": checkpoint, "steps": steps, "cfg": cfg, "references": references,
        "style": style, "loras": lora or [],
        "low_vram": low_vram, "swap": not no_swap, "restore": restore, "ip_adapter": ip_adapter,
        "as_reference": as_reference, "variations": variations,
    }
    title = "Reference faces" if as_reference else "Face variations" if variations else f"Stills: {prompt[:40]}"
    _run(project, "generate", params, title, json_out, farm)


def inpaint(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    still: str = typer.Argument(..., help="Asset id or image file to edit."),
    prompt: str = typer.Argument(..., help="What to paint into the masked area."),
    mask: Path = typer.Option(None, "--mask", help="PNG mask: white = repaint."),
    protect_face: bool = typer.Option(False, "--protect-face", help="Never repaint the face (found by the face engine)."),
    target_face: bool = typer.Option(False, "--target-face", help="Repaint the face (mask from its landmarks)."),
    seed: int = typer.Option(None, "--seed", help=_SEED_HELP),
    steps: int = typer.Option(None, "--steps", help=_STEPS_HELP),
    cfg: float = typer.Option(None, "--cfg", help=_CFG_HELP),
    strength: float = typer.Option(0.99, "--strength", help="How much to change inside the mask (0-1)."),
    model: str = typer.Option(None, "--model", help=_MODEL_HELP + " Default: the model that made the still."),
    checkpoint: str = typer.Option(None, "--checkpoint", help=_CHECKPOINT_HELP),
    low_vram: bool = typer.Option(False, "--low-vram", help=_LOW_VRAM_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Repaint part of a still (FLUX.2 [klein], Z-Image or SDXL; shares the loaded model)."""
    params = {"still": still, "prompt": prompt, "mask": str(mask) if mask else None, "protect_face": protect_face,
              "target_face": target_face, "seed": seed, "steps": steps, "cfg": cfg, "strength": strength,
              "model": model, "checkpoint": checkpoint, "low_vram": low_vram}
    _run(project, "inpaint", params, "Inpainting", json_out)


def outpaint(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    still: str = typer.Argument(..., help="Asset id or image file to extend."),
    to: str = typer.Option(..., "--to", help="Target aspect: 9:16, 4:5, 1:1 or 16:9."),
    prompt: str = typer.Option("", "--prompt", help="What the new area shows (default: the still's prompt)."),
    seed: int = typer.Option(None, "--seed", help=_SEED_HELP),
    steps: int = typer.Option(None, "--steps", help=_STEPS_HELP),
    cfg: float = typer.Option(None, "--cfg", help=_CFG_HELP),
    model: str = typer.Option(None, "--model", help=_MODEL_HELP + " Default: the model that made the still."),
    checkpoint: str = typer.Option(None, "--checkpoint", help=_CHECKPOINT_HELP),
    low_vram: bool = typer.Option(False, "--low-vram", help=_LOW_VRAM_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Extend a still to another aspect; the original pixels stay exactly as they were."""
    params = {"still": still, "to": to, "prompt": prompt, "seed": seed, "steps": steps, "cfg": cfg,
              "model": model, "checkpoint": checkpoint, "low_vram": low_vram}
    _run(project, "outpaint", params, f"Outpainting to {to}", json_out)


def styles(json_out: bool = typer.Option(False, "--json", help="Print the presets as JSON.")) -> None:
    """List the style presets for `studio generate --style`."""
    from pipelines.sdxl.styles import list_styles

    presets = list_styles()
    if json_out:
        print_json([p.__dict__ for p in presets])
        return
    for p in presets:
        out.print(f"[bold]{escape(p.name):<18}[/bold] {escape(p.description)}", markup=True)
