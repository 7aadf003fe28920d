"""`studio animate`: a still becomes a motion clip (Wan 2.2, Stable Video Diffusion or camera motion)."""

from __future__ import annotations

import typer

from .common import (
    FARM,
    console,
    finish_job,
    open_project,
    out,
    print_json,
    print_verdict,
    progress_task,
)


def register(app: typer.Typer) -> None:
    app.command("animate")(animate)


def animate(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    still: str = typer.Argument(..., help="A still's asset id, or an image file."),
    engine: str = typer.Option("auto", "--engine", help="wan, svd, camera, or auto (Wan 2.2, then SVD, by what is installed and the free GPU memory; else camera). The result says which and why."),
    model: str = typer.Option(None, "--model", help="wan2.2-ti2v-5b, svd, svd-xt, or a diffusers Wan/SVD folder."),
    prompt: str = typer.Option(None, "--prompt", help="Wan: what should move, e.g. 'she laughs and turns to the camera' (default: the still's prompt + subtle natural motion)."),
    cfg: float = typer.Option(None, "--cfg", help="Wan guidance scale (default 5)."),
    frames: int = typer.Option(None, "--frames", help="Frames in the clip (default: one Wan/SVD window / 6 s of camera motion)."),
    motion: int = typer.Option(127, "--motion", min=1, max=255, help="How much motion: SVD motion bucket id (1–255); camera: 127 = default amount."),
    fps: float = typer.Option(None, "--fps", help="Frames per second of the clip (default 24 Wan, 7 SVD, 30 camera; Wan makes 24 and re-times to another rate; SVD: also its fps conditioning)."),
    noise_aug: float = typer.Option(0.02, "--noise-aug", help="SVD noise_aug_strength: more = further from the still."),
    seconds: float = typer.Option(None, "--seconds", help="Clip length; Wan (5 s windows) and SVD chain windows with a cross-fade."),
    size: str = typer.Option(None, "--size", help="Wan: the clip's size (made at 720p in its aspect, then scaled); SVD: generation size (default 1024x576 / 576x1024 by the still's aspect); camera: export size (default 1080x1920)."),
    steps: int = typer.Option(None, "--steps", help="Denoising steps (default 50 Wan, 25 SVD)."),
    seed: int = typer.Option(None, "--seed", help="Random seed (recorded; same seed, same clip)."),
    decode_chunk: int = typer.Option(None, "--decode-chunk", help="SVD frames decoded at once (lower = less VRAM)."),
    move: str = typer.Option("push-in", "--move", help="Camera move: push-in, pan or parallax."),
    repair: bool = typer.Option(None, "--repair/--no-repair", help="Check identity on every frame and re-swap drifted frames (default: on for Wan and SVD)."),
    repair_with: str = typer.Option("swap", "--repair-with", help="swap (inswapper) or reproject (the face of the nearest good frame)."),
    interpolate: int = typer.Option(None, "--interpolate", help="Re-time to 24 or 30 fps with motion interpolation."),
    low_vram: bool = typer.Option(None, "--low-vram/--no-low-vram", help="Force the low-VRAM plan (default: chosen from free VRAM)."),
    codec: str = typer.Option("h264", "--codec", help="h264 (CRF 12, yuv420p .mp4) or ffv1 (lossless .mkv)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    farm: str = FARM,
) -> None:
    """Make a motion clip from a still and add it to the project."""
    from studio.core.errors import BadInput

    from .common import run_job

    if interpolate is not None and interpolate not in (24, 30):
        raise BadInput("--interpolate must be 24 or 30.")
    if codec not in ("h264", "ffv1"):
        raise BadInput("--codec must be h264 or ffv1.")
    if repair_with not in ("swap", "reproject"):
        raise BadInput("--repair-with must be swap or reproject.")
    params = {
        "still": still, "engine": engine, "model": model, "prompt": prompt, "cfg": cfg, "frames": frames,
        "motion": motion, "fps": fps,
        "noise_aug": noise_aug, "seconds": seconds, "size": size, "steps": steps, "seed": seed,
        "decode_chunk": decode_chunk, "move": move, "repair": repair, "repair_with": repair_with,
        "interpolate": interpolate, "low_vram": low_vram, "codec": codec,
    }
    with open_project(project) as p, progress_task("Animating", quiet=json_out) as ctx:
        job = finish_job(run_job(p, "motion.animate", params, title=f"Animate {still}", ctx=ctx, farm=farm), p)
        res = job.result
        if json_out:
            print_json(res)
            return
        out.print(f"Added {res['assets'][0]}: {res['frames']} frames at {res['fps']:g} fps, "
                  f"{res['size'][0]}×{res['size'][1]} — made with {res['engine']} ({res.get('engine_choice', '')}).")
        print_verdict(res)
        if res.get("repair_message"):
            console.print(f"Identity: {res['repair']} — {res['repair_message']}")
