"""Pure frame arithmetic for SVD: chaining windows into one long clip, and fitting any still
into SVD's two trained orientations.

Chaining. One SVD window has `n` frames (14 for svd, 25 for svd-xt). A longer clip is made of `w`
windows. Window k+1 is conditioned on frame `n - 1 - c` of window k (with no cross-fade, c = 0,
that is its last frame). SVD reproduces its conditioning image as frame 0, so that frame is
dropped, and window k+1's frames 1..c show the same moments as window k's last c frames: those
are cross-faded. Each further window adds n - 1 - c new frames:

    frames(w) = n + (w - 1) * (n - 1 - c)    windows(T) = 1 + ceil(max(0, T - n) / (n - 1 - c))

and the clip is trimmed to exactly T = round(seconds * fps) frames.

Aspect. SVD is trained at 1024×576 and 576×1024. A still of another aspect is fitted (whole,
letterboxed) into the SVD orientation nearest its own aspect; the bars are filled with a blurred
enlargement of the still so the model sees a plausible surround, and after generation the still's
rectangle is cropped back out, so the clip has the still's aspect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def chained_frame_count(per_window: int, windows: int, crossfade: int) -> int:
    """Frames produced by `windows` chained windows of `per_window` frames (before trimming)."""
    _check(per_window, crossfade)
    return per_window + (max(windows, 1) - 1) * (per_window - 1 - crossfade)


def windows_needed(total: int, per_window: int, crossfade: int) -> int:
    """How many windows cover `total` frames."""
    _check(per_window, crossfade)
    return 1 + math.ceil(max(0, total - per_window) / (per_window - 1 - crossfade))


def next_condition_index(per_window: int, crossfade: int) -> int:
    """Index in a window of the frame the next window starts from."""
    _check(per_window, crossfade)
    return per_window - 1 - crossfade


def _check(per_window: int, crossfade: int) -> None:
    if per_window < 2:
        raise ValueError("a window needs at least 2 frames")
    if not 0 <= crossfade <= per_window - 2:
        raise ValueError(f"cross-fade {crossfade} must be between 0 and {per_window - 2} frames")


def crossfade_join(clip: list[np.ndarray], window: list[np.ndarray], crossfade: int) -> list[np.ndarray]:
    """Append a window conditioned on `clip[-1 - crossfade]` to `clip`.

    The window's frame 0 (a copy of the conditioning frame) is dropped; its frames 1..c are
    blended into the clip's last c frames with weights 1/(c+1) … c/(c+1) towards the new window.
    """
    if not clip:
        return list(window)
    c = crossfade
    out = clip[: len(clip) - c]
    for i in range(c):
        a = (i + 1) / (c + 1)
        mixed = clip[len(clip) - c + i].astype(np.float32) * (1 - a) + window[1 + i].astype(np.float32) * a
        out.append(np.clip(mixed + 0.5, 0, 255).astype(np.uint8))
    return out + list(window[1 + c :])


# ---------------------------------------------------------------------- aspect


@dataclass(frozen=True)
class Letterbox:
    """Where a still sits inside the SVD canvas."""

    canvas: tuple[int, int]  # (w, h) given to SVD
    rect: tuple[int, int, int, int]  # x, y, w, h of the still inside the canvas (even sizes)


def svd_canvas(still_size: tuple[int, int], long_side: int = 1024, short_side: int = 576) -> tuple[int, int]:
    """The SVD orientation nearest the still's aspect: landscape 1024×576 or portrait 576×1024."""
    w, h = still_size
    return (long_side, short_side) if w >= h else (short_side, long_side)


def fit_rect(still_size: tuple[int, int], canvas: tuple[int, int]) -> Letterbox:
    """Fit the whole still into the canvas, centred, with even width/height (for yuv420p)."""
    w, h = still_size
    cw, ch = canvas
    s = min(cw / w, ch / h)
    fw = min(cw, max(2, int(round(w * s / 2)) * 2))
    fh = min(ch, max(2, int(round(h * s / 2)) * 2))
    return Letterbox(canvas, ((cw - fw) // 2, (ch - fh) // 2, fw, fh))


def letterbox(rgb: np.ndarray, box: Letterbox) -> np.ndarray:
    """The still placed in the canvas; the bars hold a blurred, enlarged copy of the still."""
    import cv2

    cw, ch = box.canvas
    x, y, fw, fh = box.rect
    h, w = rgb.shape[:2]
    cover = max(cw / w, ch / h)
    big = cv2.resize(rgb, (max(cw, round(w * cover)), max(ch, round(h * cover))), interpolation=cv2.INTER_AREA)
    by, bx = (big.shape[0] - ch) // 2, (big.shape[1] - cw) // 2
    canvas = cv2.GaussianBlur(big[by : by + ch, bx : bx + cw], (0, 0), sigmaX=max(cw, ch) / 40)
    interp = cv2.INTER_AREA if fw < w else cv2.INTER_CUBIC
    canvas[y : y + fh, x : x + fw] = cv2.resize(rgb, (fw, fh), interpolation=interp)
    return np.ascontiguousarray(canvas)


def crop_back(frame: np.ndarray, box: Letterbox) -> np.ndarray:
    """The still's rectangle out of a generated canvas frame."""
    x, y, fw, fh = box.rect
    return np.ascontiguousarray(frame[y : y + fh, x : x + fw])
