"""`studio project rename|duplicate|delete` and the core functions the window's Personas page uses:
the same name check (exit code 2), refusal of an open project, delete to the trash."""

from __future__ import annotations

import os

import pytest

from studio.cli.main import main
from studio.core.errors import BadInput, ProjectLocked
from studio.core.library import delete_project, duplicate_project, rename_project
from studio.core.paths import resources_dir
from studio.core.project import Project
from studio.core.settings import Settings


@pytest.fixture
def folder(tmp_path):
    with Project.create(tmp_path / "projects", "Mara") as p:
        p.import_file(resources_dir() / "demo" / "portrait.jpg", "image", label="portrait")
        return p.path


def test_rename_duplicate_delete_keep_the_recent_list(folder):
    settings = Settings()
    settings.add_recent(folder)
    renamed = rename_project(folder, "Mara Two", settings)
    assert renamed.name == "Mara Two.persona" and not folder.exists()
    assert str(renamed.resolve()) in settings.recent_projects
    copy = duplicate_project(renamed, "Mara Copy", settings)
    with Project.open(copy, read_only=True) as p:
        assert p.persona.name == "Mara Copy" and p.asset_path(p.data.assets[0]).exists()
    delete_project(copy, settings)
    assert not copy.exists() and str(copy.resolve()) not in settings.recent_projects
    trash = os.environ["XDG_DATA_HOME"]
    assert any(n.startswith("Mara Copy.persona") for n in os.listdir(os.path.join(trash, "Trash", "files")))


@pytest.mark.parametrize("bad", ["a/b", "AC/DC ../../etc Fan: Mara/Quinn", "x" * 121, "   ", "dot."])
def test_bad_names_are_refused_before_anything_changes(folder, bad):
    with pytest.raises(BadInput) as e:
        rename_project(folder, bad, Settings())
    assert "project name" in e.value.message or "at most 120 characters" in e.value.message
    with pytest.raises(BadInput):
        duplicate_project(folder, bad, Settings())
    assert folder.exists() and len(list(folder.parent.iterdir())) == 1


def test_a_project_open_elsewhere_is_not_touched(folder):
    with Project.open(folder):
        for fn in (lambda: rename_project(folder, "Other", Settings()),
                   lambda: delete_project(folder, Settings())):
            with pytest.raises(ProjectLocked, match="Close it first"):
                fn()
    assert folder.exists()


def test_cli_project_commands(folder, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["project", "rename", str(folder), "AC/DC: Mara"]) == 2
    assert "cannot be a project name" in capsys.readouterr().err
    assert main(["project", "rename", str(folder), "y" * 130]) == 2
    assert "at most 120 characters" in capsys.readouterr().err
    assert main(["project", "rename", str(folder), "Nova"]) == 0
    nova = folder.with_name("Nova.persona")
    assert nova.is_dir() and capsys.readouterr().out.strip().endswith("Nova.persona")
    assert main(["project", "duplicate", str(nova), "Nova B"]) == 0
    copy = folder.with_name("Nova B.persona")
    assert copy.is_dir()
    assert main(["project", "delete", str(copy)]) == 2  # no terminal to ask: --yes is needed
    assert "--yes" in capsys.readouterr().err and copy.exists()
    assert main(["project", "delete", str(copy), "--yes"]) == 0
    assert not copy.exists() and "moved to the trash" in capsys.readouterr().out
    assert main(["project", "delete", str(nova), "--yes", "--permanent"]) == 0
    assert not nova.exists()
