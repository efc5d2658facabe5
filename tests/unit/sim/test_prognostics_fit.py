"""Per-vehicle trend fits of the prognostics: slope, RUL and its uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from sim.prognostics.fit import TrendFit


def _feed(fit: TrendFit, ys: np.ndarray) -> None:
    for day, y in enumerate(ys):
        fit.advance(day, y)


def test_recovers_a_known_slope_and_rul_from_noisy_readings():
    rng = np.random.default_rng(1)
    n, days = 2000, 120
    slope = np.linspace(-0.002, -0.001, n)      # per day, toward a threshold below
    start = np.full(n, 1.0)
    t = np.arange(days)[:, None]
    ys = (start + slope * t + rng.normal(0, 0.01, (days, n))).astype(np.float32)
    fit = TrendFit(n, 120, threshold=0.7, below=True, min_points=10, min_slope_t=2.0,
                   max_rul_days=3650.0)
    _feed(fit, ys)
    p = fit.predict()
    # OLS slope se = 0.01 / sqrt(Sxx(120 days)) ~ 2.6e-5: the fleet mean error is ~1e-6.
    assert np.abs(p.slope - slope).max() < 1.5e-4
    assert abs(np.mean(p.slope - slope)) < 5e-6
    true_rul = (start + slope * (days - 1) - 0.7) / -slope
    rel = (p.rul_days - true_rul) / true_rul
    assert abs(np.median(rel)) < 0.01
    # The stated uncertainty is calibrated: ~95 % of true RULs within 2 sd.
    z = np.abs(p.rul_days - true_rul) / p.rul_sd_days
    assert 0.92 < np.mean(z < 2.0) < 0.98


def test_uncertainty_shrinks_with_more_readings():
    rng = np.random.default_rng(2)
    n = 500
    sds = []
    for days in (20, 60, 180):
        fit = TrendFit(n, days, threshold=0.0, below=True, min_points=5, min_slope_t=0.0,
                       max_rul_days=1e5)
        ys = (1.0 - 0.002 * np.arange(days)[:, None]
              + rng.normal(0, 0.01, (days, n))).astype(np.float32)
        _feed(fit, ys)
        sds.append(float(np.median(fit.predict().rul_sd_days)))
    assert sds[0] > 2 * sds[1] > 4 * sds[2]


def test_past_flat_and_too_few_points():
    fit = TrendFit(4, 30, threshold=0.5, below=True, min_points=5, min_slope_t=2.0,
                   max_rul_days=3650.0)
    t = np.arange(10, dtype=np.float32)
    ys = np.stack([0.4 - 0.001 * t,            # already past: RUL 0
                   0.9 + 0.0 * t,               # flat: no crossing (the cap)
                   0.9 + 0.01 * t,              # receding from a threshold below: the cap
                   0.6 - 0.01 * t], axis=1)     # crosses: 0.51 - 0.01 d = 0.5 in 1 day
    _feed(fit, ys[:4])
    assert np.isnan(fit.predict().rul_days).all()          # 4 readings < min_points
    for day in range(4, 10):
        fit.advance(day, ys[day])
    p = fit.predict()
    assert p.rul_days[0] == 0.0
    assert p.rul_days[1] == 3650.0 and p.rul_days[2] == 3650.0
    assert p.rul_days[3] == pytest.approx(1.0, abs=1e-3)
    fit.clear(np.array([3]))
    assert np.isnan(fit.predict().rul_days[3])


def test_rising_signal_toward_a_threshold_above():
    fit = TrendFit(1, 30, threshold=0.2, below=False, min_points=3, min_slope_t=2.0,
                   max_rul_days=3650.0)
    rng = np.random.default_rng(3)
    for day in range(30):
        fit.advance(day, np.array([0.05 + 0.001 * day + rng.normal(0, 1e-4)], np.float32))
    # Today 0.079, rising 0.001 per day: 0.2 in ~121 days.
    assert fit.predict().rul_days[0] == pytest.approx(121.0, rel=0.02)
