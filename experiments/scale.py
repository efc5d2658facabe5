"""Scale check: the same replications run serially and with ``n_jobs`` workers.

``speedup = wall(1) / wall(n)`` and ``efficiency = speedup / n`` (1.0 = perfect
scaling). Each measurement runs into a fresh directory, so nothing is reused;
``identical`` says whether the KPIs equal the serial run's.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

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
                        clock: Callable[[], float] = time.perf_counter) -> pd.DataFrame:
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

    Returns:
        :func:`efficiency_table` plus ``tasks`` and ``identical`` (KPIs equal the serial run's).
    """
    counts = sorted({1, *(int(n) for n in n_jobs_list)})
    walls, frames = {}, {}
    with tempfile.TemporaryDirectory(dir=workdir, prefix="fleetsim-scale-") as tmp:
        for n in counts:
            t0 = clock()
            res = runner(list(base_overrides), dict(variants or {}), replications,
                         Path(tmp) / f"n_jobs={n}", n_jobs=n, backend=backend if n > 1 else "loky",
                         progress=False)
            walls[n] = clock() - t0
            frames[n] = getattr(res, "kpis", None)
    table = efficiency_table(walls)
    serial = frames[1]
    table["tasks"] = [len(frames[n]) if frames[n] is not None else 0 for n in table["n_jobs"]]
    table["identical"] = [_same_kpis(serial, frames[n]) for n in table["n_jobs"]]
    return table


def _same_kpis(a: pd.DataFrame | None, b: pd.DataFrame | None) -> bool:
    if a is None or b is None:
        return False
    cols = ["variant", "replication", "seed", *kpi_columns(a)]
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    return a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))
