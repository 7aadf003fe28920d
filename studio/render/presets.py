"""Export presets per platform: size, codec settings, duration limits and caption safe zones."""

from __future__ import annotations

from dataclasses import dataclass, replace

from studio.core.errors import BadInput


@dataclass(frozen=True)
class SafeZone:
    """Bands of the frame that platform UI covers, as fractions of width/height.

    Captions and labels must stay inside the rest (`box`).
    """

    top: float = 0.05
    bottom: float = 0.08
    left: float = 0.05
    right: float = 0.05

    def box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the usable area in pixels."""
        return (
            round(self.left * width),
            round(self.top * height),
            round(width - self.right * width),
            round(height - self.bottom * height),
        )


@dataclass(frozen=True)
class ExportPreset:
    """One social format. H.264 High yuv420p with closed 2 s GOPs, AAC-LC 48 kHz, faststart."""

    id: str
    name: str
    width: int
    height: int
    fps: float = 30.0
    video_kbps: int = 8000
    audio_kbps: int = 192
    max_seconds: float | None = None
    limit_source: str = ""
    safe: SafeZone = SafeZone()

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def scaled(self, width: int, height: int | None = None) -> ExportPreset:
        """The same preset at another size (tests render 180×320 instead of 1080×1920)."""
        if height is None:
            height = round(width / self.aspect)
        w, h = (width // 2) * 2, (height // 2) * 2  # yuv420p needs even sizes
        kbps = max(200, round(self.video_kbps * (w * h) / (self.width * self.height)))
        return replace(self, width=w, height=h, video_kbps=kbps)

    def estimated_bytes(self, seconds: float) -> int:
        """A generous size of the export's files (video at its peak rate, audio, cover): what the
        free-space check before a render asks for."""
        video = (self.video_kbps * 1.5 + self.audio_kbps) * 125 * seconds  # kbit/s -> bytes
        return int(video + self.width * self.height * 0.5)

    def check_duration(self, seconds: float) -> None:
        """Raise BadInput when a post is longer than the platform accepts."""
        if self.max_seconds is not None and seconds > self.max_seconds + 1e-3:
            raise BadInput(
                f"This post is {seconds:.1f} s long but {self.name} accepts at most "
                f"{self.max_seconds:.0f} s ({self.limit_source}). Trim the timeline or choose "
                "another preset."
            )


# Limits as documented by the platforms (checked 2025):
# - Instagram Reels: up to 3 minutes (Instagram Help Centre, "Reels can be up to 3 minutes long",
#   Jan 2025; earlier 90 s).
# - YouTube Shorts: up to 3 minutes for uploads since 15 Oct 2024 (YouTube Help "Upload YouTube
#   Shorts"); we keep 60 s as the conservative default Shorts length, the brief's target.
# - TikTok: in-app uploads up to 10 minutes (TikTok Support "Uploading videos").
# - X: 140 s (2 min 20 s) for non-Premium accounts (X Help "How to share and watch videos").
# - Instagram feed video: up to 60 minutes; YouTube: 15 min for unverified accounts (12 h verified).
# Safe zones: Reels UI covers the top ~14 %, bottom ~35 % and ~6 % per side (Meta creative
# guidance for 9:16); TikTok covers the bottom ~460 px and right ~180 px at 1080×1920 (captions,
# buttons); Shorts similar to Reels.
_V = 1080, 1920
PRESETS: dict[str, ExportPreset] = {
    p.id: p
    for p in (
        ExportPreset(
            "tiktok", "TikTok", *_V, video_kbps=10000, max_seconds=600,
            limit_source="TikTok in-app upload limit 10 min",
            safe=SafeZone(top=0.08, bottom=460 / 1920, left=0.06, right=180 / 1080),
        ),
        ExportPreset(
            "reels", "Instagram Reels", *_V, video_kbps=8000, max_seconds=180,
            limit_source="Instagram Reels limit 3 min (2025)",
            safe=SafeZone(top=0.14, bottom=0.35, left=0.06, right=0.06),
        ),
        ExportPreset(
            "shorts", "YouTube Shorts", *_V, video_kbps=10000, max_seconds=60,
            limit_source="YouTube Shorts 60 s (3 min allowed since Oct 2024 for some uploads)",
            safe=SafeZone(top=0.12, bottom=0.30, left=0.06, right=0.14),
        ),
        ExportPreset(
            "feed", "Instagram feed 4:5", 1080, 1350, video_kbps=8000, max_seconds=3600,
            limit_source="Instagram feed video limit 60 min",
            safe=SafeZone(top=0.06, bottom=0.10, left=0.05, right=0.05),
        ),
        ExportPreset(
            "square", "Square 1:1", 1080, 1080, video_kbps=8000, max_seconds=3600,
            limit_source="Instagram feed video limit 60 min",
            safe=SafeZone(top=0.06, bottom=0.10, left=0.05, right=0.05),
        ),
        ExportPreset(
            "youtube", "YouTube 16:9", 1920, 1080, video_kbps=12000, max_seconds=15 * 60,
            limit_source="YouTube limit for unverified accounts 15 min",
            safe=SafeZone(top=0.05, bottom=0.12, left=0.05, right=0.05),
        ),
        ExportPreset(
            "x", "X (Twitter)", 1280, 720, video_kbps=5000, max_seconds=140,
            limit_source="X limit 2 min 20 s for standard accounts",
            safe=SafeZone(top=0.05, bottom=0.12, left=0.05, right=0.05),
        ),
    )
}


def get_preset(preset_id: str) -> ExportPreset:
    """The preset named `preset_id` (BadInput listing the valid ones otherwise)."""
    try:
        return PRESETS[preset_id.lower()]
    except KeyError:
        raise BadInput(
            f"No export preset '{preset_id}'. Choose one of: {', '.join(PRESETS)}."
        ) from None


#: export encoding speeds and the x264 preset each uses, at the preset's own bit rate. Measured by
#: bench_encode (6 s of the demo portrait at 1080×1920, 8 Mbit/s): fast takes 0.57× the x264 CPU
#: time of balanced for SSIM 0.9903 against 0.9909 (best: 2.45×, 0.9914); platforms re-encode
#: every upload anyway, so fast is the default.
ENCODE_SPEEDS = {"fast": "superfast", "balanced": "veryfast", "best": "medium"}
DEFAULT_ENCODE_SPEED = "fast"


def encode_speed(name: str | None) -> str:
    """`name` checked against ENCODE_SPEEDS (None: the default); a clear message otherwise."""
    from studio.core.errors import BadInput

    name = (name or DEFAULT_ENCODE_SPEED).strip().lower()
    if name not in ENCODE_SPEEDS:
        raise BadInput(f"Unknown encoding speed '{name}'; choose {', '.join(ENCODE_SPEEDS)}.")
    return name


def encoder_args(preset: ExportPreset, encoder: str = "libx264", speed: str = DEFAULT_ENCODE_SPEED) -> list[str]:
    """ffmpeg output options for the preset's video and audio codecs and the MP4 container.

    `encoder`: libx264 or a hardware H.264 encoder (pipelines.video_io.choose_h264), held to
    the same bit rate and GOP; `speed`: one of ENCODE_SPEEDS (x264's preset)."""
    from pipelines.video_io import h264_args

    gop = max(1, round(preset.fps * 2))  # closed 2 s GOP: platforms cut and re-mux on keyframes
    return [
        *h264_args(ENCODE_SPEEDS[encode_speed(speed)], kbps=preset.video_kbps, gop=gop, profile="high",
                   encoder=encoder),
        "-r", f"{preset.fps:g}",
        "-c:a", "aac", "-profile:a", "aac_low", "-b:a", f"{preset.audio_kbps}k", "-ar", "48000",
        "-ac", "2",
        "-movflags", "+faststart",
    ]
