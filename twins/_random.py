"""Vectorized helpers for rare random events over the whole fleet."""

from __future__ import annotations

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
    if p_max <= 0.0 or n == 0:
        return np.empty(0, dtype=np.int64)
    p_max = min(p_max, 1.0)
    k = int(rng.binomial(n, p_max))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    cand = np.sort(rng.choice(n, size=k, replace=False)).astype(np.int64)
    # Draw the acceptance uniforms even for a scalar p, so a constant per-vehicle
    # p consumes the stream exactly like the scalar (same results either way).
    u = rng.random(k) * p_max
    if p_arr.ndim == 0:
        return cand
    return cand[u < p_arr[cand]]


def hazard_prob(rate_per_day: np.ndarray | float, dt_days: np.ndarray | float) -> np.ndarray:
    """Probability of at least one event in ``dt_days`` at a constant rate."""
    return -np.expm1(-np.asarray(rate_per_day) * np.asarray(dt_days))
