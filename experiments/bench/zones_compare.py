"""Sweep zones vs one solver call on the region-days of a real run.

Runs the default scenario (``--vehicles``, ``--days``, any ``--set`` override),
keeps every region-day the engine planned, then plans each again with each
configuration below and prints the table of :mod:`experiments.bench.routing_compare`
(time per region-day, jobs and priority points served, planned travel).

Usage::

    python -m experiments.bench.zones_compare --vehicles 100000 --days 20
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from unittest import mock

from experiments.bench.routing_compare import Planner, run, table
from sim.service.routing import DayProblem
from sim.service.zones import plan_zoned

CONFIGS: dict[str, Planner] = {
    "zones of 6, level 1 (8 searches)": lambda p: plan_zoned(p, 6, exploration_level=1),
    "zones of 6, 3 searches, depth 1 (default)":
        lambda p: plan_zoned(p, 6, exploration_level=1, searches=3),
    "zones of 6, 2 searches, depth 2": lambda p: plan_zoned(p, 6, exploration_level=2, searches=2),
    "zones of 6, 2 searches, depth 1": lambda p: plan_zoned(p, 6, exploration_level=1, searches=2),
    "zones of 6, 1 search, depth 3": lambda p: plan_zoned(p, 6, exploration_level=3, searches=1),
    "zones of 6, 1 search, depth 1": lambda p: plan_zoned(p, 6, exploration_level=1, searches=1),
    "zones of 4, 3 searches, depth 1": lambda p: plan_zoned(p, 4, exploration_level=1, searches=3),
    "one call, level 1": lambda p: plan_zoned(p, 10**6, exploration_level=1),
    "one call, level 0": lambda p: plan_zoned(p, 10**6, exploration_level=0),
    "zones of 4, level 1": lambda p: plan_zoned(p, 4, exploration_level=1),
    "zones of 6, level 0": lambda p: plan_zoned(p, 6, exploration_level=0),
    "zones of 3, level 0": lambda p: plan_zoned(p, 3, exploration_level=0),
    "zones of 2, level 0": lambda p: plan_zoned(p, 2, exploration_level=0),
    "zones of 1, level 1": lambda p: plan_zoned(p, 1, exploration_level=1),
    "zones of 1, level 0": lambda p: plan_zoned(p, 1, exploration_level=0),
}


def captured_region_days(vehicles: int, days: int, overrides: Sequence[str]) -> list[DayProblem]:
    """The region-days the engine plans in a run of the default scenario."""
    import sim
    import sim.service.planner as planner

    problems: list[DayProblem] = []
    real = planner.plan_zoned

    def keep(problem: DayProblem, *args, **kwargs):
        problems.append(problem)
        return real(problem, *args, **kwargs)

    cfg = sim.load_config([f"fleet.size={vehicles}", f"horizon_days={days}",
                           "output.progress=false", *overrides])
    with mock.patch.object(planner, "plan_zoned", keep):
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
    args = ap.parse_args(argv)
    if args.vehicles < 1 or args.days < 1:
        ap.error("--vehicles and --days must be >= 1")
    problems = captured_region_days(args.vehicles, args.days, args.set)
    if not problems:
        ap.error("the run planned no region-day (is service.dispatch a routed generation?)")
    results = {}
    for name, planner in CONFIGS.items():
        results[name] = [run(planner, p) for p in problems]
        print(f"{name}: done", file=sys.stderr)
    vans = [p.n_vans for p in problems]
    jobs = [p.n_jobs for p in problems]
    print(f"{len(problems)} region-days of {args.vehicles} vehicles x {args.days} days, "
          f"{min(vans)}-{max(vans)} vans, {min(jobs)}-{max(jobs)} visits, one thread\n")
    print(table(results, problems))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
