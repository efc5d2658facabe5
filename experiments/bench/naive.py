"""A naive per-vehicle SimPy model of the same twins: the baseline of ``fleetsim-bench``.

This is the fleet written the way a typical SimPy user would write it: one
process per vehicle, Python scalars and ``math``, a seeded ``random.Random``,
``yield env.timeout(1)`` per day, and a shared ``simpy.Resource`` of
technicians per region that a failed vehicle waits for. It steps the same
physics as the vectorized twins in ``twins/`` with the same parameter objects
(:func:`sim.fleet.twin_params` and ``cfg.fleet``), so its results agree with
:func:`sim.simulate` statistically while every vehicle-day costs interpreted
Python. It is a faithful re-implementation, not a strawman: no sleeps, no
wasted work, parameters converted once from OmegaConf to plain dataclasses.

Predictive alerts (``cfg.alerts``, on by default) run per vehicle too
(:mod:`experiments.bench.naive_alerts`): after the day's step and failures, the
vehicle uploads the signals its detectors read, the rules and trends look
for alerts, the gate and the owner decide, and an accepted alert books a
preventive repair: the vehicle waits for a technician of its region like a
failure does and the component is repaired for the alert's cause. With
``alerts=none`` (or ``service.demand`` other than ``failures``, as in
:func:`sim.simulate`) there is no telemetry or alert work at all.

Deliberate differences from the vectorized model (none changes an expectation
except the two marked *small*):

- weather noise is drawn per vehicle per day, not once per region per day;
- a vehicle's own process waits for its repair, so a repair shifts that
  vehicle's later days by the repair time instead of overlapping them;
- arithmetic is float64, not float32;
- the technicians work around the clock, first come first served (no shifts or
  roadside priority): waits only shift a vehicle's timeline, not its physics;
  a failure or an accepted alert is repaired before the vehicle's next day
  (the vectorized model's booked window and job delays are not modelled), so a
  component cannot fail while its preventive repair is pending (*small*: slightly
  fewer failures of alerted components);
- an owner learns an alert was true iff the component really failed within the
  alert's window: there are no shadow copies of preventively repaired parts,
  so an accepted alert whose repair prevented the failure counts as a false
  alarm (the vectorized model counts the prevented failure). *Small*: it lowers
  the trust of owners with repeat alerts only, and most vehicles get at most one
  alert a year (acceptance share < 1 percentage point lower);
- failure and alert times are the vehicle's day index (whole days), not times
  within the day;
- each ``sense`` call draws its own noise (see :mod:`experiments.bench.naive_twins`).
"""

from __future__ import annotations

import math
import random
import time
from typing import Any

import simpy
from omegaconf import DictConfig, OmegaConf

from experiments.bench.naive_alerts import VehicleAlerts, alerts_on
from experiments.bench.naive_shocks import Body, Electrics, Software
from experiments.bench.naive_twins import Aux12v, Battery, Brakes, Coolant, Tires, Usage
from sim.fleet import twin_params
from sim.service import scaled_count
from twins import TWINS
from twins.usage import DAYS_PER_YEAR

HOURS_PER_DAY = 24.0
# The scalar twin of each vectorized twin, by twin name.
COMPONENTS = {"battery": Battery, "brakes": Brakes, "coolant": Coolant, "tires": Tires,
              "aux12v": Aux12v, "electrics": Electrics, "software": Software, "body": Body}


class Vehicle:
    """One vehicle: static traits drawn from the fleet config, and its components."""

    def __init__(self, fleet: Any, params: dict[str, Any], rnd: random.Random) -> None:
        self.fleet, self.rnd = fleet, rnd
        profiles, regions = fleet.profiles, fleet.regions
        prof = profiles[rnd.choices(list(profiles), [p.share for p in profiles.values()])[0]]
        self.region_name = rnd.choices(list(regions), [r.share for r in regions.values()])[0]
        self.region = regions[self.region_name]
        self.km_mean = prof.km_per_day_mean
        self.km_sigma = math.sqrt(math.log1p(prof.km_per_day_cv ** 2))
        self.km_mu = math.log(max(prof.km_per_day_mean, 1e-6)) - 0.5 * self.km_sigma ** 2
        self.aggressiveness = max(rnd.gauss(prof.aggressiveness_mean, prof.aggressiveness_sd),
                                  0.3)
        dc_mean = min(max(prof.dc_fast_share_mean, 1e-3), 1.0 - 1e-3)
        self.dc_share = rnd.betavariate(dc_mean * 10.0, (1.0 - dc_mean) * 10.0)
        self.soc_high = prof.soc_high_frac
        self.age_days = rnd.uniform(fleet.age_min_years, fleet.age_max_years) * DAYS_PER_YEAR
        self.parts = {name: cls(params[name], rnd) for name, cls in COMPONENTS.items()}
        self.alerts: VehicleAlerts | None = None   # set by run_naive when alerts are on

    def usage(self, km: float, temp_c: float) -> Usage:
        """Usage of a day with ``km`` driven at ambient ``temp_c``."""
        f = self.fleet
        efc = km * f.consumption_kwh_per_km / f.battery_capacity_kwh
        dod = min(efc, self.soc_high - 0.05)
        friction = km * self.aggressiveness * f.braking_demand_kwh_per_km * (1.0 - f.regen_share)
        return Usage(km, temp_c, self.soc_high - 0.5 * dod, dod, efc, self.dc_share, friction,
                     self.aggressiveness)

    def drive(self, day: int) -> Usage:
        """Draw the day's km and the home region's temperature."""
        r = self.region
        doy = (self.fleet.start_day_of_year + day) % 365
        temp = (r.temp_mean_c
                + r.temp_amplitude_c * math.cos(2.0 * math.pi * (doy - r.temp_peak_day_of_year)
                                                / 365.0)
                + r.temp_daily_sd_c * self.rnd.gauss(0.0, 1.0))
        return self.usage(self.rnd.lognormvariate(self.km_mu, self.km_sigma), temp)

    def warm_up(self, steps: int) -> None:
        """Age from new to the start age under mean usage, repairing faults on the way."""
        mean = self.usage(self.km_mean, self.region.temp_mean_c)
        dt = self.age_days / steps
        for _ in range(steps):
            for part in self.parts.values():
                part.step(mean, dt)
            for part in self.parts.values():
                for cause in part.faults():
                    part.repair(cause)


class Workshop:
    """A technician pool (``simpy.Resource``) per region and the time of a visit."""

    def __init__(self, env: simpy.Environment, fleet: Any, service: Any,
                 vehicles: list[Vehicle], rnd: random.Random) -> None:
        self.service, self.rnd = service, rnd
        names = list(fleet.regions)
        counts = [sum(v.region_name == n for v in vehicles) for n in names]
        m = service.mobile
        sizes = [scaled_count(c, m.vans_per_10000_vehicles, m.min_vans_per_region)
                 for c in counts]
        # simpy needs capacity >= 1; a region without vehicles never requests anyway.
        self.pools = {n: simpy.Resource(env, capacity=max(c, 1))
                      for n, c in zip(names, sizes, strict=True)}

    def visit_days(self, vehicle: Vehicle, component: str, cause: str) -> float:
        """Travel from the depot plus hands-on repair time, in days."""
        s, rnd = self.service, self.rnd
        speed = s.mobile.travel_speed_kmh
        travel_h = vehicle.region.service_radius_km * math.sqrt(rnd.random()) / speed
        mean_h = float(s.job_types[component][cause]["repair_h"])
        if s.repair_cv > 0 and mean_h > 0:
            shape = 1.0 / s.repair_cv ** 2
            repair_h = rnd.gammavariate(shape, mean_h / shape)
        else:
            repair_h = mean_h
        return (travel_h + repair_h) / HOURS_PER_DAY


def vehicle_life(env: simpy.Environment, v: Vehicle, days: int, shop: Workshop,
                 failures: dict[tuple[str, str], int]):
    """The vehicle's process: drive, age, and on a fault wait for a technician to repair it.

    With alerts (``v.alerts``), the alert step follows the failures; each
    accepted alert waits for a technician the same way and repairs its
    component for the alert's cause (a preventive job).
    """
    alerts = v.alerts
    for day in range(days):
        u = v.drive(day)
        for part in v.parts.values():
            part.step(u, 1.0)
        for name, part in v.parts.items():
            causes = part.faults()
            if causes:
                failures[name, causes[0]] = failures.get((name, causes[0]), 0) + 1
                if alerts is not None:
                    alerts.failed(name)
                with shop.pools[v.region_name].request() as req:
                    yield req
                    yield env.timeout(shop.visit_days(v, name, causes[0]))
                part.repair(causes[0])
                if alerts is not None:
                    alerts.repaired(name)
        if alerts is not None:
            for alert in alerts.step(day, float(u.temp_c)):
                with shop.pools[v.region_name].request() as req:
                    yield req
                    yield env.timeout(shop.visit_days(v, alert.component, alert.cause))
                v.parts[alert.component].repair(alert.cause)
                alerts.repaired(alert.component, preventive=True)
        yield env.timeout(1)


def run_naive(cfg: DictConfig, vehicles: int, days: int, seed: int) -> dict[str, Any]:
    """Simulate ``vehicles`` x ``days`` with one simpy process per vehicle.

    Args:
        cfg: a composed config (see :func:`sim.load_config`); its ``fleet.size``
            and ``horizon_days`` are ignored in favour of ``vehicles`` and ``days``.
        vehicles: fleet size.
        days: simulated days.
        seed: seed of the one ``random.Random`` stream.

    Returns:
        ``vehicles``, ``days``, ``vehicle_days``, ``failures_total``,
        ``failures_by_component_<c>`` and ``breakdowns_by_component_<c>`` for each
        twin, ``failures_by_cause`` (``"component/cause" -> count``),
        ``battery_soh_mean_end``, ``alerts`` (admitted by the gate),
        ``alerts_accepted``, ``preventive_jobs`` (all 0 without alerts) and
        ``wall_s`` (build, warm-up and run).
    """
    t0 = time.perf_counter()
    rnd = random.Random(seed)
    fleet = OmegaConf.to_object(cfg.fleet)
    service = OmegaConf.to_object(cfg.service)
    params = twin_params(cfg)
    env = simpy.Environment()
    cars = [Vehicle(fleet, params, rnd) for _ in range(vehicles)]
    for car in cars:
        car.warm_up(int(cfg.warmup_steps))
    if alerts_on(cfg):
        alerts_cfg = OmegaConf.to_object(cfg.alerts)
        telemetry = OmegaConf.to_object(cfg.telemetry)
        for car in cars:
            car.alerts = VehicleAlerts(alerts_cfg, telemetry, car.parts, rnd)
    shop = Workshop(env, fleet, service, cars, rnd)
    failures: dict[tuple[str, str], int] = {}
    for car in cars:
        env.process(vehicle_life(env, car, days, shop, failures))
    env.run()
    out: dict[str, Any] = {"vehicles": vehicles, "days": days, "vehicle_days": vehicles * days,
                           "failures_total": sum(failures.values())}
    for name, twin in TWINS.items():
        hits = {c: n for (comp, c), n in failures.items() if comp == name}
        out[f"failures_by_component_{name}"] = sum(hits.values())
        out[f"breakdowns_by_component_{name}"] = sum(
            n for c, n in hits.items() if twin.EVENTS[c] == "roadside")
    out["failures_by_cause"] = {f"{comp}/{c}": n for (comp, c), n in sorted(failures.items())}
    out["battery_soh_mean_end"] = sum(c.parts["battery"].soh() for c in cars) / max(vehicles, 1)
    with_alerts = [c.alerts for c in cars if c.alerts is not None]
    out["alerts"] = sum(a.alerts for a in with_alerts)
    out["alerts_accepted"] = sum(a.accepted for a in with_alerts)
    out["preventive_jobs"] = sum(a.preventive_jobs for a in with_alerts)
    out["wall_s"] = time.perf_counter() - t0
    return out
