"""Sweep zones vs one solver call on the region-days of a real run.

Runs the default scenario (``--vehicles``, ``--days``, any ``--set`` override),
keeps every region-day the engine planned, then plans each again with each
configuration below and prints the table of :mod:`experiments.bench.routing_compare`
(time per region-day, jobs and priority points served, planned travel).

Usage::

    python -m experiments.bench.zones_compare --vehicles 100000 --days 20
    python -m experiments.bench.zones_compare --vehicles 100000 --days 60 --from-day 20 \
        --only "(default)" --only "zones of 5" --only "outranked"

``--from-day`` keeps only the region-days from that day on (the steady state, once the
pool of waiting visits has built up); ``--only`` runs the configurations whose name
contains the text. Each configuration's total CPU seconds go to stderr with its
"done" line (the table's times are wall times, high on a loaded machine).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from unittest import mock

import numpy as np

from experiments.bench.routing_compare import Planner, run, table
from sim.service.routing import DayPlan, DayProblem, left_out, plan_engine
from sim.service.zones import plan_zoned, subproblem, sweep_zones


def outranked(problem: DayProblem, plan: DayPlan, margin: int) -> bool:
    """Whether a visit the plan leaves out outranks a served one by more than ``margin``
    priority points (the plan might serve more points)."""
    served = np.zeros(problem.n_jobs, bool)
    served[[j for route in plan.routes for j, _, _ in route]] = True
    if served.all() or not served.any():
        return False
    return bool(problem.job_priority[~served].max()
                > problem.job_priority[served].min() + margin)


def plan_two_stage(problem: DayProblem, zone_vans: int, margin: int = 0) -> DayPlan:
    """Sweep zones planned with 1 VROOM search; a zone whose plan leaves out a visit that
    outranks a served one (by more than ``margin`` points) is planned again with 3."""
    routes: list[list] = [[] for _ in range(problem.n_vans)]
    for vans, jobs in sweep_zones(problem, zone_vans):
        sub = subproblem(problem, vans, jobs)
        plan = plan_engine(sub, exploration_level=1, searches=1)
        if outranked(sub, plan, margin):
            plan = plan_engine(sub, exploration_level=1, searches=3)
        for v, route in zip(vans, plan.routes, strict=True):
            routes[int(v)] = [(int(jobs[j]), arrive, start) for j, arrive, start in route]
    return DayPlan(routes, left_out(problem.n_jobs, routes))

CONFIGS: dict[str, Planner] = {
    "zones of 6, level 1 (8 searches)": lambda p: plan_zoned(p, 6, exploration_level=1),
    "zones of 6, 3 searches, depth 1 (default)":
        lambda p: plan_zoned(p, 6, exploration_level=1, searches=3),
    "zones of 6, 2 searches, depth 2": lambda p: plan_zoned(p, 6, exploration_level=2, searches=2),
    "zones of 6, 2 searches, depth 1": lambda p: plan_zoned(p, 6, exploration_level=1, searches=2),
    "zones of 6, 1 search, depth 3": lambda p: plan_zoned(p, 6, exploration_level=3, searches=1),
    "zones of 6, 1 search, depth 1": lambda p: plan_zoned(p, 6, exploration_level=1, searches=1),
    "zones of 4, 3 searches, depth 1": lambda p: plan_zoned(p, 4, exploration_level=1, searches=3),
    "zones of 5, 3 searches, depth 1": lambda p: plan_zoned(p, 5, exploration_level=1, searches=3),
    "zones of 6, 1 search; 3 where a served visit is outranked":
        lambda p: plan_two_stage(p, 6),
    "zones of 6, 1 search; 3 where a served visit is outranked by > 20 points":
        lambda p: plan_two_stage(p, 6, margin=20),
    "one call, level 1": lambda p: plan_zoned(p, 10**6, exploration_level=1),
    "one call, level 0": lambda p: plan_zoned(p, 10**6, exploration_level=0),
    "zones of 4, level 1": lambda p: plan_zoned(p, 4, exploration_level=1),
    "zones of 6, level 0": lambda p: plan_zoned(p, 6, exploration_level=0),
    "zones of 3, level 0": lambda p: plan_zoned(p, 3, exploration_level=0),
    "zones of 2, level 0": lambda p: plan_zoned(p, 2, exploration_level=0),
    "zones of 1, level 1": lambda p: plan_zoned(p, 1, exploration_level=1),
    "zones of 1, level 0": lambda p: plan_zoned(p, 1, exploration_level=0),
}


def captured_region_days(vehicles: int, days: int, overrides: Sequence[str],
                         from_day: int = 0) -> list[DayProblem]:
    """The region-days from day ``from_day`` on that the engine plans in a run of the
    default scenario."""
    import sim
    import sim.service.planner as planner
    import sim.service.vanday as vanday

    problems: list[DayProblem] = []
    real, real_day = planner.plan_zoned, vanday.plan_region_day
    day = [0]

    def region_day(gen, city, depot, inp, *args, **kwargs):
        day[0] = inp.day
        return real_day(gen, city, depot, inp, *args, **kwargs)

    def keep(problem: DayProblem, *args, **kwargs):
        if day[0] >= from_day:
            problems.append(problem)
        return real(problem, *args, **kwargs)

    cfg = sim.load_config([f"fleet.size={vehicles}", f"horizon_days={days}",
                           "output.progress=false", *overrides])
    with mock.patch.object(planner, "plan_zoned", keep), \
            mock.patch.object(vanday, "plan_region_day", region_day):
        sim.simulate(cfg)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Capture the region-days, plan them with every configuration, print the table."""
    ap = argparse.ArgumentParser(prog="python -m experiments.bench.zones_compare",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a config override of the run (repeatable)")
    ap.add_argument("--from-day", type=int, default=0,
                    help="keep the region-days from this day on (default: all)")
    ap.add_argument("--only", action="append", default=[], metavar="TEXT",
                    help="run only the configurations whose name contains TEXT (repeatable)")
    args = ap.parse_args(argv)
    if args.vehicles < 1 or args.days < 1 or not 0 <= args.from_day < args.days:
        ap.error("--vehicles and --days must be >= 1, --from-day in 0..days-1")
    configs = {name: planner for name, planner in CONFIGS.items()
               if not args.only or any(text in name for text in args.only)}
    if not configs:
        ap.error(f"--only {args.only}: no configuration matches; names: {', '.join(CONFIGS)}")
    problems = captured_region_days(args.vehicles, args.days, args.set, args.from_day)
    if not problems:
        ap.error("the run planned no region-day (is service.dispatch a routed generation?)")
    results = {}
    for name, planner in configs.items():
        cpu0 = time.process_time()
        results[name] = [run(planner, p) for p in problems]
        print(f"{name}: done, {time.process_time() - cpu0:.2f} CPU s", file=sys.stderr)
    vans = [p.n_vans for p in problems]
    jobs = [p.n_jobs for p in problems]
    print(f"{len(problems)} region-days of {args.vehicles} vehicles x {args.days} days, "
          f"{min(vans)}-{max(vans)} vans, {min(jobs)}-{max(jobs)} visits, one thread\n")
    print(table(results, problems))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
