"""Faces for a new synthetic persona: candidate portraits from a description, picking some as
reference faces (marked synthetic), and variations of a picked face at other angles/expressions."""

from __future__ import annotations

from typing import Any

import numpy as np

from pipelines.sdxl.generate import ImageRequest, check_guidance
from pipelines.sdxl.persona_pass import PersonaPass
from pipelines.sdxl.sizes import resolve_size
from pipelines.sdxl.styles import build_prompt, get_style, reference_prompt
from studio.core.assets import Provenance
from studio.core.errors import BadInput, NotFound
from studio.core.project import Project

from .context import JobContext
from .registry import action, handler_for, queue_of
from .stills_engine import open_engine
from .stills_setup import new_seed, save_png

#: How each variation differs from the picked face (cycled when more are asked for).
VARIATIONS = (
    "three-quarter view facing left, soft smile",
    "three-quarter view facing right, neutral expression",
    "slight low angle, laughing",
    "profile view, calm expression",
    "looking slightly up, surprised",
    "head tilted, serious expression",
)


def generate_reference(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """`generate --as-reference DESCRIPTION` or `generate --variations K`."""
    project = ctx.project
    persona = project.persona
    persona.require_consent("generate faces of them")
    width, height = resolve_size(params.get("format"), params.get("size"))
    seed0 = int(params["seed"]) if params.get("seed") is not None else new_seed()
    preset = get_style(params["style"]) if params.get("style") else None
    ctx.progress(0, 1, "loading the model")
    engine = open_engine(ctx, params)
    default_steps, default_cfg = engine.defaults()
    steps = int(params.get("steps") or default_steps)
    cfg = check_guidance(params.get("cfg"), default_cfg)
    width, height = engine.size(width, height)
    base = engine.base_parameters()
    fam = engine.family
    assets, table = [], []
    if params.get("as_reference"):
        n = int(params.get("n") or 4)
        prompt, negative = build_prompt(reference_prompt(str(params["as_reference"])), "", persona.negative_prompt, preset)
        negative = negative if engine.uses_negative(cfg) else ""
        images = []
        for i in range(n):
            req = ImageRequest(prompt, negative, width, height, steps, cfg, seed0 + i)
            images.append((req, engine.text_to_image(req, ctx.sub(i / n, (i + 1) / n), f"face {i + 1}/{n}")))
        for i, (req, rgb) in enumerate(images, start=1):
            prov = Provenance(pipeline=f"{fam}-reference-candidate", engine=engine.name, models=engine.model_uses(),
                              seed=req.seed, parameters={**base, "prompt": prompt, "negative_prompt": negative or None,
                                                         "description": params["as_reference"], "steps": steps,
                                                         "cfg": cfg, "width": width, "height": height, "index": i})
            assets.append(project.register(save_png(project, rgb), "still", prov, label=f"reference candidate {i}").id)
            table.append({"index": i, "seed": req.seed})
        hint = "Pick the faces you like: `studio generate PROJECT --pick 1,3` (numbers as listed)."
        return {"assets": assets, "faces": table, "hint": hint, "first_seed": seed0}

    k = int(params["variations"])
    if not 1 <= k <= 32:
        raise BadInput("Variations (--variations) must be between 1 and 32.")
    source_path, parent = _picked_face(project, params.get("from"))
    from PIL import Image

    source = np.asarray(Image.open(source_path).convert("RGB").resize((width, height), Image.LANCZOS))
    strength = float(params.get("strength") or 0.6)
    face_pass = PersonaPass.open(persona, engine.store, swap=params.get("swap", True), restore=bool(params.get("restore")),
                                 swapper=params.get("swapper") or "auto")
    made = []
    for i in range(k):
        what = VARIATIONS[i % len(VARIATIONS)]
        prompt, negative = build_prompt(f"close-up portrait photo, {what}", persona.style_prompt, persona.negative_prompt, preset)
        req = ImageRequest(prompt, negative if engine.uses_negative(cfg) else "", width, height, steps, cfg, seed0 + i)
        sub = ctx.sub(i / k, (i + 1) / k)
        # SDXL / Z-Image: img2img from the face; FLUX.2 [klein]: a reference edit of it
        rgb = engine.image_to_image(source, req, strength, sub.sub(0, 0.85), f"variation {i + 1}/{k}")
        made.append((req, what, face_pass.apply(rgb)))
    how = "reference edit" if engine.supports_references else "img2img"
    for i, (req, what, res) in enumerate(made, start=1):
        prov = Provenance(pipeline=f"{fam}-face-variation", engine=f"{engine.name} {how}"
                          + (f" + face swap ({face_pass.swapper.model_id})" if face_pass.swapper else ""),
                          models=engine.model_uses() + face_pass.models, seed=req.seed, scores=res.scores,
                          parameters={**base, "prompt": req.prompt, "negative_prompt": req.negative or None, "variation": what,
                                      "strength": strength, "steps": steps, "cfg": cfg, "width": width,
                                      "height": height, "swap": face_pass.swap_label, "index": i})
        asset = project.register(save_png(project, res.image), "still", prov, parents=[parent] if parent else [],
                                 label=f"variation {i}: {what}")
        assets.append(asset.id)
        table.append({"index": i, "seed": req.seed, "variation": what, "score": res.score,
                      "verdict": res.scores.get("identity_verdict")})
    warnings = [face_pass.skipped_reason] if face_pass.swapper is None and face_pass.skipped_reason else []
    return {"assets": assets, "faces": table, "warnings": warnings, "first_seed": seed0,
            "hint": "Add the good ones as references: `studio generate PROJECT --pick 1,2`."}


def _picked_face(project: Project, ref: str | None) -> tuple[Any, str | None]:
    """The face to vary: `--from` (asset or file), else the first synthetic reference, else the first one."""
    if ref:
        path, asset = project.resolve_input(ref)
        return path, asset.id if asset else None
    refs = project.persona.reference_faces
    if not refs:
        raise BadInput("There is no reference face to vary yet: make candidates with --as-reference and --pick one.")
    chosen = next((r for r in refs if r.synthetic), refs[0])
    return project.path / chosen.image, chosen.id


@action("pick-references", label="Use as reference faces")
def pick_references(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Make candidates of the last --as-reference/--variations run reference faces, marked synthetic."""
    project = ctx.project
    try:
        picks = [int(x) for x in str(params["pick"]).replace(" ", "").split(",") if x]
    except ValueError:
        raise BadInput(f"Faces to pick (--pick) must be numbers like 1,3 (got '{params['pick']}').") from None
    jobs = [j for j in queue_of(project).list() if j.kind == "generate" and j.state.value == "done"
            and (j.params.get("as_reference") or j.params.get("variations"))]
    if not jobs:
        raise NotFound("No face candidates to pick from: run `studio generate PROJECT --as-reference \"description\"` first.")
    last = max(jobs, key=lambda j: j.finished_at or "")
    ids = last.result.get("assets", [])
    bad = [i for i in picks if not 1 <= i <= len(ids)]
    if bad or not picks:
        raise BadInput(f"Faces to pick (--pick) must be numbers between 1 and {len(ids)} (the last run made {len(ids)} faces).")
    from .commercial import check_inputs

    # the candidates become references by file: check their chain here (commercial-safe), or a
    # candidate drawn with a non-commercial model would lose its lineage
    check_inputs(ctx, "pick-references", {"picked": [ids[i - 1] for i in picks]})
    photos = [str(project.asset_path(ids[i - 1])) for i in picks]
    result = handler_for("faces.add")(ctx, {"photos": photos})
    added = set(result.get("assets", []))
    if added:
        refs = [r.model_copy(update={"synthetic": True}) if r.id in added else r for r in project.persona.reference_faces]
        project.update_persona(reference_faces=refs)
    result["warnings"] = [f"{r['photo']}: {r['reason']}" for r in result.get("rejected", [])]
    return result
