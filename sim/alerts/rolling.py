"""Per-vehicle rolling least-squares lines for the trend detectors, NaN-aware.

:class:`RollingLine` fits each vehicle's readings of the last ``window``
days against calendar days. :class:`ClockLine` fits them against an ageing
clock that each vehicle's own daily increments advance (issue 15: a Q10
temperature-weighted clock, so a seasonal swing in the wear rate is not read
as a trend). Both keep running sums, so a day costs a few fleet-wide vector
operations whatever the window.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
F64 = np.float64


def kept_slots(window: int, horizon_days: int | None) -> int:
    """Ring-buffer slots a rolling window needs to store in a run of ``horizon_days``.

    A reading of day d is read back only when it leaves the window, on day d + window; in a
    run of H days only days d < H - window ever leave, and they fill slots 0 .. H - window - 1
    (all of them once H >= 2 window). A run shorter than twice the window so stores less
    (nothing when H <= window), with the same results: an unstored reading is never read.
    Unknown horizon: the whole window.
    """
    if horizon_days is None:
        return int(window)
    return max(0, min(int(window), int(horizon_days) - int(window)))


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
        horizon_days: the run's horizon, if known: only the readings that leave the window
            before it are stored (:func:`kept_slots`).
    """

    def __init__(self, n: int, window: int, horizon_days: int | None = None) -> None:
        self.window = int(window)
        self.kept = kept_slots(self.window, horizon_days)
        # Uninitialised: a slot is read only once an advance has written it (``gaps[slot]``
        # set), so no NaN fill of window x fleet (0.24 s for 120 x 100 000 in page faults,
        # on every detector at start-up); the slots a short run never reaches are never touched.
        self.buf = np.empty((self.kept, n), F32)
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
        if slot < self.kept:    # else the reading never leaves the window before the horizon
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
        """Forget ``vehicles``' history (a new part was fitted).

        Their readings stay in the ring buffer: :meth:`_gaps` counts a vehicle cleared
        since a slot was filled as having no reading there, so nothing reads them again
        (no write across the whole window per clear)."""
        self.last_clear[vehicles] = self.advances
        for a in (self.s, self.st, self.stt, self.sy, self.sty, self.syy):
            a[vehicles] = 0

    def slope(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Fitted slope per vehicle (signal units per day), of vehicles ``idx`` only if given;
        NaN with fewer than 2 points."""
        sel = slice(None) if idx is None else idx
        s, st = self.s[sel].astype(F64), self.st[sel]
        with np.errstate(divide="ignore", invalid="ignore"):
            sxx = self.stt[sel] - st.astype(F64) ** 2 / s
            return (self.sty[sel] - st * self.sy[sel] / s) / sxx

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


class ClockLine:
    """Per-vehicle least-squares lines over the last ``window`` days against an ageing clock.

    Each vehicle's clock advances by its own increment every day (for a Q10
    clock: ``q10 ** ((T - T_ref) / 10)`` days at the reference temperature),
    and each reading is fitted against the clock's value on its day. The
    slope is in signal units per clock unit; :meth:`rate` is the clock's mean
    advance per calendar day over the last ``rate_window`` days, which turns a
    remaining clock time into calendar days. Sums of 1, x, x², y, x·y and y²
    are float64 with x measured from a per-vehicle origin reset on
    :meth:`clear`, so they stay small and exact enough over long runs.

    Args:
        n: fleet size.
        window: days in the fitting window.
        rate_window: days over which :meth:`rate` averages the clock's advance.
        horizon_days: the run's horizon, if known: only the readings and advances that leave
            their windows before it are stored (:func:`kept_slots`).
    """

    def __init__(self, n: int, window: int, rate_window: int,
                 horizon_days: int | None = None) -> None:
        self.window, self.rate_window = int(window), int(rate_window)
        self.kept = kept_slots(self.window, horizon_days)
        self.kept_steps = kept_slots(self.rate_window, horizon_days)
        self.y = np.full((self.kept, n), np.nan, F32)
        self.x = np.zeros((self.kept, n), F64)
        self.steps = np.zeros((self.kept_steps, n), F64)
        self.step_sum = np.zeros(n, F64)
        self.days = 0
        self.clock = np.zeros(n, F64)   # since the vehicle's origin (start or last clear)
        self.s, self.sx, self.sxx, self.sy, self.sxy, self.syy = (np.zeros(n, F64)
                                                                   for _ in range(6))

    def advance(self, day: int, y: np.ndarray, step: np.ndarray,
                missing: np.ndarray | None = None) -> None:
        """Move to ``day``: the clock advances by ``step``; add the readings ``y`` (NaN = none).

        ``missing``: the indices where ``y`` is NaN, if known.
        """
        if missing is None:
            missing = np.flatnonzero(np.isnan(y))
        r = day % self.rate_window
        step = step.astype(F64)
        # A slot past ``kept_*`` was never stored: it holds nothing to take out (the same
        # floats: taking out nothing adds -0.0).
        if r < self.kept_steps:
            self.step_sum += step - self.steps[r]
            self.steps[r] = step
        else:
            self.step_sum += step
        self.days += 1
        self.clock += step
        slot = day % self.window
        if slot < self.kept:
            old = self.y[slot].astype(F64)
            has = ~np.isnan(old)
            self._add(np.where(has, old, 0.0), np.where(has, self.x[slot], 0.0),
                      -has.astype(F64))
        y0 = y.astype(F64)
        got = np.ones(len(y0), F64)
        got[missing] = 0.0
        y0[missing] = 0.0
        if slot < self.kept:
            self.y[slot] = y
            self.x[slot] = self.clock
        self._add(y0, self.clock * got, got)

    def _add(self, y: np.ndarray, x: np.ndarray, w: np.ndarray) -> None:
        """Add (w = 1) or remove (w = -1) the points (x, y); w = 0 leaves a vehicle alone."""
        self.s += w
        self.sx += w * x
        self.sxx += w * x * x
        self.sy += w * y
        self.sxy += w * x * y
        self.syy += w * y * y

    def clear(self, vehicles: np.ndarray) -> None:
        """Forget ``vehicles``' history (a new part was fitted); their clock restarts at 0."""
        self.y[:, vehicles] = np.nan
        self.clock[vehicles] = 0.0
        for a in (self.s, self.sx, self.sxx, self.sy, self.sxy, self.syy):
            a[vehicles] = 0.0

    def rate(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Mean clock advance per calendar day over the last ``rate_window`` days (or ``idx``'s)."""
        total = self.step_sum if idx is None else self.step_sum[idx]
        return total / max(min(self.days, self.rate_window), 1)

    def slope(self) -> np.ndarray:
        """Fitted slope per vehicle (signal units per clock unit); NaN with fewer than 2 points."""
        with np.errstate(divide="ignore", invalid="ignore"):
            sxx = self.sxx - self.sx ** 2 / self.s
            return (self.sxy - self.sx * self.sy / self.s) / sxx

    def value(self, slope: np.ndarray) -> np.ndarray:
        """Today's fitted value per vehicle (``slope`` = :meth:`slope`); NaN without points."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.sy + slope * (self.clock * self.s - self.sx)) / self.s

    def _moments(self, idx: np.ndarray, slope: np.ndarray):
        s, sx, sy = self.s[idx], self.sx[idx], self.sy[idx]
        sxx = self.sxx[idx] - sx * sx / s
        sxy = self.sxy[idx] - sx * sy / s
        sse = np.maximum(self.syy[idx] - sy * sy / s - slope * sxy, 0.0)
        dx = self.clock[idx] - sx / s   # today's clock from the points' mean
        return s, sxx, sse, dx

    def fit(self, idx: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Today's fitted value and the slope's t-statistic for vehicles ``idx``."""
        s, sxx, sse, dx = self._moments(idx, slope)
        value = self.sy[idx] / s + slope * dx
        with np.errstate(divide="ignore", invalid="ignore"):
            t_stat = np.abs(slope) / np.sqrt(sse / ((s - 2.0) * sxx))
        return value, np.nan_to_num(t_stat, nan=np.inf)

    def uncertainty(self, idx: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Standard errors of today's fitted value and of the slope for vehicles ``idx``."""
        s, sxx, sse, dx = self._moments(idx, slope)
        with np.errstate(divide="ignore", invalid="ignore"):
            var = sse / (s - 2.0)
            return np.sqrt(var * (1.0 / s + dx * dx / sxx)), np.sqrt(var / sxx)
