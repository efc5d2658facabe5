"""The routed van day of one region: booking pool, evening plan, vans driving their routes.

A booked mobile visit waits in the region's pool. Each evening the planner
(:mod:`sim.service.planner`, one solver call per region-day) gives the next
day's visits to vans with a promised arrival window; what does not fit stays
in the pool and gains priority. During the day each van (one simpy process per
van, never per vehicle) drives its route: real travel depends on the hour,
the rain and chance; the van waits when early; the owner may not be there; a
rain day blocks outdoor work; a job the van cannot do (a wrong triage) is a
wasted trip. Urgent work (rescues, red alerts) is inserted into the route of
the van that can reach it first; a stop the shift can no longer reach goes
back to the pool. A visit's outcome is handed back to its job's process.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from sim.clock import HOURS_PER_DAY, hours
from sim.records import PREVENTIVE
from sim.service.calendar import Shift
from sim.service.city import City
from sim.service.dispatch import Tech
from sim.service.planner import DurationModel, PlanInput, plan_region_day

ON_CALL_POLL_H = 0.25   # a van back late from a night call starts its day when it is free
WAIT_MEMORY_D = 7.0     # the owners' wait estimate follows the vans' throughput of about a week


@dataclass(eq=False)
class Visit:
    """One trip a van owes a job."""

    job: Any
    first_day: int                       # the first day it may be planned on
    window_h: tuple[float, float]        # owner's availability, hours of day
    done: simpy.Event
    van: Tech | None = None
    promise: tuple[float, float] = (math.nan, math.nan)   # absolute days
    planned_h: float = math.nan

    @property
    def tech_id(self) -> int:
        return self.van.id if self.van is not None else -1


@dataclass(eq=False)
class Van:
    """A van and its technician: the day's route and a wake-up event when idle."""

    tech: Tech
    route: deque = field(default_factory=deque)
    wake: simpy.Event | None = None
    busy: bool = False                   # driving to or working at a stop (day or on call)
    free_at: float = 0.0                 # when its current stop is expected to end (days)


class RegionVans:
    """The vans of one region and their booking pool."""

    def __init__(self, net: Any, region: int, techs: list[Tech], city: City, gen: Any,
                 rain: np.ndarray, traffic: np.ndarray, rng: np.random.Generator) -> None:
        self.net, self.env, self.region = net, net.env, region
        self.cfg, self.mobile = net.cfg, net.cfg.mobile
        self.techs = techs
        self.vans = [Van(t) for t in techs]
        self.city, self.gen, self.rain, self.rng = city, gen, rain, rng
        self.traffic = traffic
        self.shift: Shift = net.shift
        self.depot = np.array(city.depot, dtype=float)
        self.pool: list[Visit] = []
        self.plans: dict[int, dict[int, list[Visit]]] = {}
        self.part_names = sorted(self.mobile.van_parts)
        self.van_parts = np.tile(np.array([int(self.mobile.van_parts[p]) for p in self.part_names],
                                          dtype=np.int64), (len(techs), 1))
        self.durations = DurationModel(gen.planned_job_h, gen.duration_prior_weight,
                                       gen.learned_durations)
        self.busy_vans = 0
        # Visits a day the region's vans get through (EWMA over a week; the owners' wait guess)
        self.done_today = 0
        self.visits_per_day = len(techs) * float(net.cfg.sizing.jobs_per_van_day)
        # Van requests a day: the workforce's demand forecast (Workforce.headcount_needed).
        self.wanted_today = 0
        self.wanted_per_day = self.visits_per_day * net.shift.work_days_per_week / 7.0
        self.plan_s = 0.0                        # wall time spent planning (fleetsim-bench)
        self.sample_day: int | None = None      # a day whose legs are kept for the report's map
        self.sample: dict[int, list[dict[str, Any]]] = {}
        if techs:
            self.env.process(self._evenings())
            for van in self.vans:
                self.env.process(self._drive(van))

    # ------------------------------------------------------------ booking
    def busy(self) -> int:
        return self.busy_vans

    def _is_rain(self, day: int) -> bool:
        return bool(self.rain[day % len(self.rain)])

    def _traffic(self, day: int) -> float:
        return float(self.traffic[day % len(self.traffic)])

    def expected_wait_d(self) -> float:
        """The wait for a van an owner is told when booking: booking lead plus the backlog."""
        backlog = len(self.pool) / max(self.visits_per_day, 1e-9)
        return hours(self.mobile.booking_lead_h) + backlog

    def book(self, job: Any) -> Visit:
        """Put a visit of ``job`` in the pool; the owner may move it before it is planned."""
        now = self.env.now
        ready = now + hours(self.mobile.booking_lead_h)
        day = math.floor(ready)
        if (ready - day) * HOURS_PER_DAY > self.shift.start_h:
            day += 1
        if self.rng.random() < self.mobile.reschedule_prob:
            day += int(self.rng.integers(1, self.mobile.reschedule_days_max + 1))
            self.net.log(job, "job_rescheduled", due=float(day))
        if self.rng.random() < self.mobile.owner_flexible_share:
            window = (self.shift.start_h, self.shift.end_h)
        else:
            w = min(self.mobile.owner_window_h, self.shift.hours_per_day)
            start = self.shift.start_h + self.rng.random() * (self.shift.hours_per_day - w)
            window = (start, start + w)
        visit = Visit(job, day, window, self.env.event())
        self.net.log(job, "job_booked", due=day + hours(window[1]), value=day + hours(window[0]))
        self.pool.append(visit)
        return visit

    def urgent(self, job: Any) -> Visit:
        """A rescue or red alert: inserted now into the route of the van that reaches it first."""
        visit = Visit(job, math.floor(self.env.now), (0.0, HOURS_PER_DAY), self.env.event())
        due = job.created + hours(self.net.response_target_h(job.region))
        visit.promise = (self.env.now, due)
        self.env.process(self._insert(visit))
        return visit

    def _insert(self, visit: Visit):
        job = visit.job
        while True:
            now = self.env.now
            on = self.shift.is_open(now) or (job.rescue and self.mobile.roadside_24h)
            if on and any(v.tech.staffed for v in self.vans):
                break
            # Closed: wait for the shift; every seat vacant: wait for a hire.
            yield self.env.timeout(hours(ON_CALL_POLL_H) if on
                                   else self.shift.next_start_after(now) - now)
        able = [v for v in self.vans if v.tech.staffed
                and v.tech.skill >= min(job.min_skill, self._max_skill())]
        night = not self.shift.is_open(self.env.now)
        if night and any(not v.busy for v in able):
            able = [v for v in able if not v.busy]    # on call: a van not already out
        van = min(able, key=lambda v: (max(v.free_at, self.env.now) + hours(
            self.city.travel_h(v.tech.pos, job.pos,
                               self._hour(max(v.free_at, self.env.now)), False)), v.tech.id))
        visit.van = van.tech
        self.net.log(job, "job_planned", van.tech.id, due=visit.promise[1])
        if night and not van.busy:
            self.env.process(self._on_call(van, visit))   # a rescue at night: the van on call
            return
        van.route.appendleft(visit)
        if van.wake is not None and not van.wake.triggered:
            van.wake.succeed()

    def _on_call(self, van: Van, visit: Visit):
        day = math.floor(self.env.now)
        drive_h, km = self._leg(van, np.asarray(visit.job.pos, dtype=float), day)
        self.busy_vans += 1
        yield from self._visit(van, visit, drive_h, km, day)
        self.busy_vans -= 1
        van.busy = True
        yield from self._go_home(van, day)
        van.busy = False

    def _max_skill(self) -> int:
        return max((t.skill for t in self.techs if t.staffed), default=0)

    def release(self, van: Van) -> None:
        """The van's technician has left: what was on its route goes back to the pool."""
        self._return_to_pool(list(van.route), math.floor(self.env.now))
        van.route.clear()

    # ------------------------------------------------------------ evening plan
    def _evenings(self):
        end_h = self.shift.end_h
        while True:
            now = self.env.now
            day = math.floor(now)
            at = day + hours(end_h)
            if at <= now:
                at += 1.0
            yield self.env.timeout(at - now)
            today = math.floor(self.env.now)
            if self.shift.works_on(today):
                self.visits_per_day += (self.done_today - self.visits_per_day) / WAIT_MEMORY_D
            self.done_today = 0
            if self.net.workforce is not None:
                self.net.workforce.evening(self, today)
            self.wanted_today = 0
            tomorrow = today + 1
            if self.shift.works_on(tomorrow):
                self.plan(tomorrow)

    def plan(self, day: int) -> None:
        """Plan ``day``'s routes from the pool (one solver call)."""
        rain = self._is_rain(day)
        ready = [v for v in self.pool if v.first_day <= day
                 and not (rain and self.gen.weather_aware and v.job.job_type.outdoor)]
        if not ready:
            return
        # The solver sees the oldest visits first (the engine: predicted failures before
        # routine work), as many as the vans could possibly do.
        engine = self.gen.route_optimisation
        ready.sort(key=lambda v: (engine and v.job.severity != PREVENTIVE, v.first_day,
                                  v.job.id))
        seats = [i for i, t in enumerate(self.techs) if t.staffed]
        if not seats:
            return
        ready = ready[: len(seats) * self.mobile.plan_candidates_per_van]
        inp = PlanInput(day, rain, self._traffic(day), (self.shift.start_h, self.shift.end_h),
                        self.mobile.overtime_h,
                        np.array([self.techs[i].skill for i in seats], np.int64),
                        self.van_parts[seats], self.part_names, ready)
        t0 = time.perf_counter()
        cfg = self.cfg
        plan, planned = plan_region_day(self.gen, self.city, self.depot, inp, self.durations,
                                        self.net.solver, cfg.solver_exploration_level,
                                        cfg.solver_zone_vans, cfg.solver_searches,
                                        cfg.solver_searches_min_vans)
        self.plan_s += time.perf_counter() - t0
        half = hours(self.mobile.window_h) / 2.0
        routes: dict[int, list[Visit]] = {}
        taken = set()
        for v_idx, route in enumerate(plan.routes):
            tech = self.techs[seats[v_idx]]
            for j, arrive_h, _ in route:
                visit = ready[j]
                arrive = day + hours(arrive_h)
                visit.van, visit.planned_h = tech, float(planned[j])
                visit.promise = (arrive - half, arrive + half)
                self.net.log(visit.job, "job_planned", tech.id, due=visit.promise[1],
                             value=arrive)
                taken.add(id(visit))
            routes[tech.id] = [ready[j] for j, _, _ in route]
        self.pool = [v for v in self.pool if id(v) not in taken]
        self.plans[day] = routes
        for old in [d for d in self.plans if d < day - 1]:
            del self.plans[old]

    # ------------------------------------------------------------ the day
    @staticmethod
    def _hour(t: float) -> float:
        return (t - math.floor(t)) * HOURS_PER_DAY

    def _leg(self, van: Van, to: np.ndarray, day: int) -> tuple[float, float]:
        """Real drive hours and road km from the van's position to ``to``, leaving now."""
        frm = van.tech.pos
        km = self.city.leg_km(frm, to)
        h = self.city.travel_h(frm, to, self._hour(self.env.now), self._is_rain(day))
        h *= self._traffic(day)
        cv = self.city_noise
        if cv > 0 and h > 0:
            sigma = math.sqrt(math.log1p(cv * cv))
            h *= math.exp(self.rng.normal(-0.5 * sigma * sigma, sigma))
        return h, km

    @property
    def city_noise(self) -> float:
        return float(self.cfg.city.travel_noise_cv)

    def _drive(self, van: Van):
        env, sh = self.env, self.shift
        while True:
            start = sh.next_open(env.now)
            yield env.timeout(start - env.now)
            while van.busy:                       # still out on a night call
                yield env.timeout(hours(ON_CALL_POLL_H))
            day = math.floor(env.now)
            end = day + hours(sh.end_h)
            if not van.tech.staffed:                  # a vacant seat: the van stays home
                yield env.timeout(max(end - env.now, 0.0))
                continue
            routes = self.plans.get(day)
            if routes:
                van.route.extend(routes.pop(van.tech.id, []))
            yield from self._work(van, day, end)
            yield from self._go_home(van, day)
            if env.now < end:
                yield env.timeout(end - env.now)

    def _work(self, van: Van, day: int, end: float):
        env = self.env
        while True:
            if not van.route:
                van.wake = env.event()
                yield van.wake | env.timeout(max(end - env.now, 0.0))
                van.wake = None
                if not van.route:
                    return
            visit = van.route.popleft()
            urgent = visit.job.urgent
            to = np.asarray(visit.job.pos, dtype=float)
            drive_h, km = self._leg(van, to, day)
            if not urgent and env.now + hours(drive_h) > end + hours(self.mobile.overtime_h):
                self._return_to_pool([visit, *van.route], day)
                van.route.clear()
                return
            self.busy_vans += 1
            yield from self._visit(van, visit, drive_h, km, day)
            self.busy_vans -= 1

    def _visit(self, van: Van, visit: Visit, drive_h: float, km: float, day: int):
        env, net, job, tech = self.env, self.net, visit.job, van.tech
        van.busy = True
        depart = env.now
        arrive = depart + hours(drive_h)
        net.log(job, "job_assigned", tech.id)
        net.log(job, "van_leg", tech.id, due=arrive, value=km)
        van.free_at = max(arrive, visit.promise[0]) + hours(
            self.durations.planned_h((job.component, job.cause)))
        yield env.timeout(arrive - depart)
        self._keep(day, tech, depart, arrive, job.pos, job.id)
        tech.pos = tuple(np.asarray(job.pos, dtype=float).tolist())
        net.log(job, "job_arrived", tech.id, due=visit.promise[1])
        arrived = env.now
        if not job.urgent and env.now < visit.promise[0]:
            yield env.timeout(visit.promise[0] - env.now)       # early: wait for the window
        tech.day_h += drive_h
        self.done_today += 1
        outcome = self._blocked(job, day)
        if outcome is None:
            net.log(job, "job_started", tech.id)
            work_h = net.repair_h(job, tech)
            # Booked work stops at the shift's end (plus overtime): a revisit for time.
            limit = day + hours(self.shift.end_h + self.mobile.overtime_h)
            cut = not job.urgent and env.now + hours(work_h) > limit
            if cut:
                work_h = max(limit - env.now, 0.0) * HOURS_PER_DAY
            yield env.timeout(hours(work_h))
            helped = None
            if not cut:
                self.durations.observe((job.component, job.cause), work_h)
                helped = (yield from net.experts.help(net, tech, job)) if net.experts else None
            outcome = net.mobile_outcome(tech, job, helped, cut=cut,
                                         parts_matched=self.gen.parts_matching)
            if net.workforce is not None:
                net.workforce.after_visit(tech, work_h, outcome != "fixed")
            net.rate(job, tech.id, arrived, visit.promise[1], outcome == "fixed", work_h,
                     self.durations.planned_h((job.component, job.cause)))
            if outcome != "fixed":
                net.log(job, "revisit_cause", tech.id, outcome=outcome)
                outcome = "revisit"
        van.busy = False
        visit.done.succeed(outcome)

    def _blocked(self, job: Any, day: int) -> str | None:
        """Why the work cannot be done on arrival, if it cannot."""
        if job.true_channel not in ("mobile", "remote"):
            return "wasted_trip"                    # the triage sent a van to a lift/body job
        if not job.urgent and self.rng.random() < self.mobile.no_show_prob:
            return "no_show"
        if job.job_type.outdoor and self._is_rain(day):
            return "rain_blocked"
        return None

    def _go_home(self, van: Van, day: int):
        frm = np.asarray(van.tech.pos, dtype=float)
        if not frm.any():
            return
        drive_h, km = self._leg(van, self.depot, day)
        self.net.record((self.env.now, "van_leg", -1, "", "", "", -1,
                         self.net.region_names[self.region], van.tech.id, "mobile", "depot",
                         self.env.now + hours(drive_h), km))
        depart = self.env.now
        yield self.env.timeout(hours(drive_h))
        self._keep(day, van.tech, depart, self.env.now, tuple(self.depot.tolist()), -1)
        van.tech.pos = (0.0, 0.0)

    def _keep(self, day: int, tech: Tech, depart: float, arrive: float,
              to: tuple[float, float], job: int) -> None:
        """Keep one leg of the sample day (the report draws that day's routes)."""
        if day == self.sample_day:
            self.sample.setdefault(tech.id, []).append(
                {"depart_d": depart, "arrive_d": arrive, "x_km": float(to[0]),
                 "y_km": float(to[1]), "job": int(job)})

    def _return_to_pool(self, visits: list[Visit], day: int) -> None:
        for visit in visits:
            if visit.job.urgent:
                self.env.process(self._insert(visit))   # next shift's first van takes it
                continue
            self.net.log(visit.job, "job_rolled", visit.tech_id)
            visit.first_day, visit.van = day + 1, None
            self.pool.append(visit)
