"""Vectorized helpers for rare random events over the whole fleet."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def rare_events(rng: np.random.Generator, p: np.ndarray | float, n: int) -> np.ndarray:
    """Indices of vehicles hit by independent Bernoulli(p_i) events, sampled exactly.

    Drawing ``n`` uniforms a day for events that hit a handful of vehicles
    dominates the daily step at fleet scale, so sample by thinning instead: a
    Binomial(n, p_max) count of candidates chosen uniformly without
    replacement is exactly a set of independent Bernoulli(p_max) draws, and
    accepting candidate ``i`` with probability ``p_i / p_max`` makes it
    Bernoulli(p_i).

    Args:
        rng: the component's random stream.
        p: per-vehicle probability (array of shape ``(n,)``) or one scalar.
        n: fleet size.

    Returns:
        Sorted int64 indices of the vehicles hit.
    """
    p_arr = np.asarray(p, dtype=np.float64)
    p_max = float(p_arr.max()) if p_arr.size else 0.0
    if p_arr.ndim == 0:
        return thinned_events(rng, p_max, n, lambda idx: np.ones(idx.size))
    return thinned_events(rng, p_max, n, p_arr.__getitem__)


def thinned_events(rng: np.random.Generator, p_max: float, n: int,
                   p_of: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Independent Bernoulli(p_i) hits where ``p_i <= p_max`` is computed only for candidates.

    ``p_of(idx)`` returns the exact probabilities of the candidate vehicles
    ``idx``; thinning a Bernoulli(``p_max``) candidate set by ``p_i / p_max``
    is exact, and costs O(candidates) instead of O(fleet).
    """
    cand, u = _candidates(rng, p_max, n)
    if cand.size == 0:
        return cand
    return cand[u < p_of(cand)]


def scaled_hazard_events(rng: np.random.Generator, rate_per_day: float, scale: np.ndarray,
                         dt_days: np.ndarray | float, n: int) -> np.ndarray:
    """Indices of vehicles hit by a constant hazard ``rate_per_day * scale_i`` over ``dt_days``.

    The same distribution as ``rare_events(rng, hazard_prob(rate_per_day * scale, dt_days), n)``,
    but the per-vehicle probability is evaluated only at the few candidates:
    a per-vehicle rate multiplier then costs one pass over the fleet
    (``scale.max()``) a day instead of several. With ``scale`` all ones it
    gives exactly the hits of the scalar rate and consumes the stream alike.

    Args:
        rng: the component's random stream.
        rate_per_day: the base hazard rate.
        scale: per-vehicle multiplier of the rate, shape ``(n,)``; values <= 0 never fire.
        dt_days: step length, scalar or per vehicle.
        n: fleet size.

    Returns:
        Sorted int64 indices of the vehicles hit.
    """
    dt = np.asarray(dt_days)
    s_max = float(scale.max()) if n else 0.0
    dt_max = float(dt.max()) if dt.size else 0.0
    # hazard_prob grows with rate and dt, so p_max bounds every vehicle's p (thinning is exact).
    p_max = float(hazard_prob(rate_per_day * s_max, dt_max))
    return thinned_events(rng, p_max, n, lambda idx: hazard_prob(
        rate_per_day * scale[idx].astype(np.float64), dt if dt.ndim == 0 else dt[idx]))


def _candidates(rng: np.random.Generator, p_max: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Bernoulli(p_max) hits over ``n`` vehicles and their acceptance uniforms in [0, p_max)."""
    if p_max <= 0.0 or n == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    p_max = min(p_max, 1.0)
    k = int(rng.binomial(n, p_max))
    if k == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    cand = np.sort(rng.choice(n, size=k, replace=False)).astype(np.int64)
    # Draw the acceptance uniforms even for a scalar p, so a constant per-vehicle
    # p consumes the stream exactly like the scalar (same results either way).
    return cand, rng.random(k) * p_max


def standard_normal32(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` float32 standard normals by the Box-Muller transform.

    Exact in distribution (two independent uniforms give two independent
    normals); about three times faster than ``rng.standard_normal(n,
    dtype=float32)``'s ziggurat on fleet-sized arrays, which made the daily
    km draw the largest single cost of the daily step. Float32 uniforms bound
    ``|z|`` below about 5.8, far beyond what a daily draw needs.
    """
    half = (n + 1) // 2
    u = rng.random((2, half), dtype=np.float32)
    radius = np.sqrt(np.float32(-2.0) * np.log1p(-u[0]))
    angle = np.float32(2.0 * np.pi) * u[1]
    out = np.empty(2 * half, dtype=np.float32)
    np.multiply(radius, np.cos(angle), out=out[:half])
    np.multiply(radius, np.sin(angle), out=out[half:])
    return out[:n]


def hazard_prob(rate_per_day: np.ndarray | float, dt_days: np.ndarray | float) -> np.ndarray:
    """Probability of at least one event in ``dt_days`` at a constant rate."""
    return -np.expm1(-np.asarray(rate_per_day) * np.asarray(dt_days))
