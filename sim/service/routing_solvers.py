"""The two VRP back ends of :func:`sim.service.routing.plan_engine`: VROOM and OR-Tools.

Both solve the same integer problem, :class:`SecondsProblem` (times in whole
seconds from midnight, rounded so that a plan feasible in seconds is feasible
in hours: travel, service and window opens rounded up, closes rounded down),
and return only each van's visit order; :mod:`sim.service.routing` times the
routes in hours. Objective of both, in order: the sum of the priorities of the
jobs served, then their number, then total travel time.

Nodes of the duration matrix: ``[van starts (V)..., depot, jobs (J)...]``.
The solvers are imported on first use, so the simulator imports without them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

# VROOM's search effort, 1..5 (its CLI default is 5). On region-days of 15-70 jobs, 2 is
# ~4x faster than 5 for ~0.5 % fewer jobs served (experiments/bench/routing_compare.py).
VROOM_EXPLORATION_LEVEL = 2

# VROOM returns one of several equal-cost plans (a route and its reverse, two identical vans
# swapping routes) depending on how its threads run: on a loaded 2-core machine 6 % of repeat
# solves of one 4-job day came back reversed, and one seed gave different KPIs. Its cost
# matrix is therefore travel seconds x scale plus a fixed pseudo-random pattern below the scale
# (under one second per leg): the cheapest plan becomes unique. The pattern must not be linear
# in the node numbers: a linear one sums to the same total over any plan visiting the same
# nodes. TIE_BREAK_SCALE is the largest scale, halved until VROOM's cost sums fit in 32 bits.
TIE_BREAK_SCALE = 1 << 16
COST_BOUND = 1 << 31   # half of VROOM's 32-bit cost range: its sums stay clear of overflow
TIE_BREAK_SEED = 20261205


class NodeIndex:
    """Node numbering of a routing matrix: the vans' starts, the depot, then the jobs."""

    van_skill: np.ndarray
    job_min_skill: np.ndarray

    @property
    def n_vans(self) -> int:
        return len(self.van_skill)

    @property
    def n_jobs(self) -> int:
        return len(self.job_min_skill)

    def job_node(self, j: int) -> int:
        """The row/column of job ``j`` in the matrix."""
        return self.n_vans + 1 + j


@dataclass(frozen=True)
class SecondsProblem(NodeIndex):
    """A region-day in integer seconds; every job here can be served by some van."""

    durations: np.ndarray     # (V+1+J, V+1+J) int64 travel seconds
    van_skill: np.ndarray     # (V,) int
    van_window: np.ndarray    # (V, 2) int64 [ready, must be back at the depot]
    van_parts: np.ndarray     # (V, P) int64
    job_min_skill: np.ndarray  # (J,) int
    job_window: np.ndarray    # (J, 2) int64 service start in [open, close]
    job_service: np.ndarray   # (J,) int64
    job_priority: np.ndarray  # (J,) int 0..100
    job_part: np.ndarray      # (J,) int part index or -1



# VROOM runs each heuristic search in its own thread and lets at most ``nb_threads`` of them
# work at once through a ``std::counting_semaphore``. With a cap below the number of searches
# the surplus threads wait on that semaphore, and a wait there lost its wake-up: a CI run hung
# for good in ``std::thread::join`` with a search thread parked in the semaphore's acquire
# (gdb, 2026-12-06; the simulation's solves, not only the threaded test). With the cap at
# VROOM's maximum (32 >= the searches of any exploration level) no thread ever waits on it.
# The plans do not change: each search writes its own slot and the best is taken by rank
# (tests/unit/sim/test_zones.py); the CPU is the same, spread over the searches' threads.
VROOM_THREAD_CAP = 32

def tie_broken_costs(durations: np.ndarray) -> np.ndarray:
    """Travel seconds x scale plus a fixed pseudo-random pattern in [0, scale) (see above)."""
    n = durations.shape[0]
    scale = tie_break_scale(durations)
    pattern = _pattern(n) % np.uint64(scale)
    return (durations.astype(np.uint64) * np.uint64(scale) + pattern).astype(np.uint32)


def tie_break_scale(durations: np.ndarray) -> int:
    """TIE_BREAK_SCALE, halved until VROOM's cost sums fit (it adds up every row's and
    column's largest cost in 32 bits and refuses with "Too high cost values")."""
    d = durations.astype(np.int64) + 1
    bound = int(d.max(axis=1, initial=0).sum() + d.max(axis=0, initial=0).sum())
    scale = TIE_BREAK_SCALE
    while scale > 1 and bound * scale > COST_BOUND:
        scale //= 2
    return scale


@functools.lru_cache(maxsize=64)
def _pattern(n: int) -> np.ndarray:
    """The (n, n) tie-break pattern: seeded, zero on the diagonal, read-only."""
    pattern = np.random.default_rng([TIE_BREAK_SEED, n]).integers(
        0, TIE_BREAK_SCALE, (n, n), dtype=np.uint64)
    np.fill_diagonal(pattern, 0)
    pattern.flags.writeable = False
    return pattern


def solve_vroom(p: SecondsProblem, exploration_level: int = VROOM_EXPLORATION_LEVEL,
                timeout_s: float | None = None, searches: int = 0) -> list[list[int]]:
    """Each van's job order by VROOM (one thread: the simulator parallelises over runs).

    ``searches``: 0 runs VROOM's own number of searches for ``exploration_level``
    (4 x (level + 1), more at 4 and 5); n > 0 runs only the first n of its
    construction heuristics, each followed by a local search of depth
    ``exploration_level``. The searches are VROOM's fixed list in a fixed order, so
    the plan is as deterministic as with a level.
    """
    import vroom

    v_n, n_parts = p.n_vans, p.van_parts.shape[1]
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=p.durations.astype(np.uint32))
    inp.set_costs_matrix(profile="car", matrix_input=tie_broken_costs(p.durations))
    for v in range(v_n):
        inp.add_vehicle(vroom.Vehicle(
            id=v, start=v, end=v_n,
            capacity=[int(c) for c in p.van_parts[v]] if n_parts else (),
            skills=set(range(int(p.van_skill[v]) + 1)),
            time_window=vroom.TimeWindow(int(p.van_window[v, 0]), int(p.van_window[v, 1]))))
    try:
        jobs = _raw_jobs(p)
    except (AttributeError, TypeError):       # another pyvroom: its public (slower) classes
        _add_jobs_public(inp, p)
    else:
        for job in jobs:
            inp._add_job(job)
    timeout = None if timeout_s is None else timedelta(seconds=timeout_s)
    if searches > 0:
        sol = _solve_searches(inp, searches, exploration_level, timeout)
    else:
        sol = inp.solve(exploration_level=exploration_level, nb_threads=VROOM_THREAD_CAP,
                        timeout=timeout)
    routes: list[list[int]] = [[] for _ in range(v_n)]
    # The raw record array, not ``sol.routes``: that builds a pandas frame per call, which
    # cost more than the solve itself. Rows are in visit order within each vehicle.
    raw = getattr(sol, "_routes_numpy", None)
    if raw is None:                           # another pyvroom: the public (slower) frame
        frame = sol.routes
        frame = frame[frame["type"] == "job"]
        vans, ids = frame["vehicle_id"].tolist(), frame["id"].tolist()
    else:
        steps = np.asarray(raw())
        steps = steps[steps["type"].astype("U9") == "job"]
        vans, ids = steps["vehicle_id"].tolist(), steps["id"].tolist()
    for van, job in zip(vans, ids, strict=True):
        routes[int(van)].append(int(job))
    return routes


def _add_jobs_public(inp, p: SecondsProblem) -> None:
    """Add ``p``'s jobs through pyvroom's public classes."""
    import vroom

    for j in range(p.n_jobs):
        load = [0] * p.van_parts.shape[1]
        if p.job_part[j] >= 0:
            load[int(p.job_part[j])] = 1
        inp.add_job(vroom.Job(
            id=j, location=p.job_node(j), default_service=int(p.job_service[j]),
            delivery=vroom.Amount(load), skills={int(p.job_min_skill[j])},
            priority=int(p.job_priority[j]),
            time_windows=[vroom.TimeWindow(int(p.job_window[j, 0]), int(p.job_window[j, 1]))]))


def _raw_jobs(p: SecondsProblem) -> list:
    """The jobs of :func:`_add_jobs_public`, built from pyvroom's compiled classes.

    pyvroom's Python wrappers (``vroom.Job``, ``Amount``, ``Location``, ``TimeWindow``)
    cost ~30 us a job against ~7 us here: a millisecond per call once the search is
    cheap. The test suite checks that both paths plan alike.
    """
    from vroom import _vroom

    n_parts = p.van_parts.shape[1]
    none = _vroom.Amount(np.zeros(n_parts, dtype=np.longlong))
    loads = []
    for q in range(n_parts):
        load = np.zeros(n_parts, dtype=np.longlong)
        load[q] = 1
        loads.append(_vroom.Amount(load))
    rows = zip(p.job_service.tolist(), p.job_part.tolist(), p.job_min_skill.tolist(),
               p.job_priority.tolist(), p.job_window[:, 0].tolist(),
               p.job_window[:, 1].tolist(), strict=True)
    first = p.n_vans + 1
    return [_vroom.Job(id=j, location=_vroom.Location(index=first + j), default_setup=0,
                       default_service=int(service),
                       delivery=loads[part] if part >= 0 else none, pickup=none,
                       skills={int(skill)}, priority=int(prio),
                       tws=[_vroom.TimeWindow(start=int(opens), end=int(closes))],
                       description="", setup_per_type={}, service_per_type={})
            for j, (service, part, skill, prio, opens, closes) in enumerate(rows)]


def _solve_searches(inp, searches: int, depth: int, timeout):
    """VROOM with ``searches`` heuristic searches of local-search ``depth`` (its second
    ``_solve`` signature; pyvroom's ``Input.solve`` exposes only the level)."""
    from vroom.solution.solution import Solution

    return Solution(inp._solve(int(searches), int(depth), VROOM_THREAD_CAP, timeout))


def solve_ortools(p: SecondsProblem, time_limit_s: float | None = None) -> list[list[int]]:
    """Each van's job order by OR-Tools' routing library.

    Without ``time_limit_s`` the search stops at the first local optimum (greedy
    descent, ~VROOM's speed); with it, guided local search runs for that long.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    v_n, j_n = p.n_vans, p.n_jobs
    n = v_n + 1 + j_n
    manager = pywrapcp.RoutingIndexManager(n, v_n, list(range(v_n)), [v_n] * v_n)
    routing = pywrapcp.RoutingModel(manager)
    travel = p.durations.astype(np.int64)
    service = np.concatenate([np.zeros(v_n + 1, np.int64), p.job_service.astype(np.int64)])
    arc = routing.RegisterTransitMatrix(travel.tolist())
    busy = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)

    horizon = int(max(p.van_window[:, 1].max(), p.job_window[:, 1].max())) + 1
    routing.AddDimension(busy, horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    for v in range(v_n):
        lo, hi = int(p.van_window[v, 0]), int(p.van_window[v, 1])
        time.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time.CumulVar(routing.End(v)).SetRange(lo, hi)

    # Lexicographic objective as penalties: one more job beats any travel saving,
    # one more priority point beats any number of jobs.
    per_job = int(travel.max(initial=0)) * (n + 1) + 1
    per_point = per_job * (j_n + 1)
    for j in range(j_n):
        index = manager.NodeToIndex(p.job_node(j))
        time.CumulVar(index).SetRange(int(p.job_window[j, 0]), int(p.job_window[j, 1]))
        allowed = [v for v in range(v_n) if p.van_skill[v] >= p.job_min_skill[j]]
        if len(allowed) < v_n:  # SetAllowedVehiclesForIndex's Span argument fails in SWIG
            routing.VehicleVar(index).SetValues([-1, *allowed])
        routing.AddDisjunction([index], per_job + per_point * int(p.job_priority[j]))
    for part in sorted({int(q) for q in p.job_part if q >= 0}):
        demand = np.zeros(n, np.int64)
        demand[v_n + 1:] = p.job_part == part
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(demand.tolist()), 0,
            [int(c) for c in p.van_parts[:, part]], True, f"part{part}")

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION)
    if time_limit_s is not None:
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
        params.time_limit.FromMilliseconds(max(int(time_limit_s * 1000), 1))
    sol = routing.SolveWithParameters(params)
    routes: list[list[int]] = [[] for _ in range(v_n)]
    if sol is None:
        return routes
    for v in range(v_n):
        index = sol.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            routes[v].append(manager.IndexToNode(index) - v_n - 1)
            index = sol.Value(routing.NextVar(index))
    return routes
