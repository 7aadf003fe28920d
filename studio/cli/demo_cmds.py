"""`studio demo`: the offline demo on the embedded default models."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from studio.core.paths import resources_dir
from studio.core.persona import Persona
from studio.core.project import Project, project_dir_for

from .common import out

DEMO_NAME = "Demo"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    directory: Path = typer.Option(Path("projects"), "--dir", "-d", help="Where to create Demo.persona."),
) -> None:
    """Make a demo persona from the public-domain portrait, fully offline."""
    folder = project_dir_for(directory, DEMO_NAME)
    if folder.exists():
        shutil.rmtree(folder)  # the demo is regenerated from scratch every time
    persona = Persona(
        name=DEMO_NAME,
        description="Demo persona made from the public-domain astronaut portrait (NASA).",
        style_prompt="portrait photo, soft window light, natural skin texture, 85mm",
    )
    with Project.create(directory, DEMO_NAME, persona) as project:
        portrait = resources_dir() / "demo" / "portrait.jpg"
        project.import_file(portrait, "image", label="demo portrait")
        out.print(f"Demo project: {project.path}")
