"""Looks: colour grades, .cube LUTs, film grain, vignette, "old film" and "cartoon" as ffmpeg filters.

A look is written as a short spec, `name` or `name=amount` parts joined by `+`:
`warm`, `old-film`, `cartoon`, `teal-orange+grain=0.4+vignette`, `lut:lut-3f9a0c12` (an
imported .cube LUT asset, applied with ffmpeg's `lut3d`). Amounts run 0..1 (default 1) and scale
the effect. `look_chains` turns a spec into filtergraph text, pure and testable as strings like
the rest of the export graph; grain is seeded so an export renders the same twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import BadInput


def _f(v: float) -> str:
    return f"{v:.3f}"


def _toward(target: float, a: float) -> str:
    """A factor that is 1 at amount 0 and `target` at amount 1."""
    return _f(1 + (target - 1) * a)


def _sepia(a: float) -> str:
    m = ((0.393, 0.769, 0.189), (0.349, 0.686, 0.168), (0.272, 0.534, 0.131))
    keys = ("rr", "rg", "rb", "gr", "gg", "gb", "br", "bg", "bb")
    vals = [(1 - a) * (i == j) + a * m[i][j] for i in range(3) for j in range(3)]
    return "colorchannelmixer=" + ":".join(f"{k}={_f(v)}" for k, v in zip(keys, vals, strict=True))


#: colour grades: name -> (what it is, filters at amount a in 0..1)
GRADES: dict[str, tuple[str, Callable[[float], str]]] = {
    "warm": ("golden, sunny", lambda a: f"colorbalance=rs={_f(.08 * a)}:gs={_f(.02 * a)}:bs={_f(-.08 * a)}:"
             f"rm={_f(.05 * a)}:bm={_f(-.05 * a)},eq=saturation={_toward(1.1, a)}"),
    "cool": ("blue, crisp", lambda a: f"colorbalance=rs={_f(-.06 * a)}:bs={_f(.08 * a)}:rm={_f(-.04 * a)}:"
             f"bm={_f(.06 * a)},eq=saturation={_toward(.95, a)}"),
    "teal-orange": ("cinema: teal shadows, warm skin", lambda a: f"colorbalance=rs={_f(-.10 * a)}:bs={_f(.12 * a)}:"
                    f"rh={_f(.10 * a)}:gh={_f(.02 * a)}:bh={_f(-.08 * a)},"
                    f"eq=saturation={_toward(1.15, a)}:contrast={_toward(1.05, a)}"),
    "vivid": ("punchy colour", lambda a: f"eq=saturation={_toward(1.3, a)}:contrast={_toward(1.06, a)}"),
    "faded": ("matte, lifted blacks", lambda a: f"curves=all='0/{_f(.08 * a)} 0.5/0.5 1/{_f(1 - .08 * a)}',"
              f"eq=saturation={_toward(.8, a)}"),
    "mono": ("black and white", lambda a: f"hue=s={_f(1 - a)},eq=contrast={_toward(1.1, a)}"),
    "sepia": ("brown old photo", _sepia),
}
#: effects that are more than a grade
EFFECTS = {
    "grain": "film grain",
    "vignette": "darker corners",
    "old-film": "grain, gate weave, flicker and a faded sepia grade",
    "cartoon": "smoothed, flat colours with ink edges",
}
GRAIN_SEED = 20251


@dataclass(frozen=True)
class LookPart:
    """One part of a look: a grade, an effect or a LUT, with its amount (0..1)."""

    name: str
    amount: float = 1.0
    lut: str | None = None  # asset id or file of a .cube LUT


def list_looks() -> list[tuple[str, str]]:
    """(name, what it does) of every built-in look, for the CLI and the window."""
    return [(k, v[0]) for k, v in GRADES.items()] + list(EFFECTS.items())


def parse_look(spec: str | None) -> list[LookPart]:
    """The parts of a look spec (BadInput naming the valid looks for an unknown one)."""
    parts: list[LookPart] = []
    for raw in (spec or "").split("+"):
        token = raw.strip()
        if not token or token == "none":
            continue
        if token.lower().startswith("lut:"):
            ref = token[4:].strip()
            if not ref:
                raise BadInput("A LUT look needs the LUT: 'lut:ASSET_ID' (import one with `studio look import`).")
            parts.append(LookPart("lut", 1.0, ref))
            continue
        name, _, amount = token.partition("=")
        name = name.strip().lower()
        if name not in GRADES and name not in EFFECTS:
            raise BadInput(f"No look '{name}'. Choose from: {', '.join(n for n, _ in list_looks())}, "
                           "or lut:ASSET_ID; combine with '+', e.g. warm+grain=0.5.")
        try:
            a = float(amount) if amount else 1.0
        except ValueError:
            raise BadInput(f"The amount in '{token}' must be a number from 0 to 1.") from None
        if not 0.0 <= a <= 1.0:
            raise BadInput(f"The amount in '{token}' must be from 0 to 1.")
        parts.append(LookPart(name, a))
    return parts


def lut_refs(spec: str | None) -> list[str]:
    """The LUT asset ids / files a look spec uses (the export resolves them to paths)."""
    return [p.lut for p in parse_look(spec) if p.lut]


def _grade(name: str, a: float) -> str:
    return GRADES[name][1](a)


def _grain(a: float, seed: int) -> str:
    return f"noise=alls={max(1, round(24 * a))}:allf=t+u:all_seed={seed}"


def _vignette(a: float) -> str:
    # vignette's angle: larger is darker; PI/5 is a gentle, photographic falloff
    return f"vignette=angle={0.2 + 0.45 * a:.3f}"


def _old_film(a: float, w: int, h: int, seed: int) -> str:
    """Faded sepia, flicker, gate weave (the frame drifting by a pixel or two), grain, vignette."""
    weave = max(1.0, w / 540) * a  # pixels of drift at this size
    margin = 2 * (int(weave) + 2)  # scaled up by this many pixels so the drifting crop stays inside
    parts = [
        _grade("sepia", 0.55 * a),
        f"curves=all='0/{0.10 * a:.3f} 0.5/0.5 1/{1 - 0.12 * a:.3f}'",
        f"eq=brightness='{0.045 * a:.3f}*(random(1)-0.5)':saturation={1 - 0.3 * a:.3f}:eval=frame",
        f"scale={w + margin}:{h + margin}",
        f"crop={w}:{h}:x='(iw-ow)/2+{weave:.2f}*sin(t*11.3)*sin(t*3.1)':"
        f"y='(ih-oh)/2+{weave * 0.7:.2f}*sin(t*7.7+1.3)'",
        _grain(min(1.0, 0.8 * a + 0.2), seed),
        _vignette(0.8 * a),
    ]
    return ",".join(parts)


def _cartoon(a: float, inp: str, out: str, tag: str) -> list[str]:
    """Edge-preserving smoothing, flat shading bands, black ink edges multiplied on top.

    Only the brightness is quantised (per-channel posterising paints false colours into soft
    gradients); the colour comes from the smoothed picture, so skin stays skin-coloured.
    """
    levels = max(4, round(10 - 4 * a))  # fewer brightness bands = flatter
    step = 256 / levels
    q = f"floor(val/{step:.2f})*{step:.2f}+{step / 2:.2f}"
    return [
        f"[{inp}]bilateral=sigmaS={4 + 6 * a:.1f}:sigmaR={0.08 + 0.08 * a:.2f},format=yuv444p,split[{tag}c][{tag}e]",
        f"[{tag}c]lutyuv=y='{q}',eq=saturation={1.1 + 0.2 * a:.2f},format=gbrp[{tag}q]",
        f"[{tag}e]format=gray,gblur=sigma=1.2,edgedetect=low={0.10 - 0.04 * a:.2f}:high={0.25 - 0.08 * a:.2f},"
        f"negate,erosion,format=gbrp[{tag}k]",
        f"[{tag}q][{tag}k]blend=all_mode=multiply:all_opacity={0.7 + 0.3 * a:.2f},format=yuv420p[{out}]",
    ]


def look_chains(spec: str | None, inp: str, out: str, width: int, height: int,
                luts: Mapping[str, str | Path] | None = None, tag: str = "lk",
                seed: int = GRAIN_SEED) -> list[str]:
    """Filtergraph chains applying `spec` to stream `[inp]`, ending in `[out]`.

    `luts` maps each LUT ref in the spec to its .cube file; `tag` keeps labels unique when
    several looks are in one graph (one per scene).
    """
    parts = parse_look(spec)
    if not parts:
        return [f"[{inp}]null[{out}]"]
    from .graph import filter_path

    chains: list[str] = []
    linear: list[str] = []
    cur = inp
    for i, part in enumerate(parts):
        if part.name == "cartoon":
            label = f"{tag}{i}in"
            chains.append(f"[{cur}]{','.join(linear) or 'null'}[{label}]")
            linear = []
            cur = f"{tag}{i}out"
            chains += _cartoon(part.amount, label, cur, f"{tag}{i}")
        elif part.name == "lut":
            path = (luts or {}).get(part.lut or "")
            if path is None:
                raise BadInput(f"The LUT '{part.lut}' of this look is not in the project. Import it with "
                               "`studio look import PROJECT FILE.cube`.")
            linear.append(f"lut3d=file={filter_path(path)}:interp=tetrahedral")
        elif part.name in GRADES:
            linear.append(_grade(part.name, part.amount))
        elif part.name == "grain":
            linear.append(_grain(part.amount, seed + i))
        elif part.name == "vignette":
            linear.append(_vignette(part.amount))
        elif part.name == "old-film":
            linear.append(_old_film(part.amount, width, height, seed + i))
    linear.append("format=yuv420p")
    chains.append(f"[{cur}]{','.join(linear)}[{out}]")
    return chains


def check_cube(path: str | Path) -> int:
    """The size of a .cube 3D LUT (BadInput when the file is not one ffmpeg's lut3d reads)."""
    p = Path(path)
    try:
        text = p.read_text("utf-8", errors="replace")
    except OSError as e:
        raise BadInput(f"Cannot read the LUT '{p}': {e.strerror or e}.") from None
    size = None
    rows = 0
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key = line.split()[0].upper()
        if key == "LUT_3D_SIZE":
            try:
                size = int(line.split()[1])
            except (IndexError, ValueError):
                raise BadInput(f"{p.name}: LUT_3D_SIZE must be a number.") from None
        elif key == "LUT_1D_SIZE":
            raise BadInput(f"{p.name} is a 1D LUT; looks take 3D .cube LUTs (LUT_3D_SIZE).")
        elif key[0].isdigit() or key[0] in "-.":
            rows += 1
    if size is None:
        raise BadInput(f"{p.name} is not a .cube 3D LUT (no LUT_3D_SIZE line).")
    if not 2 <= size <= 256 or rows != size**3:
        raise BadInput(f"{p.name} says LUT_3D_SIZE {size} but has {rows} colour rows (needs {size**3}).")
    return size


def preview_frame(src: str | Path, spec: str | None, out: str | Path, at: float = 0.0, width: int = 540,
                  luts: Mapping[str, str | Path] | None = None) -> Path:
    """Write one frame of `src` (a video at `at` s, or an image) with the look applied, as PNG."""
    from studio.core.media import IMAGE_SUFFIXES, probe

    from .ffmpeg import run_ffmpeg

    info = probe(src)
    w = max(2, min(width, info.width or width) // 2 * 2)
    h = max(2, round((info.height or w) * w / (info.width or w)) // 2 * 2)
    graph = ";".join([f"[0:v]scale={w}:{h},format=yuv420p[s]", *look_chains(spec, "s", "o", w, h, luts)])
    seek = [] if Path(src).suffix.lower() in IMAGE_SUFFIXES else ["-ss", f"{max(at, 0.0):.3f}"]
    out = Path(out)
    run_ffmpeg([*seek, "-i", str(src), "-filter_complex", graph, "-map", "[o]", "-frames:v", "1", str(out)])
    if not out.is_file():
        raise BadInput(f"No frame at {at:.2f} s of {Path(src).name} to preview the look on.")
    return out
