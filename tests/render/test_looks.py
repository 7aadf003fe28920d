"""Looks on real pictures (the public-domain portrait and a test clip): grades, LUTs, grain,
vignette, old film, cartoon; per post and per scene in a real export; `studio look` commands."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

from studio.cli.main import main
from studio.core.errors import BadInput
from studio.core.paths import resources_dir
from studio.core.schema import Post
from studio.core.timeline import ReplaceClip
from studio.render.export import ExportOptions, export_post
from studio.render.ffmpeg import ffmpeg_exe, probe
from studio.render.looks import check_cube, look_chains, parse_look, preview_frame

PORTRAIT = resources_dir() / "demo" / "portrait.jpg"


def _rgb(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(float)


def _look(tmp_path, spec: str, src=PORTRAIT, luts=None, at: float = 0.0) -> np.ndarray:
    return _rgb(preview_frame(src, spec, tmp_path / f"{spec.replace(':', '_')}-{at}.png", at, 320, luts))


def _sat(rgb: np.ndarray) -> float:
    return float((rgb.max(axis=2) - rgb.min(axis=2)).mean())


def test_specs_combine_and_bad_ones_say_what_to_use():
    parts = parse_look("warm + grain=0.5+vignette")
    assert [(p.name, p.amount) for p in parts] == [("warm", 1.0), ("grain", 0.5), ("vignette", 1.0)]
    chain = ";".join(look_chains("warm+grain=0.5", "a", "b", 1080, 1920))
    assert chain.startswith("[a]colorbalance=") and "noise=alls=12:allf=t+u:all_seed=" in chain and chain.endswith("[b]")
    assert look_chains(None, "a", "b", 8, 8) == ["[a]null[b]"]
    with pytest.raises(BadInput, match="old-film"):
        parse_look("sparkle")
    with pytest.raises(BadInput, match="from 0 to 1"):
        parse_look("grain=3")
    with pytest.raises(BadInput, match="studio look import"):
        look_chains("lut:lut-missing", "a", "b", 8, 8, luts={})


def test_grades_and_effects_change_the_portrait_as_named(tmp_path):
    base = _look(tmp_path, "none")
    warm, cool, mono = _look(tmp_path, "warm"), _look(tmp_path, "cool"), _look(tmp_path, "mono")
    rb = lambda x: (x[..., 0] - x[..., 2]).mean()  # noqa: E731
    assert rb(warm) > rb(base) + 5 and rb(cool) < rb(base) - 5
    assert _sat(mono) < 3 < _sat(base)
    vig = _look(tmp_path, "vignette")
    corner = lambda x: x[:40, :40].mean() / x[140:180, 140:180].mean()  # noqa: E731
    assert corner(vig) < 0.8 * corner(base)
    grain = _look(tmp_path, "grain")
    assert np.abs(grain - base).std() > 4  # noise on every pixel
    cartoon = _look(tmp_path, "cartoon")
    luma = lambda x: (x @ [0.299, 0.587, 0.114]).round()  # noqa: E731
    flat = lambda x: (np.abs(np.diff(luma(x), axis=1)) == 0).mean()  # noqa: E731
    assert flat(cartoon) > 2 * flat(base)  # flat bands of brightness
    assert (luma(cartoon) < 40).mean() > (luma(base) < 40).mean() + 0.03  # + ink edges
    film = _look(tmp_path, "old-film")
    assert film[..., 0].mean() > film[..., 1].mean() > film[..., 2].mean()  # sepia
    assert _sat(film) < _sat(base)


def test_old_film_flickers_and_weaves_over_time():
    """The portrait held still for 2 s: plain frames are identical, old-film frames are not."""
    def frames(spec: str) -> list[np.ndarray]:
        graph = ";".join(["[0:v]scale=320:320,format=yuv420p[s]", *look_chains(spec, "s", "o", 320, 320)])
        raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-loop", "1", "-framerate", "10", "-t", "2", "-i",
                              str(PORTRAIT), "-filter_complex", graph, "-map", "[o]", "-f", "rawvideo",
                              "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
        return list(np.frombuffer(raw, np.uint8).reshape(-1, 320, 320, 3).astype(float))

    plain, film = frames("sepia"), frames("old-film")
    assert np.abs(plain[3] - plain[14]).max() == 0
    assert np.abs(film[3] - film[14]).mean() > 3
    means = [f.mean() for f in film]
    assert max(means) - min(means) > 1.0  # the flicker: brightness changes frame to frame
    assert frames("old-film")[7].tobytes() == film[7].tobytes()  # seeded: renders the same twice


def _swap_cube(path, n: int = 5) -> None:
    """A 3D LUT that swaps red and blue (R fastest, as the .cube format orders rows)."""
    rows = [f"{b / (n - 1):.6f} {g / (n - 1):.6f} {r / (n - 1):.6f}"
            for b in range(n) for g in range(n) for r in range(n)]
    path.write_text(f"TITLE \"swap\"\nLUT_3D_SIZE {n}\n" + "\n".join(rows) + "\n")


def test_cube_luts_are_checked_imported_and_applied(tmp_path, project):
    cube = tmp_path / "swap.cube"
    _swap_cube(cube)
    assert check_cube(cube) == 5
    base, swapped = _look(tmp_path, "none"), _look(tmp_path, "lut:x", luts={"x": cube})
    assert np.abs(swapped[..., 0] - base[..., 2]).mean() < 3 and np.abs(swapped[..., 2] - base[..., 0]).mean() < 3
    (tmp_path / "bad.cube").write_text("LUT_3D_SIZE 4\n0 0 0\n")
    with pytest.raises(BadInput, match="needs 64"):
        check_cube(tmp_path / "bad.cube")
    (tmp_path / "one.cube").write_text("LUT_1D_SIZE 2\n0 0 0\n1 1 1\n")
    with pytest.raises(BadInput, match="1D LUT"):
        check_cube(tmp_path / "one.cube")
    from studio.actions.looks import import_lut, resolve_look

    p, _, _ = project
    lut = import_lut(p, cube)
    assert lut.kind == "lut" and lut.provenance.parameters["lut_size"] == 5
    assert resolve_look(p, f"warm+lut:{lut.id}") == f"warm+lut:{lut.id}"
    assert resolve_look(p, f"lut:{cube}").startswith("lut:lut-")  # a file is imported on the way
    with pytest.raises(BadInput, match="not a .cube"):
        import_lut(p, PORTRAIT)


def _frame(path, t):
    info = probe(path)
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(info.height, info.width, 3).astype(float)


def test_a_scene_look_and_a_post_look_in_a_real_export(project, tmp_path, capsys):
    p, tl, ids = project
    # two scenes from the colour test clip: the second one in black and white
    (clip,) = tl.track("video").clips
    first = clip.model_copy(update={"out_point": 1.5})
    second = clip.model_copy(update={"id": "clip-second", "start": 1.5, "in_point": 1.5, "out_point": 3.0,
                                     "look": "mono"})
    tl = ReplaceClip(before=clip, after=first).apply(tl)
    tl = tl.with_clips(tl.track("video"), [first, second])
    p.put_timeline(tl)
    post = Post(title="Looks", timeline_id=tl.id, presets=["square"])
    p.put_post(post)
    opts = ExportOptions(size=(160, 160), cover=False, sign=False, label=False, captions=False,
                         detector=lambda rgb: [])
    (video,) = export_post(p, post.id, ["square"], opts)
    out = p.asset_path(video)
    assert _sat(_frame(out, 0.7)) > 20 and _sat(_frame(out, 2.2)) < 4
    # the post's look over everything, set the way the CLI does
    p.close()
    assert main(["look", "set", str(p.path), post.id, "sepia"]) == 0
    assert main(["look", "preview", str(p.path), "cartoon", "--asset", ids["clip"], "-o", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").is_file()
    from studio.core.project import Project

    with Project.open(p.path) as q:
        assert q.timeline(tl.id).look == "sepia"
        (video,) = export_post(q, post.id, ["square"], opts)
        frame = _frame(q.asset_path(video), 0.7)
    assert frame[..., 0].mean() > frame[..., 1].mean() > frame[..., 2].mean()
