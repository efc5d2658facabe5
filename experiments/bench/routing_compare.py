"""Which VRP solver should plan the van day? VROOM and OR-Tools on seeded region-days.

Each instance is one region's next day as :mod:`sim.service.planner` poses it:
3-12 vans leaving the depot at 8:00 and back by 18:00, 4-6.5 jobs booked per
van (15-70 jobs) in 2 h windows tiling the shift, uniform in a 30 km disc
(detour 1.35, rush-hour speeds, a rain day in four), mixed skills, two part
types carried, priorities from the job's age and urgency. Travel is planned at
the shift's mean speed plus a 15 % buffer. Every configuration solves the same
instances in one thread; the time is the wall time of one
:func:`sim.service.routing.plan_engine` call (model building included), after
one warm-up call. The 2015 phone dispatch (:func:`plan_manual`, 2 h slots) is
the reference for what no optimisation gives.

Usage::

    python -m experiments.bench.routing_compare              # 30 instances, markdown table
    python -m experiments.bench.routing_compare --instances 10 --seed 3
    python -m experiments.bench.routing_compare --repeat 3     # steadier times on a busy machine
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.service.city import City, random_points
from sim.service.routing import DayPlan, DayProblem, plan_engine, plan_manual, plan_travel_h

SHIFT = (8.0, 18.0)
WINDOW_H = 2.0
RADIUS_KM = 30.0
DETOUR = 1.35
RAIN_PROB, RAIN_FACTOR = 0.25, 0.8
TRAVEL_BUFFER = 0.15
SPEEDS = tuple(45.0 if h < 6 or h >= 21 else 20.0 if h in (7, 8, 16, 17) else 32.0
               for h in range(24))
VAN_SKILL_P = (0.4, 0.4, 0.2)
JOB_SKILL_P = (0.7, 0.22, 0.08)
VAN_PARTS = (2, 4)              # aux 12 V batteries, tires (configs/service/default.yaml)
JOB_PART_P = (0.75, 0.10, 0.15)  # none, battery, tire

Planner = Callable[[DayProblem], DayPlan]

CONFIGS: dict[str, Planner] = {
    "vroom, exploration 1": lambda p: plan_engine(p, "vroom", exploration_level=1),
    "vroom, exploration 2 (default)": lambda p: plan_engine(p, "vroom", exploration_level=2),
    "vroom, exploration 3": lambda p: plan_engine(p, "vroom", exploration_level=3),
    "vroom, exploration 5": lambda p: plan_engine(p, "vroom", exploration_level=5),
    "ortools, local optimum": lambda p: plan_engine(p, "ortools"),
    "ortools, GLS 1 s": lambda p: plan_engine(p, "ortools", time_limit_s=1.0),
    "manual, 2 h slots (reference)": lambda p: plan_manual(p, 2.0),
}


def make_instance(seed: int) -> DayProblem:
    """One seeded region-day (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n_vans = int(rng.integers(3, 13))
    n_jobs = int(np.clip(round(n_vans * rng.uniform(4.0, 6.5)), 15, 70))
    city = City(RADIUS_KM, DETOUR, SPEEDS, RAIN_FACTOR)
    depot = np.zeros(2)
    starts = np.repeat(depot[None, :], n_vans, axis=0)
    pos = random_points(rng, RADIUS_KM, n_jobs)
    n_windows = int((SHIFT[1] - SHIFT[0]) // WINDOW_H)
    opens = SHIFT[0] + WINDOW_H * rng.integers(0, n_windows, n_jobs)
    age_days = rng.geometric(0.6, n_jobs) - 1
    urgent = rng.random(n_jobs) < 0.1
    speed = city.mean_speed_kmh(*SHIFT, rain=bool(rng.random() < RAIN_PROB))
    travel = city.matrix_h(np.vstack([starts, depot[None, :], pos]), speed) * (1 + TRAVEL_BUFFER)
    return DayProblem(
        van_skill=rng.choice(3, n_vans, p=VAN_SKILL_P), van_start=starts,
        van_ready_h=np.full(n_vans, SHIFT[0]), shift_end_h=SHIFT[1], depot=depot,
        van_parts=np.tile(VAN_PARTS, (n_vans, 1)), job_pos=pos,
        job_min_skill=rng.choice(3, n_jobs, p=JOB_SKILL_P),
        job_window=np.column_stack([opens, opens + WINDOW_H]),
        job_service_h=np.clip(rng.lognormal(np.log(0.9), 0.4, n_jobs), 0.25, 3.0),
        job_priority=np.minimum(100, 10 * age_days + 50 * urgent),
        job_part=rng.choice(3, n_jobs, p=JOB_PART_P) - 1, travel=travel)


@dataclass
class Result:
    """One configuration on one instance."""

    ms: float
    served: int
    points: int
    travel_h: float


def run(planner: Planner, p: DayProblem, repeat: int = 1) -> Result:
    """Time one planning call (the fastest of ``repeat``: others' load only adds) and score it.

    The solvers are deterministic in one thread, so every repeat plans the same.
    """
    ms = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        plan = planner(p)
        ms = min(ms, (time.perf_counter() - t0) * 1000.0)
    jobs = [j for route in plan.routes for j, _, _ in route]
    return Result(ms, len(jobs), int(p.job_priority[jobs].sum()), plan_travel_h(p, plan))


def compare(instances: int, seed: int, configs: dict[str, Planner] | None = None,
            repeat: int = 1, progress: bool = True) -> dict[str, list[Result]]:
    """Every configuration on instances ``seed .. seed + instances - 1``."""
    configs = CONFIGS if configs is None else configs
    problems = [make_instance(seed + i) for i in range(instances)]
    results: dict[str, list[Result]] = {}
    for name, planner in configs.items():
        planner(problems[0])  # warm-up: imports, first-call allocations
        results[name] = [run(planner, p, repeat) for p in problems]
        if progress:
            print(f"{name}: done", file=sys.stderr)
    return results


def table(results: dict[str, list[Result]], problems: Sequence[DayProblem]) -> str:
    """The markdown table: time per call, jobs and priority served, planned travel."""
    jobs = sum(p.n_jobs for p in problems)
    points = sum(int(p.job_priority.sum()) for p in problems)
    rows = ["| planner | median ms | p95 ms | max ms | jobs served | priority pts served "
            "| planned travel h | travel h / job |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, rs in results.items():
        ms = np.array([r.ms for r in rs])
        served = sum(r.served for r in rs)
        got = sum(r.points for r in rs)
        travel = sum(r.travel_h for r in rs)
        rows.append(f"| {name} | {np.median(ms):.0f} | {np.percentile(ms, 95):.0f} "
                    f"| {ms.max():.0f} | {served} / {jobs} ({served / jobs:.1%}) "
                    f"| {got / max(points, 1):.1%} | {travel:.1f} "
                    f"| {travel / max(served, 1):.3f} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print the markdown table on stdout."""
    ap = argparse.ArgumentParser(prog="python -m experiments.bench.routing_compare",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=30, help="region-days (default 30)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first instance")
    ap.add_argument("--repeat", type=int, default=1,
                    help="time each call this many times and keep the fastest (default 1)")
    args = ap.parse_args(argv)
    if args.instances < 1 or args.repeat < 1:
        ap.error("--instances and --repeat must be >= 1")
    problems = [make_instance(args.seed + i) for i in range(args.instances)]
    results = compare(args.instances, args.seed, repeat=args.repeat)
    sizes = [(p.n_vans, p.n_jobs) for p in problems]
    print(f"{args.instances} region-days (seeds {args.seed}..{args.seed + args.instances - 1}), "
          f"{min(v for v, _ in sizes)}-{max(v for v, _ in sizes)} vans, "
          f"{min(j for _, j in sizes)}-{max(j for _, j in sizes)} jobs, one thread, "
          f"fastest of {args.repeat} per call\n")
    print(table(results, problems))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
