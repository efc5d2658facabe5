"""``fleetsim-bench``: throughput of the vectorized simulator against a naive SimPy model.

Runs, in one process, the full simulation (:func:`sim.simulate`, fleet build
and warm-up included) of ``--vehicles`` x ``--days``, then the naive
one-process-per-vehicle model of the same twins (:mod:`experiments.bench.naive`)
on ``--naive-vehicles`` (default ``min(vehicles, 5000)``: its cost per
vehicle-day does not depend on fleet size) for the same days, and prints one
JSON object on stdout; progress goes to stderr.

Usage::

    fleetsim-bench --vehicles 20000 --days 365
    fleetsim-bench --vehicles 100000 --days 365 --no-naive --out bench.json
    fleetsim-bench --vehicles 20000 --days 365 --set alerts=none --set ota=none
    fleetsim-bench --vehicles 20000 --days 365 --replications 4   # parallel efficiency
    fleetsim-bench --scaling 10000,100000,1000000 --shards 1,2 --days 365   # cost vs fleet size
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

import experiments.shards  # noqa: F401  (run.shards=K > 1: K worker processes, as fleetsim does)
import sim
from experiments.bench.naive import run_naive
from experiments.bench.scaling import int_list, scaling, table
from sim.io import write_json

NAIVE_VEHICLES_MAX = 5000


def int_at_least(minimum: int, what: str):
    """Argparse type: an integer >= ``minimum`` (``what`` names it in the error)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is not {what} (must be >= {minimum})")
        return value
    return parse


positive_int = int_at_least(1, "a positive integer")
non_negative_int = int_at_least(0, "a non-negative integer")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="fleetsim-bench",
        description="Time the vectorized simulation against a naive per-vehicle SimPy model "
                    "of the same twins; print one JSON object on stdout.")
    p.add_argument("--vehicles", type=positive_int, default=None, metavar="N",
                   help="fleet size of the vectorized run (required unless --scaling)")
    p.add_argument("--days", type=positive_int, required=True, metavar="D",
                   help="simulated days (both models)")
    p.add_argument("--naive-vehicles", type=positive_int, default=None, metavar="M",
                   help=f"fleet size of the naive run (default: min(N, {NAIVE_VEHICLES_MAX}))")
    p.add_argument("--seed", type=non_negative_int, default=None, metavar="S",
                   help="seed of both runs (default: the config's seed)")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="also write the JSON to FILE (atomically)")
    p.add_argument("--no-naive", action="store_true", help="skip the naive model")
    p.add_argument("--replications", type=positive_int, default=None, metavar="R",
                   help="instead: time R replications of the scenario serially and on every "
                        "core (joblib), and report the parallel efficiency")
    p.add_argument("--scaling", type=int_list, default=None, metavar="N1,N2,...",
                   help="instead: run each fleet size (and each --shards) in a child process; "
                        "one table of wall time, vehicle-days/s, peak memory per process and "
                        "in total, and a fit of wall time against fleet size")
    p.add_argument("--shards", type=int_list, default=None, metavar="K1,K2,...",
                   help="with --scaling: shard counts, passed as run.shards=K (default 1)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="a config override for both models (repeatable), e.g. --set alerts=none")
    return p


def _info(message: str) -> None:
    print(f"fleetsim-bench: {message}", file=sys.stderr, flush=True)


def run_vectorized(cfg: Any) -> tuple[int, float, float]:
    """Run :func:`sim.simulate` on ``cfg``; return its vehicle-days, wall time (s) and the
    part of it spent planning van routes (s)."""
    t0 = time.perf_counter()
    result = sim.simulate(cfg, progress=False)
    wall = time.perf_counter() - t0
    return int(result.kpis["vehicle_days"]), wall, float(result.meta.get("routing_wall_s", 0.0))


def _cpu_s() -> float:
    """CPU seconds of this process and its reaped children (shard processes) so far."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


WARM_UP = ("fleet.size=300", "horizon_days=20")


def warm_up(overrides: list[str], naive: bool) -> None:
    """Run both models once on a tiny fleet, untimed.

    The first run in a process pays one-time costs (lazy library set-up, first
    use of pandas string arrays and numpy generators) that are not throughput;
    both models get the same warm-up.
    """
    tiny = sim.load_config([*overrides, *WARM_UP])
    sim.simulate(tiny, progress=False)
    if naive:
        run_naive(tiny, 50, 5, int(tiny.seed))


def bench(vehicles: int, days: int, naive_vehicles: int | None, seed: int | None,
          naive: bool = True, extra: Sequence[str] = ()) -> dict[str, Any]:
    """Run both models and return the benchmark record (see the module docstring).

    ``extra``: config overrides for both models (e.g. ``alerts=none``).

    Raises:
        sim.ConfigError: if the overrides make an invalid config.
    """
    overrides = [*extra, f"fleet.size={vehicles}", f"horizon_days={days}",
                 "output.progress=false"]
    if seed is not None:
        overrides.append(f"seed={seed}")
    cfg = sim.load_config(overrides)
    warm_up(overrides, naive)
    _info(f"vectorized: {vehicles} vehicles x {days} days ...")
    cpu0 = _cpu_s()
    vehicle_days, wall, routing = run_vectorized(cfg)
    cpu = _cpu_s() - cpu0
    rate = vehicle_days / wall
    _info(f"vectorized: {wall:.3f} s, {rate:,.0f} vehicle-days/s, "
          f"routing {routing:.3f} s ({routing / wall:.1%})")
    out: dict[str, Any] = {"vehicles": vehicles, "days": days, "vehicle_days": vehicle_days,
                           "wall_s": round(wall, 6), "cpu_s": round(cpu, 3),
                           "vehicle_days_per_s": round(rate, 1),
                           "routing_s": round(routing, 6),
                           "routing_share": round(routing / wall, 4)}
    n_wall = n_rate = speedup = m = n_days = None
    if naive:
        m = naive_vehicles if naive_vehicles is not None else min(vehicles, NAIVE_VEHICLES_MAX)
        n_days = days
        _info(f"naive: {m} vehicles x {days} days, one simpy process per vehicle ...")
        t0 = time.perf_counter()
        run_naive(cfg, m, days, int(cfg.seed))
        n_wall = time.perf_counter() - t0
        n_rate = m * days / n_wall
        speedup = rate / n_rate
        _info(f"naive: {n_wall:.3f} s, {n_rate:,.0f} vehicle-days/s; speedup x{speedup:.1f}")
        n_wall, n_rate, speedup = round(n_wall, 6), round(n_rate, 1), round(speedup, 3)
    out |= {"naive_vehicles": m, "naive_days": n_days, "naive_wall_s": n_wall,
            "naive_vehicle_days_per_s": n_rate, "speedup": speedup,
            # Linux reports ru_maxrss in KiB; the vectorized run came first, so this is its peak.
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            # The largest reaped child process (a shard of a sharded run; 0 without one).
            "peak_rss_children_mb": round(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "cpu_count": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "overrides": list(extra)}
    return out


def scale(vehicles: int, days: int, replications: int, seed: int | None,
          extra: Sequence[str] = ()) -> dict[str, Any]:
    """Parallel efficiency of ``replications`` replications: serial vs all cores.

    ``efficiency`` = (serial wall / parallel wall) / cores; ``identical``: the
    KPIs equal the serial run's (they must, whatever the number of workers).
    """
    from experiments.scale import parallel_efficiency

    overrides = [*extra, f"fleet.size={vehicles}", f"horizon_days={days}"]
    if seed is not None:
        overrides.append(f"seed={seed}")
    sim.load_config(overrides)  # a bad override fails here, before any work
    cores = os.cpu_count() or 1
    _info(f"scale: {replications} replications of {vehicles} vehicles x {days} days, "
          f"n_jobs 1 and {cores} ...")
    # Workers are started and warmed on a tiny run first, untimed (loky keeps them for the
    # session); the serial process gets the same warm-up.
    table = parallel_efficiency([cores], overrides, replications=replications,
                                warm=[*extra, *WARM_UP])
    rows = table.to_dict("records")
    for r in rows:
        _info(f"scale: n_jobs={r['n_jobs']}: {r['wall_s']:.2f} s, speedup x{r['speedup']:.2f}, "
              f"efficiency {r['efficiency']:.0%}, identical={r['identical']}; warm-up "
              f"{r['start_s']:.1f} s, tasks {r['task_s']:.1f} s (occupancy {r['occupancy']:.0%}, "
              f"slowdown x{r['task_slowdown']:.2f}), CPU {r['cpu_s']:.1f} s, other processes "
              f"{r['other_cores']:.2f} cores")
    return {"vehicles": vehicles, "days": days, "replications": replications,
            "cpu_count": cores, "overrides": list(extra),
            "runs": [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                     for r in rows]}


def _check_modes(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--vehicles unless --scaling; --shards only with --scaling; one mode at a time."""
    if args.scaling is None and args.vehicles is None:
        parser.error("the following arguments are required: --vehicles (or --scaling)")
    if args.scaling is not None and args.vehicles is not None:
        parser.error("--scaling takes the fleet sizes; leave out --vehicles")
    if args.scaling is not None and args.replications:
        parser.error("--scaling and --replications are separate measurements; choose one")
    if args.shards is not None and args.scaling is None:
        parser.error("--shards goes with --scaling (e.g. --scaling 10000,100000 --shards 1,2)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``fleetsim-bench``; returns the exit code (errors exit 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_modes(parser, args)
    try:
        # Keep stdout for the one JSON object, whatever a library prints.
        with contextlib.redirect_stdout(sys.stderr):
            if args.scaling:
                record = scaling(args.scaling, args.shards or [1], args.days, args.seed,
                                 args.overrides, info=_info)
                _info("scaling table:\n" + table(record))
            elif args.replications:
                record = scale(args.vehicles, args.days, args.replications, args.seed,
                               args.overrides)
            else:
                record = bench(args.vehicles, args.days, args.naive_vehicles, args.seed,
                               naive=not args.no_naive, extra=args.overrides)
    except (sim.ConfigError, RuntimeError) as ex:
        parser.error(str(ex))
    if args.out:
        write_json(args.out, record)
    print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
