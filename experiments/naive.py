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

Deliberate differences from the vectorized model (none changes an expectation):

- weather noise is drawn per vehicle per day, not once per region per day;
- a vehicle's own process waits for its repair, so a repair shifts that
  vehicle's later days by the repair time instead of overlapping them;
- arithmetic is float64, not float32;
- the technicians work around the clock, first come first served (no shifts or
  roadside priority): waits only shift a vehicle's timeline, not its physics.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Any

import simpy
from omegaconf import DictConfig, OmegaConf

from sim.fleet import twin_params
from sim.service import scaled_count
from twins import TWINS
from twins.battery import GAS_CONSTANT_J_PER_MOL_K, KELVIN
from twins.usage import DAYS_PER_YEAR

DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
HOURS_PER_DAY = 24.0


def hazard(rate_per_day: float, dt: float) -> float:
    """Probability of at least one event in ``dt`` days at a constant rate."""
    return 1.0 - math.exp(-rate_per_day * dt)


@dataclass
class Usage:
    """One vehicle's usage over a period, as rates per day (see :class:`twins.usage.Usage`)."""

    km: float
    temp_c: float
    soc_mean: float
    dod: float
    efc: float
    dc_share: float
    friction_kwh: float
    aggressiveness: float


class Battery:
    """Traction battery: calendar sqrt-law with equivalent time, cycle loss, HV faults."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.q_cal = 0.0
        self.q_cyc = 0.0
        self.hv_fault = False

    def step(self, u: Usage, dt: float) -> None:
        """Advance ageing by ``dt`` days."""
        p = self.p
        sp = p.pack_setpoint_temp_c
        t_k = sp + p.pack_thermal_coupling_frac * (u.temp_c - sp) + KELVIN
        arrhenius = math.exp(-p.calendar_activation_energy_j_per_mol / GAS_CONSTANT_J_PER_MOL_K
                             * (1.0 / t_k - 1.0 / (p.calendar_ref_temp_c + KELVIN)))
        soc_stress = math.exp(p.calendar_soc_stress_per_soc_frac
                              * (u.soc_mean - p.calendar_ref_soc_frac))
        k = max(p.calendar_loss_frac_per_sqrt_year * arrhenius * soc_stress, 1e-12)
        t_eq_years = (self.q_cal / k) ** 2
        self.q_cal = k * math.sqrt(t_eq_years + dt / DAYS_PER_YEAR)
        dod_stress = max(u.dod, 1e-6) ** (p.cycle_dod_exponent - 1.0)
        dc_stress = 1.0 + p.cycle_dc_fast_stress_per_share * u.dc_share
        self.q_cyc += p.cycle_loss_frac_per_efc * u.efc * dod_stress * dc_stress * dt
        if self.rnd.random() < hazard(p.hv_fault_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.hv_fault = True

    def soh(self) -> float:
        """Remaining capacity fraction (1 = new)."""
        return 1.0 - self.q_cal - self.q_cyc

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        out = ["hv_fault"] if self.hv_fault else []
        if self.soh() < self.p.replace_soh_frac:
            out.append("capacity_low")
        return out

    def repair(self, cause: str) -> None:
        """Fix the HV fault, or fit a new pack when capacity is low."""
        self.hv_fault = False
        if cause == "capacity_low":
            self.q_cal = self.q_cyc = 0.0


class Brakes:
    """Brake pads worn front/rear by friction braking energy."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.repair("pad_worn")

    def step(self, u: Usage, dt: float) -> None:
        """Wear both axles by ``dt`` days of friction braking."""
        p = self.p
        wear = u.friction_kwh * dt * p.pad_wear_mm_per_friction_kwh
        self.front_mm = max(self.front_mm - wear * p.front_share_frac, 0.0)
        self.rear_mm = max(self.rear_mm - wear * (1.0 - p.front_share_frac), 0.0)

    def faults(self) -> list[str]:
        """``pad_worn`` when either axle is below the replacement thickness."""
        return ["pad_worn"] if min(self.front_mm, self.rear_mm) < self.p.pad_replace_mm else []

    def repair(self, cause: str) -> None:
        """Fit new pads on both axles."""
        p, gauss = self.p, self.rnd.gauss
        self.front_mm = p.pad_front_new_mm + p.pad_new_sd_mm * gauss(0.0, 1.0)
        self.rear_mm = p.pad_rear_new_mm + p.pad_new_sd_mm * gauss(0.0, 1.0)


class Coolant:
    """Coolant loop: Weibull leak onset by loop age, then progressive flow loss."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.age_days = 0.0
        self.leak_rate = 0.0
        self.flow = 1.0

    def _cum_hazard(self, age_days: float) -> float:
        years = age_days / DAYS_PER_YEAR
        return (years / self.p.leak_weibull_scale_years) ** self.p.leak_weibull_shape

    def step(self, u: Usage, dt: float) -> None:
        """Age the loop, maybe start a leak, lose flow."""
        p, rnd = self.p, self.rnd
        age0 = self.age_days
        self.age_days += dt
        if self.leak_rate > 0.0:
            self.flow = max(self.flow - self.leak_rate * dt, 0.0)
            return
        p_onset = 1.0 - math.exp(-(self._cum_hazard(self.age_days) - self._cum_hazard(age0)))
        if rnd.random() < p_onset:
            if rnd.random() < p.leak_fast_share:
                self.leak_rate = p.leak_fast_rate_frac_per_day
            else:
                self.leak_rate = p.leak_rate_median_frac_per_day * math.exp(
                    p.leak_rate_log_sd * rnd.gauss(0.0, 1.0))
            # A leak starting today loses part of a day's flow.
            self.flow = max(1.0 - self.leak_rate * min(rnd.random(), dt), 0.0)

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        out = ["overheat"] if self.flow < self.p.overheat_flow_frac else []
        if self.flow < self.p.warning_flow_frac:
            out.append("coolant_low")
        return out

    def repair(self, cause: str) -> None:
        """Seal the leak and refill (the loop keeps its age)."""
        self.leak_rate = 0.0
        self.flow = 1.0


class Tires:
    """Tires: tread wear per km, slow pressure loss, owner top-ups, punctures."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.tread_mm = p.tread_new_mm
        self.pressure_psi = p.pressure_nominal_psi
        self.puncture = 0  # 0 none, 1 drivable, 2 roadside
        self.temp_c = p.pressure_fill_ref_temp_c

    def step(self, u: Usage, dt: float) -> None:
        """Wear tread, leak pressure, maybe top up, maybe puncture."""
        p, rnd = self.p, self.rnd
        wear_per_km = p.wear_mm_per_10000_km * p.ev_wear_factor / 10_000.0
        self.tread_mm = max(self.tread_mm - u.km * u.aggressiveness * wear_per_km * dt, 0.0)
        self.pressure_psi = max(
            self.pressure_psi - p.pressure_loss_psi_per_month / DAYS_PER_MONTH * dt, 0.0)
        self.temp_c = u.temp_c
        if rnd.random() < hazard(1.0 / p.owner_topup_interval_days, dt):
            self.pressure_psi = p.pressure_nominal_psi
        if rnd.random() < hazard(p.puncture_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            level = 2 if rnd.random() < p.puncture_roadside_share else 1
            self.puncture = max(self.puncture, level)

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        p, out = self.p, []
        if self.puncture == 2:
            out.append("puncture_roadside")
        if self.pressure_psi < p.pressure_flat_frac * p.pressure_nominal_psi:
            out.append("flat")
        if self.puncture == 1:
            out.append("puncture")
        if self.tread_mm < p.tread_min_mm:
            out.append("tread_worn")
        return out

    def repair(self, cause: str) -> None:
        """Repair the puncture and re-inflate; new tires when the tread is worn."""
        self.puncture = 0
        self.pressure_psi = self.p.pressure_nominal_psi
        if cause == "tread_worn":
            self.tread_mm = self.p.tread_new_mm


class Aux12v:
    """12 V battery: Q10 temperature-accelerated wear to end of life, sudden failures."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.repair("no_start")

    def step(self, u: Usage, dt: float) -> None:
        """Accrue wear and maybe fail suddenly."""
        p = self.p
        accel = p.ageing_q10 ** ((u.temp_c - p.ageing_ref_temp_c) / 10.0)
        self.wear += accel * dt / self.life_days
        if self.rnd.random() < hazard(p.sudden_failure_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.sudden = True

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        eol = self.wear >= 1.0
        out = ["no_start"] if self.sudden or (eol and self.strands_at_eol) else []
        if eol and not self.strands_at_eol:
            out.append("weak_battery")
        return out

    def repair(self, cause: str) -> None:
        """Fit a new unit with its own life."""
        p, rnd = self.p, self.rnd
        self.wear = 0.0
        self.life_days = p.life_years_ref * DAYS_PER_YEAR * math.exp(
            p.life_log_sd * rnd.gauss(0.0, 1.0))
        self.strands_at_eol = rnd.random() < p.eol_no_start_share
        self.sudden = False


class Electrics:
    """Low-voltage electrics: constant-hazard faults, roadside or drivable."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.fault = 0

    def step(self, u: Usage, dt: float) -> None:
        """Maybe develop a fault (a roadside one overrides a drivable one)."""
        p = self.p
        if self.rnd.random() < hazard(p.drivable_fault_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.fault = max(self.fault, 1)
        if self.rnd.random() < hazard(p.roadside_fault_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.fault = 2

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        return {2: ["electrical_fault"], 1: ["minor_electrical_fault"]}.get(self.fault, [])

    def repair(self, cause: str) -> None:
        """Clear the fault."""
        self.fault = 0


class Software:
    """Vehicle software: constant-hazard bugs scaled by the software's ``fault_rate_factor``."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.fault = 0
        self.fault_rate_factor = 1.0

    def step(self, u: Usage, dt: float) -> None:
        """Maybe develop a fault (a roadside one overrides a drivable one)."""
        p, f = self.p, self.fault_rate_factor
        if self.rnd.random() < hazard(f * p.drivable_fault_rate_per_vehicle_year / DAYS_PER_YEAR,
                                      dt):
            self.fault = max(self.fault, 1)
        if self.rnd.random() < hazard(f * p.roadside_fault_rate_per_vehicle_year / DAYS_PER_YEAR,
                                      dt):
            self.fault = 2

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        return {2: ["software_fault_roadside"], 1: ["software_fault"]}.get(self.fault, [])

    def repair(self, cause: str) -> None:
        """Clear the fault (the software itself, and so its fault rate, is unchanged)."""
        self.fault = 0


class Body:
    """Minor body damage: a constant-hazard shock."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.damage = 0

    def step(self, u: Usage, dt: float) -> None:
        """Maybe get damaged."""
        if self.rnd.random() < hazard(self.p.damage_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.damage = 1

    def faults(self) -> list[str]:
        """Active fault causes."""
        return ["body_damage"] if self.damage else []

    def repair(self, cause: str) -> None:
        """Repair the damage."""
        self.damage = 0


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
    """The vehicle's process: drive, age, and on a fault wait for a technician to repair it."""
    for day in range(days):
        u = v.drive(day)
        for part in v.parts.values():
            part.step(u, 1.0)
        for name, part in v.parts.items():
            causes = part.faults()
            if causes:
                failures[name, causes[0]] = failures.get((name, causes[0]), 0) + 1
                with shop.pools[v.region_name].request() as req:
                    yield req
                    yield env.timeout(shop.visit_days(v, name, causes[0]))
                part.repair(causes[0])
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
        ``battery_soh_mean_end`` and ``wall_s`` (build, warm-up and run).
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
    out["wall_s"] = time.perf_counter() - t0
    return out
