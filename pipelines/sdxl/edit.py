"""Inpaint and outpaint helpers: canvases, masks from files and faces, exact compositing.

The generated picture only ever replaces pixels inside the mask: `composite` keeps every pixel
outside it byte-for-byte, and blends over a feathered band *inside* the mask so seams vanish.
"""

from __future__ import annotations

import numpy as np

from .sizes import canvas_for_aspect


def outpaint_canvas(image: np.ndarray, fmt: str) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int, int]]:
    """Centre `image` on the smallest canvas of aspect `fmt`; fill the new area by reflection + blur.

    Returns (canvas uint8, new-area mask bool, (x0, y0, x1, y1) of the original on the canvas).
    """
    import cv2

    h, w = image.shape[:2]
    cw, ch = canvas_for_aspect(w, h, fmt)
    x0, y0 = (cw - w) // 2, (ch - h) // 2
    canvas = cv2.copyMakeBorder(image, y0, ch - h - y0, x0, cw - w - x0, cv2.BORDER_REFLECT_101)
    new = np.ones((ch, cw), dtype=bool)
    new[y0 : y0 + h, x0 : x0 + w] = False
    if new.any():
        # blurred reflection: a colour-matched start the model paints over without copying details
        sigma = max(cw, ch) / 48.0
        blurred = cv2.GaussianBlur(canvas, (0, 0), sigmaX=sigma)
        canvas[new] = blurred[new]
    return canvas, new, (x0, y0, x0 + w, y0 + h)


def feather_inside(mask: np.ndarray, radius: float) -> np.ndarray:
    """Alpha 0..1 that is 0 outside `mask` and rises to 1 over `radius` px inside it."""
    import cv2

    if radius <= 0:
        return mask.astype(np.float32)
    dist = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    return np.clip(dist / float(radius), 0.0, 1.0).astype(np.float32)


def model_mask(mask: np.ndarray, radius: float) -> np.ndarray:
    """The mask the inpaint pipeline sees (uint8): grown a little and softened, so it repaints the seam."""
    import cv2

    m = mask.astype(np.uint8) * 255
    r = max(int(radius // 2), 1)
    m = cv2.dilate(m, np.ones((2 * r + 1, 2 * r + 1), np.uint8))
    return cv2.GaussianBlur(m, (0, 0), sigmaX=max(radius / 3.0, 0.5))


def composite(base: np.ndarray, generated: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """`generated` over `base` with `alpha`; where alpha is 0 the result is exactly `base`."""
    import cv2

    if generated.shape[:2] != base.shape[:2]:
        generated = cv2.resize(generated, (base.shape[1], base.shape[0]), interpolation=cv2.INTER_CUBIC)
    a = alpha[..., None]
    out = np.rint(generated.astype(np.float32) * a + base.astype(np.float32) * (1.0 - a)).astype(np.uint8)
    keep = alpha <= 0.0
    out[keep] = base[keep]
    return out


def load_mask(path: str, shape: tuple[int, int]) -> np.ndarray:
    """A mask image (white = repaint) as bool at `shape` (H, W); alpha channels count too."""
    import cv2
    from PIL import Image

    from studio.core.errors import BadInput

    try:
        im = Image.open(path)
        im.load()
    except (OSError, ValueError) as e:
        raise BadInput(f"Cannot read the mask {path}: {e}. Give a PNG where white marks what to repaint.") from e
    if im.mode in ("RGBA", "LA") and np.asarray(im.getchannel("A")).min() < 255:
        arr = np.asarray(im.getchannel("A"))
    else:
        arr = np.asarray(im.convert("L"))
    if arr.shape != shape:
        arr = cv2.resize(arr, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)
    return arr > 127


def face_mask(face, shape: tuple[int, int], grow: float = 0.12) -> np.ndarray:  # noqa: ANN001 - DetectedFace
    """Bool mask of a detected face: the hull of its landmarks up to the brow line, else an ellipse."""
    import cv2

    h, w = shape
    x0, y0, x1, y1 = face.box
    bw, bh = x1 - x0, y1 - y0
    m = np.zeros((h, w), np.uint8)
    if getattr(face, "landmarks68", None) is not None:
        pts = np.asarray(face.landmarks68, np.float32)
        # the 68 points stop at the brows: add the box top so the forehead is included
        top = np.array([[x0, y0 - grow * bh], [x1, y0 - grow * bh]], np.float32)
        hull = cv2.convexHull(np.concatenate([pts, top]).astype(np.int32))
        cv2.fillConvexPoly(m, hull, 1)
        m = cv2.dilate(m, np.ones((3, 3), np.uint8), iterations=max(int(grow * bw / 2), 1))
    else:
        centre = (int(round((x0 + x1) / 2)), int(round((y0 + y1) / 2)))
        axes = (max(int(bw * (0.5 + grow)), 1), max(int(bh * (0.5 + grow)), 1))
        cv2.ellipse(m, centre, axes, 0, 0, 360, 1, -1)
    return m.astype(bool)


def round_down_to(size: tuple[int, int], multiple: int = 8) -> tuple[int, int]:
    """(w, h) rounded down to multiples of `multiple` (at least one multiple)."""
    w, h = size
    return max(w // multiple * multiple, multiple), max(h // multiple * multiple, multiple)
