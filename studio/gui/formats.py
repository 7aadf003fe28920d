"""Social formats as the preview draws them, taken from the render presets (one source of truth)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.render.presets import PRESETS


@dataclass(frozen=True)
class PreviewFormat:
    """How one export preset looks in the preview."""

    id: str
    label: str
    width: int
    height: int
    safe: tuple[float, float, float, float]  # top, right, bottom, left margins as fractions

    @property
    def aspect(self) -> float:
        return self.width / self.height


def _ratio(w: int, h: int) -> str:
    from math import gcd

    g = gcd(w, h)
    return f"{w // g}:{h // g}"


FORMATS: tuple[PreviewFormat, ...] = tuple(
    PreviewFormat(p.id, p.name if ":" in p.name else f"{p.name} {_ratio(p.width, p.height)}", p.width, p.height,
                  (p.safe.top, p.safe.right, p.safe.bottom, p.safe.left))
    for p in PRESETS.values()
)


def format_by_id(fid: str) -> PreviewFormat:
    for f in FORMATS:
        if f.id == fid:
            return f
    return FORMATS[0]
