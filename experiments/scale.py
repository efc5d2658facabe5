"""Scale check: the same replications run serially and with ``n_jobs`` workers.

``speedup = wall(1) / wall(n)`` and ``efficiency = speedup / n`` (1.0 = perfect
scaling). Each measurement runs into a fresh directory, so nothing is reused;
``identical`` says whether the KPIs equal the serial run's.

Where the efficiency goes (``efficiency ~ occupancy / task_slowdown``):
``occupancy`` = the tasks' summed wall time over ``n x wall`` (what worker start,
the last task's tail and result transfer leave idle) and ``task_slowdown`` =
the tasks' summed wall time against the serial run's (contention: memory
bandwidth, and on a shared machine other people's processes, whose mean busy
cores during the measurement are ``other_cores``, from ``/proc``). With
``warm`` overrides, each worker count first runs a tiny experiment on the same
backend, untimed (``start_s``): joblib's loky workers are persistent, so their
start and imports are paid once per session, not once per experiment.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from experiments.procstat import machine_busy_s, tree_cpu_s
from experiments.runner import run_experiment
from experiments.stats import kpi_columns


def efficiency_table(walls: Mapping[int, float]) -> pd.DataFrame:
    """Speedup and efficiency of each ``n_jobs`` against the serial wall time.

    Args:
        walls: n_jobs -> wall seconds; must contain 1.

    Returns:
        Columns ``n_jobs``, ``wall_s``, ``speedup``, ``efficiency``, sorted by ``n_jobs``.
    """
    if 1 not in walls:
        raise ValueError("walls needs the serial time (n_jobs=1)")
    serial = float(walls[1])
    rows = [{"n_jobs": int(n), "wall_s": float(w), "speedup": serial / float(w),
             "efficiency": serial / float(w) / int(n)} for n, w in sorted(walls.items())]
    return pd.DataFrame(rows, columns=["n_jobs", "wall_s", "speedup", "efficiency"])


def parallel_efficiency(n_jobs_list: Sequence[int], base_overrides: Sequence[str] = (),
                        replications: int = 4,
                        variants: Mapping[str, Sequence[str]] | None = None,
                        backend: str = "loky", workdir: str | Path | None = None,
                        runner: Callable[..., object] = run_experiment,
                        clock: Callable[[], float] = time.perf_counter,
                        warm: Sequence[str] | None = None) -> pd.DataFrame:
    """Time the same experiment serially and with each ``n_jobs``.

    Args:
        n_jobs_list: worker counts to try (the serial run is added if missing).
        base_overrides: the scenario, e.g. ``["fleet.size=20000", "horizon_days=365"]``.
        replications: replications per variant.
        variants: as for :func:`run_experiment` (default: the base scenario only).
        backend: joblib backend of the parallel runs.
        workdir: parent of the per-measurement directories (default: a temp dir, removed).
        runner: the experiment function (tests inject a fake).
        clock: wall clock (tests inject a fake).
        warm: overrides of a tiny scenario run untimed before each worker count, with
            ``2 n`` replications so every worker starts and simulates once (``None``: no
            warm-up; worker start is then part of the measured wall time).

    Returns:
        :func:`efficiency_table` plus ``tasks``, ``identical`` (KPIs equal the serial
        run's), ``start_s`` (the warm-up's wall time, NaN without one), ``task_s`` (the
        tasks' summed wall time), ``occupancy``, ``task_slowdown``, ``cpu_s`` (this
        process and its workers) and ``other_cores`` (see the module docstring).
    """
    counts = sorted({1, *(int(n) for n in n_jobs_list)})
    walls, frames, extra = {}, {}, {}
    with tempfile.TemporaryDirectory(dir=workdir, prefix="fleetsim-scale-") as tmp:
        for n in counts:
            be = backend if n > 1 else "loky"
            start = math.nan
            if warm is not None:
                t0 = clock()
                runner(list(warm), {}, 2 * n, Path(tmp) / f"warm-{n}", n_jobs=n, backend=be,
                       progress=False)
                start = clock() - t0
            cpu0, busy0 = tree_cpu_s(os.getpid()), machine_busy_s()
            t0 = clock()
            res = runner(list(base_overrides), dict(variants or {}), replications,
                         Path(tmp) / f"n_jobs={n}", n_jobs=n, backend=be, progress=False)
            walls[n] = clock() - t0
            cpu1, busy1 = tree_cpu_s(os.getpid()), machine_busy_s()
            frames[n] = getattr(res, "kpis", None)
            cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else math.nan
            other = (busy1 - busy0 - cpu) / walls[n] if busy0 is not None and walls[n] > 0 \
                else math.nan
            extra[n] = {"start_s": start, "task_s": _task_s(frames[n]), "cpu_s": cpu,
                        "other_cores": max(other, 0.0) if not math.isnan(other) else other}
    table = efficiency_table(walls)
    serial = frames[1]
    table["tasks"] = [len(frames[n]) if frames[n] is not None else 0 for n in table["n_jobs"]]
    table["identical"] = [_same_kpis(serial, frames[n]) for n in table["n_jobs"]]
    for key in ("start_s", "task_s", "cpu_s", "other_cores"):
        table[key] = [extra[n][key] for n in table["n_jobs"]]
    table["occupancy"] = table["task_s"] / (table["n_jobs"] * table["wall_s"])
    table["task_slowdown"] = table["task_s"] / extra[1]["task_s"]
    return table


def _task_s(kpis: pd.DataFrame | None) -> float:
    """The tasks' summed wall time (each task's own, as stored), NaN if unknown."""
    if kpis is None or "wall_s" not in kpis:
        return math.nan
    return float(kpis["wall_s"].sum())


def _same_kpis(a: pd.DataFrame | None, b: pd.DataFrame | None) -> bool:
    if a is None or b is None:
        return False
    cols = ["variant", "replication", "seed", *kpi_columns(a)]
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    return a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))
