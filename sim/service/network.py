"""The service network: sizing, triage, and the entry point for new service needs."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from configs.service_schema import JobTypeConfig
from configs.vanday_schema import ROUTED
from sim.clock import HOURS_PER_DAY
from sim.records import REPORTED, SCHEDULED, EventLog
from sim.service.calendar import Shift, Travel, WindowBook
from sim.service.city import City, customer_radius_km
from sim.service.dispatch import Dispatcher, Tech
from sim.service.experts import ExpertDesk
from sim.service.facilities import Facility, TowFleet
from sim.service.fix import visit_outcome
from sim.service.jobs import SKILL_LEVEL, Job, log_event, run_job
from sim.service.parts import PartsStore
from sim.service.quality import QualityLoop
from sim.service.vanday import RegionVans
from sim.service.workforce import Workforce

RepairFn = Callable[[int, str, str, str], None]
NO_TWIN_REPAIR = frozenset({SCHEDULED, REPORTED})   # maintenance and owner issues: no twin to reset
POISSON_JOB = JobTypeConfig(channel="mobile", skill="junior", part="", repair_h=1.0)


def scaled_count(vehicles: int, per_10000: float, minimum: int) -> int:
    """Resources for a region: proportional to its vehicles, at least ``minimum``; 0 if empty."""
    return max(minimum, math.ceil(vehicles * per_10000 / 10_000.0)) if vehicles > 0 else 0


def skill_levels(count: int, mix: tuple[float, float, float]) -> list[int]:
    """Skill level of each of ``count`` technicians, by largest remainder of the mix."""
    raw = np.array(mix) * count
    n = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - n))[: count - n.sum()]:
        n[i] += 1
    return [lvl for lvl, k in enumerate(n) for _ in range(k)]


class ServiceNetwork:
    """Mobile vans, service centers, body shops, tow trucks and parts of every region.

    Args:
        env: the simpy environment (time unit: days).
        cfg: the ``service`` config as a :class:`configs.service_schema.ServiceConfig`.
        region_names: region names, index-aligned with ``vehicle_region``.
        region_tier: city tier per region (0 = remote: no mobile service, tow for rescue).
        radius_km: service radius per region.
        vehicle_region: home region of each vehicle.
        log: the event log.
        rng: the service stream (positions, durations, fix outcomes).
        on_repair: called as ``on_repair(vehicle, component, cause, severity)`` when fixed.
        job_types: more job types (component -> cause -> row), e.g. of maintenance demand.
        rain: rain days per region, ``(regions, days)`` booleans (routed van days).
        traffic: each region-day's travel-time factor, ``(regions, days)`` (routed van days).
        vans_by_region: van count per region, overriding ``mobile.vans_per_10000_vehicles``
            (``mobile.sizing: auto``); ``bays_by_region`` likewise for center bays.
        expert_rng: the stream of the expert desk (``experts.mode: pool``).
        workforce_rng: the stream of hiring, the academy and attrition (routed van days).
        quality_rng: the stream of the owners' ratings (``service.quality``).
    """

    def __init__(self, env: simpy.Environment, cfg: Any, region_names: list[str],
                 region_tier: list[int], radius_km: np.ndarray, vehicle_region: np.ndarray,
                 log: EventLog, rng: np.random.Generator, on_repair: RepairFn,
                 job_types: dict[str, dict[str, Any]] | None = None,
                 rain: np.ndarray | None = None, traffic: np.ndarray | None = None,
                 vans_by_region: list[int] | None = None,
                 bays_by_region: list[int] | None = None,
                 expert_rng: np.random.Generator | None = None,
                 workforce_rng: np.random.Generator | None = None,
                 quality_rng: np.random.Generator | None = None) -> None:
        self.env, self.cfg, self.event_log, self.rng = env, cfg, log, rng
        self.record = log.append  # bound once: one call per record on the job hot path
        self.on_repair = on_repair
        self.fixed_hooks: list = []   # told of every job fixed (see finish)
        self.poisson = cfg.demand == "poisson"
        self.region_names = ["queue"] if self.poisson else list(region_names)
        self.region_tier = [1] if self.poisson else list(region_tier)
        self.radius_km = np.array([0.0]) if self.poisson else np.asarray(radius_km)
        self.vehicle_region = vehicle_region
        counts = (np.array([1]) if self.poisson
                  else np.bincount(vehicle_region, minlength=len(region_names)))
        m = cfg.mobile
        self.shift = Shift(m.shift_start_h, m.shift_end_h, m.days_off_per_week)
        self.travel = Travel(m.travel, m.travel_speed_kmh, m.rush_hour_factor, list(m.rush_hours))
        self._ids = itertools.count()
        self.vans_by_region = vans_by_region
        self.overhead_h = {"mobile": cfg.mobile.visit_overhead_h,
                           "center": cfg.center.visit_overhead_h,
                           "body": cfg.body_shop.visit_overhead_h}
        self.density_scale_km = 0.0 if self.poisson else float(cfg.city.customer_density_scale_km)
        self.solver = cfg.solver
        self.routed_mode = cfg.dispatch in ROUTED and not self.poisson
        self.rain = (rain if rain is not None
                     else np.zeros((len(self.region_names), 1), dtype=bool))
        self.traffic = (traffic if traffic is not None
                        else np.ones((len(self.region_names), 1)))
        self.dispatchers = [self._mobile(r, int(c)) for r, c in enumerate(counts)]
        self.facilities = {
            "center": [self._facility(cfg.center, int(c), None if bays_by_region is None
                                      else bays_by_region[r]) for r, c in enumerate(counts)],
            "body": [self._facility(cfg.body_shop, int(c)) for c in counts]}
        self.tow_fleets = [TowFleet(env, self._take_ids(scaled_count(
            int(c), cfg.tow.trucks_per_10000_vehicles, cfg.tow.min_trucks_per_region)))
            for c in counts]
        self.parts = self._parts(counts) if cfg.parts.enabled and not self.poisson else None
        self.technicians = sum(len(d.techs) for d in self.dispatchers)
        x = cfg.experts
        self.experts = (ExpertDesk(env, x, self.technicians, expert_rng or rng)
                        if x.mode == "pool" and cfg.first_time_fix.remote_expert_support
                        and not self.poisson else None)
        self.workforce = (Workforce(self, cfg.workforce, workforce_rng or rng)
                          if self.routed_mode and cfg.workforce.enabled else None)
        self.quality = (QualityLoop(env, cfg.quality, quality_rng or rng, self.log, self.coach)
                        if not self.poisson else None)
        self.jobs_created = 0
        self.jobs_finished = 0
        self._job_ids = itertools.count()
        self._job_types = {comp: {cause: JobTypeConfig(**dict(row)) for cause, row in rows.items()}
                           for comp, rows in cfg.job_types.items()}
        for comp, rows in (job_types or {}).items():
            self._job_types.setdefault(comp, {}).update(
                {cause: row if isinstance(row, JobTypeConfig) else JobTypeConfig(**dict(row))
                 for cause, row in rows.items()})
        self.windows = [WindowBook(self.shift, m.window_h, m.booking_lead_h, len(d.techs))
                        for d in self.dispatchers]
        if self.poisson:
            env.process(self._poisson_arrivals())

    # ---------------------------------------------------------------- sizing
    def _take_ids(self, k: int) -> list[int]:
        return [next(self._ids) for _ in range(k)]

    def _mobile(self, region: int, vehicles: int) -> Dispatcher | RegionVans:
        m = self.cfg.mobile
        count = (self.cfg.poisson.servers if self.poisson
                 else 0 if self.region_tier[region] == 0
                 else self.vans_by_region[region] if self.vans_by_region is not None
                 else scaled_count(vehicles, m.vans_per_10000_vehicles, m.min_vans_per_region))
        mix = (m.skill_mix_junior, m.skill_mix_senior, m.skill_mix_expert)
        techs = [Tech(i, region, s) for i, s in zip(self._take_ids(count),
                                                    skill_levels(count, mix), strict=True)]
        if self.routed_mode:
            c = self.cfg.city
            city = City(float(self.radius_km[region]), c.detour_factor,
                        tuple(float(x) for x in c.speed_kmh_by_hour), c.rain_speed_factor)
            return RegionVans(self, region, techs, city, self.cfg.generations[self.cfg.dispatch],
                              self.rain[region], self.traffic[region], self.rng)
        return Dispatcher(self.env, techs, self.cfg.dispatch, self.shift, self.travel,
                          self.cfg.nearest_skill_overqualified_penalty_h)

    def _facility(self, fc: Any, vehicles: int, bays: int | None = None) -> Facility:
        if bays is None:
            bays = scaled_count(vehicles, fc.bays_per_10000_vehicles, fc.min_bays_per_region)
        return Facility(self.env, self._take_ids(bays), self.shift, fc.appointment_lead_days,
                        fc.first_time_fix_prob, fc.walk_in_share, fc.booking_fill_frac)

    def _parts(self, counts: np.ndarray) -> PartsStore:
        pc = self.cfg.parts
        stock = {(r, part): max(1, math.ceil(c * per_1000 / 1000.0))
                 for r, c in enumerate(counts) for part, per_1000 in
                 pc.stock_per_1000_vehicles.items()}
        return PartsStore(self.env, stock, pc.reorder_point_frac, pc.lead_time_days)

    def book_window(self, region: int, t: float) -> tuple[float, float]:
        """Book the first appointment window after ``t`` + lead with a van still free in it.

        Each window takes as many bookings as the region has vans.
        """
        return self.windows[region].book(t)

    # ---------------------------------------------------------------- policy
    def response_target_h(self, region: int) -> float:
        """Rescue response target of a region's city tier."""
        return float(self.cfg.response_target_h_by_tier[self.region_tier[region]])

    def has_vans(self, region: int) -> bool:
        """Whether the region has mobile service."""
        return bool(self.dispatchers[region].techs)

    def routed(self, region: int) -> RegionVans | None:
        """The region's routed van day, or None under an on-demand dispatch policy."""
        d = self.dispatchers[region]
        return d if isinstance(d, RegionVans) else None

    def log(self, job: Job, event: str, technician: int = -1, outcome: str = "",
            due: float = math.nan, value: float = math.nan) -> None:
        """Append one event record of ``job`` now."""
        log_event(self, job, event, technician, outcome, due, value=value)

    def mobile_outcome(self, tech: Tech, job: Job, helped: bool | None = None, *,
                       cut: bool = False, parts_matched: bool = False) -> str:
        """``fixed`` or the revisit cause of a mobile visit (:mod:`sim.service.fix`).

        ``helped``: whether an expert of the desk helped (``experts.mode: pool``); ``None``
        with ``mode: instant``, where every job has the platform's average effect.
        ``cut``: the shift ended before the work did.
        """
        f, wf = self.cfg.first_time_fix, self.workforce
        if helped is None:
            helped = f.remote_expert_support
        return visit_outcome(f, self.rng.random(3), job, tech.skill, cut=cut,
                             parts_matched=parts_matched,
                             novice=wf.novice_fail_factor(tech) if wf else 1.0,
                             specialist=wf.specialist(tech, job) if wf else 1.0,
                             helped=bool(helped))

    def coach(self, tech_id: int, xp: float) -> None:
        """A low rating's review coached the technician (experience, with a workforce)."""
        if self.workforce is not None:
            self.workforce.coach(tech_id, xp)

    def rate(self, job: Job, tech_id: int, arrived: float, due: float, fixed: bool,
             work_h: float, estimate_h: float) -> None:
        """The owner rates a visit that did the work (``service.quality``)."""
        if self.quality is None or job.vehicle < 0:
            return
        late_h = (arrived - due) * HOURS_PER_DAY if math.isfinite(due) else 0.0
        owner_h = 0.0 if job.channel == "mobile" else work_h + self.cfg.quality.center_trip_h
        self.quality.rate(job, tech_id, job.channel, (arrived - job.created) * HOURS_PER_DAY,
                          late_h, fixed, work_h, estimate_h, owner_h)

    def repair_h(self, job: Job, tech: Tech | None = None) -> float:
        """Hands-on hours of one visit (gamma with ``repair_cv``, or exponential).

        A novice ``tech`` takes longer (``workforce.novice_slowdown``).
        """
        mean = (self.cfg.poisson.mean_service_h if self.poisson
                else job.job_type.repair_h + job.extra_h + self.overhead_h.get(job.channel, 0.0))
        if tech is not None and self.workforce is not None:
            mean *= self.workforce.slowdown(tech)
        if self.cfg.repair_distribution == "exponential":
            return float(self.rng.exponential(mean))
        cv = self.cfg.repair_cv
        if cv <= 0 or mean <= 0:
            return mean
        shape = 1.0 / cv**2
        return float(self.rng.gamma(shape, mean / shape))

    # ---------------------------------------------------------------- jobs
    def submit(self, t: float, vehicle: int, component: str, cause: str, severity: str) -> None:
        """A new service need of ``vehicle`` at time ``t`` (days)."""
        region = int(self.vehicle_region[vehicle])
        job_type = self._job_types[component][cause]
        self._start(t, vehicle, component, cause, severity, region, job_type)

    def submit_many(self, times: np.ndarray, vehicles: np.ndarray, component: str, cause: str,
                    severity: str, red_alert: bool = False,
                    extra_h: np.ndarray | None = None) -> list[int]:
        """New service needs of ``vehicles`` (one each) at ``times`` (days), all of one kind.

        ``severity`` is the failure's (``roadside``, ``drivable``) or ``preventive``
        for a job booked from an accepted alert; ``red_alert`` marks a preventive
        job from a red alert (red-alert priority, served without a booked window).
        ``extra_h`` adds hands-on hours per job (items bundled into a maintenance
        visit). Positions are drawn for the whole batch at once; then one job
        process each. Returns the new jobs' ids.
        """
        job_type = self._job_types[component][cause]
        regions = self.vehicle_region[vehicles]
        u = self.rng.random((2, len(vehicles)))
        r = customer_radius_km(u[0], self.radius_km[regions], self.density_scale_km)
        phi = 2.0 * np.pi * u[1]
        extra = (np.zeros(len(vehicles)) if extra_h is None
                 else np.asarray(extra_h, dtype=np.float64)).tolist()
        return [self._start(t, v, component, cause, severity, reg, job_type, (x, y), red_alert, e)
                for t, v, reg, x, y, e in zip(times.tolist(), vehicles.tolist(), regions.tolist(),
                                              (r * np.cos(phi)).tolist(),
                                              (r * np.sin(phi)).tolist(), extra, strict=True)]

    def _start(self, t, vehicle, component, cause, severity, region, job_type,
               pos: tuple[float, float] | None = None, red_alert: bool = False,
               extra_h: float = 0.0) -> int:
        c = self.cfg
        prio = (c.priority_rescue if severity == "roadside"
                else c.priority_red_alert if red_alert else c.priority_booked)
        if pos is None:
            r = float(customer_radius_km(self.rng.random(), self.radius_km[region],
                                         self.density_scale_km))
            phi = 2.0 * math.pi * self.rng.random()
            pos = (r * math.cos(phi), r * math.sin(phi))
        job = Job(next(self._job_ids), vehicle, component, cause, severity, region, t,
                       job_type, pos, prio, min_skill=SKILL_LEVEL[job_type.skill],
                       red_alert=red_alert, extra_h=extra_h)
        self.env.process(run_job(self, job))
        return job.id

    def finish(self, job: Job, outcome: str, technician: int = -1) -> None:
        """Close a job: reset the component in its twin and log ``job_finished``; a fixed
        job is told to ``fixed_hooks`` (``(vehicle, component, cause)``, e.g. a recall)."""
        if job.vehicle >= 0 and job.severity not in NO_TWIN_REPAIR:
            self.on_repair(job.vehicle, job.component, job.cause, job.severity)
        if outcome == "fixed" and job.vehicle >= 0:
            for hook in self.fixed_hooks:
                hook(job.vehicle, job.component, job.cause)
        self.jobs_finished += 1
        log_event(self, job, "job_finished", technician, outcome=outcome)

    def _poisson_arrivals(self):
        rate_per_day = self.cfg.poisson.arrival_rate_per_h * HOURS_PER_DAY
        while True:
            yield self.env.timeout(self.rng.exponential(1.0 / rate_per_day))
            self._start(self.env.now, -1, "queue", "arrival", "drivable", 0, POISSON_JOB)

    def busy(self) -> int:
        """Mobile technicians and bays working now."""
        return (sum(d.busy() for d in self.dispatchers)
                + sum(f.busy() for fs in self.facilities.values() for f in fs))


def service_config_object(cfg: Any) -> Any:
    """The ``service`` node as typed dataclasses (fast attribute access in processes)."""
    from omegaconf import OmegaConf

    obj = OmegaConf.to_object(cfg)
    return obj if dataclasses.is_dataclass(obj) else cfg
