"""Prognostic performance metrics as NASA ProgPy computes them (Saxena et al. 2010).

Inputs, per component: RUL predictions of every vehicle at snapshot days
(``rul``: ``(k, n)``, NaN where there was none), each vehicle's true
crossing day of the service threshold from the twin (``cross``: -1 = not
crossed in the run, scored vehicles only) and the day its current part's
life began (``start``: predictions before it were for an older part).
A prediction at day t counts when ``start <= t < cross``; the true RUL is
``cross - t``.

* **Prediction horizon** (ProgPy ``prediction_horizon``): ``cross - t`` for
  the first prediction inside the alpha band ``|error| <= alpha x true RUL``
  (0 if none).
* **Alpha-lambda accuracy** (ProgPy ``alpha_lambda``): at
  ``t_lambda = t_first + lambda (cross - t_first)`` (the first prediction at
  or after it), is the prediction within ``alpha x`` the true RUL?
* **Relative accuracy** (ProgPy ``relative_accuracy``) at the same
  prediction: ``1 - |error| / true RUL``.

Everything is numpy over the vehicles; no loop over vehicles.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

F64 = np.float64
# Bins of the true RUL (days before the crossing) for the error-vs-time table and chart.
ERROR_BINS_DAYS = (0.0, 7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0, np.inf)


class VehicleScores(NamedTuple):
    """Per-vehicle scores of the vehicles with a crossing and a prediction before it.

    Attributes:
        vehicles: their indices.
        horizon_days: prediction horizon (0: never inside the alpha band).
        relative_accuracy: RA at t_lambda (NaN: no prediction at or after t_lambda).
        alpha_lambda_ok: inside the alpha band at t_lambda (False where RA is NaN).
        lambda_scored: whether a prediction existed at or after t_lambda.
    """

    vehicles: np.ndarray
    horizon_days: np.ndarray
    relative_accuracy: np.ndarray
    alpha_lambda_ok: np.ndarray
    lambda_scored: np.ndarray


def _valid(days: np.ndarray, rul: np.ndarray, cross: np.ndarray,
           start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mask of predictions that count and the true RUL at each snapshot."""
    t = days[:, None]
    valid = (cross[None, :] >= 0) & (t >= start[None, :]) & (t < cross[None, :]) & ~np.isnan(rul)
    return valid, (cross[None, :] - t).astype(F64)


def _first(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column: the first True row and whether there is one."""
    return np.argmax(mask, axis=0), mask.any(axis=0)


def score_vehicles(days: np.ndarray, rul: np.ndarray, cross: np.ndarray, start: np.ndarray,
                   alpha: float, lam: float) -> VehicleScores:
    """Prediction horizon, relative accuracy and alpha-lambda per scored vehicle.

    Args:
        days: snapshot days, increasing, shape ``(k,)``.
        rul: predicted RUL (days) at each snapshot, shape ``(k, n)``, NaN = none.
        cross: true crossing day per vehicle (< 0: none), shape ``(n,)``.
        start: the day each vehicle's current part began, shape ``(n,)``.
        alpha: the accuracy band, a fraction of the true RUL.
        lam: where between the first prediction and the crossing to evaluate (0..1).
    """
    days = np.asarray(days, F64)
    rul = np.asarray(rul, F64).reshape(days.size, -1)
    cross, start = np.asarray(cross, F64), np.asarray(start, F64)
    valid, true = _valid(days, rul, cross, start)
    first, has = _first(valid)
    vehicles = np.flatnonzero(has)
    v_valid, v_true, v_rul = valid[:, vehicles], true[:, vehicles], rul[:, vehicles]
    v_cross = cross[vehicles]
    err = np.abs(v_rul - v_true)
    inside = v_valid & (err <= alpha * v_true)
    i_in, any_in = _first(inside)
    horizon = np.where(any_in, v_cross - days[i_in], 0.0)
    t_first = days[first[vehicles]]
    t_lambda = t_first + lam * (v_cross - t_first)
    at_lambda = v_valid & (days[:, None] >= t_lambda[None, :])
    i_l, scored = _first(at_lambda)
    cols = np.arange(vehicles.size)
    e_l, true_l = err[i_l, cols], v_true[i_l, cols]
    ra = np.where(scored, 1.0 - e_l / true_l, np.nan)
    ok = scored & (e_l <= alpha * true_l)
    return VehicleScores(vehicles, horizon, ra, ok, scored)


def error_by_rul(days: np.ndarray, rul: np.ndarray, cross: np.ndarray, start: np.ndarray,
                 bins: tuple[float, ...] = ERROR_BINS_DAYS) -> tuple[np.ndarray, np.ndarray]:
    """Mean absolute RUL error (days) by true RUL bin, and the predictions in each bin.

    Bin i holds the predictions with ``bins[i] <= true RUL < bins[i+1]``; NaN where empty.
    """
    days = np.asarray(days, F64)
    rul = np.asarray(rul, F64).reshape(days.size, -1)
    valid, true = _valid(days, rul, np.asarray(cross, F64), np.asarray(start, F64))
    t, e = true[valid], np.abs(rul[valid] - true[valid])
    which = np.digitize(t, np.asarray(bins[1:-1], F64))
    k = len(bins) - 1
    count = np.bincount(which, minlength=k)[:k]
    total = np.bincount(which, weights=e, minlength=k)[:k]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan), count
