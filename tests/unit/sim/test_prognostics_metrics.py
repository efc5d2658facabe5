"""ProgPy-style prognostic metrics on hand-built cases, computed independently here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.prognostics.metrics import error_by_rul, score_vehicles

DAYS = np.array([0.0, 10.0, 20.0, 30.0, 40.0])


def _case():
    # Vehicle 0 crosses on day 40 (true RUL 40, 30, 20, 10 at days 0..30).
    # Vehicle 1 crosses on day 50, its part new on day 10 (day 0's prediction is for the old part).
    # Vehicle 2 never crosses; vehicle 3 crosses on day 25 without any prediction.
    rul = np.array([[60.0, 99.0, 5.0, np.nan],
                    [33.0, 45.0, 5.0, np.nan],
                    [21.0, 25.0, 5.0, np.nan],
                    [10.5, 30.0, 5.0, np.nan],
                    [np.nan, 10.0, 5.0, np.nan]])
    cross = np.array([40, 50, -1, 25])
    start = np.array([0, 10, 0, 0])
    return rul, cross, start


def test_horizon_alpha_lambda_and_relative_accuracy_by_hand():
    rul, cross, start = _case()
    s = score_vehicles(DAYS, rul, cross, start, alpha=0.2, lam=0.5)
    assert s.vehicles.tolist() == [0, 1]
    # Vehicle 0: errors 20 (40), 3 (30), 1 (20), 0.5 (10); 20 % bands 8, 6, 4, 2: first inside
    # on day 10 -> PH = 40 - 10 = 30. t_first 0, t_lambda 20: RUL 21 vs 20 -> RA 0.95, inside.
    # Vehicle 1: true RUL 40, 30, 20, 10 on days 10..40; errors 5, 5, 10, 0; bands 8, 6, 4, 2:
    # inside from day 10 -> PH = 40. t_first 10, t_lambda 30: 30 vs 20 -> RA 0.5, outside.
    assert s.horizon_days.tolist() == [30.0, 40.0]
    assert s.relative_accuracy.tolist() == pytest.approx([1 - 1 / 20, 1 - 10 / 20])
    assert s.alpha_lambda_ok.tolist() == [True, False]
    assert s.lambda_scored.tolist() == [True, True]


def test_never_inside_the_band_has_zero_horizon():
    rul = np.array([[100.0], [100.0]])
    s = score_vehicles(np.array([0.0, 5.0]), rul, np.array([10]), np.array([0]), 0.2, 0.5)
    assert s.horizon_days.tolist() == [0.0]
    # t_lambda = 5: RUL 100 vs 5 -> RA 1 - 95/5 = -18 (ProgPy's RA is not bounded below).
    assert s.relative_accuracy.tolist() == pytest.approx([-18.0])
    assert s.alpha_lambda_ok.tolist() == [False]


def test_mean_absolute_error_by_days_before_the_crossing():
    rul, cross, start = _case()
    mae, count = error_by_rul(DAYS, rul, cross, start, bins=(0.0, 15.0, 35.0, math.inf))
    # Valid (true RUL, |error|): v0 (40, 20) (30, 3) (20, 1) (10, 0.5); v1 (40, 5) (30, 5)
    # (20, 10) (10, 0). Bin [0, 15): 0.5, 0 ; [15, 35): 3, 1, 5, 10 ; [35, inf): 20, 5.
    assert count.tolist() == [2, 4, 2]
    assert mae.tolist() == pytest.approx([0.25, 4.75, 12.5])
