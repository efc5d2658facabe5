"""Plan one region-day of mobile vans: the dispatch engine (a VRP) or 2015 phone dispatch.

Pure functions of plain numpy arrays, called once per region-day (and again
for a mid-day re-plan, with each van's current position and free time).

Time is in hours of day. A job's window ``[open, close]`` bounds its *planned
arrival*, and a planned arrival is also the planned service start: a van that
would be early waits before the door (or before leaving) until the window
opens, so a window promised around the planned arrival is one the customer
can keep. The plan is timed with ``travel``, the planning matrix
(:meth:`sim.service.city.City.matrix_h` plus any buffer), and the *planned*
hands-on hours; the van-day simulation then meets actual travel and work.

- :func:`plan_engine`: a real VRP with time windows, skills, parts carried,
  priorities and the shift end, solved by VROOM (default) or OR-Tools
  (:mod:`sim.service.routing_solvers`). An engine route is feasible in its own
  model: each stop starts after the previous one's service end plus travel,
  and the van is back at the depot by ``shift_end_h``.
- :func:`plan_manual`: seed 001's phone dispatch, which knows no travel times:
  fixed slots in booking order. Its plan is feasible only in that slot model
  (see the function).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.service.routing_solvers import (
    VROOM_EXPLORATION_LEVEL,
    NodeIndex,
    SecondsProblem,
    solve_ortools,
    solve_vroom,
)

SOLVERS = ("vroom", "ortools")
SECONDS_PER_HOUR = 3600.0
_TOL_H = 1e-9

Stop = tuple[int, float, float]  # (job index, planned arrival h, planned service start h)


@dataclass
class DayProblem(NodeIndex):
    """One region-day to plan; ``travel`` indexes ``[van starts..., depot, jobs...]``."""

    van_skill: np.ndarray        # (V,) 0 junior, 1 senior, 2 expert: serves min_skill <= level
    van_start: np.ndarray        # (V, 2) km: the depot at dawn, the van's position mid-day
    van_ready_h: np.ndarray      # (V,) hour of day each van is free to start
    shift_end_h: float           # every route is back at the depot by this hour
    depot: np.ndarray            # (2,) km
    van_parts: np.ndarray        # (V, P) units of each part type carried (P may be 0)
    job_pos: np.ndarray          # (J, 2) km
    job_min_skill: np.ndarray    # (J,)
    job_window: np.ndarray       # (J, 2) hours of day: planned arrival in [open, close]
    job_service_h: np.ndarray    # (J,) planned hands-on hours
    job_priority: np.ndarray     # (J,) int 0..100, higher = kept when not everything fits
    job_part: np.ndarray         # (J,) int part index or -1
    travel: np.ndarray           # (V+1+J, V+1+J) planned travel hours


@dataclass
class DayPlan:
    """Each van's stops in visit order, and the jobs left for another day."""

    routes: list[list[Stop]]     # per van: (job, planned arrival h, planned service start h)
    unassigned: np.ndarray       # job indices, ascending


def plan_engine(problem: DayProblem, solver: str = "vroom", *,
                exploration_level: int = VROOM_EXPLORATION_LEVEL,
                time_limit_s: float | None = None, searches: int = 0) -> DayPlan:
    """The dispatch engine: a VRP with time windows, skills, parts, priorities, shift end.

    Objective, in order: the most priority points served, then the most jobs,
    then the least planned travel time. Jobs no van could serve alone (skill,
    part, window or shift) are left out before solving.

    Args:
        problem: the region-day.
        solver: ``"vroom"`` (default) or ``"ortools"``.
        exploration_level: VROOM's search effort, 0..5 (with ``searches``: the depth
            of each local search).
        searches: VROOM's number of heuristic searches (0: as the level says); see
            :func:`sim.service.routing_solvers.solve_vroom`.
        time_limit_s: for VROOM a timeout; for OR-Tools, guided local search for
            this long (``None``: stop at the first local optimum).
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver={solver!r}; allowed: {', '.join(SOLVERS)}")
    _validate(problem)
    keep = np.flatnonzero(_servable(problem))
    if keep.size == 0 or problem.n_vans == 0:
        return DayPlan([[] for _ in range(problem.n_vans)], np.arange(problem.n_jobs))
    sec = _in_seconds(problem, keep)
    if solver == "vroom":
        orders = solve_vroom(sec, exploration_level, time_limit_s, searches)
    else:
        orders = solve_ortools(sec, time_limit_s)
    routes = [_timed(problem, v, [int(keep[k]) for k in order])
              for v, order in enumerate(orders)]
    return DayPlan(routes, left_out(problem.n_jobs, routes))


def plan_manual(problem: DayProblem, slot_h: float) -> DayPlan:
    """Seed 001's 2015 phone dispatch: booking order, first van with room, fixed slots.

    Jobs are taken in index order (booking order). Each goes to the first van,
    in van order, whose skill is enough and which still carries its part, at
    the END of that van's day: its planned arrival is the van's next free slot
    (``van_ready_h`` for the first job, then the previous planned arrival plus
    ``slot_h``), or the window open if later (the van idles until then). The
    job is refused by that van if the arrival would pass the window close or
    the slot would end after ``shift_end_h``; no van left: unassigned.

    Every job is planned as a fixed ``slot_h`` hours of travel + work, whatever
    its distance and planned service hours: the plan is feasible in the slot
    model (arrivals ``slot_h`` apart, last slot over by the shift end) but not
    necessarily with ``travel`` and ``job_service_h``; that is the point of the
    baseline. Priorities are ignored.
    """
    if slot_h <= 0.0:
        raise ValueError(f"slot_h={slot_h} must be > 0")
    _validate(problem)
    next_free = problem.van_ready_h.astype(float).copy()
    stock = problem.van_parts.astype(np.int64).copy()
    routes: list[list[Stop]] = [[] for _ in range(problem.n_vans)]
    for j in range(problem.n_jobs):
        opens, closes = (float(x) for x in problem.job_window[j])
        part = int(problem.job_part[j])
        for v in range(problem.n_vans):
            if problem.van_skill[v] < problem.job_min_skill[j]:
                continue
            if part >= 0 and stock[v, part] <= 0:
                continue
            arrive = max(next_free[v], opens)
            if arrive > closes + _TOL_H or arrive + slot_h > problem.shift_end_h + _TOL_H:
                continue
            routes[v].append((j, arrive, arrive))
            next_free[v] = arrive + slot_h
            if part >= 0:
                stock[v, part] -= 1
            break
    return DayPlan(routes, left_out(problem.n_jobs, routes))


def plan_travel_h(problem: DayProblem, plan: DayPlan) -> float:
    """Total planned travel hours of ``plan``: each used van from its start, via its jobs,
    back to the depot (an idle van travels nothing)."""
    total = 0.0
    for v, route in enumerate(plan.routes):
        if route:
            nodes = [v, *(problem.job_node(j) for j, _, _ in route), problem.n_vans]
            total += float(problem.travel[nodes[:-1], nodes[1:]].sum())
    return total


def _validate(p: DayProblem) -> None:
    v_n, j_n = p.n_vans, p.n_jobs
    n = v_n + 1 + j_n
    shapes = {"van_start": (p.van_start.shape, (v_n, 2)),
              "van_ready_h": (p.van_ready_h.shape, (v_n,)),
              "van_parts": (p.van_parts.shape[:1], (v_n,)),
              "job_pos": (p.job_pos.shape, (j_n, 2)),
              "job_window": (p.job_window.shape, (j_n, 2)),
              "job_service_h": (p.job_service_h.shape, (j_n,)),
              "job_priority": (p.job_priority.shape, (j_n,)),
              "job_part": (p.job_part.shape, (j_n,)),
              "travel": (p.travel.shape, (n, n))}
    bad = [f"{k} has shape {got}, expected {want}" for k, (got, want) in shapes.items()
           if tuple(got) != want]
    if p.van_parts.ndim != 2:
        bad.append(f"van_parts must be (V, P), got shape {p.van_parts.shape}")
    elif j_n and p.job_part.max(initial=-1) >= p.van_parts.shape[1]:
        bad.append(f"job_part up to {p.job_part.max()} but only {p.van_parts.shape[1]} parts")
    if j_n and not (np.all(p.job_priority >= 0) and np.all(p.job_priority <= 100)):
        bad.append("job_priority must be in 0..100")
    if np.any(p.travel < 0) or np.any(p.job_service_h < 0):
        bad.append("travel and job_service_h must be >= 0")
    if bad:
        raise ValueError("DayProblem: " + "; ".join(bad))


def _servable(p: DayProblem) -> np.ndarray:
    """(J,) whether some van could serve the job as its only stop (skill, part, time)."""
    v_n = p.n_vans
    if v_n == 0:
        return np.zeros(p.n_jobs, bool)
    nodes = v_n + 1 + np.arange(p.n_jobs)
    ok = p.van_skill[:, None] >= p.job_min_skill[None, :]
    if p.van_parts.shape[1]:
        has = p.van_parts[:, np.maximum(p.job_part, 0)] > 0
        ok &= np.where(p.job_part[None, :] >= 0, has, True)
    start = np.maximum(p.van_ready_h[:, None] + p.travel[:v_n][:, nodes], p.job_window[:, 0])
    back = start + p.job_service_h + p.travel[nodes, v_n][None, :]
    ok &= (start <= p.job_window[:, 1] + _TOL_H) & (back <= p.shift_end_h + _TOL_H)
    # a window under a second wide would be empty in whole seconds
    ok &= _down_s(p.job_window[:, 1]) >= _up_s(p.job_window[:, 0])
    return ok.any(axis=0)


def _in_seconds(p: DayProblem, keep: np.ndarray) -> SecondsProblem:
    """The kept jobs in whole seconds, rounded so a plan feasible in seconds is in hours."""
    nodes = np.concatenate([np.arange(p.n_vans + 1), p.n_vans + 1 + keep])
    windows = p.job_window[keep]
    ready = _up_s(p.van_ready_h)
    end = np.full(p.n_vans, _down_s(p.shift_end_h))
    return SecondsProblem(
        durations=_up_s(p.travel[np.ix_(nodes, nodes)]),
        van_skill=p.van_skill.astype(np.int64),
        van_window=np.column_stack([ready, np.maximum(end, ready)]),
        van_parts=p.van_parts.astype(np.int64),
        job_min_skill=p.job_min_skill[keep].astype(np.int64),
        job_window=np.column_stack([_up_s(windows[:, 0]), _down_s(windows[:, 1])]),
        job_service=_up_s(p.job_service_h[keep]),
        job_priority=p.job_priority[keep].astype(np.int64),
        job_part=p.job_part[keep].astype(np.int64))


def _up_s(h) -> np.ndarray:
    """Hours to whole seconds, rounded up (float noise of a whole second is not rounded)."""
    return np.ceil(np.asarray(h, float) * SECONDS_PER_HOUR - 1e-6).astype(np.int64)


def _down_s(h) -> np.ndarray:
    """Hours to whole seconds, rounded down."""
    return np.floor(np.asarray(h, float) * SECONDS_PER_HOUR + 1e-6).astype(np.int64)


def _timed(p: DayProblem, v: int, jobs: list[int]) -> list[Stop]:
    """Van ``v``'s route in visit order, timed in hours: leave each stop when done,
    start at arrival or at the window open, whichever is later."""
    t, at, out = float(p.van_ready_h[v]), v, []
    for j in jobs:
        node = p.job_node(j)
        start = max(t + float(p.travel[at, node]), float(p.job_window[j, 0]))
        out.append((j, start, start))
        t, at = start + float(p.job_service_h[j]), node
    return out


def left_out(n_jobs: int, routes: list[list[Stop]]) -> np.ndarray:
    """The jobs no route serves, ascending."""
    served = {j for route in routes for j, _, _ in route}
    return np.array([j for j in range(n_jobs) if j not in served], dtype=np.int64)

