"""Predictive alerts for the naive baseline, one vehicle at a time.

See :mod:`experiments.bench.naive`.

The alert layer of :mod:`sim.alerts` written the way a typical SimPy user
would: one object per vehicle holding its telemetry reader, a counter per
threshold rule, a ``deque`` window per trend detector (least-squares line
fitted from the window every day with plain loops), the fatigue gate and
the owner. Same ``alerts`` config (converted once with
``OmegaConf.to_object``), same formulas:

- :class:`TelemetryReader` ~ :class:`sim.telemetry.Telemetry` (upload success
  per day, calibration gain per signal drawn once, the twin's noise);
- :class:`RuleCounter` / :class:`TrendLine` ~ :class:`sim.alerts.Detector`
  (rules and trends; per component the most severe alert of the day);
- :class:`Gate` ~ :class:`sim.alerts.AlertGate` (dedup unless escalated,
  rolling 30-day cap, red bypass);
- :class:`Owner` ~ :class:`sim.alerts.Owners` (response probability by level
  times the fatigue factor of a Beta trust in the alerts);
- :class:`VehicleAlerts` ~ :class:`sim.alerts.loop.AlertLoop` (the daily flow).

Days are the vehicle's own day index; an alert raised on day ``d`` at a level
of horizon ``h`` is true iff the component fails on a day in ``[d, d + h)``.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass
from typing import Any

from configs.alerts_schema import CAP_WINDOW_DAYS, LEVELS

SEVERITY = {level: i for i, level in enumerate(LEVELS)}  # 0 = most severe (red)


def alerts_on(cfg: Any) -> bool:
    """Whether a run has alerts: enabled and the service fed by failures (as in ``sim.engine``)."""
    return bool(cfg.alerts.enabled) and cfg.service.demand == "failures"


@dataclass
class Alert:
    """One alert of one vehicle's component."""

    day: int
    component: str
    cause: str
    level: str
    source: str                 # the rule's or trend's name
    rul_days: float | None      # trend alerts: predicted remaining useful life
    due: float = math.nan       # end of the alert's window: day + the level's horizon
    accepted: bool = False
    came_true: bool = False     # the component failed within the window (so far)


class TelemetryReader:
    """A vehicle's daily upload of the signals the detectors read.

    Args:
        parts: the vehicle's components by twin name.
        signals: telemetry keys ``<twin>.<signal>``.
        telemetry: the ``telemetry`` config (upload_success_prob, calibration_bias_max_frac).
        rnd: the run's random stream.
    """

    def __init__(self, parts: dict[str, Any], signals: list[str], telemetry: Any,
                 rnd: random.Random) -> None:
        self.rnd = rnd
        self.upload_prob = telemetry.upload_success_prob
        b = telemetry.calibration_bias_max_frac
        self.sensors = []   # (key, part, signal, this vehicle's calibration gain)
        for key in signals:
            twin, _, signal = key.partition(".")
            self.sensors.append((key, parts[twin], signal, 1.0 + rnd.uniform(-b, b)))

    def read(self) -> dict[str, float] | None:
        """Today's readings by key, or None when the upload failed."""
        if self.rnd.random() >= self.upload_prob:
            return None
        return {key: part.sense(signal) * gain for key, part, signal, gain in self.sensors}


class RuleCounter:
    """A threshold rule: fires after ``confirm_days`` consecutive uploaded days past it."""

    def __init__(self, name: str, rule: Any) -> None:
        self.name, self.rule = name, rule
        self.count = 0

    def update(self, value: float | None) -> bool:
        """Count today's reading (None: no upload, neither confirms nor resets); fire?"""
        if value is None:
            return False
        r = self.rule
        past = value < r.threshold if r.below else value > r.threshold
        if not past:
            self.count = 0
            return False
        self.count = min(self.count + 1, r.confirm_days)
        return self.count >= r.confirm_days

    def reset(self) -> None:
        self.count = 0


class TrendLine:
    """A trend detector: least-squares line over the readings of the last ``window_days`` days.

    With ``ageing_q10`` > 1 the readings are fitted against an ageing clock
    (``q10 ** ((T - T_ref) / 10)`` per day) and the RUL is turned into days at
    the clock's mean rate of the last ``ageing_rate_window_days`` days
    (:class:`sim.alerts.rolling.ClockLine`).

    Args:
        name: the trend's name.
        trend: its config (signal, below, failure_level, window_days, min_points,
            min_slope_per_day, min_slope_t, rul_z, ageing_*).
        horizons: each level's horizon in days, most severe first.
    """

    def __init__(self, name: str, trend: Any, horizons: dict[str, float]) -> None:
        self.name, self.trend, self.horizons = name, trend, horizons
        self.max_horizon = max(horizons.values())
        self.window: deque[tuple[int, float, float]] = deque()   # (day, clock, reading)
        self.clocked = trend.ageing_q10 > 1.0
        self.clock = 0.0
        self.steps: deque[float] = deque(maxlen=int(trend.ageing_rate_window_days))

    def update(self, day: int, value: float | None,
               temp_c: float | None = None) -> tuple[str, float] | None:
        """Add today's reading (None: no upload) and fit; ``(level, rul_days)`` if it fires.

        ``temp_c``: today's temperature, needed with an ageing clock.
        """
        t, w = self.trend, self.window
        per_day, now = 1.0, float(day)
        if self.clocked:
            if temp_c is None:
                raise ValueError(f"trend {self.name!r} has an ageing clock and needs temp_c")
            step = math.exp((temp_c - t.ageing_ref_temp_c) * (math.log(t.ageing_q10) / 10.0))
            self.clock += step
            self.steps.append(step)
            per_day, now = sum(self.steps) / len(self.steps), self.clock
        if value is not None:
            w.append((day, now, value))
        while w and w[0][0] <= day - t.window_days:
            w.popleft()
        n = len(w)
        if n < t.min_points:
            return None
        # Least squares with x = days (clock) relative to today (<= 0): the intercept is today's
        # value.
        sx = sy = sxx = sxy = 0.0
        for _, c, y in w:
            x = c - now
            sx += x
            sy += y
            sxx += x * x
            sxy += x * y
        sxx -= sx * sx / n   # sums of squares about the means
        sxy -= sx * sy / n
        slope = sxy / sxx
        if not (slope < -t.min_slope_per_day if t.below else slope > t.min_slope_per_day):
            return None
        today = (sy - slope * sx) / n
        rul = (t.failure_level - today) / slope / per_day
        if rul > self.max_horizon:
            return None
        sse = 0.0   # the residuals, for the slope's standard error
        for _, c, y in w:
            r = y - today - slope * (c - now)
            sse += r * r
        se = math.sqrt(sse / ((n - 2) * sxx))
        if se > 0.0 and abs(slope) / se < t.min_slope_t:
            return None
        if t.rul_z > 0.0:   # the late end of the crossing must be inside (sim.alerts.detectors)
            xbar = sx / n
            s2 = sse / (n - 2)
            se_value = math.sqrt(s2 * (1.0 / n + xbar * xbar / sxx))
            slow = abs(slope) - t.rul_z * se
            if slow <= 0.0:
                return None
            rul = (abs(t.failure_level - today) + t.rul_z * se_value) / slow / per_day
            if rul > self.max_horizon:
                return None
        rul = max(rul, 0.0)
        for level, h in self.horizons.items():  # most severe first
            if rul <= h:
                return level, rul
        return None

    def reset(self) -> None:
        self.window.clear()
        self.clock = 0.0


class Gate:
    """Alert fatigue gate of one vehicle: dedup per component, at most ``cap`` in 30 days."""

    def __init__(self, cfg: Any) -> None:
        self.dedup_days = cfg.dedup_days
        self.remind_days = cfg.remind_ignored_after_days
        self.cap = cfg.max_alerts_per_vehicle_per_30_days
        self.red_bypasses_cap = cfg.red_bypasses_cap
        self.last: dict[str, tuple[int, int]] = {}   # component -> (day, severity) of last alert
        self.recent: deque[int] = deque()            # days of admitted alerts, last 30 days

    def admit(self, day: int, component: str, level: str) -> bool:
        """Let the alert through (and remember it)?"""
        sev = SEVERITY[level]
        last = self.last.get(component)
        if last is not None and day - last[0] < self.dedup_days and sev >= last[1]:
            return False   # a repeat within dedup_days that does not escalate
        while self.recent and self.recent[0] <= day - CAP_WINDOW_DAYS:
            self.recent.popleft()
        if len(self.recent) >= self.cap and not (self.red_bypasses_cap and level == "red"):
            return False
        self.last[component] = (day, sev)
        self.recent.append(day)
        return True

    def remind(self, day: int, component: str) -> None:
        """The owner ignored today's alert: it may repeat after ``remind_days``."""
        last_day, sev = self.last[component]
        self.last[component] = (min(last_day, day - self.dedup_days + self.remind_days), sev)

    def clear(self, component: str) -> None:
        """The component was repaired: a new part may alert again at once."""
        self.last.pop(component, None)


class Owner:
    """A vehicle's owner: responds to alerts by level, less so after false alarms."""

    def __init__(self, cfg: Any, rnd: random.Random) -> None:
        self.rnd = rnd
        self.prob = {level: cfg.levels[level].response_prob for level in LEVELS}
        self.prior_true, self.prior_false = cfg.trust_prior_true, cfg.trust_prior_false
        self.stop, self.full = cfg.stop_responding_accuracy, cfg.full_response_accuracy
        self.n_true = self.n_false = 0

    def trust(self) -> float:
        """Expected alert accuracy (Beta posterior mean)."""
        t = self.prior_true + self.n_true
        return t / (t + self.prior_false + self.n_false)

    def response_prob(self, level: str) -> float:
        fatigue = min(max((self.trust() - self.stop) / (self.full - self.stop), 0.0), 1.0)
        return self.prob[level] * fatigue

    def responds(self, level: str) -> bool:
        return self.rnd.random() < self.response_prob(level)

    def learn(self, was_true: bool) -> None:
        if was_true:
            self.n_true += 1
        else:
            self.n_false += 1


class VehicleAlerts:
    """The alert layer of one vehicle: telemetry -> detectors -> gate -> owner.

    Args:
        cfg: the ``alerts`` config (a typed object, e.g. from ``OmegaConf.to_object``).
        telemetry: the ``telemetry`` config.
        parts: the vehicle's components by twin name (sensed, never changed here).
        rnd: the run's random stream.
    """

    def __init__(self, cfg: Any, telemetry: Any, parts: dict[str, Any],
                 rnd: random.Random) -> None:
        self.horizons = {level: getattr(cfg, f"horizon_days_{level}") for level in LEVELS}
        self.rules = [RuleCounter(name, r) for name, r in cfg.rules.items()]
        self.trends = [TrendLine(name, t, self.horizons) for name, t in cfg.trends.items()]
        signals = sorted({r.signal for r in cfg.rules.values()}
                         | {t.signal for t in cfg.trends.values()})
        self.reader = TelemetryReader(parts, signals, telemetry, rnd)
        self.gate = Gate(cfg)
        self.owner = Owner(cfg, rnd)
        self.booked: set[str] = set()   # components with a preventive repair pending
        # component -> (ignored alerts in a row, end of the first one's window): reminders
        # escalate a level each and keep that window (sim.alerts.reminders).
        self.escalate = cfg.escalate_reminders
        self.pending: dict[str, tuple[int, float]] = {}
        self.open: list[Alert] = []     # alerts whose window has not closed
        self.alerts = self.accepted = self.preventive_jobs = 0

    def detect(self, day: int, readings: dict[str, float] | None,
               temp_c: float | None = None) -> list[Alert]:
        """Today's detector alerts: per component the most severe (first source on a tie).

        ``temp_c``: today's temperature (trends on an ageing clock need it).
        """
        found = []
        if readings is not None:
            for rule in self.rules:
                if rule.update(readings[rule.rule.signal]):
                    r = rule.rule
                    found.append(Alert(day, r.component, r.cause, r.level, rule.name, None))
        for trend in self.trends:
            hit = trend.update(day, None if readings is None else readings[trend.trend.signal],
                               temp_c)
            if hit is not None:
                t = trend.trend
                found.append(Alert(day, t.component, t.cause, hit[0], trend.name, hit[1]))
        if len(found) < 2:
            return found
        found.sort(key=lambda a: SEVERITY[a.level])   # stable: rules, then trends, config order
        best: dict[str, Alert] = {}
        for a in found:
            best.setdefault(a.component, a)
        return [a for a in found if best[a.component] is a]

    def step(self, day: int, temp_c: float | None = None) -> list[Alert]:
        """Today's alerts after today's failures; returns those the owner accepted.

        Each accepted alert's component is booked until :meth:`repaired`.
        """
        out = []
        for a in self.detect(day, self.reader.read(), temp_c):
            if a.component in self.booked or not self.gate.admit(day, a.component, a.level):
                continue
            prior = self.pending.get(a.component) if self.escalate else None
            if prior is not None and prior[1] >= day:
                a.level = LEVELS[max(SEVERITY[a.level] - prior[0], 0)]
                a.due = prior[1]
            else:
                prior = None
                a.due = day + self.horizons[a.level]
            a.accepted = self.owner.responds(a.level)
            if a.accepted:
                self.pending.pop(a.component, None)
            else:
                self.gate.remind(day, a.component)
                self.pending[a.component] = ((1, a.due) if prior is None
                                             else (prior[0] + 1, prior[1]))
            self.alerts += 1
            self.open.append(a)
            if a.accepted:
                self.accepted += 1
                self.booked.add(a.component)
                out.append(a)
        if self.open:
            self.learn(day)
        return out

    def learn(self, day: int) -> None:
        """The owner learns the truth of each alert whose window closes by the end of ``day``."""
        still_open = []
        for a in self.open:
            if a.due <= day + 1:
                self.owner.learn(a.came_true)
            else:
                still_open.append(a)
        self.open = still_open

    def failed(self, component: str) -> None:
        """``component`` failed today: the open alerts of it came true."""
        for a in self.open:
            if a.component == component:
                a.came_true = True

    def repaired(self, component: str, preventive: bool = False) -> None:
        """A new part: forget its detector history and its gate entry (and its booking)."""
        for rule in self.rules:
            if rule.rule.component == component:
                rule.reset()
        for trend in self.trends:
            if trend.trend.component == component:
                trend.reset()
        self.gate.clear(component)
        self.pending.pop(component, None)
        if preventive:
            self.booked.discard(component)
            self.preventive_jobs += 1
