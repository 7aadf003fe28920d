"""How well a talking clip's mouth follows its audio.

We re-detect landmarks on the finished frames and measure the mouth opening (inner-lip gap over
the eye distance), then correlate it with the narration's loudness envelope per frame. The
cross-correlation over ±200 ms gives the best audio/video offset (positive: the mouth lags the
voice). Scores land in the clip's provenance and `studio info`.
"""

from __future__ import annotations

import numpy as np

#: Pearson correlation above which we call a clip in sync (documented in the report and tests).
GOOD_SYNC = 0.5
MAX_OFFSET_S = 0.2


def mouth_opening(landmarks68: np.ndarray) -> float:
    """Inner-lip gap (mean of the 3 inner pairs) divided by the distance between the eye centres."""
    p = np.asarray(landmarks68, np.float64)
    gap = np.mean([np.linalg.norm(p[u] - p[lo]) for u, lo in ((61, 67), (62, 66), (63, 65))])
    eyes = np.linalg.norm(p[36:42].mean(0) - p[42:48].mean(0))
    return float(gap / max(eyes, 1e-6))


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3 or np.std(a) < 1e-9 or np.std(b) < 1e-9:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def sync_scores(opening: np.ndarray, envelope: np.ndarray, fps: float) -> dict:
    """{'sync_correlation', 'sync_best_correlation', 'sync_offset_ms', 'mouth_motion'} for provenance."""
    o = np.asarray(opening, np.float64)
    e = np.asarray(envelope, np.float64)
    n = min(len(o), len(e))
    o, e = o[:n], e[:n]
    valid = np.isfinite(o)  # frames where no face was re-detected are skipped
    max_lag = int(round(MAX_OFFSET_S * fps))
    best, best_lag = -2.0, 0
    for lag in range(-max_lag, max_lag + 1):
        # lag > 0: the mouth at frame t follows the sound at frame t - lag
        if lag >= 0:
            a, b, m = o[lag:], e[: n - lag], valid[lag:]
        else:
            a, b, m = o[: n + lag], e[-lag:], valid[: n + lag]
        c = _pearson(a[m], b[m])
        if c > best:
            best, best_lag = c, lag
    zero = _pearson(o[valid], e[valid])
    return {
        "sync_correlation": round(zero, 3),
        "sync_best_correlation": round(max(best, zero), 3),
        "sync_offset_ms": round(best_lag * 1000.0 / fps, 1),
        "mouth_motion": round(float(np.nanstd(o)) if valid.any() else 0.0, 4),
        "sync_frames_measured": int(valid.sum()),
    }
