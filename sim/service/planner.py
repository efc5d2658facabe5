"""The evening plan of one region's vans for the next day, by dispatch generation.

Seed 001's three generations differ only in how they plan (the van day itself
is simulated the same way, see :mod:`sim.service.vanday`):

- ``manual`` (2015 phone dispatch): visits in booking order, each given to the
  first van with room in a fixed slot of ``manual_slot_h`` (travel + work); no
  route optimisation, no skill matching, no parts planning.
- ``engine``: a vehicle-routing solver over the day's visits (time windows,
  skills, parts carried, priorities, shift end) with each job type's duration
  learned from its history and travel at the shift's mean speed plus a buffer.
- ``traffic_aware``: the engine, planning with the speed of each hour of day and
  the weather forecast (slower on rain days; outdoor jobs not planned in rain).

The plan gives each visit a van, a planned arrival and a promised window of
``mobile.window_h`` hours centred on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.records import PREVENTIVE
from sim.service.city import City
from sim.service.routing import DayPlan, DayProblem, plan_manual
from sim.service.zones import plan_zoned

MAX_PRIORITY = 100
AGE_PRIORITY_PER_DAY = 10      # a visit waiting one more day outranks a fresher one of its class
URGENT_PRIORITY_BONUS = 50
PREVENTIVE_PRIORITY_BONUS = 30  # a predicted failure has a deadline: plan it before routine work


class DurationModel:
    """Planned hands-on hours per job type: a prior, then the mean of observed visits."""

    def __init__(self, prior_h: float, prior_weight: float, learned: bool) -> None:
        self.prior_h, self.weight, self.learned = prior_h, prior_weight, learned
        self._sum: dict[tuple[str, str], float] = {}
        self._n: dict[tuple[str, str], int] = {}

    def planned_h(self, key: tuple[str, str]) -> float:
        if not self.learned:
            return self.prior_h
        n = self._n.get(key, 0)
        return (self.weight * self.prior_h + self._sum.get(key, 0.0)) / (self.weight + n)

    def observe(self, key: tuple[str, str], hours: float) -> None:
        if self.learned:
            self._sum[key] = self._sum.get(key, 0.0) + hours
            self._n[key] = self._n.get(key, 0) + 1


@dataclass
class PlanInput:
    """One region-day's planning problem in the simulation's terms."""

    day: int
    rain: bool
    traffic: float                      # the day's travel-time factor (known to live traffic)
    shift: tuple[float, float]          # start, end hour
    overtime_h: float                   # a started route may run this long past the shift end
    van_skill: np.ndarray
    van_parts: np.ndarray               # (V, P)
    part_names: list[str]
    visits: list[Any]                   # sim.service.vanday.Visit, in booking order


def plan_region_day(gen: Any, city: City, depot: np.ndarray, inp: PlanInput,
                    durations: DurationModel, solver: str, exploration_level: int = 1,
                    zone_vans: int = 1000, searches: int = 0,
                    searches_min_vans: int = 0) -> tuple[DayPlan, np.ndarray]:
    """Plan ``inp`` under generation ``gen``; returns the plan and each visit's planned hours."""
    visits = inp.visits
    n_vans = len(inp.van_skill)
    start_h, end_h = inp.shift
    pos = np.array([v.job.pos for v in visits], dtype=float).reshape(-1, 2)
    planned = np.array([durations.planned_h((v.job.component, v.job.cause)) for v in visits])
    windows = np.array([v.window_h for v in visits], dtype=float).reshape(-1, 2)
    skill = (inp.van_skill if gen.skill_matching
             else np.full(n_vans, max(int(inp.van_skill.max(initial=0)), 2)))
    need = np.array([v.job.min_skill for v in visits], dtype=np.int64)
    part_idx = {p: i for i, p in enumerate(inp.part_names)}
    job_part = np.array([part_idx.get(v.job.job_type.part, -1) for v in visits], np.int64)
    today = inp.day
    prio = np.array([min(MAX_PRIORITY, AGE_PRIORITY_PER_DAY * max(today - v.first_day, 0)
                         + (URGENT_PRIORITY_BONUS if v.job.urgent else 0)
                         + (PREVENTIVE_PRIORITY_BONUS if v.job.severity == PREVENTIVE else 0))
                     for v in visits], dtype=np.int64)
    starts = np.repeat(depot[None, :], n_vans, axis=0)
    points = np.vstack([starts, depot[None, :], pos])
    rain = inp.rain and gen.weather_aware
    traffic = inp.traffic if gen.hourly_traffic else 1.0
    speed = city.mean_speed_kmh(start_h, end_h, rain)
    travel = city.matrix_h(points, speed) * traffic * (1.0 + gen.travel_buffer_frac)
    problem = DayProblem(
        van_skill=skill.astype(np.int64), van_start=starts,
        van_ready_h=np.full(n_vans, start_h), shift_end_h=end_h, depot=depot,
        van_parts=(inp.van_parts if gen.route_optimisation
                   else np.zeros((n_vans, 0), np.int64)),
        job_pos=pos, job_min_skill=np.minimum(need, skill.max(initial=0)),
        job_window=windows, job_service_h=planned, job_priority=prio,
        job_part=job_part if gen.route_optimisation else np.full(len(visits), -1),
        travel=travel)
    if not gen.route_optimisation:
        return plan_manual(problem, gen.manual_slot_h), planned
    plan = plan_zoned(problem, zone_vans, solver, exploration_level=exploration_level,
                      searches=searches, searches_min_vans=searches_min_vans)
    if gen.hourly_traffic:
        plan = retime(plan, problem, city, rain, traffic * (1.0 + gen.travel_buffer_frac),
                      end_h + inp.overtime_h)
    return plan, planned


def retime(plan: DayPlan, problem: DayProblem, city: City, rain: bool,
           travel_factor: float = 1.0, latest_end_h: float | None = None) -> DayPlan:
    """The solver's routes re-timed with the speed of each hour of day (traffic-aware promises).

    A van early for a window waits: the planned arrival is then the window's opening.
    Travel is scaled by ``travel_factor`` (the day's traffic and the generation's buffer).
    A stop the re-timed route reaches after its window closes, or that would bring the van
    back after ``latest_end_h`` (default: the shift end), is left out of the
    day (it stays in the pool) rather than promised and missed.
    """
    routes, dropped = [], []
    end_h = problem.shift_end_h if latest_end_h is None else latest_end_h
    for v, route in enumerate(plan.routes):
        t, at = float(problem.van_ready_h[v]), problem.van_start[v]
        out = []
        for j, _, _ in route:
            leg = city.travel_h(at, problem.job_pos[j], t, rain) * travel_factor
            start = max(t + leg, float(problem.job_window[j, 0]))
            done = start + float(problem.job_service_h[j])
            home = city.travel_h(problem.job_pos[j], problem.depot, done, rain) * travel_factor
            if start > float(problem.job_window[j, 1]) or done + home > end_h:
                dropped.append(j)
                continue
            t, at = done, problem.job_pos[j]
            out.append((j, start, start))
        routes.append(out)
    return DayPlan(routes=routes, unassigned=np.concatenate(
        [np.asarray(plan.unassigned, dtype=np.int64), np.asarray(dropped, dtype=np.int64)]))
