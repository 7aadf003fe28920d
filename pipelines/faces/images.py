"""Reading photos safely: any format Pillow reads, EXIF-upright, RGB uint8, bounded in memory.

Large photos are decoded at reduced size where the format allows it (JPEG DCT scaling through
`Image.draft`, then `Image.reduce`), so a 40-megapixel phone photo costs a few tens of MB, not
half a gigabyte. Faces need no more than `DEFAULT_MAX_SIDE` pixels.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from .errors import BadImage

#: Longest side we keep by default; faces and embeddings gain nothing from more.
DEFAULT_MAX_SIDE = 4096
#: Refuse images above this many pixels outright (a decompression bomb or a scan of a poster).
HARD_PIXEL_CAP = 150_000_000


def load_image(path: str | os.PathLike[str], max_side: int | None = DEFAULT_MAX_SIDE) -> np.ndarray:
    """Read an image file as an upright RGB uint8 array of shape (H, W, 3).

    Handles EXIF orientation, CMYK, alpha (composited on white), palette, greyscale and 16-bit
    images. Images whose longest side exceeds `max_side` are reduced while decoding.
    Raises BadImage for a missing, empty, unreadable, damaged or absurdly large file.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = Path(path)
    if not p.exists():
        raise BadImage(f"{p} does not exist. Check the path.")
    if not p.is_file():
        raise BadImage(f"{p} is a folder, not an image file. Give the photo's file path.")
    if p.stat().st_size == 0:
        raise BadImage(
            f"{p.name} is empty (0 bytes) — the copy or download failed. Copy the photo again."
        )
    try:
        with warnings.catch_warnings():
            # We enforce our own cap below with a clear message; Pillow's warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(p)
            w, h = im.size
            if w * h > HARD_PIXEL_CAP:
                raise BadImage(
                    f"{p.name} is {w}×{h} ({w * h / 1e6:.0f} megapixels), more than the "
                    f"{HARD_PIXEL_CAP / 1e6:.0f} MP the studio opens. Resize it (e.g. to 4000 px) and try again."
                )
            if max_side and max(w, h) > max_side:
                # JPEG: decode at 1/2, 1/4 or 1/8 scale straight from the DCT (no full-size buffer).
                im.draft(
                    "RGB", (max(1, w * max_side // max(w, h)), max(1, h * max_side // max(w, h)))
                )
            im = ImageOps.exif_transpose(im)
            im = _to_rgb(im)
            if max_side and max(im.size) > max_side:
                # integer pre-reduction only while it stays above max_side; LANCZOS does the rest
                factor = max(im.size) // max_side
                if factor > 1:
                    im = im.reduce(factor)
                if max(im.size) > max_side:
                    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            arr = np.asarray(im, dtype=np.uint8)
    except BadImage:
        raise
    except UnidentifiedImageError:
        raise BadImage(
            f"{p.name} is not an image Persona Studio can read (its content is not JPEG, PNG, WebP, "
            "TIFF, BMP or another known format). Export it as JPEG or PNG and try again."
        ) from None
    except Image.DecompressionBombError:
        raise BadImage(
            f"{p.name} is too large to open safely. Resize it (e.g. to 4000 px) and try again."
        ) from None
    except (OSError, SyntaxError, ValueError) as e:
        raise BadImage(
            f"{p.name} is damaged or truncated ({e}). Export or copy the photo again."
        ) from None
    if arr.ndim != 3 or arr.shape[2] != 3 or min(arr.shape[:2]) < 1:
        raise BadImage(
            f"{p.name} has an unsupported layout {arr.shape}. Export it as an RGB JPEG or PNG."
        )
    return np.ascontiguousarray(arr)


def _to_rgb(im):  # noqa: ANN001, ANN202 - PIL types stay inside this module
    """Any Pillow mode -> 8-bit RGB."""
    from PIL import Image

    if getattr(im, "n_frames", 1) > 1:
        im.seek(0)
    mode = im.mode
    if mode == "RGB":
        return im
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit/float greyscale: Pillow's convert('L') clips instead of scaling.
        a = np.asarray(im, dtype=np.float64)
        hi = 65535.0 if mode.startswith("I;16") or a.max() > 255 else 255.0
        if mode == "F":
            hi = max(float(a.max()), 1.0)
        g = np.clip(a / hi * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(np.dstack([g, g, g]))
    if mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    # CMYK, YCbCr, LAB, HSV, L, 1, P: Pillow's conversions are right for these.
    return im.convert("RGB")
