"""The daily alert step of a run, and what alerts set in motion.

telemetry -> :class:`Detector` -> components already in service dropped ->
:class:`AlertGate` (dedup, per-vehicle cap) -> :class:`Reminders` (a reminder
of an ignored alert escalates a level) -> :class:`Owners` accept or
ignore -> one ``alert`` record per alert (``channel``: the level's
notification channel); an accepted alert books a ``preventive`` job (at the
level's service priority: red-alert priority at once, or a booked window)
with its part reserved, through the ordinary service network.

Ground truth: a preventive repair of a component that had not failed starts a
shadow copy (:mod:`sim.alerts.shadow`) that reveals whether, and when, the
failure would have happened inside the alert's window (``failure_prevented``).
Owners learn each alert's truth when its window closes, which drives alert
fatigue. All work per vehicle is numpy; Python runs per alert record.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from configs.alerts_schema import SERVICE_PRIORITIES
from sim.alerts.detectors import Detector, horizons, needed_signals
from sim.alerts.gate import AlertGate
from sim.alerts.owners import Owners
from sim.alerts.reminders import Reminders
from sim.alerts.shadow import ShadowPool
from sim.failures import FailureBatch
from sim.fleet import Fleet
from sim.records import PREVENTIVE, EventLog
from sim.rng import Streams
from sim.service import ServiceNetwork
from twins import Usage

ACCEPTED, IGNORED = "accepted", "ignored"
RED_ALERT = SERVICE_PRIORITIES[0]   # a level whose jobs take service.priority_red_alert


class AlertLoop:
    """Detectors, fatigue gate, owners and shadows of one run.

    Args:
        cfg: the ``alerts`` config (typed, e.g. from ``OmegaConf.to_object``).
        fleet: the fleet.
        service: the service network that takes the preventive jobs.
        log: the event log.
        streams: the run's random streams (``alerts.*`` children are used).
        horizon_days: the run's horizon, if known (the detectors store no more than it needs).
    """

    def __init__(self, cfg: Any, fleet: Fleet, service: ServiceNetwork, log: EventLog,
                 streams: Streams, horizon_days: int | None = None) -> None:
        n = fleet.state.n
        self.cfg, self.fleet, self.service, self.log = cfg, fleet, service, log
        self.signals = needed_signals(cfg)
        self.detector = Detector(cfg, n, horizon_days)
        self.gate = AlertGate(cfg, n)
        self.reminders = Reminders(list(fleet.twins), n, bool(cfg.escalate_reminders))
        self.owners = Owners(cfg, n, streams.get("alerts.owners"))
        self.shadows = ShadowPool(fleet.twins, fleet.params, streams.get("alerts.shadow"))
        self.rng = streams.get("alerts.timing")
        self.horizon = horizons(cfg)
        # Per level: the owner's notification channel and the booked job's service priority.
        self.channel = {lv: str(c.channel) for lv, c in cfg.levels.items()}
        self.priority = {lv: str(c.service_priority) for lv, c in cfg.levels.items()}
        # Vehicles whose accepted alert's preventive job is not done yet, per component.
        self.booked = {c: np.zeros(n, dtype=bool) for c in fleet.twins}
        self._window_end: dict[tuple[int, str], float] = {}   # (vehicle, component) of booked
        self._closing: list[tuple[float, int, str, float]] = []  # heap: (due, vehicle, comp, t)
        self._failed: dict[tuple[int, str], list[float]] = {}   # failure times, real or prevented

    # ------------------------------------------------------------------ daily
    def day(self, day: int, readings: dict[str, np.ndarray], usage: Usage,
            uploaded: np.ndarray | None = None) -> None:
        """Today's prevented failures, new alerts and owners' lessons (after failures).

        ``uploaded``: the telemetry upload mask (its complement is NaN in every reading).
        """
        for p in self.shadows.step(day, usage):
            for v, t in zip(p.vehicles.tolist(), p.times.tolist(), strict=True):
                self._record((t, "failure_prevented", v, p.component, p.cause, p.severity))
                self._failed.setdefault((v, p.component), []).append(t)
        state = self.fleet.state
        missing = None if uploaded is None else np.flatnonzero(~uploaded)
        raw = self.detector.update(day, readings, missing, usage.temp_c)
        fresh = []
        for b in raw:  # a component already in service needs no alert
            keep = ~(state.open_job[b.component][b.vehicles] | self.booked[b.component][b.vehicles])
            if keep.any():
                fresh.append(b._replace(vehicles=b.vehicles[keep],
                                        rul_days=None if b.rul_days is None else b.rul_days[keep]))
        for b in self.gate.admit(day, fresh):
            for part, due in self.reminders.levels(day, b, self.horizon):
                self._raise(day, part, due)
        self._learn(day)

    def on_failures(self, failures: list[FailureBatch], times: list[np.ndarray]) -> None:
        """Remember today's real failures (for owners learning whether alerts were true)."""
        for b, t in zip(failures, times, strict=True):
            for v, ti in zip(b.vehicles.tolist(), t.tolist(), strict=True):
                self._failed.setdefault((v, b.component), []).append(ti)

    def _raise(self, day: int, b, due: np.ndarray) -> None:
        """Owners answer ``b`` (window ends ``due``); book the accepted, log every alert."""
        accepted = self.owners.respond(b.vehicles, b.level)
        t_alert = float(day)
        if accepted.any():
            who = b.vehicles[accepted]
            booked_at = day + self.rng.random(who.size)   # the owner books during the day
            self.service.submit_many(booked_at, who, b.component, b.cause, PREVENTIVE,
                                     red_alert=self.priority[b.level] == RED_ALERT)
            self.booked[b.component][who] = True
            for v, end in zip(who.tolist(), due[accepted].tolist(), strict=True):
                self._window_end[(v, b.component)] = end
        if not accepted.all():
            self.gate.remind(day, b.vehicles[~accepted], b.component)
        self.reminders.answered(day, b.component, b.vehicles, accepted, due)
        regions = self.service.region_names
        channel = self.channel[b.level]
        region_of = self.fleet.state.attrs["region"][b.vehicles].tolist()
        # job -1: the booked job's own records carry its id (severity "preventive").
        for v, ok, reg, end in zip(b.vehicles.tolist(), accepted.tolist(), region_of,
                                   due.tolist(), strict=True):
            self.log.append((t_alert, "alert", v, b.component, b.cause, b.level, -1,
                             regions[reg], -1, channel, ACCEPTED if ok else IGNORED, end,
                             np.nan))
            heapq.heappush(self._closing, (end, v, b.component, t_alert))

    def _learn(self, day: int) -> None:
        """Owners learn the truth of every alert whose window closed by the end of ``day``."""
        done: list[tuple[int, bool]] = []
        while self._closing and self._closing[0][0] <= day + 1:
            due, v, comp, t = heapq.heappop(self._closing)
            times = self._failed.get((v, comp), ())
            done.append((v, any(t <= f <= due for f in times)))
        if done:
            vehicles, truth = zip(*done, strict=True)
            self.owners.learn(np.array(vehicles, dtype=np.int64), np.array(truth, dtype=bool))

    def _record(self, row: tuple) -> None:
        t, event, v, comp, cause, severity = row
        self.log.append((t, event, v, comp, cause, severity, -1, self.fleet.region_name(v), -1,
                         "", "", np.nan, np.nan))

    # ---------------------------------------------------------------- repairs
    def before_repair(self, component: str, cause: str, severity: str,
                      vehicles: np.ndarray) -> None:
        """Shadow preventively repaired components that had not failed (repair-queue hook)."""
        if severity != PREVENTIVE:
            return
        intact = ~self.fleet.state.open_job[component][vehicles]
        due = np.array([self._window_end.pop((v, component), np.nan)
                        for v in vehicles.tolist()])
        keep = intact & ~np.isnan(due)
        if keep.any():
            self.shadows.add(component, vehicles[keep], self.fleet.state.twins[component],
                             due[keep])

    def after_repair(self, component: str, cause: str, severity: str,
                     vehicles: np.ndarray) -> None:
        """A repaired component starts afresh: history, gate entries, booking (repair hook)."""
        self.detector.reset(vehicles, component)
        self.gate.clear(vehicles, component)
        self.reminders.clear(vehicles, component)
        if severity == PREVENTIVE:
            self.booked[component][vehicles] = False
