"""What the rest of a talking face does: blinks, head motion, brows and breath, seeded.

- Blinks: gaps between blinks drawn from a gamma distribution (irregular, never metronomic)
  with the asked mean rate (people blink ~10–20 times a minute while talking), at least 1.2 s
  and at most 5.5 s apart; a blink near a pause in speech moves into it (people blink at phrase
  boundaries). Each blink closes in ~80 ms, stays shut ~40 ms and opens in ~170 ms; none starts
  so late that the clip would end with the eyes half shut.
- Head: a slow sway (a few low-frequency sines with random phases) whose amplitude follows
  speaking activity, so the head settles in pauses; a nod (down, then back, critically damped)
  on each emphasised syllable — a loudness peak well above its surroundings; breathing as a
  slow rise and fall. Roll in radians, shifts and scale in face widths.
- Brows: a short raise on the strongest emphases.
Everything is a pure function of the audio envelope, the settings and the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLINK_CLOSE_S, BLINK_HOLD_S, BLINK_OPEN_S = 0.08, 0.04, 0.17
BLINK_S = BLINK_CLOSE_S + BLINK_HOLD_S + BLINK_OPEN_S
MIN_GAP_S, MAX_GAP_S = 1.2, 5.5
MAX_ROLL = np.radians(3.0)
MAX_SHIFT = 0.05


@dataclass(frozen=True)
class LifeSettings:
    """The user's controls. 1.0 = natural; 0 switches a part off; up to 2 exaggerates."""

    expressiveness: float = 1.0  # mouth size, brows, nod depth
    blink_rate: float = 15.0  # blinks a minute (0 = never)
    head_motion: float = 1.0  # sway, nods and breathing
    seed: int = 0

    def clamped(self) -> LifeSettings:
        return LifeSettings(float(np.clip(self.expressiveness, 0, 2)), float(np.clip(self.blink_rate, 0, 40)),
                            float(np.clip(self.head_motion, 0, 2)), int(self.seed))


@dataclass(frozen=True)
class Life:
    """Per-frame values: eyelid closure 0..1, brow raise 0..1, head pose (roll, dx, dy, scale-1)."""

    blink: np.ndarray
    brow: np.ndarray
    head: np.ndarray  # (frames, 4)
    blink_starts: tuple[float, ...]  # seconds

    def stats(self, fps: float) -> dict:
        """What `studio info` and the window show: blinks a minute and the head's range."""
        minutes = max(len(self.blink) / fps / 60.0, 1e-6)
        roll, dx, dy = np.degrees(self.head[:, 0]), self.head[:, 1], self.head[:, 2]
        return {
            "blinks_per_min": round(len(self.blink_starts) / minutes, 1),
            "head_roll_range_deg": round(float(np.ptp(roll)) if len(roll) else 0.0, 2),
            "head_shift_range_pct": round(100 * float(max(np.ptp(dx), np.ptp(dy))) if len(dx) else 0.0, 2),
        }


def blink_schedule(seconds: float, rate: float, rng: np.random.Generator,
                   pauses: np.ndarray | None = None) -> list[float]:
    """Blink start times in [0.4, seconds - BLINK_S]; see the module docstring."""
    if rate <= 0 or seconds < 0.4 + BLINK_S:
        return []
    mean = 60.0 / rate
    shape = 4.0  # gamma shape: coefficient of variation 0.5, like measured inter-blink intervals
    starts: list[float] = []
    t = float(rng.uniform(0.4, min(mean, MAX_GAP_S)))
    while t <= seconds - BLINK_S:
        if pauses is not None and len(pauses):  # move into a pause starting within 0.5 s
            near = pauses[(pauses >= t - 0.1) & (pauses <= t + 0.5)]
            if len(near) and (not starts or near[0] - starts[-1] >= MIN_GAP_S):
                t = float(near[0])
        if t > seconds - BLINK_S:
            break
        starts.append(t)
        gap = float(np.clip(rng.gamma(shape, mean / shape), MIN_GAP_S, MAX_GAP_S))
        t += gap
    return starts


def blink_curve(starts: list[float], fps: float, n: int) -> np.ndarray:
    """Eyelid closure per frame (0 open, 1 shut), sampled at frame centres."""
    t = (np.arange(n) + 0.5) / fps
    out = np.zeros(n, np.float32)
    for s in starts:
        u = t - s
        close = np.clip(u / BLINK_CLOSE_S, 0, 1)
        opening = np.clip((u - BLINK_CLOSE_S - BLINK_HOLD_S) / BLINK_OPEN_S, 0, 1)
        v = np.where(u < 0, 0.0, np.where(u < BLINK_CLOSE_S + BLINK_HOLD_S, close, 1 - opening))
        v = v * v * (3 - 2 * v)  # ease: lids accelerate and settle
        out = np.maximum(out, v.astype(np.float32))
    return out


def emphasis_times(env: np.ndarray, fps: float, min_gap: float = 0.7) -> tuple[np.ndarray, np.ndarray]:
    """(frame indices, strengths 0..1) of loudness peaks that stand out from their surroundings."""
    from scipy.ndimage import gaussian_filter1d, maximum_filter1d, uniform_filter1d

    if len(env) < 3:
        return np.zeros(0, int), np.zeros(0)
    e = gaussian_filter1d(env.astype(np.float64), 0.04 * fps)
    lift = e - uniform_filter1d(e, max(3, int(1.5 * fps)))
    # local maxima at least 0.08 above the surroundings; then, strongest first, keep those
    # `min_gap` apart (scipy.signal.find_peaks would do, at a second of import time per job)
    cand = np.flatnonzero((lift >= 0.08) & (lift == maximum_filter1d(lift, 3)))
    gap = max(1, int(min_gap * fps))
    kept: list[int] = []
    for i in cand[np.argsort(-lift[cand], kind="stable")]:
        if all(abs(int(i) - k) >= gap for k in kept):
            kept.append(int(i))
    peaks = np.array(sorted(kept), int)
    return peaks, np.clip(lift[peaks] / 0.25, 0, 1) if len(peaks) else np.zeros(0)


def _damped_pulse(n: int, at: np.ndarray, amp: np.ndarray, fps: float, tau: float) -> np.ndarray:
    """Sum of critically damped responses t/tau·e^(1-t/tau) (peak 1 at t = tau) starting at `at`."""
    out = np.zeros(n)
    t = np.arange(n) / fps
    for f, a in zip(at, amp, strict=True):
        u = np.maximum(t - f / fps, 0.0) / tau
        out += a * u * np.exp(1.0 - u)
    return out


def speaking_activity(env: np.ndarray, fps: float) -> np.ndarray:
    """0 in long pauses … 1 while talking, smoothed over about a second."""
    from scipy.ndimage import gaussian_filter1d

    talking = (env > 0.1).astype(np.float64)
    return np.clip(gaussian_filter1d(talking, 0.5 * fps) * 1.6, 0, 1) if len(env) > 2 else talking


def life_track(env: np.ndarray, fps: float, settings: LifeSettings | None = None) -> Life:
    """Blinks, brows and head pose for a clip whose loudness per frame is `env`."""
    s = (settings or LifeSettings()).clamped()
    n = len(env)
    rng = np.random.default_rng(s.seed)
    seconds = n / fps
    quiet = env < 0.05
    # pause onsets (a quiet frame after speech) are where blinks like to fall
    onsets = np.flatnonzero(quiet[1:] & ~quiet[:-1]) + 1 if n > 1 else np.zeros(0, int)
    starts = blink_schedule(seconds, s.blink_rate, rng, onsets / fps)
    blink = blink_curve(starts, fps, n)

    t = np.arange(n) / fps
    active = speaking_activity(env, fps)
    sway_amp = 0.35 + 0.65 * active  # settles (but never freezes) in pauses
    roll = np.zeros(n)
    dx = np.zeros(n)
    dy = np.zeros(n)
    for freq, r_amp, x_amp, y_amp in ((0.09, 1.0, 0.010, 0.004), (0.17, 0.5, 0.006, 0.004), (0.31, 0.25, 0.003, 0.003)):
        ph = rng.uniform(0, 2 * np.pi, 3)
        roll += np.radians(r_amp) * np.sin(2 * np.pi * freq * t + ph[0])
        dx += x_amp * np.sin(2 * np.pi * freq * t + ph[1])
        dy += y_amp * np.sin(2 * np.pi * freq * 1.3 * t + ph[2])
    roll *= sway_amp
    dx *= sway_amp
    dy *= sway_amp
    peaks, strength = emphasis_times(env, fps)
    nod = _damped_pulse(n, peaks, strength, fps, tau=0.16)
    dy += 0.014 * s.expressiveness * nod
    roll += np.radians(0.6) * _damped_pulse(n, peaks, strength * rng.choice([-1.0, 1.0], len(peaks)), fps, 0.2)
    breath = np.sin(2 * np.pi * 0.23 * t + rng.uniform(0, 2 * np.pi))
    dy += 0.003 * breath
    scale = 0.0025 * breath
    k = s.head_motion
    head = np.stack([np.clip(roll * k, -MAX_ROLL, MAX_ROLL), np.clip(dx * k, -MAX_SHIFT, MAX_SHIFT),
                     np.clip(dy * k, -MAX_SHIFT, MAX_SHIFT), scale * k], axis=1).astype(np.float32)
    strong = strength >= 0.5
    brow = np.clip(_damped_pulse(n, peaks[strong], strength[strong], fps, 0.22), 0, 1) * min(s.expressiveness, 1.5)
    return Life(blink, np.clip(brow, 0, 1).astype(np.float32), head, tuple(starts))
