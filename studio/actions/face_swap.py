"""Face swap action: put the persona's face into an image or a clip (`studio swap`).

`model` picks the swapper: auto (GHOST when installed with its converter, else inswapper_128), a
GHOST id (ghost_1/2/3_256) or inswapper_128. Every swapper takes the persona's insightface identity
and needs the insightface analyzer; without them it raises ModelMissing naming the download
command — it never pretends. A commercial-safe persona is refused with what to use instead (the
identity comes from the non-commercial buffalo_l-rec). Optional GFPGAN/CodeFormer restoration.
The result is registered as a still or clip asset with provenance (models + licences, every
parameter, the new identity score) and copied to the requested output path.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.video_io import even_size, is_video, probe, read_frames, write_video
from studio.actions.faces import model_uses, refuse_identity
from studio.actions.registry import action
from studio.core.assets import Provenance
from studio.core.errors import BadInput, StudioError
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.tasks import TaskContext

from .context import JobContext


def _persona_vector(project: Project, store: ModelStore, analyzers: list) -> np.ndarray:
    ident = project.persona.identity_for("insightface")
    if ident is None:
        if not project.persona.reference_faces:
            raise StudioError(
                f"'{project.persona.name}' has no reference faces. Add some with `studio faces add PROJECT PHOTO...`."
            )
        refuse_identity(project, store, analyzers)  # the insightface models came after the photos
        ident = project.persona.identity_for("insightface")
    return np.asarray(ident.vector, np.float32)


def _choose(faces: list, mode: str, similar_to: np.ndarray | None, ident_score: Any) -> list:
    if not faces:
        return []
    if mode == "largest":
        return faces[:1]
    if mode == "all":
        return faces
    assert similar_to is not None
    return [max(faces, key=lambda f: ident_score(f.embedding, similar_to, "insightface"))]


@action("faces.swap", label="Face swap")
def swap_action(ctx: JobContext, params: dict) -> dict:
    """Swap the persona's face into `target` (image or video); params: target, face, restore, output,
    model (auto, ghost_1_256/ghost_2_256/ghost_3_256 or inswapper_128)."""
    project = ctx.project
    from pipelines.faces import (
        FaceRestorer,
        PersonaIdentity,
        identity_score,
        load_image,
        open_analyzer,
        open_swapper,
        score_for_provenance,
    )
    from pipelines.faces.swappers import swapper_words

    project.persona.require_consent("swap this person's face into images")
    # an asset id or a file: an asset becomes the result's parent (the lineage in provenance)
    target, target_asset = project.resolve_input(str(params["target"]))
    mode = params.get("face", "largest")
    store = ctx.store
    swapper = open_swapper(store, str(params.get("model") or "auto"))
    analyzer = open_analyzer(store, prefer="insightface", providers=None)
    vector = _persona_vector(project, store, [analyzer, open_analyzer(store, prefer="dlib")])
    restorer = FaceRestorer.open(store) if params.get("restore", True) else None
    similar_to = None
    if mode.startswith("similar:"):
        ref_faces = analyzer.detect(load_image(mode.split(":", 1)[1]))
        if not ref_faces:
            raise BadInput(
                f"No face found in {mode.split(':', 1)[1]} to choose the similar face by."
            )
        similar_to, mode = ref_faces[0].embedding, "similar"
    elif mode not in ("largest", "all"):
        raise BadInput(f"Which face (--face) must be largest, all or similar:IMAGE (got '{mode}').")

    def swap_frame(rgb: np.ndarray, faces: list) -> np.ndarray:
        for face in _choose(faces, mode, similar_to, identity_score):
            rgb = swapper.swap(rgb, face, vector)
            if restorer is not None:
                rgb = restorer.restore(rgb, face)
        return rgb

    ids = list(dict.fromkeys([*analyzer.models_used(), *swapper.models_used()]
                             + ([restorer.model_id] if restorer else [])))
    prov = Provenance(
        pipeline="faces.swap",
        engine=swapper_words(swapper.model_id) + (f" + {restorer.model_id}" if restorer else ""),
        models=model_uses(store, ids, "face swap"),
        parameters={
            "target": target_asset.id if target_asset else target.name,
            "face": params.get("face", "largest"),
            "restore": restorer is not None,
            "swapper": swapper.model_id,
        },
    )
    ident = PersonaIdentity(project.persona, analyzer)
    if is_video(target):
        staged, kind, scores = _swap_video(project, target, analyzer, swap_frame, ident, ctx)
    else:
        import cv2

        ctx.progress(0, 2, "Detecting faces")
        rgb = load_image(target)
        faces = analyzer.detect(rgb, embed=mode == "similar")
        if not faces:
            raise BadInput(f"{target.name} has no face to swap.")
        ctx.progress(1, 2, "Swapping")
        out = swap_frame(rgb, faces)
        staged = project.stage(".png")
        cv2.imwrite(str(staged), cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
        kind, scores = "still", score_for_provenance(ident, out)
    prov.scores = scores
    asset = project.register(staged, kind, prov, parents=[target_asset.id] if target_asset else [],
                             label=f"swap {target.stem}")
    result = {"assets": [asset.id], "path": str(project.asset_path(asset)), "scores": scores}
    if params.get("output"):
        out_path = Path(params["output"])
        out_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.asset_path(asset), out_path)
        result["output"] = str(out_path)
    ctx.progress(1, 1, "Done")
    return result


def _swap_video(
    project: Project, target: Path, analyzer: Any, swap_frame: Any, ident: Any, ctx: TaskContext
) -> tuple[Path, str, dict]:
    from pipelines.faces import FaceTracker

    info = probe(target)
    tracker = FaceTracker(analyzer, every=6, embed=False)
    total = max(1, info.frames)
    per_frame: list[float] = []

    def swapped() -> Any:
        for i, frame in enumerate(read_frames(target)):
            ctx.progress(i, total, f"frame {i + 1}/{total}")
            faces = tracker.update(frame)
            out = swap_frame(frame, faces) if faces else frame
            if i % 10 == 0:  # identity check on a sample of frames
                best = ident.best(out)
                if best is not None:
                    per_frame.append(best.score)
            yield even_size(out)  # H.264 needs even sides: an odd source loses its last row/column

    staged = project.stage(".mp4")
    w, h = info.size
    # CRF 10 at libx264's default 'medium' preset: the near-lossless encode swaps have always used.
    write_video(
        staged,
        swapped(),
        info.fps,
        (w - w % 2, h - h % 2),
        crf=10,
        preset="medium",
        audio=target if info.has_audio else None,
        ctx=ctx,
    )
    from pipelines.faces.identity import verdict

    mean = float(np.mean(per_frame)) if per_frame else None
    scores = {
        "identity": None if mean is None else round(mean, 1),
        "identity_min": None if not per_frame else round(min(per_frame), 1),
        "identity_verdict": verdict(mean) if mean is not None else "no face found",
        "identity_backend": ident.backend,
        "frames_checked": len(per_frame),
    }
    return staged, "clip", scores
