"""Face alignment and paste-back: the 5-point similarity warp every face model expects.

`align_crop` maps the five keypoints (eyes, nose tip, mouth corners) onto a model's template
with a least-squares similarity transform (Umeyama). `paste_back` is its exact inverse: the
crop is warped back into the image region the face came from and blended through a feathered
mask, so only the face region changes.
"""

from __future__ import annotations

import numpy as np

#: ArcFace's 112×112 five-point template (insightface), used by recognition and inswapper.
ARCFACE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float32,
)
#: The older ArcFace crop GHOST was trained on (FaceFusion calls it 'arcface_112_v1'), as
#: fractions of the crop side: the eyes sit lower and closer together than in ARCFACE_112.
ARCFACE_V1 = np.array(
    [
        [0.35473214, 0.45658929],
        [0.64526786, 0.45658929],
        [0.50000000, 0.61154464],
        [0.37913393, 0.77687500],
        [0.62086607, 0.77687500],
    ],
    dtype=np.float32,
)
#: FFHQ-style 512×512 template (facexlib) that GFPGAN and CodeFormer were trained on.
FFHQ_512 = np.array(
    [
        [192.98138, 239.94708],
        [318.90277, 240.1936],
        [256.63416, 314.01935],
        [201.26117, 371.41043],
        [313.08905, 371.15118],
    ],
    dtype=np.float32,
)


def template(size: int, kind: str = "arcface") -> np.ndarray:
    """The 5-point template for a crop of `size` pixels.

    arcface: 112-multiples scale the 112 template; 128-multiples (inswapper) scale the 128 variant,
    which is the 112 template shifted 8 px right. ffhq: the 512 template scaled. arcface_v1: GHOST's
    crop (ARCFACE_V1) at any size.
    """
    if kind == "ffhq":
        return FFHQ_512 * (size / 512.0)
    if kind == "arcface_v1":
        return ARCFACE_V1 * float(size)
    if size % 112 == 0:
        return ARCFACE_112 * (size / 112.0)
    ratio = size / 128.0
    return ARCFACE_112 * ratio + np.array([8.0 * ratio, 0.0], dtype=np.float32)


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) mapping src -> dst, as 2×3."""
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    n = src.shape[0]
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s0, d0 = src - mu_s, dst - mu_d
    cov = d0.T @ s0 / n
    u, sig, vt = np.linalg.svd(cov)
    d = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:  # keep a rotation, never a reflection
        d[1] = -1
    r = u @ np.diag(d) @ vt
    var_s = (s0**2).sum() / n
    scale = (sig * d).sum() / var_s if var_s > 0 else 1.0
    t = mu_d - scale * r @ mu_s
    return np.hstack([scale * r, t[:, None]]).astype(np.float32)


def invert_affine(m: np.ndarray) -> np.ndarray:
    """Inverse of a 2×3 affine matrix."""
    full = np.vstack([np.asarray(m, dtype=np.float64), [0.0, 0.0, 1.0]])
    return np.linalg.inv(full)[:2].astype(np.float32)


def transform_points(pts: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Apply a 2×3 affine to (N, 2) points."""
    pts = np.asarray(pts, dtype=np.float64)
    return (
        pts @ np.asarray(m, dtype=np.float64)[:, :2].T + np.asarray(m, dtype=np.float64)[:, 2]
    ).astype(np.float32)


def align_crop(
    rgb: np.ndarray, kps5: np.ndarray, size: int, kind: str = "arcface"
) -> tuple[np.ndarray, np.ndarray]:
    """Warp the face with keypoints `kps5` to a size×size crop on the template; returns (crop, M).

    M is the 2×3 image->crop matrix; `paste_back` uses its inverse.
    """
    import cv2

    m = similarity_transform(np.asarray(kps5, dtype=np.float32).reshape(5, 2), template(size, kind))
    crop = cv2.warpAffine(
        rgb, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return crop, m


def feather_mask(
    size: int | tuple[int, int], erode: float = 0.08, blur: float = 0.08
) -> np.ndarray:
    """A float32 mask 1 in the middle of a crop, 0 at its border: eroded, then Gaussian-blurred.

    Feathering hides the seam where a generated face meets the original image.
    """
    import cv2

    h, w = (size, size) if isinstance(size, int) else size
    mask = np.zeros((h, w), np.float32)
    e = max(1, int(round(min(h, w) * erode)))
    mask[e : h - e, e : w - e] = 1.0
    k = max(1, int(round(min(h, w) * blur))) | 1
    return cv2.GaussianBlur(mask, (k * 2 + 1, k * 2 + 1), 0)


def paste_back(
    rgb: np.ndarray, crop: np.ndarray, m: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """Warp `crop` back through the inverse of `m` and blend it into a copy of `rgb`.

    mask: float (crop-sized) 0..1 weights; None uses `feather_mask`. Pixels outside the warped
    mask are returned unchanged (bit-identical), so only the face region changes.
    """
    import cv2

    h, w = rgb.shape[:2]
    ch, cw = crop.shape[:2]
    if mask is None:
        mask = feather_mask((ch, cw))
    inv = invert_affine(m)
    corners = transform_points(np.array([[0, 0], [cw, 0], [0, ch], [cw, ch]], np.float32), inv)
    x0, y0 = np.floor(corners.min(0)).astype(int) - 2
    x1, y1 = np.ceil(corners.max(0)).astype(int) + 2
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    out = rgb.copy()
    if x1 <= x0 or y1 <= y0:
        return out
    # Warp only into the face's bounding region: much cheaper than a full-frame warp for video.
    roi_inv = inv.copy()
    roi_inv[:, 2] -= (x0, y0)
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpAffine(
        crop, roi_inv, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    wmask = cv2.warpAffine(
        mask.astype(np.float32), roi_inv, size, flags=cv2.INTER_LINEAR, borderValue=0.0
    )
    wmask = np.clip(wmask, 0.0, 1.0)[..., None]
    region = out[y0:y1, x0:x1].astype(np.float32)
    blended = region * (1.0 - wmask) + warped.astype(np.float32) * wmask
    changed = wmask[..., 0] > 0
    out_region = out[y0:y1, x0:x1]
    out_region[changed] = np.clip(blended[changed] + 0.5, 0, 255).astype(np.uint8)
    return out


def match_colour(src: np.ndarray, ref: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Give `src` the colour statistics of `ref` (mean and std per LAB channel) inside `mask`.

    Used after a swap so the new face has the lighting and skin tone of the scene it is put in.
    """
    import cv2

    s = cv2.cvtColor(src, cv2.COLOR_RGB2LAB).astype(np.float32)
    r = cv2.cvtColor(ref, cv2.COLOR_RGB2LAB).astype(np.float32)
    sel = np.ones(src.shape[:2], bool) if mask is None else mask > 0.5
    if sel.sum() < 16:
        return src
    s_mean, s_std = s[sel].mean(0), s[sel].std(0) + 1e-6
    r_mean, r_std = r[sel].mean(0), r[sel].std(0) + 1e-6
    out = (s - s_mean) / s_std * r_std + r_mean
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
