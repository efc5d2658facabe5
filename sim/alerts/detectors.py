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


class RollingLine:
    """Per-vehicle least-squares lines over the last ``window`` days, NaN-aware.

    Keeps the sums of 1, t, t², y, t·y and y² over the non-NaN points in the
    window with t = 0 today (so the intercept is today's fitted value) and a
    ring buffer of the window's readings to drop the point leaving it. The
    time sums hold small integers (exact in float32 for windows up to 365
    days); the reading sums are float64 because they are updated by adding
    and subtracting for the whole run and rounding would accumulate.

    Args:
        n: fleet size.
        window: days in the window.
    """

    def __init__(self, n: int, window: int) -> None:
        self.window = int(window)
        self.buf = np.full((self.window, n), np.nan, F32)
        # Per slot: the vehicles without a reading that day (None: slot never filled) and
        # the advance that filled it; a vehicle cleared since then has no reading there
        # either: ``_gaps`` adds it when the slot is dropped (one fleet compare a day, not
        # a union per slot and per clear).
        self.gaps: list[np.ndarray | None] = [None] * self.window
        self.filled = np.zeros(self.window, np.int64)
        self.advances = 0
        self.last_clear = np.full(n, -1, np.int64)
        self.s, self.st, self.stt = (np.zeros(n, F32) for _ in range(3))
        self.sy, self.sty, self.syy = (np.zeros(n, F64) for _ in range(3))

    def advance(self, day: int, y: np.ndarray, missing: np.ndarray | None = None) -> None:
        """Move the window to ``day`` and add its readings ``y`` (NaN = no upload).

        ``missing``: the indices where ``y`` is NaN, if the caller knows them
        (uploads fail for few vehicles: index writes instead of whole-fleet masks).
        """
        if missing is None:
            missing = np.flatnonzero(np.isnan(y))
        # A day passes: every stored point's t drops by one.
        self.stt -= F32(2.0) * self.st - self.s
        self.st -= self.s
        self.sty -= self.sy
        slot = day % self.window
        if self.gaps[slot] is not None:  # the reading of day - window, now at t = -window
            self._drop(self.buf[slot], self._gaps(slot))
        self.advances += 1
        self.buf[slot] = y
        self.gaps[slot] = missing
        self.filled[slot] = self.advances
        y0 = y.astype(F64)
        y0[missing] = 0.0
        self.s += F32(1.0)
        self.s[missing] -= F32(1.0)
        self.sy += y0
        self.syy += y0 * y0

    def _gaps(self, slot: int) -> np.ndarray:
        """The vehicles without a reading in ``slot``: missing that day or cleared since
        (sorted, unique)."""
        cleared = self.last_clear >= self.filled[slot]
        if not cleared.any():
            return self.gaps[slot]
        cleared[self.gaps[slot]] = True
        return np.flatnonzero(cleared)

    def _drop(self, y_old: np.ndarray, gaps: np.ndarray) -> None:
        w = F32(self.window)
        y0 = y_old.astype(F64)
        y0[gaps] = 0.0
        self.s -= F32(1.0)
        self.s[gaps] += F32(1.0)
        self.st += w
        self.st[gaps] -= w
        self.stt -= w * w
        self.stt[gaps] += w * w
        self.sy -= y0
        self.sty += self.window * y0
        self.syy -= y0 * y0

    def clear(self, vehicles: np.ndarray) -> None:
        """Forget ``vehicles``' history (a new part was fitted)."""
        self.buf[:, vehicles] = np.nan
        self.last_clear[vehicles] = self.advances
        for a in (self.s, self.st, self.stt, self.sy, self.sty, self.syy):
            a[vehicles] = 0

    def slope(self) -> np.ndarray:
        """Fitted slope per vehicle (signal units per day); NaN with fewer than 2 points."""
        s = self.s.astype(F64)
        with np.errstate(divide="ignore", invalid="ignore"):
            sxx = self.stt - self.st.astype(F64) ** 2 / s
            return (self.sty - self.st * self.sy / s) / sxx

    def value(self, slope: np.ndarray) -> np.ndarray:
        """Today's fitted value per vehicle (``slope`` = :meth:`slope`); NaN without points."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.sy - slope * self.st) / self.s

    def fit(self, idx: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Today's fitted value and the slope's t-statistic for vehicles ``idx``.

        Args:
            idx: vehicles to evaluate (each with at least 3 points).
            slope: :meth:`slope` restricted to ``idx``.

        Returns:
            ``(value_today, t_stat)``; t is inf for a perfect line.
        """
        s = self.s[idx].astype(F64)
        st, stt = self.st[idx].astype(F64), self.stt[idx].astype(F64)
        sy, sty, syy = self.sy[idx], self.sty[idx], self.syy[idx]
        value = (sy - slope * st) / s
        sxx = stt - st * st / s
        sxy = sty - st * sy / s
        sse = np.maximum(syy - sy * sy / s - slope * sxy, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_stat = np.abs(slope) / np.sqrt(sse / ((s - 2.0) * sxx))
        return value, np.nan_to_num(t_stat, nan=np.inf)


    def uncertainty(self, idx: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Standard errors of today's fitted value and of the slope for vehicles ``idx``.

        Ordinary least squares: ``s² = SSE / (n - 2)``, se(slope)² = s² / Sxx and
        se(value at t = 0)² = s² (1 / n + mean(t)² / Sxx).
        """
        s = self.s[idx].astype(F64)
        st, stt = self.st[idx].astype(F64), self.stt[idx].astype(F64)
        sy, sty, syy = self.sy[idx], self.sty[idx], self.syy[idx]
        sxx = stt - st * st / s
        sxy = sty - st * sy / s
        sse = np.maximum(syy - sy * sy / s - slope * sxy, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            var = sse / (s - 2.0)
            return np.sqrt(var * (1.0 / s + (st / s) ** 2 / sxx)), np.sqrt(var / sxx)


class Detector:
    """Daily detectors of the ``alerts`` config over the whole fleet.

    A rule needs today's upload; a trend is evaluated every day for every
    vehicle with ``min_points`` uploaded readings in its window. Memory per
    trend: ``window_days`` float32 readings plus six sums per vehicle.

    Args:
        cfg: the ``alerts`` config (rules, trends, horizon_days_*); attribute access.
        n: fleet size.
    """

    def __init__(self, cfg: Any, n: int) -> None:
        self.cfg, self.n = cfg, n
        self.horizons = horizons(cfg)
        self.rules = dict(cfg.rules) if cfg.enabled else {}
        self.trends = dict(cfg.trends) if cfg.enabled else {}
        # Consecutive uploaded days past the threshold, capped at confirm_days.
        self.count = {name: np.zeros(n, np.int16) for name in self.rules}
        self.lines = {name: RollingLine(n, t.window_days) for name, t in self.trends.items()}
        self.day: int | None = None

    def _read(self, kind: str, name: str, key: str,
              readings: dict[str, np.ndarray]) -> np.ndarray:
        if key not in readings:
            raise ValueError(f"alerts {kind} {name!r} reads telemetry signal {key!r}, which is "
                             f"not in today's readings; available: {', '.join(sorted(readings))}")
        return readings[key]

    def update(self, day: int, readings: dict[str, np.ndarray],
               missing: np.ndarray | None = None) -> list[AlertBatch]:
        """Feed one day's telemetry; return today's alerts.

        Args:
            day: simulation day; must increase between calls (skipped days count
                as days without an upload).
            readings: ``<twin>.<signal>`` -> float32 ``(n,)``, NaN where no upload.
            missing: the vehicles without an upload today (NaN in every reading),
                if known; else found per signal.

        Returns:
            One batch per rule/trend and level that fired, most severe level
            first; a vehicle alerted for one component at several levels (or by
            several sources) today keeps only the most severe (the first source).
        """
        if self.day is not None and day <= self.day:
            raise ValueError(f"alert detector days must increase: got {day} after {self.day}")
        found = self._rules(readings, missing) + self._trends(day, readings, missing)
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

    def _trends(self, day: int, readings: dict[str, np.ndarray],
                missing: np.ndarray | None) -> list[AlertBatch]:
        out = []
        for name, t in self.trends.items():
            y = self._read("trend", name, t.signal, readings)
            line = self.lines[name]
            if self.day is not None and day > self.day + 1:
                gap, everyone = np.full(self.n, np.nan, F32), np.arange(self.n)
                for skipped in range(self.day + 1, day):
                    line.advance(skipped, gap, everyone)
            line.advance(day, np.asarray(y, F32), missing)
            out += self._trend_alerts(name, t, line)
        return out

    def _trend_alerts(self, name: str, t: Any, line: RollingLine) -> list[AlertBatch]:
        b = line.slope()
        guard = F64(t.min_slope_per_day)
        toward = (b < -guard) if t.below else (b > guard)  # NaN slopes compare False
        # The RUL needs only today's fitted value; the costlier t-statistic is
        # computed for the few lines reaching failure within the longest horizon.
        with np.errstate(divide="ignore", invalid="ignore"):
            rul = (t.failure_level - line.value(b)) / b
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
