"""`inpaint` and `outpaint`: edit a still with the loaded model's components (no second model load).

The model: `--model`/`--checkpoint` when given, else the new model that made the still (FLUX.2
[klein] or Z-Image, both inpaint in diffusers) when it is installed, else the stills default
(stills_engine.choose_model). FLUX.2 [klein] repainting the face takes the persona's reference
photo as the masked area's reference.
"""

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
)
from pipelines.sdxl.generate import ImageRequest, check_guidance
from pipelines.sdxl.styles import build_prompt
from studio.core.assets import Provenance
from studio.core.errors import BadInput
from studio.core.project import Project

from .context import JobContext
from .registry import Resources, action
from .stills_engine import Engine, open_engine
from .stills_setup import new_seed, save_png


def _load_rgb(path) -> np.ndarray:  # noqa: ANN001
    from PIL import Image

    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except (OSError, ValueError) as e:
        raise BadInput(f"Cannot read the image {path}: {e}.") from e


def _request(project: Project, params: dict[str, Any], engine: Engine, width: int, height: int,
             default_prompt: str) -> ImageRequest:
    persona = project.persona
    prompt, negative = build_prompt(params.get("prompt") or default_prompt, persona.style_prompt, persona.negative_prompt)
    seed = int(params["seed"]) if params.get("seed") is not None else new_seed()
    default_steps, default_cfg = engine.defaults()
    steps = int(params.get("steps") or default_steps)
    cfg = check_guidance(params.get("cfg"), default_cfg)
    return ImageRequest(prompt, negative if engine.uses_negative(cfg) else "", width, height, steps, cfg, seed)


def _open(ctx: JobContext, params: dict[str, Any], asset: Any) -> Engine:
    """The engine for an edit: as asked, else the installed new model that made the still, else auto."""
    if not params.get("model") and not params.get("checkpoint") and asset is not None:
        made = asset.provenance.parameters
        if made.get("model_family") in ("flux2-klein", "z-image"):
            ref = str(made.get("model") or "")
            if ref and (ctx.store.find(ref) if ref in {e.id for e in ctx.store.entries()} else _is_dir(ref)):
                params = {**params, "model": ref}
    return open_engine(ctx, params, edit=True)


def _is_dir(ref: str) -> bool:
    from pathlib import Path

    return Path(ref).expanduser().is_dir()


def _feather(shape: tuple[int, int]) -> float:
    return max(2.0, min(shape) / 32.0)


def _largest_face(project: Project, rgb: np.ndarray, store) -> Any:  # noqa: ANN001
    from pipelines.faces import open_analyzer

    faces = open_analyzer(store, "auto").detect(rgb, embed=False, landmarks=True)
    if not faces:
        raise BadInput("No face was found in this still, so --protect-face/--target-face cannot be used.")
    return faces[0]


def _register(project: Project, rgb: np.ndarray, engine: Engine, req: ImageRequest, what: str, parents: list[str],
              extra: dict[str, Any]) -> str:
    params_doc = {**engine.base_parameters(), "prompt": req.prompt, "negative_prompt": req.negative or None,
                  "steps": req.steps, "cfg": req.cfg, "width": rgb.shape[1], "height": rgb.shape[0], **extra}
    pipeline = f"{engine.family}-{what}"
    prov = Provenance(pipeline=pipeline, engine=f"{engine.name} inpainting", models=engine.model_uses(),
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
    engine = _open(ctx, params, asset)
    if params.get("target_face") or params.get("protect_face"):
        face = face_mask(_largest_face(project, rgb, engine.store), (h, w))
        if params.get("target_face"):
            mask = face if mask is None else (mask | face)
        elif mask is not None:
            mask = mask & ~face
    if mask is None:
        raise BadInput("Give --mask MASK.png (white = repaint) or --target-face.")
    if not mask.any():
        raise BadInput("The mask is empty (nothing to repaint): white marks the area to change.")
    ww, wh = engine.size(w, h)
    work, work_mask = rgb, mask
    if (ww, wh) != (w, h):  # the pipeline needs multiples of 8 (16 for the DiT models); scaled back
        import cv2

        work = cv2.resize(rgb, (ww, wh), interpolation=cv2.INTER_AREA)
        work_mask = cv2.resize(mask.astype(np.uint8), (ww, wh), interpolation=cv2.INTER_NEAREST).astype(bool)
    prev_prompt = asset.provenance.parameters.get("user_prompt", "") if asset else ""
    req = _request(project, params, engine, ww, wh, prev_prompt)
    strength = float(params.get("strength") or 0.99)
    reference = _face_reference(project, engine) if params.get("target_face") else None
    generated = engine.inpaint(work, model_mask(work_mask, _feather((wh, ww))), req, strength, ctx.sub(0, 0.95),
                               "painting", reference=reference)
    if generated.shape[:2] != (h, w):
        import cv2

        generated = cv2.resize(generated, (w, h), interpolation=cv2.INTER_CUBIC)
    result = composite(rgb, generated, feather_inside(mask, _feather((h, w))))
    ctx.progress(1, 1, "saving")
    aid = _register(project, result, engine, req, "inpaint", [asset.id] if asset else [],
                    {"strength": strength, "mask_pixels": int(mask.sum()),
                     "face": "protected" if params.get("protect_face") else "targeted" if params.get("target_face") else None,
                     "face_reference": reference is not None})
    return {"assets": [aid], "engine": engine.name, "model_choice": engine.choice.reason,
            "warnings": engine.prompt_warnings(req.prompt, req.negative)}


def _pad_to_multiple(canvas: np.ndarray, new: np.ndarray, multiple: int) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Grow an outpaint canvas (by reflection, marked as new) to the model's size multiple.

    The exact-aspect canvas comes in multiples of 8; the DiT models need 16. The extra strip is
    painted with the rest and cropped off again, so the result keeps the exact aspect.
    """
    import cv2

    h, w = canvas.shape[:2]
    dh, dw = -h % multiple, -w % multiple
    if not dh and not dw:
        return canvas, new, (0, 0)
    top, left = dh // 2, dw // 2
    grown = cv2.copyMakeBorder(canvas, top, dh - top, left, dw - left, cv2.BORDER_REFLECT_101)
    grown_new = np.pad(new, ((top, dh - top), (left, dw - left)), constant_values=True)
    return grown, grown_new, (left, top)


def _face_reference(project: Project, engine: Engine) -> np.ndarray | None:
    """The persona's first real reference photo, for a model that conditions the masked area on one."""
    if not engine.supports_references:
        return None
    from .stills import reference_photos

    refs = reference_photos(project, 1)
    return refs[0] if refs else None


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
    engine = _open(ctx, params, asset)
    ch, cw = canvas.shape[:2]
    work, work_new, (px, py) = _pad_to_multiple(canvas, new, engine.multiple)
    prev_prompt = asset.provenance.parameters.get("user_prompt", "") if asset else ""
    req = _request(project, params, engine, work.shape[1], work.shape[0], prev_prompt)
    radius = _feather((ch, cw))
    generated = engine.inpaint(work, model_mask(work_new, radius), req, 1.0, ctx.sub(0, 0.95), "painting")
    generated = generated[py : py + ch, px : px + cw]  # back to the exact aspect
    result = composite(canvas, generated, feather_inside(new, radius))
    ctx.progress(1, 1, "saving")
    aid = _register(project, result, engine, req, "outpaint", [asset.id] if asset else [],
                    {"to": params["to"], "original_box": list(box), "source_size": [rgb.shape[1], rgb.shape[0]]})
    return {"assets": [aid], "size": [cw, ch], "original_box": list(box),
            "warnings": engine.prompt_warnings(req.prompt, req.negative)}
