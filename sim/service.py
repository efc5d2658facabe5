"""First service network: one technician pool per region.

Each failure that needs a visit becomes a job process (one simpy process per
job, i.e. per discrete event, never per vehicle). A job queues for a
technician of its region (``simpy.PriorityResource``: roadside before
drivable, FIFO within a priority), the technician travels from the depot to
the vehicle, repairs it, and the repaired component is reset in the twin.
Booked (drivable) work starts only within the daily shift; roadside rescue
is served around the clock when ``roadside_24h`` is set. Utilization is
measured against shift hours.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.clock import HOURS_PER_DAY, hours
from sim.records import Event, EventLog

RepairFn = Callable[[int, str, str, str], None]
_HOUR_TOL = 1e-6


@dataclass
class Pool:
    """A region's technicians: a priority resource plus the ids of free technicians."""

    resource: simpy.PriorityResource
    free: list[int] = field(default_factory=list)


def technicians_per_region(vehicles_per_region: np.ndarray, per_10000: float,
                           minimum: int) -> list[int]:
    """Technician count per region, proportional to its vehicles, at least ``minimum``.

    A region without vehicles gets no technicians.
    """
    return [max(minimum, math.ceil(v * per_10000 / 10_000.0)) if v > 0 else 0
            for v in vehicles_per_region]


class ServiceNetwork:
    """Technician pools and the job process.

    Args:
        env: the simpy environment (time unit: days).
        cfg: the ``service`` config as a :class:`configs.schema.ServiceConfig`.
        region_names: names of the regions, index-aligned with ``vehicle_region``.
        vehicle_region: home region index of each vehicle.
        radius_km: service radius of each region.
        log: the event log.
        rng: the service stream (travel distances, repair durations).
        on_repair: called as ``on_repair(vehicle, component, cause, severity)`` when a job
            finishes.
    """

    def __init__(self, env: simpy.Environment, cfg, region_names: list[str],
                 vehicle_region: np.ndarray, radius_km: np.ndarray, log: EventLog,
                 rng: np.random.Generator, on_repair: RepairFn) -> None:
        self.env, self.cfg, self.log, self.rng = env, cfg, log, rng
        self.region_names = region_names
        self.vehicle_region = vehicle_region
        self.radius_km = radius_km
        self.on_repair = on_repair
        counts = np.bincount(vehicle_region, minlength=len(region_names))
        sizes = technicians_per_region(counts, cfg.technicians_per_10000_vehicles,
                                       cfg.min_technicians_per_region)
        ids = itertools.count()
        # simpy needs capacity >= 1; a region without vehicles never receives a job.
        self.pools = [Pool(simpy.PriorityResource(env, capacity=max(c, 1)),
                           [next(ids) for _ in range(c)][::-1]) for c in sizes]
        self.technicians = sum(sizes)
        self._job_ids = itertools.count()
        self.jobs_created = 0
        self.jobs_finished = 0
        shape = 1.0 / cfg.repair.cv**2 if cfg.repair.cv > 0 else math.inf
        self._repair_shape = shape
        self._repair_mean_h = {k: float(v) for k, v in dataclasses.asdict(cfg.repair).items()
                               if k.endswith("_h")}

    def busy(self) -> int:
        """Technicians working (travelling or repairing) right now."""
        return sum(p.resource.count for p in self.pools)

    def _repair_h(self, component: str) -> float:
        mean = self._repair_mean_h[f"{component}_h"]
        if math.isinf(self._repair_shape):
            return mean
        return float(self.rng.gamma(self._repair_shape, mean / self._repair_shape))

    def _travel_h(self, region: int) -> float:
        # Uniform position in a disc of the service radius around the depot.
        dist_km = self.radius_km[region] * math.sqrt(self.rng.random())
        return dist_km / self.cfg.travel_speed_kmh

    def until_shift(self, now: float) -> float:
        """Days from ``now`` until the shift is open (0 if it is open now)."""
        day = math.floor(now)
        hour = (now - day) * HOURS_PER_DAY
        start, end = self.cfg.shift_start_h, self.cfg.shift_end_h
        # The tolerance absorbs float rounding of absolute times late in long runs.
        if start - _HOUR_TOL <= hour < end:
            return 0.0
        opens = day + hours(start) + (1.0 if hour >= end else 0.0)
        return max(opens - now, 0.0)

    def submit(self, t: float, vehicle: int, component: str, cause: str, severity: str) -> None:
        """Start the job process for a failure occurring at time ``t`` (days)."""
        self.env.process(self._job(t, vehicle, component, cause, severity))

    def _job(self, t: float, vehicle: int, component: str, cause: str, severity: str):
        env, log = self.env, self.log
        if t > env.now:
            yield env.timeout(t - env.now)
        region = int(self.vehicle_region[vehicle])
        rname = self.region_names[region]
        job = next(self._job_ids)
        self.jobs_created += 1
        log.append(Event(env.now, "failure", vehicle, component, cause, severity, job, rname))
        log.append(Event(env.now, "job_created", vehicle, component, cause, severity, job, rname))
        prio = (self.cfg.priority_roadside if severity == "roadside"
                else self.cfg.priority_drivable)
        pool = self.pools[region]
        anytime = severity == "roadside" and self.cfg.roadside_24h
        while True:
            if not anytime and (wait := self.until_shift(env.now)) > 0:
                yield env.timeout(wait)
            req = pool.resource.request(priority=prio)
            yield req
            if anytime or self.until_shift(env.now) == 0:
                break
            pool.resource.release(req)  # got a technician after the shift closed: retry tomorrow
        try:
            tech = pool.free.pop()
            common = (vehicle, component, cause, severity, job, rname, tech)
            log.append(Event(env.now, "job_assigned", *common))
            yield env.timeout(hours(self._travel_h(region)))
            log.append(Event(env.now, "job_arrived", *common))
            log.append(Event(env.now, "job_started", *common))
            yield env.timeout(hours(self._repair_h(component)))
            self.on_repair(vehicle, component, cause, severity)
            self.jobs_finished += 1
            log.append(Event(env.now, "job_finished", *common))
            pool.free.append(tech)
        finally:
            pool.resource.release(req)
