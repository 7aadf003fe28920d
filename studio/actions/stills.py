"""`generate`: consistent stills of the persona — candidates from the chosen image model (FLUX.2
[klein] with the persona's reference photos, Z-Image-Turbo or SDXL; see stills_engine.py), face
swap, identity best-of-N.

Also makes candidate faces for a new synthetic persona (`as_reference`) and variations of a
picked face (`variations`); see stills_reference.py for those.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipelines.sdxl.generate import ImageRequest, check_guidance
from pipelines.sdxl.ip_adapter import PLUS_FACE, ip_adapter_inputs
from pipelines.sdxl.persona_pass import PassResult, PersonaPass
from pipelines.sdxl.sizes import resolve_size
from pipelines.sdxl.styles import build_prompt, get_style
from studio.core.assets import Provenance
from studio.core.errors import BadInput
from studio.core.project import Project
from studio.core.text import setting_words

from .context import JobContext
from .registry import Resources, action
from .stills_engine import Engine, open_engine
from .stills_setup import new_seed, save_png

#: how an error names a setting, in words the window and the CLI both read ("--n must…" was CLI talk)
_SETTING = {"n": "Candidates (-n)", "max_rerolls": "Re-rolls"}


def _int(params: dict, key: str, default: int, lo: int, hi: int) -> int:
    v = params.get(key)
    v = default if v is None else int(v)
    if not lo <= v <= hi:
        raise BadInput(f"{_SETTING.get(key) or setting_words(key)} must be between {lo} and {hi} (got {v}).")
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
    max_extra = _int(params, "max_rerolls", 2 * n, 0, 256)
    width, height = resolve_size(params.get("format"), params.get("size"))
    preset = get_style(params["style"]) if params.get("style") else None
    prompt, negative = build_prompt(prompt_text, persona.style_prompt, persona.negative_prompt, preset)
    seed0 = int(params["seed"]) if params.get("seed") is not None else new_seed()

    ctx.progress(0, 1, "loading the model")
    engine = open_engine(ctx, params, params.get("ip_adapter"))
    default_steps, default_cfg = engine.defaults()
    steps = _int(params, "steps", default_steps, 1, 200)
    cfg = check_guidance(params.get("cfg"), default_cfg)
    width, height = engine.size(width, height)
    negative = negative if engine.uses_negative(cfg) else ""
    extra, references = {}, []
    if engine.family == "sdxl":
        loaded = engine.impl.setup.loaded
        face = _first_reference(project) if loaded.ip_adapter == PLUS_FACE else None
        extra = ip_adapter_inputs(loaded, face, _insightface(persona), guidance=cfg)
    elif engine.supports_references and params.get("references", True):
        references = reference_photos(project, int(params.get("max_references") or 3))
    face_pass = PersonaPass.open(persona, engine.store, swap=params.get("swap", True), restore=bool(params.get("restore")),
                                 swapper=params.get("swapper") or "auto")
    warnings = engine.prompt_warnings(prompt, negative)  # once per job, not once per candidate
    warnings += [face_pass.skipped_reason] if face_pass.swapper is None and face_pass.skipped_reason else []

    results: list[tuple[int, PassResult]] = []
    i = 0
    while i < n or (sum(face_pass.passes(r) for _, r in results) < keep and i < n + max_extra
                    and face_pass.identity.available):
        seed = seed0 + i
        req = ImageRequest(prompt, negative, width, height, steps, cfg, seed, extra)
        sub = ctx.sub(*_span(i, n))
        label = f"candidate {i + 1}/{n}" if i < n else f"re-roll {i - n + 1} (seed {seed})"
        image = engine.text_to_image(req, sub.sub(0.0, 0.85), label, references=references)
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
    assets = _save(ctx, engine, ranked, len(results), face_pass, {
        "prompt": prompt, "negative_prompt": negative or None, "user_prompt": prompt_text,
        "style": preset.name if preset else None, "steps": steps, "cfg": cfg, "width": width,
        "height": height, "first_seed": seed0, "references": len(references),
        "ip_adapter": engine.impl.setup.loaded.ip_adapter if engine.family == "sdxl" else None,
    }, prompt_text)
    table = []
    kept = {s for s, _ in ranked}
    for seed, res in results:
        table.append({"seed": seed, "score": res.score, "verdict": res.scores.get("identity_verdict"),
                      "swap": res.scores.get("swap"), "kept": seed in kept})
    return {"assets": assets, "warnings": warnings, "candidates": table, "first_seed": seed0,
            "size": [width, height], "checkpoint": engine.parameters.get("checkpoint", engine.choice.ref),
            "model": engine.choice.ref,
            "engine": engine.name, "model_choice": engine.choice.reason}


def _save(ctx: JobContext, engine: Engine, ranked: list[tuple[int, PassResult]], candidates: int,
          face_pass: PersonaPass, doc: dict[str, Any], label: str) -> list[str]:
    """Register the kept candidates with their provenance; returns their asset ids."""
    name = engine.name + (f" + face swap ({face_pass.swapper.model_id})" if face_pass.swapper else "")
    assets = []
    for rank, (seed, res) in enumerate(ranked, start=1):
        params_doc = {**engine.base_parameters(), **doc, "swap": face_pass.swap_label, "restore": res.restored,
                      "rank": rank, "candidates": candidates}
        prov = Provenance(pipeline=f"{engine.family}-txt2img", engine=name,
                          models=engine.model_uses() + face_pass.models, seed=seed, parameters=params_doc,
                          scores=res.scores)
        assets.append(ctx.project.register(save_png(ctx.project, res.image), "still", prov, label=label[:60]).id)
    return assets


def reference_photos(project: Project, limit: int = 3) -> list[np.ndarray]:
    """The persona's reference photos (real photos before synthetic ones), for multi-reference models."""
    from PIL import Image

    refs = sorted(project.persona.reference_faces, key=lambda r: r.synthetic)[:limit]
    return [np.asarray(Image.open(project.path / r.image).convert("RGB")) for r in refs]


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
