"""Face actions: import reference photos, remove them, keep the persona's identity fused, score media.

Job kinds: `faces.add`, `faces.remove`, `faces.score`. The CLI (`studio faces ...`) and the
window both run these. Each reference photo becomes a `reference` asset with two sidecars: the
aligned face crop (`.crop.png`) and `.face.json` (box, keypoints and the embedding of every
backend), so the identity can be re-fused without re-detecting.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.video_io import is_video, probe, read_frames
from studio.actions.registry import action
from studio.core.assets import ModelUse, Provenance, sha256_file
from studio.core.errors import BadInput, NotFound, StudioError
from studio.core.models import ModelStore
from studio.core.persona import IdentityEmbedding, LikenessStatement, ReferenceFace
from studio.core.project import Project
from studio.core.tasks import TaskContext

from .context import JobContext

CROP_SIZE = 256


def model_uses(store: ModelStore, ids: list[str], role: str) -> list[ModelUse]:
    """Provenance entries (id, sha256, licence, commercial flag) for the models in `ids`."""
    return [store.use(mid, role) for mid in ids]


def analyzers_for(store: ModelStore, backend: str = "auto") -> list:
    """The analyzers to embed references with: the chosen one first, then the other if installed.

    dlib is always included (it is embedded), so a persona always has a dlib identity.
    """
    from pipelines.faces import open_analyzer

    primary = open_analyzer(store, prefer=backend)  # ModelMissing if insightface asked but absent
    out = [primary]
    if primary.backend != "dlib":
        out.append(open_analyzer(store, prefer="dlib"))
    return out


def _faces_file(project: Project, ref: ReferenceFace) -> Path:
    return project.sidecar(ref.id, ".face.json")


def _pick_face(faces: list, pick: int | None, name: str) -> Any:
    """The face to use from a photo, or BadInput with the reason."""
    if not faces:
        raise BadInput(
            f"{name}: no face found; use a photo where the face is clearly visible and at least 80 px"
        )
    if pick is None and len(faces) > 1:
        boxes = "; ".join(
            f"{i}: [{', '.join(f'{v:.0f}' for v in f.box)}]" for i, f in enumerate(faces)
        )
        raise BadInput(
            f"{name}: {len(faces)} faces found ({boxes}; the largest is 0) — crop the photo to one "
            "face, or choose one (--pick N)"
        )
    i = pick or 0
    if not 0 <= i < len(faces):
        raise BadInput(
            f"{name}: face number (--pick) {i} is out of range; the photo has {len(faces)} face(s) (0..{len(faces) - 1})"
        )
    return faces[i]


def _embeddings_for(analyzers: list, rgb: np.ndarray, face: Any) -> dict[str, list[float]]:
    out = {}
    for an in analyzers:
        emb = (
            face.embedding
            if an.backend == face.backend and face.embedding is not None
            else an.embed(rgb, _as_backend(face, an.backend))
        )
        out[an.backend] = [float(v) for v in np.asarray(emb).reshape(-1)]
    return out


def _as_backend(face: Any, backend: str) -> Any:
    from dataclasses import replace

    # Another backend's analyzer embeds from the box (dlib) or keypoints (ArcFace) alone.
    return replace(face, backend=backend, extra={}, embedding=None)


def refuse_identity(
    project: Project, store: ModelStore, analyzers: list | None = None
) -> list[str]:
    """Recompute the persona's fused identity for every available backend; returns the backends.

    Embeddings come from each reference's `.face.json`; a backend missing there (e.g. the
    insightface models were installed after the photo was added) is computed from the photo.
    """
    from pipelines.faces import DetectedFace, fuse_identity, load_image

    analyzers = analyzers or analyzers_for(store, "auto")
    per_backend: dict[str, list[tuple[str, np.ndarray]]] = {a.backend: [] for a in analyzers}
    for ref in project.persona.reference_faces:
        side = _faces_file(project, ref)
        doc = json.loads(side.read_text("utf-8")) if side.exists() else {}
        embs = doc.get("embeddings", {})
        missing = [a for a in analyzers if a.backend not in embs]
        if missing:
            rgb = load_image(project.path / ref.image)
            face = DetectedFace(
                box=tuple(doc.get("box", ref.box)),
                score=1.0,
                kps5=np.asarray(doc["kps5"], np.float32),
                backend="dlib",
            )
            embs.update(_embeddings_for(missing, rgb, face))
            doc["embeddings"] = embs
            side.write_text(json.dumps(doc), "utf-8")
        for backend in per_backend:
            per_backend[backend].append((ref.id, np.asarray(embs[backend], np.float32)))
    identity = [
        IdentityEmbedding(
            backend=b,
            vector=[float(v) for v in fuse_identity([e for _, e in items], b)],
            reference_ids=[r for r, _ in items],
        )
        for b, items in per_backend.items()
        if items
    ]
    # keep identities of backends not installed now (their models may come back)
    kept = [e for e in project.persona.identity if e.backend not in per_backend]
    project.update_persona(identity=identity + kept)
    return [e.backend for e in identity]


def _already_added(project: Project, photo: str, name: str, pick: int | None) -> ReferenceFace | None:
    """The reference made from a file with the same bytes and the same face in it (`--pick`), if
    any: same sha256 -> same reference.

    A `faces add` killed between registering the photo and saving the persona left the asset
    without its reference entry: that entry is made here from the asset's own sidecars, so a
    resume finishes the step instead of adding the face a second time."""
    if not Path(photo).is_file():
        return None
    digest = sha256_file(photo)
    asset = next((a for a in project.assets_of("reference") if a.sha256 == digest
                  and (a.provenance.parameters.get("pick") or 0) == (pick or 0)), None)
    if asset is None:
        return None
    ref = next((r for r in project.persona.reference_faces if r.id == asset.id), None)
    if ref is not None:
        return ref
    side, crop = project.sidecar(asset, ".face.json"), project.sidecar(asset, ".crop.png")
    if not side.is_file() or not crop.is_file():
        return None  # not one of ours (imported by hand): add the photo afresh
    doc = json.loads(side.read_text("utf-8"))
    ref = ReferenceFace(id=asset.id, source_name=asset.provenance.parameters.get("source", name), image=asset.path,
                        crop=crop.relative_to(project.path).as_posix(), box=[float(v) for v in doc["box"]],
                        quality=dict(asset.provenance.scores))
    project.update_persona(reference_faces=[*project.persona.reference_faces, ref])
    return ref


@action("faces.add", label="Add reference photos")
def add_references(ctx: JobContext, params: dict) -> dict:
    """Import reference photos: detect, check quality, store, embed, re-fuse the identity."""
    project = ctx.project
    import cv2

    from pipelines.faces import align_crop, load_image
    from pipelines.faces.quality import face_quality, quality_problem

    project.persona.require_consent("import reference photos of this person")
    store = ctx.store
    analyzers = analyzers_for(store, params.get("backend", "auto"))
    primary = analyzers[0]
    pick = params.get("pick")
    photos = [str(p) for p in params.get("photos", [])]
    if not photos:
        raise BadInput("Give at least one photo.")
    accepted, rejected, assets = [], [], []
    models = model_uses(store, [m for a in analyzers for m in a.models_used()], "face analysis")
    for i, photo in enumerate(photos):
        ctx.progress(i, len(photos), Path(photo).name)
        name = Path(photo).name
        again = _already_added(project, photo, name, pick)
        if again is not None:  # the same file: the same reference (a resumed or repeated add)
            accepted.append({"photo": photo, "id": again.id, "quality": again.quality, "again": True})
            assets.append(again.id)
            continue
        try:
            rgb = load_image(photo)
            # references: search at up to 2048 px so a second, smaller face is not missed
            faces = primary.detect(
                rgb, embed=True, landmarks=True, max_side=min(max(rgb.shape[:2]), 2048)
            )
            face = _pick_face(faces, pick, name)
            q = face_quality(rgb, face)
            problem = quality_problem(q)
            if problem:
                raise BadInput(f"{name}: {problem}")
        except BadInput as e:
            rejected.append({"photo": photo, "reason": e.message})
            continue
        embeddings = _embeddings_for(analyzers, rgb, face)
        crop, _ = align_crop(rgb, face.kps5, CROP_SIZE)
        staged_photo = project.stage(Path(photo).suffix.lower() or ".jpg")
        staged_photo.write_bytes(Path(photo).read_bytes())
        staged_crop = project.stage(".png")
        cv2.imwrite(str(staged_crop), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
        staged_json = project.stage(".json")
        # the stored photo is the file as given; box/kps are in load_image's (upright) pixels
        staged_json.write_text(
            json.dumps(
                {
                    "box": [float(v) for v in face.box],
                    "kps5": face.kps5.tolist(),
                    "image_size": list(rgb.shape[:2]),
                    "embeddings": embeddings,
                    "detected_by": primary.backend,
                }
            ),
            "utf-8",
        )
        prov = Provenance(
            pipeline="faces.add",
            engine=f"face analysis ({primary.backend})",
            models=models,
            parameters={"source": name, "pick": pick, "backend": primary.backend},
            scores=q,
        )
        asset = project.register(
            staged_photo,
            "reference",
            prov,
            label=Path(photo).stem,
            extra_files={".crop.png": staged_crop, ".face.json": staged_json},
        )
        ref = ReferenceFace(
            id=asset.id,
            source_name=name,
            image=asset.path,
            crop=project.sidecar(asset, ".crop.png").relative_to(project.path).as_posix(),
            box=[float(v) for v in face.box],
            quality=q,
        )
        project.update_persona(reference_faces=[*project.persona.reference_faces, ref])
        accepted.append({"photo": photo, "id": asset.id, "quality": q})
        assets.append(asset.id)
    backends = (
        refuse_identity(project, store, analyzers)
        if accepted
        else [e.backend for e in project.persona.identity]
    )
    if accepted and params.get("not_a_real_person") and project.persona.needs_likeness_statement():
        # the user's answer to "is this an identifiable real person?", kept with the consent data
        project.update_persona(likeness=LikenessStatement(
            stated_in="window" if params.get("stated_in") == "window" else "cli", first_photo=Path(photos[0]).name))
    ctx.progress(len(photos), len(photos), "Identity updated")
    summary = f"{len(accepted)} added" + (f", {len(rejected)} rejected" if rejected else "")
    return {"assets": assets, "accepted": accepted, "rejected": rejected, "identity": backends,
            # what the jobs dock and the status bar say instead of a bare "done"
            "summary": summary, "verdict": ("rejected" if not accepted else "partly added") if rejected else None}


@action("faces.remove", label="Remove a reference photo")
def remove_reference(ctx: JobContext, params: dict) -> dict:
    """Forget one reference face (its files go to the project's trash) and re-fuse the identity."""
    project = ctx.project
    ref_id = params["ref_id"]
    refs = project.persona.reference_faces
    if not any(r.id == ref_id for r in refs):
        raise NotFound(f"No reference face '{ref_id}'. `studio faces list PROJECT` shows them.")
    project.update_persona(reference_faces=[r for r in refs if r.id != ref_id])
    try:
        project.remove_asset(ref_id)
    except NotFound:
        pass  # the asset was removed by hand; the reference entry is gone now too
    store = ctx.store
    backends = refuse_identity(project, store) if project.persona.reference_faces else []
    if not project.persona.reference_faces:
        project.update_persona(identity=[])
    return {"assets": [], "removed": ref_id, "identity": backends}


@action("faces.score", label="Identity score")
def score_action(ctx: JobContext, params: dict) -> dict:
    """Identity score of every face in an image or video (per sampled frame)."""
    project = ctx.project
    return score_media(
        project,
        ctx.store,
        params["path"],
        every=int(params.get("every", 1)),
        backend=params.get("backend", "auto"),
        ctx=ctx.task,
    )


def _face_json(s: Any) -> dict:
    return {
        "box": [round(float(v), 1) for v in s.face.box],
        "score": round(s.score, 1),
        "verdict": s.verdict,
    }


def score_media(
    project: Project,
    store: ModelStore,
    path: str,
    every: int = 1,
    backend: str = "auto",
    ctx: TaskContext | None = None,
) -> dict:
    """{"backend", "faces": [...], "frames": [{"index", "time", "faces"}]} for an image or a video."""
    from pipelines.faces import FaceTracker, PersonaIdentity, load_image, open_analyzer

    analyzer = open_analyzer(store, prefer=backend)
    ident = PersonaIdentity(project.persona, analyzer)
    if not ident.available and backend == "auto" and analyzer.backend != "dlib":
        analyzer = open_analyzer(store, prefer="dlib")  # references were added before the models
        ident = PersonaIdentity(project.persona, analyzer)
    if not ident.available:
        raise StudioError(
            f"'{project.persona.name}' has no reference faces yet. Add some with `studio faces add PROJECT PHOTO...`."
        )
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"No file at '{path}'.")
    result: dict[str, Any] = {"backend": analyzer.backend, "faces": [], "frames": []}
    if not is_video(p):
        result["faces"] = [_face_json(s) for s in ident.score_image(load_image(p))]
        return result
    every = max(1, every)
    tracker = FaceTracker(analyzer, every=max(1, 8 // every), embed=True)
    info = probe(p)
    total = max(1, info.frames)
    for index, frame in enumerate(read_frames(p)):
        if index % every:
            continue
        if ctx is not None:
            ctx.progress(index, total, f"frame {index}")
        scores = ident.score_faces(tracker.update(frame), frame)
        result["frames"].append(
            {
                "index": index,
                "time": round(index / info.fps, 3),
                "faces": [_face_json(s) for s in scores],
            }
        )
    return result
