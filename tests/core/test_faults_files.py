"""Fault campaign (issue 16): broken project files of every schema version, a read-only folder.

Whatever a file holds, opening it ends in a StudioError with a message (never a traceback) and a
read-only open changes nothing on disk; a project on a read-only disk opens read-only and says why.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.assets import Provenance
from studio.core.errors import ProjectCorrupt, ReadOnlyProject, StudioError
from studio.core.project import Project
from studio.core.schema import SCHEMA_VERSION
from studio.core.timeline import AddClip, Clip, Timeline

ROOT = Path(__file__).resolve().parents[2]


def _current_doc(tmp_path: Path) -> dict:
    """A real project.json of this version: an asset, a timeline using it, a post."""
    from studio.core.schema import Post

    with Project.create(tmp_path / "src", "Ava") as p:
        f = p.stage(".png")
        f.write_bytes(b"png")
        a = p.register(f, "still", Provenance(pipeline="sdxl", seed=1))
        tl = AddClip(track="video", clip=Clip(asset_id=a.id, start=0, out_point=2)).apply(Timeline.empty())
        p.put_timeline(tl)
        p.put_post(Post(title="Monday", timeline_id=tl.id, exports={"reels": a.id}))
        return json.loads((p.path / "project.json").read_text())


#: the fields a post had before schema 4 (which added storyboards and a post state)
_V3_POST = {"id", "title", "timeline_id", "script", "presets", "exports", "created_at"}


def doc_of(version: int, tmp_path: Path) -> dict:
    """A valid project document as schema `version` wrote it."""
    cur = _current_doc(tmp_path)
    if version == 1:  # 0.0.x previews: assets keyed by id, the voice a bare id, no posts/timelines
        assets = {a["id"]: {k: v for k, v in a.items() if k != "id"} for a in cur["assets"]}
        persona = {"name": "Ava", "voice": "piper-en_US-joe-medium", "real_person": False}
        return {"schema_version": 1, "persona": persona, "assets": assets}
    if version in (2, 3):
        doc = {**cur, "schema_version": version,
               "posts": [{k: v for k, v in post.items() if k in _V3_POST} for post in cur["posts"]]}
        if version == 2:  # v3 added the content calendar
            doc.pop("calendar")
        return doc
    assert version == SCHEMA_VERSION == 4, "a new schema version: add its document shape here"
    return cur


WRONG = [42, "nope", [], {}, None, True, 1.5, [42], {"x": 1}]
#: where a wrong value goes: top-level keys, then nested places (a path of keys / indexes)
PLACES = [("persona",), ("assets",), ("timelines",), ("posts",), ("calendar",), ("settings",), ("id",),
          ("persona", "name"), ("persona", "voice"), ("persona", "reference_faces"), ("persona", "identity"),
          ("assets", 0), ("assets", 0, "provenance"), ("assets", 0, "parents"), ("assets", 0, "kind"),
          ("timelines", 0), ("timelines", 0, "tracks"), ("timelines", 0, "tracks", 0, "clips"),
          ("timelines", 0, "tracks", 0, "clips", 0, "start"), ("posts", 0, "exports"), ("posts", 0)]


def _mutations(doc: dict) -> list[tuple[str, dict]]:
    out = []
    for place in PLACES:
        for value in WRONG:
            d = copy.deepcopy(doc)
            node = d
            try:
                for key in place[:-1]:
                    node = node[key]
                if isinstance(node, dict) or (isinstance(node, list) and isinstance(place[-1], int)
                                              and place[-1] < len(node)):
                    node[place[-1]] = value
                else:
                    continue
            except (KeyError, IndexError, TypeError):
                continue  # that place does not exist in this version's shape
            out.append((f"{'.'.join(map(str, place))}={json.dumps(value)}", d))
    return out


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_wrong_typed_files_of_every_schema_version_are_reported_and_left_alone(tmp_path, version):
    doc = doc_of(version, tmp_path)
    folder = tmp_path / "Ava.persona"
    folder.mkdir()
    (folder / "project.json").write_text(json.dumps(doc))
    with Project.open(folder, read_only=True) as p:  # the valid shape opens
        assert p.name == "Ava"
    cases = _mutations(doc) + [("the issue's file", {"schema_version": version, "persona": 42, "assets": "nope"})]
    assert len(cases) > 100
    reported = 0
    for what, bad in cases:
        text = json.dumps(bad)
        (folder / "project.json").write_text(text)
        before = sorted(os.listdir(folder))
        for read_only in (True, False):
            try:
                Project.open(folder, read_only=read_only).close()
            except ProjectCorrupt as e:
                reported += 1
                assert "project.json" in e.message and "\n" not in e.message, what
            except StudioError as e:  # any other error must still be one the user can read
                pytest.fail(f"{what}: {type(e).__name__}: {e.message}")
            except Exception as e:  # a traceback is the bug this test is for
                pytest.fail(f"{what}: {type(e).__name__}: {e}")
            else:
                continue
            # a file that cannot be read is never rewritten, and no backup appears
            assert (folder / "project.json").read_text() == text, what
            assert sorted(os.listdir(folder)) == before, what
    assert reported >= len(cases)  # most wrong types are refused (some are harmless, e.g. settings={})


def test_the_issues_v1_file_through_the_cli_is_one_line_and_writes_nothing(tmp_path):
    folder = tmp_path / "Old.persona"
    folder.mkdir()
    (folder / "project.json").write_text('{"schema_version": 1, "persona": 42, "assets": "nope"}')
    r = subprocess.run([sys.executable, "-m", "studio.cli.main", "info", str(folder)], capture_output=True,
                       text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "'persona' must be an object" in r.stderr
    assert sorted(os.listdir(folder)) == ["project.json"]  # no project.v1.json.bak from a read-only info


def test_a_migration_is_backed_up_only_by_a_writer(tmp_path):
    folder = tmp_path / "Old.persona"
    folder.mkdir()
    (folder / "project.json").write_text(json.dumps(doc_of(1, tmp_path)))
    with Project.open(folder, read_only=True) as p:
        assert p.migrated_from[0] == 1
    assert not (folder / "project.v1.json.bak").exists()
    with Project.open(folder) as p:
        assert p.migrated_from[0] == 1
    assert (folder / "project.v1.json.bak").exists()


def test_update_persona_validates_before_it_assigns(tmp_path):
    """A refused edit left the invalid persona in memory, and the next save wrote it (issue 13)."""
    from studio.core.errors import BadInput

    with Project.create(tmp_path, "Ava") as p:
        with pytest.raises(BadInput, match="Cannot change the persona"):
            p.update_persona(name="")
        assert p.persona.name == "Ava"
        p.save()  # the next save is of the valid persona
    with Project.open(tmp_path / "Ava.persona", read_only=True) as q:
        assert q.persona.name == "Ava"


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio.cli.main", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_project_on_a_read_only_disk_opens_read_only_and_says_why(tmpfs, portrait):
    from PIL import Image

    disk = tmpfs.mount("8m")
    Project.create(disk, "Ava").close()
    photo = disk.parent / "face.jpg"
    Image.fromarray(portrait).save(photo)
    tmpfs.readonly(disk)
    folder = disk / "Ava.persona"
    with Project.open(folder) as p:  # taking the lock hits EROFS: read-only, with the reason
        assert p.read_only and "cannot write to" in p.read_only_reason and "Read-only file system" in p.read_only_reason
    with pytest.raises(ReadOnlyProject, match="writable folder"):
        Project.open(folder, require_write=True)
    info = _cli("info", folder)  # reading needs no lock
    assert info.returncode == 0 and "Ava" in info.stdout
    for args in (("faces", "add", folder, photo, "--not-a-real-person"), ("narrate", folder, "Hello there.")):
        r = _cli(*args)
        assert r.returncode == 1, r
        assert "Traceback" not in r.stderr and "cannot write to" in r.stderr and "writable folder" in r.stderr
