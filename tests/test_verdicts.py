"""The commercial-use verdict: every place that shows one shows the verdict stored with the asset
(issue 16 item 1: `studio post` said "allowed" because it tested a dict for truth).

One module-wide project runs every job kind once, for real, through the CLI (tiny random SDXL and
insightface-shaped models, the embedded dlib and Piper); then each place that shows a verdict is
checked against the stored one: the job commands, `studio info`, `studio batch`, the C2PA
manifest (`studio verify`), and the window's export tiles and post page.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest

from studio.actions.registry import kinds
from studio.cli.main import main
from studio.core.project import Project
from studio.render.licences import (
    asset_verdict,
    normalise,
    stored_verdict,
    verdict_role,
    verdict_text,
)

SIZE = ["90", "160"]


def cli(*args: str) -> tuple[int, str]:
    """Run `studio ARGS`; (exit code, stdout)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main([str(a) for a in args])
    return rc, buf.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Run every job kind once; {kind: (stdout, asset ids it made)} plus the project folder."""
    import numpy as np
    import torch

    from studio.core.paths import resources_dir
    from tests.jobs import run_job
    from tests.tiny.onnx_faces import install_tiny_face_models
    from tests.tiny.sdxl import save_tiny_sdxl

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("verdicts")
    runs: dict[str, tuple[str, list[str], dict | None]] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PERSONA_STUDIO_HOME", str(root / "home"))
        portrait = resources_dir() / "demo" / "portrait.jpg"
        from PIL import Image

        from pipelines.faces import open_analyzer

        rgb = np.asarray(Image.open(portrait).convert("RGB"))
        face = open_analyzer(None, prefer="dlib").detect(rgb)[0]
        install_tiny_face_models(root / "models", faces=[(face.box, face.kps5)], image_size=rgb.shape[:2])
        tiny = save_tiny_sdxl(root / "tiny-sdxl")
        Project.create(root, "Mara").close()
        proj = root / "Mara.persona"

        def made(kind: str, rc: int, out: str, before: set[str]) -> None:
            assert rc == 0, (kind, out)
            with Project.open(proj, read_only=True) as p:  # the verdict stored when it printed
                new = [a.id for a in p.data.assets if a.id not in before]
                runs[kind] = (out, new, stored_verdict(p, new))

        def ids() -> set[str]:
            with Project.open(proj, read_only=True) as p:
                return {a.id for a in p.data.assets}

        b = ids()
        made("faces.add", *cli("faces", "add", proj, portrait, "--not-a-real-person"), b)
        ref = runs["faces.add"][1][0]
        b = ids()
        made("faces.score", *cli("faces", "score", proj, portrait), b)
        b = ids()
        made("narrate", *cli("narrate", proj, "Hi there, this is Mara."), b)
        narration = runs["narrate"][1][0]
        b = ids()
        made("transcribe", *cli("transcribe", proj, narration, "--text", "Hi there, this is Mara."), b)
        b = ids()
        made("motion.animate", *cli("animate", proj, ref, "--engine", "camera", "--seconds", "1.5",
                                    "--size", "x".join(SIZE)), b)
        clip = runs["motion.animate"][1][0]
        b = ids()
        made("lipsync", *cli("lipsync", proj, clip, narration, "--engine", "landmarks"), b)
        b = ids()
        made("generate", *cli("generate", proj, "reading in a cafe", "-n", "1", "--size", "64x64", "--steps", "2",
                              "--seed", "3", "--checkpoint", tiny), b)
        still = runs["generate"][1][0]
        mask = root / "mask.png"
        m = np.zeros((64, 64), "uint8")
        m[16:48, 16:48] = 255
        Image.fromarray(m).save(mask)
        b = ids()
        made("inpaint", *cli("inpaint", proj, still, "a red hat", "--mask", mask, "--steps", "2",
                             "--checkpoint", tiny), b)
        b = ids()
        made("outpaint", *cli("outpaint", proj, still, "--to", "9:16", "--steps", "2", "--checkpoint", tiny), b)
        b = ids()
        made("faces.swap", *cli("swap", proj, portrait, "-o", root / "swapped.png", "--no-restore"), b)
        b = ids()
        made("generate --as-reference", *cli("generate", proj, "--as-reference", "a woman", "-n", "1",
                                             "--size", "64x64", "--steps", "2", "--checkpoint", tiny), b)
        runs.pop("generate --as-reference")  # a step towards pick-references, not a kind
        # the tiny model draws noise: no face in it, so picking it adds no reference (exit 1 or 2)
        b = ids()
        rc, out = cli("generate", proj, "--pick", "1")
        with Project.open(proj, read_only=True) as p:
            new = [a.id for a in p.data.assets if a.id not in b]
            runs["pick-references"] = (out, new, stored_verdict(p, new))
        # the post job (what `studio post` runs) at preview sizes, printed by `studio post`'s printer
        from studio.cli.common import finish_job
        from studio.cli.post_cmds import print_post

        b = ids()
        with Project.open(proj) as p:
            job = run_job(p, "post", {"script": "Hello from the cafe.", "still": ref, "presets": ["reels"],
                                      "engine": "camera", "size": [90, 160], "export_size": [270, 480]})
            res = finish_job(job, p).result
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            print_post(res)
        made("post", 0, buf.getvalue(), b)
        with Project.open(proj, read_only=True) as p:
            post_id, timeline = p.data.posts[-1].id, p.data.posts[-1].timeline_id
        b = ids()
        made("scene.reroll", *cli("reroll", proj, post_id, "--scene", "1", "--source", portrait, "-n", "1"), b)
        b = ids()  # without a re-export the pick still makes the scene's new clip
        made("scene.pick", *cli("pick", proj, post_id, "--scene", "1", "--candidate", "1", "--no-export"), b)
        b = ids()
        made("upscale", *cli("upscale", proj, still, "--engine", "classical", "--scale", "2"), b)
        b = ids()
        made("export", *cli("export", proj, post_id, "--preset", "square", "--size", "240x240"), b)
        b = ids()
        made("captions", *cli("timeline", "captions", proj, "--from", narration, "--timeline", timeline), b)
        b = ids()
        made("transcribe", *cli("transcribe", proj, narration, "--engine", "pocketsphinx"), b)
        with Project.open(proj, read_only=True) as p:
            newest = p.persona.reference_faces[-1].id
        b = ids()
        made("faces.remove", *cli("faces", "remove", proj, newest), b)
        yield {"project": proj, "runs": runs, "root": root}


#: job kinds that never make an asset: nothing they print may claim a verdict
NO_ASSETS = {"faces.score", "faces.remove", "captions"}


def test_every_job_kind_is_run_here(world):
    """A new job kind fails this test until the fixture above runs it."""
    assert set(kinds()) == set(world["runs"])


@pytest.mark.parametrize("kind", sorted(set(kinds())))
def test_each_job_command_prints_the_stored_verdict(world, kind):
    out, _made, verdict = world["runs"][kind]
    if verdict is None:  # nothing was made: nothing may be claimed
        assert kind in NO_ASSETS or kind == "pick-references", kind
        assert "ommercial use" not in out
        return
    assert verdict_text(verdict) in out, (kind, out)
    if verdict["verdict"] != "allowed":
        assert "allowed by the licences" not in out


def test_the_chain_decides_and_non_commercial_models_block(world):
    runs = world["runs"]
    v = {k: runs[k][2] for k in ("narrate", "post", "faces.swap", "faces.add")}
    assert v["narrate"]["verdict"] == "allowed"  # Piper's voice is CC0 and nothing else took part
    # the insightface-shaped test models took part (identity checks): they are non-commercial
    assert v["post"]["verdict"] == "not allowed"
    assert set(v["post"]["blocking"]) & {"dlib-face-models", "buffalo_l-det", "buffalo_l-rec"}
    assert "inswapper_128" in v["faces.swap"]["blocking"]
    assert v["faces.add"]["verdict"] == "not allowed"
    # the bug itself: the stored record is a dict, truthy whatever it says
    assert "allowed by the licences" not in runs["post"][0]
    assert "NOT allowed" in runs["post"][0]


def test_info_shows_every_assets_stored_verdict(world):
    rc, out = cli("info", world["project"])
    assert rc == 0
    with Project.open(world["project"], read_only=True) as p:
        for a in p.data.assets:
            v = asset_verdict(p, a)
            line = next(ln for ln in out.splitlines() if a.id in ln)
            if v["models"] or a.kind == "export":
                assert verdict_text(v, short=True) in line, line
            if v["verdict"] != "allowed":
                assert "commercial use: allowed" not in line


def test_batch_summary_shows_the_stored_verdict(world, tmp_path):
    proj = tmp_path / "Mara.persona"
    shutil.copytree(world["project"], proj)
    plan = tmp_path / "plan.yaml"
    plan.write_text(json.dumps({"posts": [{"title": "Monday", "script": "Good morning.", "presets": ["reels"],
                                           "engine": "camera", "size": [90, 160], "export_size": [270, 480]}]}))
    rc, out = cli("batch", proj, plan, "--json")
    assert rc == 0
    (row,) = json.loads(out)
    with Project.open(proj, read_only=True) as p:
        from studio.actions.registry import queue_of

        job = queue_of(p).get(row["job"])
        v = stored_verdict(p, job.result["assets"])
    assert v["verdict"] == "not allowed"
    assert row["commercial_use"] == verdict_text(v, short=True)


def test_c2pa_manifest_and_verify_carry_the_stored_verdict(world):
    with Project.open(world["project"], read_only=True) as p:
        videos = [a for a in p.assets_of("export") if a.path.endswith(".mp4")]
        assert videos
        for a in videos:
            stored = asset_verdict(p, a)
            rc, out = cli("verify", p.asset_path(a), "--json")
            report = json.loads(out)
            assert report["c2pa"]["studio"]["commercial_use"] == stored["verdict"]
            assert normalise(report["commercial_use"])["verdict"] == stored["verdict"]
            assert set(report["commercial_use"]["blocking"]) == set(stored["blocking"])
            rc, out = cli("verify", p.asset_path(a))
            assert verdict_text(stored, short=True) in out


def test_window_tiles_and_post_page_show_the_stored_verdict(world, qtbot):
    from studio.core.settings import Settings
    from studio.gui.export_panel import ExportPanel, ExportTile
    from studio.gui.post_panel import PostPanel, post_summary
    from studio.gui.session import ProjectSession
    from studio.gui.workers import JobController

    session = ProjectSession(Settings())
    with Project.open(world["project"], read_only=True) as p:
        session.project = p
        jobs = JobController(Settings())
        for panel in (ExportPanel(session, jobs), PostPanel(session, jobs)):
            qtbot.addWidget(panel)
            panel.refresh()
            tiles = panel.findChildren(ExportTile)
            assert tiles, type(panel).__name__
            for tile in tiles:
                a = next(a for a in p.assets_of("export") if p.asset_path(a) == tile.path)
                stored = asset_verdict(p, a)
                assert tile.verdict.text() == verdict_text(stored, short=True)
                assert tile.verdict.property("role") == verdict_role(stored)
        stored = world["runs"]["post"][2]
        summary = post_summary({"exports": {"reels": "x"}}, stored)
        assert verdict_text(stored) in summary and "allowed by" not in summary
        session.project = None


def test_the_most_restrictive_record_of_a_model_along_the_chain_decides(tmp_path):
    """A catalogue entry re-licensed later (dlib's 68-point model dropped) must not clear what an
    ancestor was made with: the same id recorded non-commercial upstream keeps the chain blocked."""
    from studio.core.assets import ModelUse, Provenance
    from studio.render.licences import asset_verdicts

    with Project.create(tmp_path, "Ava") as p:
        def add(models, parents=()):
            f = p.stage(".png")
            f.write_bytes(b"x")
            return p.register(f, "still", Provenance(pipeline="t", models=models), parents=list(parents)).id

        old = add([ModelUse(id="dlib-face-models", commercial_use=False)])
        mid = add([], [old])
        new = add([ModelUse(id="dlib-face-models", commercial_use=True)], [mid])
        assert asset_verdict(p, new)["verdict"] == "not allowed"
        assert asset_verdicts(p)[new]["verdict"] == "not allowed"
        assert asset_verdicts(p)[mid]["blocking"] == ["dlib-face-models"]
        clean = add([ModelUse(id="piper-en_US-joe-medium", commercial_use=True)])
        assert asset_verdicts(p)[clean]["verdict"] == asset_verdict(p, clean)["verdict"] == "allowed"
        # every stored shape reads right, and nothing unknown reads as allowed
        assert normalise({"verdict": "not allowed"})["verdict"] == "not allowed"
        assert normalise({"verdict": "allowed", "blocking": ["x"]})["verdict"] == "not allowed"
        for junk in (None, "", "yes", 1, {"verdict": "maybe"}, []):
            assert normalise(junk)["verdict"] == "unknown"
