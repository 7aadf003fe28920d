"""`inpaint` and `outpaint`: edit a still with the loaded SDXL components (no second model load)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pipelines.sdxl.edit import (
    composite,
    face_mask,
    feather_inside,
    load_mask,
    model_mask,
    outpaint_canvas,
    round_down_to,
)
from pipelines.sdxl.generate import ImageRequest, inpaint_image
from pipelines.sdxl.styles import build_prompt
from studio.core.assets import Provenance
from studio.core.errors import BadInput
from studio.core.project import Project

from .context import JobContext
from .registry import Resources, action
from .stills_setup import DEFAULT_CFG, DEFAULT_STEPS, new_seed, open_stills, save_png


def _load_rgb(path) -> np.ndarray:  # noqa: ANN001
    from PIL import Image

    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except (OSError, ValueError) as e:
        raise BadInput(f"Cannot read the image {path}: {e}.") from e


def _request(project: Project, params: dict[str, Any], width: int, height: int, default_prompt: str) -> ImageRequest:
    persona = project.persona
    prompt, negative = build_prompt(params.get("prompt") or default_prompt, persona.style_prompt, persona.negative_prompt)
    seed = int(params["seed"]) if params.get("seed") is not None else new_seed()
    steps = int(params.get("steps") or DEFAULT_STEPS)
    cfg = float(params["cfg"]) if params.get("cfg") is not None else DEFAULT_CFG
    return ImageRequest(prompt, negative, width, height, steps, cfg, seed)


def _feather(shape: tuple[int, int]) -> float:
    return max(2.0, min(shape) / 32.0)


def _largest_face(project: Project, rgb: np.ndarray, store) -> Any:  # noqa: ANN001
    from pipelines.faces import open_analyzer

    faces = open_analyzer(store, "auto").detect(rgb, embed=False, landmarks=True)
    if not faces:
        raise BadInput("No face was found in this still, so --protect-face/--target-face cannot be used.")
    return faces[0]


def _register(project: Project, rgb: np.ndarray, setup, req: ImageRequest, pipeline: str, parents: list[str],
              extra: dict[str, Any]) -> str:  # noqa: ANN001
    params_doc = {**setup.base_parameters(), "prompt": req.prompt, "negative_prompt": req.negative,
                  "steps": req.steps, "cfg": req.cfg, "width": rgb.shape[1], "height": rgb.shape[0], **extra}
    prov = Provenance(pipeline=pipeline, engine="Stable Diffusion XL inpainting", models=setup.model_uses(),
                      seed=req.seed, parameters=params_doc)
    asset = project.register(save_png(project, rgb), "still", prov, parents=parents, label=pipeline)
    return asset.id


@action("inpaint", label="Inpaint", inputs=("still", "mask"), resources=Resources("sdxl", gpus=1), isolate=True)
def inpaint(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Repaint the masked part of a still; pixels outside the mask are kept exactly."""
    project = ctx.project
    project.persona.require_consent("edit stills of them")
    path, asset = project.resolve_input(str(params["still"]))
    rgb = _load_rgb(path)
    h, w = rgb.shape[:2]
    mask = load_mask(params["mask"], (h, w)) if params.get("mask") else None
    if params.get("protect_face") and params.get("target_face"):
        raise BadInput("Use either --protect-face or --target-face, not both.")
    ctx.progress(0, 1, "loading the model")
    setup = open_stills(ctx, params)
    if params.get("target_face") or params.get("protect_face"):
        face = face_mask(_largest_face(project, rgb, setup.store), (h, w))
        if params.get("target_face"):
            mask = face if mask is None else (mask | face)
        elif mask is not None:
            mask = mask & ~face
    if mask is None:
        raise BadInput("Give --mask MASK.png (white = repaint) or --target-face.")
    if not mask.any():
        raise BadInput("The mask is empty (nothing to repaint): white marks the area to change.")
    ww, wh = round_down_to((w, h))
    work, work_mask = rgb, mask
    if (ww, wh) != (w, h):  # the pipeline needs multiples of 8; the result is scaled back
        import cv2

        work = cv2.resize(rgb, (ww, wh), interpolation=cv2.INTER_AREA)
        work_mask = cv2.resize(mask.astype(np.uint8), (ww, wh), interpolation=cv2.INTER_NEAREST).astype(bool)
    prev_prompt = asset.provenance.parameters.get("user_prompt", "") if asset else ""
    req = _request(project, params, ww, wh, prev_prompt)
    strength = float(params.get("strength") or 0.99)
    generated = inpaint_image(setup.loaded.inpaint, work, model_mask(work_mask, _feather((wh, ww))), req, strength, ctx.sub(0, 0.95))
    result = composite(rgb, generated, feather_inside(mask, _feather((h, w))))
    ctx.progress(1, 1, "saving")
    aid = _register(project, result, setup, req, "sdxl-inpaint", [asset.id] if asset else [],
                    {"strength": strength, "mask_pixels": int(mask.sum()),
                     "face": "protected" if params.get("protect_face") else "targeted" if params.get("target_face") else None})
    return {"assets": [aid]}


@action("outpaint", label="Outpaint", inputs=("still",), resources=Resources("sdxl", gpus=1), isolate=True)
def outpaint(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Extend a still to another aspect; the original pixels are preserved exactly."""
    project = ctx.project
    project.persona.require_consent("edit stills of them")
    path, asset = project.resolve_input(str(params["still"]))
    rgb = _load_rgb(path)
    canvas, new, box = outpaint_canvas(rgb, str(params["to"]))
    if not new.any():
        raise BadInput(f"The still already has the aspect {params['to']}; nothing to add.")
    ctx.progress(0, 1, "loading the model")
    setup = open_stills(ctx, params)
    ch, cw = canvas.shape[:2]
    prev_prompt = asset.provenance.parameters.get("user_prompt", "") if asset else ""
    req = _request(project, params, cw, ch, prev_prompt)
    radius = _feather((ch, cw))
    generated = inpaint_image(setup.loaded.inpaint, canvas, model_mask(new, radius), req, 1.0, ctx.sub(0, 0.95))
    result = composite(canvas, generated, feather_inside(new, radius))
    ctx.progress(1, 1, "saving")
    aid = _register(project, result, setup, req, "sdxl-outpaint", [asset.id] if asset else [],
                    {"to": params["to"], "original_box": list(box), "source_size": [rgb.shape[1], rgb.shape[0]]})
    return {"assets": [aid], "size": [cw, ch], "original_box": list(box)}
