"""The daily prognostics step of a run: readings -> trends -> RUL -> alerts -> offers.

Each day, for every target of the ``prognostics`` config (numpy over the fleet):

1. the true value of its signal (twin state) updates the truth record: a jump
   away from the threshold larger than ``reset_jump`` is a new part (or a
   top-up) and restarts that vehicle's fit and life; the first day the truth
   is past the threshold is the vehicle's true crossing day (scored once, for
   the first life that crosses);
2. today's readings (every ``reading_every_days``, vehicles staggered) extend
   the rolling line; every ``evaluate_every_days`` the line predicts each
   vehicle's RUL (a slow signal needs no daily look: the cost of the step);
3. a vehicle whose RUL has been inside ``horizon_days`` for ``confirm_readings``
   evaluations in a row (each with a new reading), and not alerted for this
   target in ``repeat_after_days``,
   gets an alert: ``offer`` books the demand's condition job (owners accept
   or decline), ``notify`` is an owner reminder (for the tire pressure,
   ``owner_fix_prob`` of the owners top up at once); one ``prognostic_alert``
   record each (Python per alert only);
4. every ``score_every_days`` the whole fleet's RUL is kept (float16) for
   :mod:`sim.prognostics.scoring`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.fleet import Fleet
from sim.prognostics.fit import TrendFit
from sim.prognostics.signals import Sensors, source, truth
from sim.records import SCHEDULED, EventLog
from sim.rng import Streams
from sim.service import ServiceNetwork
from sim.service.demand import ServiceDemand
from twins import tires

EVENT = "prognostic_alert"
ACCEPTED, DECLINED, NOTIFIED, FIXED = "accepted", "declined", "notified", "owner_fixed"
CHANNEL = {"offer": "app_booking", "notify": "app_push"}
NEVER = -1        # no crossing (yet) in the current life
EXCLUDED = -2     # past the threshold when its life began: nothing to predict


class TargetState:
    """One target's fit, truth record, alert state and RUL snapshots."""

    def __init__(self, name: str, cfg: Any, n: int, max_rul_days: float,
                 horizon_days: int | None = None) -> None:
        self.name, self.cfg = name, cfg
        self.fit = TrendFit(n, cfg.window_days, cfg.threshold, cfg.below, cfg.min_points,
                            cfg.min_slope_t, max_rul_days, horizon_days)
        self.prev: np.ndarray | None = None          # yesterday's truth
        self.start = np.zeros(n, np.int32)           # day the current part's life began
        self.cross = np.full(n, NEVER, np.int32)     # true crossing day (first crossing life)
        self.frozen = np.zeros(n, bool)              # crossed: the scored life is over
        self.first_alert = np.full(n, -1, np.int32)  # first alert of the scored life
        self.last_alert = np.full(n, -10**6, np.int64)
        self.count = np.zeros(n, np.int16)           # consecutive evaluations inside the horizon
        self.fresh = np.zeros(n, bool)               # a reading since the last evaluation
        self.alerts = 0
        self.accepted = 0
        self.snaps: list[np.ndarray] = []

    def past(self, y: np.ndarray) -> np.ndarray:
        return (y <= self.cfg.threshold) if self.cfg.below else (y >= self.cfg.threshold)


class PrognosticsLoop:
    """Prognostics of one run (see the module docstring).

    Args:
        cfg: the ``prognostics`` config (typed or attribute access).
        telemetry_cfg: the ``telemetry`` config (upload success, calibration bias).
        fleet: the fleet.
        service: the service network (offers' jobs).
        demand: the service demand (offers, cabin filters), or None: offers become
            reminders and the air-filter target is left out.
        log: the event log.
        streams: the run's streams (``prognostics.*`` children).
        horizon_days: the run's horizon, if known (the trend lines store no more than it needs).
    """

    def __init__(self, cfg: Any, telemetry_cfg: Any, fleet: Fleet, service: ServiceNetwork,
                 demand: ServiceDemand | None, log: EventLog, streams: Streams,
                 horizon_days: int | None = None) -> None:
        self.cfg, self.fleet, self.service, self.demand, self.log = (cfg, fleet, service,
                                                                    demand, log)
        n = self.n = fleet.state.n
        targets = {k: t for k, t in cfg.targets.items()
                   if source(t.signal) in fleet.twins or demand is not None}
        self.targets = {k: TargetState(k, t, n, float(cfg.max_rul_days), horizon_days)
                        for k, t in targets.items()}
        self.sensors = Sensors(fleet, demand, telemetry_cfg, {t.signal for t in targets.values()},
                               float(cfg.filter_noise_sd), streams.get("prognostics.telemetry"))
        self.rng = streams.get("prognostics.offers")
        self.owner_rng = streams.get("prognostics.owners")
        self.every = int(cfg.score_every_days)
        self.snap_days: list[int] = []
        self.vehicle = np.arange(n)

    def day(self, day: int) -> None:
        """Run one day's prognostics (after the twins stepped and failures were dispatched)."""
        readings = self.sensors.read()
        snap = day % self.every == 0
        if snap:
            self.snap_days.append(day)
        for ts in self.targets.values():
            self._truth(day, ts)
            t = ts.cfg
            y = readings[t.signal]
            every = int(t.reading_every_days)
            if every > 1:
                y = np.where((self.vehicle + day) % every == 0, y, np.float32(np.nan))
            ts.fit.advance(day, y)
            ts.fresh |= ~np.isnan(y)
            full = ts.fit.predict(with_sd=False).rul_days if snap else None
            if day % int(t.evaluate_every_days) == 0:
                self._evaluate(day, ts, full)
            if full is not None:  # no crossing predicted (the cap) is no prediction (ProgPy's None)
                capped = full >= np.float32(self.cfg.max_rul_days)
                ts.snaps.append(np.where(capped, np.nan, full).astype(np.float16))

    def _evaluate(self, day: int, ts: TargetState, full: np.ndarray | None) -> None:
        """Alert the vehicles whose predicted crossing has been inside the horizon for
        ``confirm_readings`` evaluations with new readings (``full``: every RUL, if known)."""
        t = ts.cfg
        seen, ts.fresh = ts.fresh, np.zeros(self.n, bool)
        horizon = np.float32(t.horizon_days)
        if full is None:
            # The line alone screens the fleet; the exact RUL (significance guard) is
            # computed for the few it puts inside the horizon.
            near = np.flatnonzero(seen & (ts.fit.quick_rul() <= horizon))   # NaN: False
            near_rul = ts.fit.predict(near, with_sd=False).rul_days
        else:
            near = np.flatnonzero(seen & (full <= horizon))
            near_rul = full[near]
        inside = np.zeros(self.n, bool)
        inside[near] = near_rul <= horizon
        # +1 inside the horizon, 0 outside; kept without a new reading.
        ts.count = np.where(seen, (ts.count + 1) * inside, ts.count).astype(np.int16)
        np.minimum(ts.count, t.confirm_readings, out=ts.count)
        fire = np.flatnonzero(seen & (ts.count >= t.confirm_readings)
                              & (day - ts.last_alert >= t.repeat_after_days))
        if fire.size:
            rul = np.full(self.n, np.nan, np.float32)
            rul[near] = near_rul
            self._alert(day, ts, fire, rul[fire])

    def _truth(self, day: int, ts: TargetState) -> None:
        """Update the true crossing record; restart the fit of replaced parts."""
        now = truth(ts.cfg.signal, self.fleet, self.demand)
        if ts.prev is None:
            ts.cross[ts.past(now)] = EXCLUDED
            ts.frozen[ts.past(now)] = True
        else:
            away = (now - ts.prev) if ts.cfg.below else (ts.prev - now)
            renewed = np.flatnonzero(away > ts.cfg.reset_jump)
            if renewed.size:
                ts.fit.clear(renewed)
                ts.count[renewed] = 0
                live = renewed[~ts.frozen[renewed]]
                ts.start[live] = day
                ts.first_alert[live] = -1
                ts.cross[live] = NEVER
            new = np.flatnonzero(~ts.frozen & ts.past(now))
            ts.cross[new] = day
            ts.frozen[new] = True
        ts.prev = now

    def _alert(self, day: int, ts: TargetState, vehicles: np.ndarray, rul: np.ndarray) -> None:
        """Alert ``vehicles`` for ``ts`` today: offer the job or notify; log each alert."""
        t = ts.cfg
        ts.last_alert[vehicles] = day
        fresh = vehicles[ts.first_alert[vehicles] < 0]   # after the crossing too: late
        ts.first_alert[fresh] = day
        ts.alerts += vehicles.size
        action = t.action if self.demand is not None else "notify"
        outcome = np.full(vehicles.size, NOTIFIED, dtype=object)
        if action == "offer":
            batch = self.demand.offer(day, t.job, vehicles, self.rng)
            took = np.isin(vehicles, batch.vehicles, assume_unique=True)
            outcome = np.where(took, ACCEPTED, DECLINED)
            ts.accepted += batch.vehicles.size
            if batch.vehicles.size:
                times = day + self.rng.random(batch.vehicles.size)
                self.service.submit_many(times, batch.vehicles, batch.component, batch.cause,
                                         SCHEDULED)
        elif t.owner_fix_prob > 0:   # reminded owners top the tires up at once
            fixed = vehicles[self.owner_rng.random(vehicles.size) < t.owner_fix_prob]
            state, p = self.fleet.state.twins["tires"], self.fleet.params["tires"]
            # To the placard pressure as the gauge reads it today (a cold day fills more).
            offset = tires.pressure_hot_psi(state, p)[fixed] - state["pressure_cold_psi"][fixed]
            state["pressure_cold_psi"][fixed] = np.float32(p.pressure_nominal_psi) - offset
            fixed = np.isin(vehicles, fixed, assume_unique=True)
            outcome = np.where(fixed, FIXED, NOTIFIED)
            ts.accepted += int(fixed.sum())
        component = "condition" if source(t.signal) == "demand" else source(t.signal)
        regions = self.service.region_names
        region_of = self.fleet.state.attrs["region"][vehicles].tolist()
        due = (day + rul.astype(np.float64)).tolist()
        for v, reg, out, d, r in zip(vehicles.tolist(), region_of, outcome.tolist(), due,
                                     rul.tolist(), strict=True):
            self.log.append((float(day), EVENT, v, component, ts.name, action, -1, regions[reg],
                             -1, CHANNEL[action], out, d, r))
