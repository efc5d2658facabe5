"""Predictive-alert detectors over daily fleet telemetry: threshold rules and RUL trends.

Rules fire after ``confirm_days`` consecutive uploaded days past a threshold
(a day without an upload neither confirms nor resets). Trends fit a
least-squares line to each vehicle's uploaded readings of the last
``window_days`` days and extrapolate the remaining useful life (RUL) to the
cause's ``failure_level``; the RUL picks the most severe level whose horizon
it is within. Everything is numpy over the whole fleet; Python loops run over
rules, trends and levels only.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from configs.alerts_schema import LEVELS
from sim.alerts.rolling import ClockLine, RollingLine

F32 = np.float32
F64 = np.float64
SEVERITY = {level: i for i, level in enumerate(LEVELS)}  # 0 = most severe


class AlertBatch(NamedTuple):
    """Vehicles alerted today by one rule or trend at one level.

    Attributes:
        component: twin name.
        cause: the failure cause predicted (a key of the twin's ``EVENTS``).
        level: ``red``, ``yellow`` or ``blue``.
        vehicles: vehicle indices, int64, sorted.
        rul_days: predicted remaining useful life per vehicle (float32), None for rules.
        source: the rule's or trend's name.
    """

    component: str
    cause: str
    level: str
    vehicles: np.ndarray
    rul_days: np.ndarray | None
    source: str


def horizons(cfg: Any) -> dict[str, float]:
    """Each level's horizon in days (``horizon_days_<level>``), most severe first."""
    return {level: float(getattr(cfg, f"horizon_days_{level}")) for level in LEVELS}


def needed_signals(cfg: Any) -> set[str]:
    """Telemetry keys the enabled rules and trends read (empty when alerts are off)."""
    if not cfg.enabled:
        return set()
    return ({r.signal for r in cfg.rules.values()}
            | {t.signal for t in cfg.trends.values()})


class Detector:
    """Daily detectors of the ``alerts`` config over the whole fleet.

    A rule needs today's upload; a trend is evaluated every day for every
    vehicle with ``min_points`` uploaded readings in its window. Memory per
    trend: ``window_days`` float32 readings plus six sums per vehicle.

    Args:
        cfg: the ``alerts`` config (rules, trends, horizon_days_*); attribute access.
        n: fleet size.
        horizon_days: the run's horizon, if known (the trend lines store no more than it needs).
    """

    def __init__(self, cfg: Any, n: int, horizon_days: int | None = None) -> None:
        self.cfg, self.n = cfg, n
        self.horizons = horizons(cfg)
        self.rules = dict(cfg.rules) if cfg.enabled else {}
        self.trends = dict(cfg.trends) if cfg.enabled else {}
        # Consecutive uploaded days past the threshold, capped at confirm_days.
        self.count = {name: np.zeros(n, np.int16) for name in self.rules}
        self.lines = {name: _line(t, n, horizon_days) for name, t in self.trends.items()}
        self.day: int | None = None

    def _read(self, kind: str, name: str, key: str,
              readings: dict[str, np.ndarray]) -> np.ndarray:
        if key not in readings:
            raise ValueError(f"alerts {kind} {name!r} reads telemetry signal {key!r}, which is "
                             f"not in today's readings; available: {', '.join(sorted(readings))}")
        return readings[key]

    def update(self, day: int, readings: dict[str, np.ndarray],
               missing: np.ndarray | None = None,
               temp_c: np.ndarray | None = None) -> list[AlertBatch]:
        """Feed one day's telemetry; return today's alerts.

        Args:
            day: simulation day; must increase between calls (skipped days count
                as days without an upload).
            readings: ``<twin>.<signal>`` -> float32 ``(n,)``, NaN where no upload.
            missing: the vehicles without an upload today (NaN in every reading),
                if known; else found per signal.
            temp_c: each vehicle's mean temperature today (degC), needed by trends
                with an ageing clock (``ageing_q10`` > 1).

        Returns:
            One batch per rule/trend and level that fired, most severe level
            first; a vehicle alerted for one component at several levels (or by
            several sources) today keeps only the most severe (the first source).
        """
        if self.day is not None and day <= self.day:
            raise ValueError(f"alert detector days must increase: got {day} after {self.day}")
        found = self._rules(readings, missing) + self._trends(day, readings, missing, temp_c)
        self.day = day
        return _most_severe(found)

    def _rules(self, readings: dict[str, np.ndarray],
               missing: np.ndarray | None) -> list[AlertBatch]:
        out = []
        for name, r in self.rules.items():
            y = self._read("rule", name, r.signal, readings)
            thr = F32(r.threshold)
            past = (y < thr) if r.below else (y > thr)
            count = self.count[name]
            # +1 where past, reset to 0 where uploaded and not past, kept where no
            # upload (NaN; few): in place, the NaN rows restored afterwards.
            gaps = np.flatnonzero(np.isnan(y)) if missing is None else missing
            kept = count[gaps]
            count += 1
            count *= past
            np.minimum(count, r.confirm_days, out=count)
            count[gaps] = kept
            idx = np.flatnonzero(past & (count >= r.confirm_days))  # needs today's upload
            if idx.size:
                out.append(AlertBatch(r.component, r.cause, r.level, idx, None, name))
        return out

    def _trends(self, day: int, readings: dict[str, np.ndarray], missing: np.ndarray | None,
                temp_c: np.ndarray | None) -> list[AlertBatch]:
        out = []
        for name, t in self.trends.items():
            y = self._read("trend", name, t.signal, readings)
            line = self.lines[name]
            clock = isinstance(line, ClockLine)
            if clock and temp_c is None:
                raise ValueError(f"alerts trend {name!r} has an ageing clock "
                                 f"(ageing_q10={t.ageing_q10}) and needs today's temp_c")
            if self.day is not None and day > self.day + 1:
                gap, everyone = np.full(self.n, np.nan, F32), np.arange(self.n)
                for skipped in range(self.day + 1, day):
                    if clock:   # no temperature for a skipped day: the recent ageing rate
                        line.advance(skipped, gap, line.rate(), everyone)
                    else:
                        line.advance(skipped, gap, everyone)
            if clock:
                line.advance(day, np.asarray(y, F32), _ageing_step(t, temp_c), missing)
            else:
                line.advance(day, np.asarray(y, F32), missing)
            out += self._trend_alerts(name, t, line)
        return out

    def _trend_alerts(self, name: str, t: Any, line: RollingLine | ClockLine
                      ) -> list[AlertBatch]:
        b = line.slope()
        guard = F64(t.min_slope_per_day)
        toward = (b < -guard) if t.below else (b > guard)  # NaN slopes compare False
        # The RUL needs only today's fitted value; the costlier t-statistic is
        # computed for the few lines reaching failure within the longest horizon.
        # On an ageing clock the RUL is clock time, in days at the recent ageing rate.
        per_day = line.rate() if isinstance(line, ClockLine) else None
        with np.errstate(divide="ignore", invalid="ignore"):
            rul = (t.failure_level - line.value(b)) / b
            if per_day is not None:
                rul /= per_day
        soon = toward & (line.s >= t.min_points) & (rul <= max(self.horizons.values()))
        idx = np.flatnonzero(soon)
        if not idx.size:
            return []
        b, rul = b[idx], np.maximum(rul[idx], 0.0)
        value, t_stat = line.fit(idx, b)
        keep = t_stat >= t.min_slope_t
        if t.rul_z > 0.0:
            # The late end of the crossing: today's value rul_z standard errors
            # further from the failure level and the slope rul_z standard errors
            # flatter. The level is picked from it, so an alert fires only when even
            # this slow reading of the trend crosses inside the level's horizon.
            se_value, se_slope = line.uncertainty(idx, b)
            z = F64(t.rul_z)
            with np.errstate(divide="ignore", invalid="ignore"):
                gap = np.abs(t.failure_level - value) + z * se_value
                rul = gap / (np.abs(b) - z * se_slope)
                if per_day is not None:
                    rul /= per_day[idx]
            keep &= (np.abs(b) > z * se_slope) & (rul <= max(self.horizons.values()))
        idx, rul = idx[keep], rul[keep].astype(F32)
        out, lower = [], F32(-np.inf)
        for level, h in self.horizons.items():  # most severe first: red if RUL <= its horizon
            hit = (rul > lower) & (rul <= F32(h))
            if hit.any():
                out.append(AlertBatch(t.component, t.cause, level, idx[hit], rul[hit], name))
            lower = F32(h)
        return out

    def reset(self, vehicles: np.ndarray, component: str) -> None:
        """Forget the history of ``component`` for ``vehicles`` (the part was repaired)."""
        for name, r in self.rules.items():
            if r.component == component:
                self.count[name][vehicles] = 0
        for name, t in self.trends.items():
            if t.component == component:
                self.lines[name].clear(vehicles)


def _line(t: Any, n: int, horizon_days: int | None = None) -> RollingLine | ClockLine:
    """A trend's rolling line: on calendar days, or on an ageing clock if ``ageing_q10`` > 1."""
    if t.ageing_q10 > 1.0:
        return ClockLine(n, t.window_days, t.ageing_rate_window_days, horizon_days)
    return RollingLine(n, t.window_days, horizon_days)


def _ageing_step(t: Any, temp_c: np.ndarray) -> np.ndarray:
    """Today's ageing-clock advance per vehicle: ``q10 ** ((T - T_ref) / 10)`` days."""
    return np.exp((np.asarray(temp_c, F64) - t.ageing_ref_temp_c) * (np.log(t.ageing_q10) / 10.0))


def _most_severe(batches: list[AlertBatch]) -> list[AlertBatch]:
    """Keep each vehicle+component once per day: its most severe level, first source."""
    ordered = sorted(batches, key=lambda b: SEVERITY[b.level])  # stable: config order in a level
    taken: dict[str, np.ndarray] = {}
    out = []
    for b in ordered:
        seen = taken.get(b.component)
        if seen is not None:
            keep = ~np.isin(b.vehicles, seen, assume_unique=True)
            if not keep.all():
                rul = None if b.rul_days is None else b.rul_days[keep]
                b = b._replace(vehicles=b.vehicles[keep], rul_days=rul)
        if b.vehicles.size:
            out.append(b)
            taken[b.component] = (b.vehicles if seen is None
                                  else np.concatenate([seen, b.vehicles]))
    return out
