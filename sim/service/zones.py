"""Cluster first, route second: a large region-day split into sweep zones of a few vans.

A VRP solver's time grows much faster than linearly with the vans and jobs of
one problem (VROOM, 20 candidate visits per van: ~20 ms for 6 vans, ~860 ms
for 21 vans on the same city), so a large region-day is split into zones of
at most ``zone_vans`` vans, each solved alone (Gillett & Miller's sweep, 1974):

- the jobs are sorted by their bearing from the depot, starting after the
  widest empty sector, and cut into contiguous arcs, one per zone, with as many
  jobs as the zone has vans (in proportion);
- vans are dealt to zones in turn, strongest skill first, so each zone gets a
  share of every skill level;
- a job no van of its zone is skilled for moves to the nearest zone (in sweep
  order) that has such a van.

A region with ``zone_vans`` vans or fewer is one zone: the plan is then the
solver's plan of the whole region-day.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.service.routing import DayPlan, DayProblem, left_out, plan_engine


def sweep_zones(problem: DayProblem, zone_vans: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(van indices, job indices) of each zone; every van and every job is in one zone."""
    if zone_vans < 1:
        raise ValueError(f"zone_vans={zone_vans}; allowed: an integer >= 1")
    v_n, j_n = problem.n_vans, problem.n_jobs
    k = max(1, -(-v_n // zone_vans))
    if k == 1 or j_n == 0:
        return [(np.arange(v_n), np.arange(j_n))]
    order_v = np.argsort(-problem.van_skill, kind="stable")
    van_zone = np.empty(v_n, np.int64)
    van_zone[order_v] = np.arange(v_n) % k
    vans = [np.flatnonzero(van_zone == z) for z in range(k)]

    rel = problem.job_pos - problem.depot[None, :]
    bearing = np.arctan2(rel[:, 1], rel[:, 0])
    order = np.argsort(bearing, kind="stable")
    sorted_b = bearing[order]
    gaps = np.diff(np.concatenate([sorted_b, sorted_b[:1] + 2.0 * np.pi]))
    order = np.roll(order, -int((np.argmax(gaps) + 1) % j_n))
    sizes = np.array([len(v) for v in vans], float)
    cuts = np.rint(np.cumsum(sizes) / sizes.sum() * j_n).astype(np.int64)
    job_zone = np.empty(j_n, np.int64)
    job_zone[order] = np.searchsorted(cuts, np.arange(j_n), side="right")

    zone_skill = np.array([problem.van_skill[v].max(initial=-1) for v in vans])
    for j in np.flatnonzero(zone_skill[job_zone] < problem.job_min_skill):
        able = np.flatnonzero(zone_skill >= problem.job_min_skill[j])
        if able.size:
            job_zone[j] = able[np.argmin(np.abs(able - job_zone[j]))]
    return [(vans[z], np.flatnonzero(job_zone == z)) for z in range(k)]


def subproblem(problem: DayProblem, vans: np.ndarray, jobs: np.ndarray) -> DayProblem:
    """The region-day restricted to ``vans`` and ``jobs`` (renumbered from 0)."""
    nodes = np.concatenate([vans, [problem.n_vans], problem.n_vans + 1 + jobs])
    return replace(
        problem, van_skill=problem.van_skill[vans], van_start=problem.van_start[vans],
        van_ready_h=problem.van_ready_h[vans], van_parts=problem.van_parts[vans],
        job_pos=problem.job_pos[jobs], job_min_skill=problem.job_min_skill[jobs],
        job_window=problem.job_window[jobs], job_service_h=problem.job_service_h[jobs],
        job_priority=problem.job_priority[jobs], job_part=problem.job_part[jobs],
        travel=problem.travel[np.ix_(nodes, nodes)])


def plan_zoned(problem: DayProblem, zone_vans: int, solver: str = "vroom",
               searches: int = 0, searches_min_vans: int = 0, **solver_args) -> DayPlan:
    """:func:`plan_engine` on each sweep zone of ``problem``, merged into one plan.

    ``searches`` (VROOM's reduced search, see :func:`plan_engine`) applies to zones
    of at least ``searches_min_vans`` vans; a smaller zone is cheap to plan and gets
    the level's full search.
    """
    def plan(p: DayProblem) -> DayPlan:
        n = searches if p.n_vans >= searches_min_vans else 0
        return plan_engine(p, solver, searches=n, **solver_args)

    zones = sweep_zones(problem, zone_vans)
    if len(zones) == 1:
        return plan(problem)
    routes: list[list] = [[] for _ in range(problem.n_vans)]
    for vans, jobs in zones:
        part = plan(subproblem(problem, vans, jobs))
        for v, route in zip(vans, part.routes, strict=True):
            routes[int(v)] = [(int(jobs[j]), arrive, start) for j, arrive, start in route]
    return DayPlan(routes, left_out(problem.n_jobs, routes))
