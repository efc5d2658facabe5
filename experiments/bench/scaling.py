"""``fleetsim-bench --scaling N1,N2,... --shards 1,2``: cost against fleet size, one table.

Each (fleet size, shards) point runs in a fresh child process
(``python -m experiments.bench.cli --vehicles N --days D --no-naive``, so one
point's memory and warm caches never leak into the next) with the config
override ``run.shards=K``. Per point: the simulation's wall time and CPU
seconds (the child's own, in-process, as a plain ``fleetsim-bench`` reports
them; reaped shard processes included), the whole child process's (interpreter
start, imports and warm-up too), vehicle-days/s, and peak resident
memory per process and in total (the child and its shard processes, sampled
from ``/proc``: :mod:`experiments.bench.memory`). Per shard count: a least-squares
line of wall time against fleet size (slope, intercept, R²) and the power-law
exponent (slope of log wall against log size: 1 = linear cost).

``run.shards`` comes with sharded runs; on a config without a ``run`` key only
``--shards 1`` is allowed (and no override is passed).
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import sim
from experiments.bench.memory import TreeMemory

KIB_PER_MIB = 1024


def int_list(text: str) -> list[int]:
    """Argparse type: a comma-separated list of positive integers, e.g. ``10000,100000``."""
    import argparse

    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of integers (e.g. 10000,100000)") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: every value must be a positive integer")
    return values


def shard_override(extra: Sequence[str], shards: int) -> list[str]:
    """The override that runs ``shards`` shards, checked against the config.

    Raises:
        sim.ConfigError: ``shards`` > 1 on a config without a ``run`` key, or a value
            the config rejects.
    """
    cfg = sim.load_config(list(extra))
    if "run" not in cfg:
        if shards == 1:
            return []
        raise sim.ConfigError(
            f"--shards {shards}: this config has no 'run' key (run.shards comes with sharded "
            "runs), so only --shards 1 is allowed")
    override = [f"run.shards={shards}"]
    sim.load_config([*extra, *override])   # a value the schema rejects fails here, by name
    return override


def measure_point(vehicles: int, days: int, overrides: Sequence[str],
                  seed: int | None = None, interval_s: float = 0.1) -> dict[str, Any]:
    """Run one ``fleetsim-bench --no-naive`` in a child process; its record plus CPU and memory.

    Raises:
        RuntimeError: the child failed (its last stderr lines in the message).
    """
    cmd = [sys.executable, "-m", "experiments.bench.cli", "--vehicles", str(vehicles),
           "--days", str(days), "--no-naive"]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    for o in overrides:
        cmd += ["--set", o]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeMemory(proc.pid, interval_s) as mem:
        out, err = proc.communicate()
    wall_process = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        tail = " | ".join(err.strip().splitlines()[-3:])
        raise RuntimeError(f"{' '.join(cmd[2:])} failed (exit {proc.returncode}): {tail}")
    rec = json.loads(out.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # The child's own peak and its largest reaped shard process (getrusage, exact) bound
    # the sampled per-process peak from below.
    per_process = max(filter(None, (mem.peak_process_mib(), rec.get("peak_rss_mb"),
                                    rec.get("peak_rss_children_mb"))), default=None)
    total = mem.peak_total_mib()
    return {"vehicles": vehicles, "days": days, "vehicle_days": rec["vehicle_days"],
            "wall_s": rec["wall_s"], "cpu_s": rec["cpu_s"],
            "process_wall_s": round(wall_process, 3), "process_cpu_s": round(cpu, 3),
            "vehicle_days_per_s": rec["vehicle_days_per_s"],
            "routing_s": rec["routing_s"],
            "peak_rss_process_mb": None if per_process is None else round(per_process, 1),
            "peak_rss_total_mb": None if total is None else round(max(total, per_process), 1),
            "processes": len(mem.peak_kib)}


def fit_line(x: Sequence[float], y: Sequence[float]) -> dict[str, float]:
    """Least squares ``y = intercept + slope * x``, its R², and the exponent of ``y ~ x^b``.

    Fewer than 2 distinct ``x``: NaN throughout. R² is NaN when ``y`` does not vary.
    """
    xa, ya = np.asarray(x, float), np.asarray(y, float)
    nan = {"slope": math.nan, "intercept": math.nan, "r2": math.nan, "exponent": math.nan}
    if len(np.unique(xa)) < 2:
        return nan
    slope, intercept = np.polyfit(xa, ya, 1)
    ss_res = float(np.sum((ya - (intercept + slope * xa)) ** 2))
    ss_tot = float(np.sum((ya - ya.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan
    exponent = (float(np.polyfit(np.log(xa), np.log(ya), 1)[0])
                if (xa > 0).all() and (ya > 0).all() else math.nan)
    return {"slope": float(slope), "intercept": float(intercept), "r2": r2,
            "exponent": exponent}


def fits(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One wall-time-against-fleet-size fit per shard count."""
    out = []
    for k in sorted({r["shards"] for r in rows}):
        sub = [r for r in rows if r["shards"] == k]
        f = fit_line([r["vehicles"] for r in sub], [r["wall_s"] for r in sub])
        days = sub[0]["days"]
        out.append({"shards": k, "points": len(sub),
                    "slope_s_per_1000_vehicles": _round(f["slope"] * 1000, 6),
                    "slope_us_per_vehicle_day": _round(f["slope"] / days * 1e6, 4),
                    "intercept_s": _round(f["intercept"], 4), "r2": _round(f["r2"], 6),
                    "exponent": _round(f["exponent"], 4)})
    return out


def _round(v: float, digits: int) -> float | None:
    return None if math.isnan(v) else round(v, digits)


def scaling(sizes: Sequence[int], shards: Sequence[int], days: int, seed: int | None = None,
            extra: Sequence[str] = (), point: Callable[..., dict[str, Any]] = measure_point,
            info: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Every (size, shards) point, smallest first, and the fits; the ``--scaling`` record.

    Raises:
        sim.ConfigError: a bad override, or ``--shards`` > 1 without ``run.shards``.
    """
    per_k = {k: shard_override(extra, k) for k in shards}   # all checked before any run
    rows = []
    for k in sorted(set(shards)):
        for n in sorted(set(sizes)):
            info(f"scaling: {n} vehicles x {days} days, {k} shard(s) ...")
            row = {"shards": k, **point(n, days, [*extra, *per_k[k]], seed)}
            info(f"scaling: {row['wall_s']:.2f} s, "
                 f"{row['vehicle_days_per_s']:,.0f} vehicle-days/s, "
                 f"peak RSS {row['peak_rss_process_mb']} MB per process, "
                 f"{row['peak_rss_total_mb']} MB total")
            rows.append(row)
    return {"days": days, "sizes": sorted(set(sizes)), "shards": sorted(set(shards)),
            "overrides": list(extra), "points": rows, "fits": fits(rows)}


def table(record: dict[str, Any]) -> str:
    """The record as a Markdown table (points, then fits), for the terminal and the README."""
    lines = ["| vehicles | shards | wall s | CPU s | vehicle-days/s | peak RSS/process MB "
             "| peak RSS total MB |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in record["points"]:
        lines.append(f"| {r['vehicles']} | {r['shards']} | {r['wall_s']:.2f} | {r['cpu_s']:.1f} "
                     f"| {r['vehicle_days_per_s']:,.0f} | {r['peak_rss_process_mb']} "
                     f"| {r['peak_rss_total_mb']} |")
    lines += ["", "| shards | slope s / 1000 vehicles | us / vehicle-day | intercept s | R² "
              "| exponent |", "|---:|---:|---:|---:|---:|---:|"]
    for f in record["fits"]:
        lines.append(f"| {f['shards']} | {f['slope_s_per_1000_vehicles']} "
                     f"| {f['slope_us_per_vehicle_day']} | {f['intercept_s']} | {f['r2']} "
                     f"| {f['exponent']} |")
    return "\n".join(lines)
