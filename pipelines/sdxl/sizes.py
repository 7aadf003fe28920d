"""Image sizes: the SDXL resolution bucket for each social aspect, and `--size WxH` parsing."""

from __future__ import annotations

import math

from studio.core.errors import BadInput

#: SDXL was trained on ~1 megapixel buckets; these are the ones closest to each post format.
BUCKETS: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "4:5": (896, 1152),
    "9:16": (768, 1344),
    "16:9": (1344, 768),
}

#: Aspect as (width units, height units), for exact outpaint canvases.
ASPECTS: dict[str, tuple[int, int]] = {"1:1": (1, 1), "4:5": (4, 5), "9:16": (9, 16), "16:9": (16, 9)}


def parse_aspect(fmt: str) -> tuple[int, int]:
    """'9:16' -> (9, 16); any 'A:B' of positive integers is accepted."""
    if fmt in ASPECTS:
        return ASPECTS[fmt]
    try:
        a, b = (int(x) for x in fmt.split(":"))
        if a > 0 and b > 0:
            return a, b
    except ValueError:
        pass
    raise BadInput(f"'{fmt}' is not an aspect: use one of {', '.join(ASPECTS)} (or A:B).")


def resolve_size(fmt: str | None = None, size: str | None = None, multiple: int = 8) -> tuple[int, int]:
    """(width, height) from `--size WxH` (wins) or `--format`; default 1:1 at 1024 px.

    Real SDXL wants multiples of 64; `multiple` is 8 so tiny test models can run at 32-64 px.
    """
    if size:
        try:
            w, h = (int(x) for x in size.lower().replace("×", "x").split("x"))
        except ValueError:
            raise BadInput(f"Size (--size) must look like 1024x1024 (got '{size}').") from None
        if w <= 0 or h <= 0 or w % multiple or h % multiple:
            raise BadInput(
                f"Size (--size) {w}x{h}: width and height must be positive multiples of {multiple} "
                "(SDXL works best at multiples of 64, about one megapixel, e.g. 896x1152)."
            )
        return w, h
    fmt = fmt or "1:1"
    if fmt not in BUCKETS:
        raise BadInput(f"Aspect (--format) must be one of {', '.join(BUCKETS)} (got '{fmt}'); or give an exact size (--size WxH).")
    return BUCKETS[fmt]


def canvas_for_aspect(width: int, height: int, fmt: str) -> tuple[int, int]:
    """The smallest canvas of exactly aspect `fmt`, in multiples of 8, that contains width x height."""
    a, b = parse_aspect(fmt)
    g = math.gcd(a, b)
    a, b = a // g, b // g
    m = max(math.ceil(width / (8 * a)), math.ceil(height / (8 * b)))
    return 8 * a * m, 8 * b * m
