"""`generate`: consistent stills of the persona — SDXL candidates, face swap, identity best-of-N.

Also makes candidate faces for a new synthetic persona (`as_reference`) and variations of a
picked face (`variations`); see stills_reference.py for those.
"""

from __future__ import annotations

from typing import Any

from pipelines.sdxl.generate import ImageRequest, text_to_image
from pipelines.sdxl.ip_adapter import PLUS_FACE, ip_adapter_inputs
from pipelines.sdxl.persona_pass import PassResult, PersonaPass
from pipelines.sdxl.sizes import resolve_size
from pipelines.sdxl.styles import build_prompt, get_style
from studio.core.assets import Provenance
from studio.core.errors import BadInput
from studio.core.project import Project

from .context import JobContext
from .registry import Resources, action
from .stills_setup import DEFAULT_CFG, DEFAULT_STEPS, new_seed, open_stills, save_png


def _int(params: dict, key: str, default: int, lo: int, hi: int) -> int:
    v = params.get(key)
    v = default if v is None else int(v)
    if not lo <= v <= hi:
        raise BadInput(f"--{key.replace('_', '-')} must be between {lo} and {hi} (got {v}).")
    return v


def _span(i: int, n: int) -> tuple[float, float]:
    """Progress span of candidate i: the first n share 0..0.9, re-rolls halve what is left."""
    if i < n:
        return 0.9 * i / n, 0.9 * (i + 1) / n
    k = i - n
    return 1.0 - 0.1 * 0.5**k, 1.0 - 0.1 * 0.5 ** (k + 1)


@action("generate", label="Generate stills", resources=Resources("sdxl", gpus=1), isolate=True)
def generate(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Make `n` candidates, swap each to the persona, keep the best `keep` (re-rolling if needed)."""
    project = ctx.project
    if params.get("as_reference") or params.get("variations"):
        from .stills_reference import generate_reference

        return generate_reference(ctx, params)
    persona = project.persona
    persona.require_consent("generate stills of them")
    prompt_text = str(params.get("prompt") or "").strip()
    if not prompt_text:
        raise BadInput('Say what to show, e.g. `studio generate PROJECT "reading in a cafe"`.')
    n = _int(params, "n", 4, 1, 64)
    keep = _int(params, "keep", 1, 1, n)
    steps = _int(params, "steps", DEFAULT_STEPS, 1, 200)
    cfg = float(params.get("cfg") if params.get("cfg") is not None else DEFAULT_CFG)
    max_extra = _int(params, "max_rerolls", 2 * n, 0, 256)
    width, height = resolve_size(params.get("format"), params.get("size"))
    preset = get_style(params["style"]) if params.get("style") else None
    prompt, negative = build_prompt(prompt_text, persona.style_prompt, persona.negative_prompt, preset)
    seed0 = int(params["seed"]) if params.get("seed") is not None else new_seed()

    ctx.progress(0, 1, "loading the model")
    setup = open_stills(ctx, params, params.get("ip_adapter"))
    face = _first_reference(project) if setup.loaded.ip_adapter == PLUS_FACE else None
    extra = ip_adapter_inputs(setup.loaded, face, _insightface(persona))
    face_pass = PersonaPass.open(persona, setup.store, swap=params.get("swap", True), restore=bool(params.get("restore")))
    warnings = [face_pass.skipped_reason] if face_pass.swapper is None and face_pass.skipped_reason else []

    results: list[tuple[int, PassResult]] = []
    i = 0
    while i < n or (sum(face_pass.passes(r) for _, r in results) < keep and i < n + max_extra
                    and face_pass.identity.available):
        seed = seed0 + i
        req = ImageRequest(prompt, negative, width, height, steps, cfg, seed, extra)
        sub = ctx.sub(*_span(i, n))
        label = f"candidate {i + 1}/{n}" if i < n else f"re-roll {i - n + 1} (seed {seed})"
        image = text_to_image(setup.loaded.txt2img, req, sub.sub(0.0, 0.85), label)
        sub.progress(1, 1, f"{label}: face swap + identity")
        results.append((seed, face_pass.apply(image)))
        i += 1
    ranked = sorted(results, key=lambda sr: (-sr[1].score, sr[0]))[:keep]
    passing = sum(face_pass.passes(r) for _, r in results)
    if face_pass.identity.available and passing < keep:
        warnings.append(
            f"Only {passing} of {len(results)} candidates passed as the same person; kept the best "
            f"{keep} anyway. Try another seed, a clearer prompt, or more reference photos."
        )
    if not face_pass.identity.available:
        warnings.append("The persona has no identity yet, so stills were not scored: add reference photos with `studio faces add`.")

    ctx.progress(1, 1, "saving")
    base = setup.base_parameters()
    engine = "Stable Diffusion XL" + (f" + face swap ({face_pass.swapper.model_id})" if face_pass.swapper else "")
    assets, table = [], []
    for rank, (seed, res) in enumerate(ranked, start=1):
        params_doc = {
            **base, "prompt": prompt, "negative_prompt": negative, "user_prompt": prompt_text,
            "style": preset.name if preset else None, "steps": steps, "cfg": cfg, "width": width,
            "height": height, "swap": face_pass.swap_label, "restore": res.restored,
            "ip_adapter": setup.loaded.ip_adapter, "rank": rank, "candidates": len(results), "first_seed": seed0,
        }
        prov = Provenance(pipeline="sdxl-txt2img", engine=engine, models=setup.model_uses() + face_pass.models,
                          seed=seed, parameters=params_doc, scores=res.scores)
        asset = project.register(save_png(project, res.image), "still", prov, label=prompt_text[:60])
        assets.append(asset.id)
    kept = {s for s, _ in ranked}
    for seed, res in results:
        table.append({"seed": seed, "score": res.score, "verdict": res.scores.get("identity_verdict"),
                      "swap": res.scores.get("swap"), "kept": seed in kept})
    return {"assets": assets, "warnings": warnings, "candidates": table, "first_seed": seed0,
            "size": [width, height], "checkpoint": setup.checkpoint.id}


def _first_reference(project: Project):  # noqa: ANN202 - numpy array or None
    refs = project.persona.reference_faces
    if not refs:
        return None
    import numpy as np
    from PIL import Image

    ref = refs[0]
    return np.asarray(Image.open(project.path / (ref.crop or ref.image)).convert("RGB"))


def _insightface(persona) -> list[float] | None:  # noqa: ANN001
    emb = persona.identity_for("insightface")
    return emb.vector if emb else None
