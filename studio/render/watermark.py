"""An invisible watermark for still exports: DWT + DCT with quantisation index modulation.

The luma's Haar DWT approximation band (LL) is cut into 8×8 blocks; in each block's DCT two
mid-frequency coefficients are quantised to carry one payload bit (QIM). The 64-bit payload is
"PSAI" + a 32-bit export number, spread over every block in a keyed order and read back by
majority vote, which survives JPEG quality 80 and mild resizing noise. The change is added
equally to R, G and B, so only brightness moves (by a few levels) and colours stay put.
"""

from __future__ import annotations

import zlib

import numpy as np

from studio.core.errors import BadInput

MAGIC = b"PSAI"
BITS = 64
_BLOCK = 8
_COEFFS = ((1, 2), (2, 1), (2, 3), (3, 2))  # low-mid frequencies: survive JPEG, invisible here
_STEP = 36.0  # QIM step on LL (Haar LL is 2× the pixel scale)
_KEY = 0x50534149


def payload_for(export_id: str) -> bytes:
    """The 8-byte payload for an export id: MAGIC + crc32(id)."""
    return MAGIC + zlib.crc32(export_id.encode("utf-8")).to_bytes(4, "big")


def _bits(payload: bytes) -> np.ndarray:
    if len(payload) * 8 != BITS:
        raise ValueError(f"The watermark payload must be {BITS // 8} bytes.")
    return np.unpackbits(np.frombuffer(payload, np.uint8))


def _luma(rgb: np.ndarray) -> np.ndarray:
    f = rgb.astype(np.float64)
    return 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]


def _blocks(shape: tuple[int, int]) -> tuple[int, int]:
    return shape[0] // _BLOCK, shape[1] // _BLOCK


def _slots(n_blocks: int) -> np.ndarray:
    """Which payload bit each (block, coefficient) slot carries, in a keyed shuffle."""
    n = n_blocks * len(_COEFFS)
    order = np.random.default_rng(_KEY).permutation(n)
    return order % BITS


def _to_blocks(a: np.ndarray, by: int, bx: int) -> np.ndarray:
    return a[: by * 8, : bx * 8].reshape(by, 8, bx, 8).transpose(0, 2, 1, 3)


def _from_blocks(b: np.ndarray) -> np.ndarray:
    by, bx = b.shape[:2]
    return b.transpose(0, 2, 1, 3).reshape(by * 8, bx * 8)


def embed(rgb: np.ndarray, payload: bytes, passes: int = 3) -> np.ndarray:
    """`rgb` (H, W, 3) uint8 with `payload` (8 bytes) hidden in it.

    Saturated pixels clip the change; embedding the clipped result again (`passes` times) moves
    the rest of each block to make up for it, so even flat primary colours carry the mark.
    """
    out = rgb
    for _ in range(max(1, passes)):
        out = _embed_once(out, payload)
    return out


def _embed_once(rgb: np.ndarray, payload: bytes) -> np.ndarray:
    import pywt
    from scipy.fft import dctn, idctn

    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError("embed() needs an RGB image (H, W, 3).")
    bits = _bits(payload)
    y = _luma(rgb)
    h, w = (y.shape[0] // 2) * 2, (y.shape[1] // 2) * 2
    ll, (lh, hl, hh) = pywt.dwt2(y[:h, :w], "haar")
    by, bx = _blocks(ll.shape)
    if by * bx * len(_COEFFS) < BITS * 3:
        raise BadInput("The image is too small to carry a watermark (needs about 200×200 px); export it larger.")
    slots = _slots(by * bx).reshape(by, bx, len(_COEFFS))
    ll2 = ll.copy()
    d = dctn(_to_blocks(ll, by, bx), axes=(2, 3), norm="ortho")
    for n, (u, v) in enumerate(_COEFFS):
        off = bits[slots[..., n]] * _STEP / 2
        d[:, :, u, v] = _STEP * np.round((d[:, :, u, v] - off) / _STEP) + off
    ll2[: by * 8, : bx * 8] = _from_blocks(idctn(d, axes=(2, 3), norm="ortho"))
    y2 = pywt.idwt2((ll2, (lh, hl, hh)), "haar")
    delta = np.zeros(rgb.shape[:2])
    delta[:h, :w] = y2 - y[:h, :w]
    out = rgb.astype(np.float64) + delta[..., None]
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def extract(rgb: np.ndarray) -> tuple[bytes, float]:
    """(payload, confidence 0..1) read from an image; confidence is the mean vote margin."""
    import pywt
    from scipy.fft import dctn

    y = _luma(rgb)
    h, w = (y.shape[0] // 2) * 2, (y.shape[1] // 2) * 2
    ll, _ = pywt.dwt2(y[:h, :w], "haar")
    by, bx = _blocks(ll.shape)
    if by * bx == 0:
        return b"\0" * (BITS // 8), 0.0
    slots = _slots(by * bx).reshape(by, bx, len(_COEFFS))
    d = dctn(_to_blocks(ll, by, bx), axes=(2, 3), norm="ortho")
    votes = np.zeros(BITS)
    counts = np.zeros(BITS)
    for n, (u, v) in enumerate(_COEFFS):
        # distance to the nearest "0" lattice point minus that to the nearest "1" (soft vote)
        r = (d[:, :, u, v] / _STEP) % 1.0
        soft = np.minimum(r, 1 - r) - np.abs(r - 0.5)
        np.add.at(votes, slots[..., n].ravel(), soft.ravel())
        np.add.at(counts, slots[..., n].ravel(), 0.5)
    bits = (votes > 0).astype(np.uint8)
    conf = float(np.mean(np.abs(votes) / np.maximum(counts, 1e-9)))
    return np.packbits(bits).tobytes(), min(conf, 1.0)


def verify(rgb: np.ndarray, export_id: str | None = None) -> dict:
    """Read the watermark: {"found", "payload" (hex), "matches_id", "confidence"}."""
    payload, conf = extract(rgb)
    found = payload[:4] == MAGIC
    out = {"found": found, "payload": payload.hex(), "confidence": round(conf, 3)}
    if export_id is not None:
        out["matches_id"] = found and payload == payload_for(export_id)
    return out
