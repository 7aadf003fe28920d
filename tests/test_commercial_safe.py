"""The commercial-safe persona switch across every job kind (issue 17).

1. A commercial-safe persona with non-commercial models installed (tiny insightface-shaped
   detector/recognizer, inswapper, GHOST, GFPGAN) runs the model-choosing job kinds for real:
   every automatic choice takes a commercial model (dlib + MediaPipe faces, Piper, the camera and
   talking-photo engines, the catalogued SDXL), and every asset and export says "allowed".
2. Every job kind refuses a non-commercial model — asked for by name, or carried in by an input
   asset made before the switch was on — with exit code 2 and a message naming a commercial
   alternative. `test_every_job_kind_is_covered` fails when a kind is added without a case.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from PIL import Image

from studio.actions.commercial import MAKES_NOTHING
from studio.actions.registry import kinds
from studio.cli.main import main
from studio.core.assets import ModelUse, Provenance
from studio.core.jobs import JobState
from studio.core.project import Project
from studio.core.timeline import AddClip, Clip, Timeline
from studio.render.licences import ALLOWED, asset_verdict, asset_verdicts


def cli(*args: object) -> tuple[int, str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main([str(a) for a in args])
    return rc, buf.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Tiny models installed, and two commercial-safe personas: 'Safe' (on from the start, every
    kind run for real) and 'Mixed' (assets made before the switch, then turned on)."""
    import torch

    from pipelines.faces import open_analyzer
    from studio.core.models import ModelStore
    from studio.core.paths import resources_dir
    from studio.core.settings import Settings
    from tests.jobs import run_job
    from tests.tiny.onnx_faces import install_tiny_face_models, install_tiny_ghost
    from tests.tiny.sdxl import save_tiny_sdxl_hub_layout

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("commercial")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PERSONA_STUDIO_HOME", str(root / "home"))
        portrait = resources_dir() / "demo" / "portrait.jpg"
        rgb = np.asarray(Image.open(portrait).convert("RGB"))
        face = open_analyzer(None, prefer="dlib").detect(rgb)[0]
        install_tiny_face_models(root / "models", faces=[(face.box, face.kps5)], image_size=rgb.shape[:2])
        install_tiny_ghost(root / "models")
        tiny = save_tiny_sdxl_hub_layout(root / "tiny-sdxl")
        ModelStore(Settings.load()).import_file("sdxl-base-1.0", tiny)  # catalogued: CreativeML OpenRAIL++-M

        # --- 'Safe': commercial-safe from the start; the kinds that choose models, for real
        Project.create(root, "Safe").close()
        safe = root / "Safe.persona"
        assert cli("persona", "set", safe, "--commercial-safe", "on")[0] == 0
        runs: dict[str, str] = {}

        def ok(kind: str, *args: object) -> str:
            rc, out = cli(*args)
            assert rc == 0, (kind, out)
            runs[kind] = out
            return out

        ok("faces.add", "faces", "add", safe, portrait, "--not-a-real-person")
        ok("faces.score", "faces", "score", safe, portrait)
        ok("narrate", "narrate", safe, "Hi there, this is Safe.")
        with Project.open(safe, read_only=True) as p:
            ref = p.persona.reference_faces[0].id
            narration = p.assets_of("narration")[-1].id
        ok("motion.animate", "animate", safe, ref, "--seconds", "1", "--size", "90x160")
        with Project.open(safe, read_only=True) as p:
            clip = p.assets_of("clip")[-1].id
        ok("lipsync", "lipsync", safe, clip, narration)
        ok("generate", "generate", safe, "reading in a cafe", "-n", "1", "--size", "64x64", "--steps", "2",
           "--seed", "3")
        ok("transcribe", "transcribe", safe, narration, "--engine", "pocketsphinx")
        ok("upscale", "upscale", safe, ref, "--engine", "classical")
        with Project.open(safe) as p:
            job = run_job(p, "post", {"script": "Hello from the cafe.", "still": ref, "presets": ["reels"],
                                      "size": [90, 160], "export_size": [270, 480]})
            assert job.state == JobState.done, job.error
            runs["post"] = job.result

        # --- 'Mixed': made before the switch (an unknown-licence SDXL folder, inswapper), then on
        Project.create(root, "Mixed").close()
        mixed = root / "Mixed.persona"
        assert cli("faces", "add", mixed, portrait, "--not-a-real-person", "--backend", "dlib")[0] == 0
        assert cli("generate", mixed, "--as-reference", "a woman", "-n", "1", "--size", "64x64", "--steps", "2",
                   "--checkpoint", tiny)[0] == 0
        with Project.open(mixed) as p:
            def bad(kind, models, suffix=".png", src=portrait):  # noqa: ANN001, ANN202
                f = p.stage(suffix)
                f.write_bytes(src.read_bytes() if suffix == ".png" else b"RIFF")
                return p.register(f, kind, Provenance(pipeline="test", models=models)).id

            swapped = bad("still", [ModelUse(id="inswapper_128", commercial_use=False, role="face swap")])
            xtts = bad("narration", [ModelUse(id="xtts-v2", commercial_use=False, role="voice clone")], ".wav")
            tl = AddClip(track="video", clip=Clip(asset_id=swapped, start=0, out_point=2)).apply(Timeline.empty())
            p.put_timeline(tl)
            ids = {"ref": p.persona.reference_faces[0].id, "swapped": swapped, "xtts": xtts, "timeline": tl.id}
        mask = root / "mask.png"
        Image.fromarray(np.full((64, 64), 255, np.uint8)).save(mask)
        assert cli("persona", "set", mixed, "--commercial-safe", "on")[0] == 0
        yield {"safe": safe, "mixed": mixed, "runs": runs, "ids": ids, "portrait": portrait, "tiny": tiny,
               "mask": mask, "root": root}


# ---------------------------------------------------------------------- 1: auto choices, verdicts

def test_automatic_choices_take_only_commercial_models_and_every_verdict_is_allowed(world):
    with Project.open(world["safe"], read_only=True) as p:
        verdicts = asset_verdicts(p)
        assert verdicts and all(v["verdict"] == ALLOWED for v in verdicts.values()), {
            a: v for a, v in verdicts.items() if v["verdict"] != ALLOWED}
        used = {m.id for a in p.data.assets for m in a.provenance.models}
        assert used.isdisjoint({"buffalo_l-det", "buffalo_l-rec", "inswapper_128", "ghost_2_256", "gfpgan-1.4",
                                "dlib-landmarks68"}), used
        assert {"dlib-face-models", "mediapipe-face-mesh", "piper-en_US-joe-medium", "sdxl-base-1.0"} <= used
        exports = p.assets_of("export")
        assert exports and all(asset_verdict(p, a)["verdict"] == ALLOWED for a in exports)
        assert all(p.persona.identity_for("insightface") is None for _ in [0])  # dlib identity only
        still = next(a for a in p.assets_of("still") if a.provenance.parameters.get("swap") is not None)
        assert still.provenance.parameters["swap"] == "skipped"
    assert "commercial use: allowed" in world["runs"]["generate"].lower()
    assert world["runs"]["post"]["commercial_use"]["verdict"] == ALLOWED


# ---------------------------------------------------------------------- 2: refusals, every kind

def _refusals(w) -> dict[str, tuple[dict, str, str]]:  # noqa: ANN001
    """kind -> (params, the refused model, the alternative the message names)."""
    ids, portrait = w["ids"], str(w["portrait"])
    return {
        "faces.add": ({"photos": [portrait], "backend": "insightface"}, "buffalo_l-det", "dlib-face-models"),
        "faces.score": ({"path": portrait, "backend": "insightface"}, "buffalo_l-det", "dlib-face-models"),
        "faces.swap": ({"target": portrait, "model": "inswapper_128"}, "inswapper_128", "flux2-klein-4b"),
        "narrate": ({"text": "Hello.", "engine": "xtts"}, "xtts-v2", "chatterbox"),
        "motion.animate": ({"still": ids["ref"], "engine": "svd"}, "svd-xt", "wan2.2-ti2v-5b"),
        "lipsync": ({"visual": ids["ref"], "narration": ids["xtts"], "engine": "landmarks"}, "xtts-v2", "chatterbox"),
        "generate": ({"prompt": "x", "n": 1, "size": "64x64", "steps": 2, "ip_adapter": "ip-adapter-faceid-sdxl"},
                     "ip-adapter-faceid-sdxl", "ip-adapter-plus-face-sdxl"),
        "inpaint": ({"still": ids["ref"], "mask": str(w["mask"]), "prompt": "x", "steps": 2,
                     "checkpoint": str(w["tiny"])}, "tiny-sdxl", "sdxl-base-1.0"),
        "outpaint": ({"still": ids["swapped"], "to": "9:16", "steps": 2}, "inswapper_128", "flux2-klein-4b"),
        "pick-references": ({"pick": "1"}, "tiny-sdxl", "sdxl-base-1.0"),
        "post": ({"script": "Hi.", "still": ids["ref"], "engine": "svd", "presets": ["reels"]}, "svd-xt",
                 "wan2.2-ti2v-5b"),
        "export": ({"target": ids["timeline"], "presets": ["square"]}, "inswapper_128", "flux2-klein-4b"),
        "transcribe": ({"source": ids["xtts"]}, "xtts-v2", "chatterbox"),
        "upscale": ({"source": ids["swapped"]}, "inswapper_128", "flux2-klein-4b"),
        "scene.reroll": ({"post": "any", "scene": 1, "source": ids["swapped"]}, "inswapper_128", "flux2-klein-4b"),
        "scene.pick": ({"post": "any", "scene": 1, "candidate": ids["swapped"]}, "inswapper_128", "flux2-klein-4b"),
    }


#: kinds that run no model and make no asset: nothing to refuse (they re-time or remove)
NO_MODEL = {"captions", "faces.remove"}


def test_every_job_kind_is_covered(world):
    """A new job kind fails here until it has a refusal case above (or makes nothing)."""
    assert set(kinds()) == set(_refusals(world)) | NO_MODEL
    assert NO_MODEL <= MAKES_NOTHING


@pytest.mark.parametrize("kind", sorted(set(kinds()) - NO_MODEL))
def test_each_job_kind_refuses_a_non_commercial_model_naming_an_alternative(world, kind, monkeypatch):
    from tests.jobs import run_job

    monkeypatch.setenv("PERSONA_STUDIO_HOME", str(world["root"] / "home"))  # where the tiny models are

    params, refused, alternative = _refusals(world)[kind]
    with Project.open(world["mixed"]) as p:
        before = {a.id for a in p.data.assets}
        job = run_job(p, kind, params)
        assert job.state == JobState.failed and job.error_code == 2, (kind, job.state, job.error)
        msg = " ".join(job.error.split())
        assert refused in msg and alternative in msg, (kind, msg)
        assert "commercial-safe" in msg
        assert {a.id for a in p.data.assets} == before  # nothing was made


def test_no_model_kinds_make_nothing(world):
    with Project.open(world["safe"], read_only=True) as p:
        words = [a for a in p.assets_of("narration") if p.sidecar(a, ".words.json").is_file()][0].id
    rc, out = cli("timeline", "captions", world["safe"], "--from", words)
    assert rc == 0 and "ommercial use" not in out
