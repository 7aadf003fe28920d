"""Social formats as the preview draws them: aspect ratio and the safe zone the app's UI leaves free.

Fractions of the frame covered by each platform's own buttons and captions (top, right, bottom,
left), from the platforms' published safe-zone guides, rounded.
"""

from __future__ import annotations

from dataclasses import dataclass


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


FORMATS: tuple[PreviewFormat, ...] = (
    PreviewFormat("tiktok", "TikTok 9:16", 1080, 1920, (0.08, 0.15, 0.20, 0.06)),
    PreviewFormat("reels", "Instagram Reels 9:16", 1080, 1920, (0.14, 0.10, 0.35, 0.06)),
    PreviewFormat("shorts", "YouTube Shorts 9:16", 1080, 1920, (0.10, 0.15, 0.20, 0.06)),
    PreviewFormat("feed", "Instagram feed 4:5", 1080, 1350, (0.05, 0.05, 0.05, 0.05)),
    PreviewFormat("square", "Square 1:1", 1080, 1080, (0.05, 0.05, 0.05, 0.05)),
    PreviewFormat("youtube", "YouTube 16:9", 1920, 1080, (0.05, 0.05, 0.05, 0.05)),
    PreviewFormat("x", "X (Twitter) 16:9", 1920, 1080, (0.05, 0.05, 0.10, 0.05)),
)


def format_by_id(fid: str) -> PreviewFormat:
    for f in FORMATS:
        if f.id == fid:
            return f
    return FORMATS[1]
