"""Per-vehicle linear trends with uncertainty, and the remaining useful life (RUL) they predict.

One :class:`TrendFit` follows one signal of every vehicle: the least-squares
line over the last ``window_days`` of readings (the alert detectors'
:class:`RollingLine`, used as it is), extrapolated to a service threshold.
With today at t = 0, the fitted value ``a`` and slope ``b`` predict the
crossing at ``T = (threshold - a) / b``; its standard deviation is the delta
method's ``s * sqrt(1/n + (T - mean(t))^2 / Sxx) / |b|`` (ordinary least
squares, ``s^2 = SSE / (n - 2)``): the prediction grows less certain the
further it reaches beyond the readings. Everything is numpy over the fleet.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.alerts.rolling import RollingLine

F32 = np.float32
F64 = np.float64


class Prediction(NamedTuple):
    """One day's RUL prediction for every vehicle (NaN: too few readings for a line).

    Attributes:
        rul_days: predicted days to the threshold crossing (0 when the fitted value is
            past it; ``max_rul_days`` when the trend is flat, receding or not significant).
        rul_sd_days: its standard deviation (NaN where the RUL is 0 or capped).
        value: today's fitted value (signal units).
        slope: the fitted slope (signal units per day).
    """

    rul_days: np.ndarray
    rul_sd_days: np.ndarray
    value: np.ndarray
    slope: np.ndarray


class TrendFit:
    """The rolling line of one signal over the fleet and its RUL to a threshold.

    Args:
        n: fleet size.
        window_days: days in the rolling window.
        threshold: the service threshold (signal units).
        below: True when the signal falls to the threshold (SOH, pads), False when it rises.
        min_points: readings needed in the window for a prediction.
        min_slope_t: a crossing ahead needs ``|slope| / se(slope)`` at least this.
        max_rul_days: the RUL of a flat, receding or insignificant trend.
        horizon_days: the run's horizon, if known (the line stores no more than it needs).
    """

    def __init__(self, n: int, window_days: int, threshold: float, below: bool,
                 min_points: int, min_slope_t: float, max_rul_days: float,
                 horizon_days: int | None = None) -> None:
        self.line = RollingLine(n, int(window_days), horizon_days)
        self.n, self.threshold, self.below = n, float(threshold), bool(below)
        self.min_points, self.min_slope_t = int(min_points), float(min_slope_t)
        self.max_rul_days = float(max_rul_days)

    def advance(self, day: int, y: np.ndarray, missing: np.ndarray | None = None) -> None:
        """Add ``day``'s readings (NaN: no reading; ``missing``: their indices, if known)."""
        self.line.advance(day, np.asarray(y, F32), missing)

    def clear(self, vehicles: np.ndarray) -> None:
        """Forget ``vehicles``' readings (a new part, or a top-up)."""
        if vehicles.size:
            self.line.clear(vehicles)

    def points(self) -> np.ndarray:
        """Readings in each vehicle's window."""
        return self.line.s

    def quick_rul(self) -> np.ndarray:
        """Every vehicle's RUL from the line alone (no significance guard, no uncertainty):
        0 when past, inf when flat or receding, NaN with too few readings. A cheap daily
        screen: :meth:`predict` is exact only for the vehicles it is asked about."""
        line = self.line
        b = line.slope()
        with np.errstate(divide="ignore", invalid="ignore"):
            a = line.value(b)
            gap = (a - self.threshold) if self.below else (self.threshold - a)
            rate = -b if self.below else b
            rul = np.where(gap <= 0, 0.0, np.where(rate > 0, gap / rate, np.inf))
        rul[(line.s < self.min_points) | ~np.isfinite(b)] = np.nan
        return rul.astype(F32)

    def predict(self, idx: np.ndarray | None = None, with_sd: bool = True) -> Prediction:
        """RUL, its uncertainty, today's fitted value and slope of vehicles ``idx`` (all by
        default); arrays of ``idx``'s length. ``with_sd=False`` leaves the uncertainty NaN
        (cheaper: the daily step needs none)."""
        line = self.line
        idx = np.arange(self.n) if idx is None else np.asarray(idx, np.int64)
        m = idx.size
        rul, sd, value = (np.full(m, np.nan, F64) for _ in range(3))
        slope = line.slope(idx)
        sub = np.flatnonzero((line.s[idx] >= self.min_points) & np.isfinite(slope))
        if not sub.size:
            return Prediction(rul.astype(F32), sd.astype(F32), value, slope)
        ids, b = idx[sub], slope[sub]
        a, t_stat = line.fit(ids, b)
        value[sub] = a
        gap = (a - self.threshold) if self.below else (self.threshold - a)   # > 0: not yet past
        rate = -b if self.below else b                                       # > 0: moving toward
        toward = (gap > 0) & (rate > 0) & (t_stat >= self.min_slope_t)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_cross = gap / rate
        r = np.where(gap <= 0, 0.0, np.where(toward, np.minimum(t_cross, self.max_rul_days),
                                              self.max_rul_days))
        rul[sub] = r
        if not with_sd:
            return Prediction(rul.astype(F32), sd.astype(F32), value, slope)
        se_a, se_b = line.uncertainty(ids, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_mean = line.st[ids].astype(F64) / line.s[ids].astype(F64)   # <= 0: the past
            # var(a + T b) = se_a^2 + se_b^2 (T^2 - 2 T mean(t)); divided by b^2 for var(T).
            var = se_a**2 + se_b**2 * (t_cross**2 - 2.0 * t_cross * t_mean)
            t_sd = np.sqrt(np.maximum(var, 0.0)) / np.abs(b)
        sd[sub] = np.where(toward & (t_cross < self.max_rul_days), t_sd, np.nan)
        return Prediction(rul.astype(F32), sd.astype(F32), value, slope)
