"""`studio look`: list looks, import a .cube LUT, set a post's (or a scene's) look, preview it on a frame."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import open_project, out, print_json

app = typer.Typer(help="Looks: colour grades, .cube LUTs, film grain, vignette, old film, cartoon.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="look")
    root.command("caption-style")(caption_style)


def caption_style(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    template: str = typer.Option(None, "--template", "-t", help="highlight, pop, boxed or minimal."),
    size: int = typer.Option(None, "--size", help="Font size at 1080 px width."),
    color: str = typer.Option(None, "--color", help="Text colour #RRGGBB."),
    highlight: str = typer.Option(None, "--highlight", help="Colour of the spoken word #RRGGBB."),
    uppercase: bool = typer.Option(None, "--uppercase/--no-uppercase", help="Captions in capitals."),
    words: int = typer.Option(None, "--words-per-line", help="Words shown together."),
    position: str = typer.Option(None, "--position", help="bottom, middle or top."),
) -> None:
    """Show or change how the persona's captions look on exports (all options: show only)."""
    from pydantic import ValidationError

    from studio.core.errors import BadInput
    from studio.render.captions import TEMPLATES

    changes = {k: v for k, v in {"template": template, "size": size, "color": color, "highlight_color": highlight,
                                  "uppercase": uppercase, "words_per_line": words, "position": position}.items()
               if v is not None}
    with open_project(project, write=bool(changes)) as p:
        style = p.persona.caption_style
        if changes:
            try:
                style = type(style).model_validate({**style.model_dump(), **changes})
            except ValidationError as e:
                err = e.errors()[0]
                raise BadInput(f"Caption style {'.'.join(str(x) for x in err['loc'])}: {err['msg']} "
                               f"(templates: {', '.join(TEMPLATES)}).") from None
            p.update_persona(caption_style=style)
    for k, v in style.model_dump().items():
        out.print(f"{k:<16} {v}" + (f"  ({TEMPLATES[v]})" if k == "template" else ""))


@app.command("list")
def list_looks(json_out: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """The built-in looks; combine with '+' and give amounts 0-1, e.g. warm+grain=0.4."""
    from studio.render.looks import list_looks as looks

    if json_out:
        print_json([{"look": k, "what": v} for k, v in looks()])
        return
    for name, what in looks():
        out.print(f"{name:<12} {what}")
    out.print("lut:ID       an imported .cube LUT (`studio look import PROJECT FILE.cube`)")


@app.command("import")
def import_cmd(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    file: Path = typer.Argument(..., help="A .cube 3D LUT."),
    name: str = typer.Option("", "--name", help="A label for it (default: the file name)."),
) -> None:
    """Import a .cube LUT into the project; use it as the look lut:ID."""
    from studio.actions.looks import import_lut

    with open_project(project) as p:
        a = import_lut(p, file, name)
    out.print(f"lut:{a.id}  ({a.label}, {a.provenance.parameters.get('lut_size')}³)")


@app.command("set")
def set_cmd(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    post: str = typer.Argument(..., help="Post id or title."),
    look: str = typer.Argument(..., help="The look (`studio look list`), or none to clear it."),
    scene: str = typer.Option(None, "--scene", "-s", help="Only this scene (number or id)."),
) -> None:
    """Give a post, or one of its scenes, a look; the next `studio export` renders it."""
    from studio.actions.looks import set_look

    with open_project(project) as p:
        rec = set_look(p, post, look, scene)
    where = f"scene {scene} of {rec.id}" if scene else rec.id
    out.print(f"{where}: look {look}. Export again to render it: studio export {project} {rec.id}")


@app.command("preview")
def preview(
    project: str = typer.Argument(..., help="Path of the NAME.persona folder."),
    look: str = typer.Argument(..., help="The look to try."),
    output: Path = typer.Option(..., "-o", "--out", help="PNG to write."),
    post: str = typer.Option(None, "--post", help="Post id or title (its scene's picture)."),
    scene: str = typer.Option(None, "--scene", "-s", help="Scene number (default 1)."),
    asset: str = typer.Option(None, "--asset", help="Or any still or clip of the project."),
    time: float = typer.Option(None, "--time", help="Second of the clip (default: a third in)."),
    width: int = typer.Option(540, "--width", help="Width of the preview in pixels."),
) -> None:
    """One frame with the look applied, through the same filters the export uses."""
    from studio.actions.looks import preview_look

    with open_project(project, write=False) as p:
        path = preview_look(p, look, output, post_ref=post, asset=asset, scene=scene, time=time, width=width)
    out.print(str(path))
