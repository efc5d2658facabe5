"""Evaluate policies for a search: replications through the experiment runner.

Every trial is a variant of one experiment directory (``<run>/runs``), named
``p<hash of its overrides>``; replication ``r`` runs on the same seed in every
trial, the baseline and the final selection (common random numbers). A policy
that was evaluated before (by an earlier trial, another worker, or a killed run)
is read back from the store, not simulated again, and the final selection's
first replications are the trials' own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.runner import run_experiment
from experiments.search.spec import SearchSpec
from experiments.tasks import fingerprint

RUNS_DIR = "runs"
# A constraint on a KPI that is undefined in every replication (no rescues at all) counts
# as violated by this much: feasibility is not assumed from missing evidence.
UNDEFINED_VIOLATION = 1.0e6

# variants (name -> overrides on top of the scenario), replications -> one row per task
# with ``variant``, ``replication`` and KPI columns.
Evaluator = Callable[[Mapping[str, Sequence[str]], int], pd.DataFrame]


def policy_name(overrides: Sequence[str]) -> str:
    """The variant (results folder) of a policy: ``p`` + the hash of its overrides."""
    return "p" + fingerprint(list(overrides))


def runner_evaluator(spec: SearchSpec, out_dir: str | Path, n_jobs: int = 1,
                     backend: str = "loky", scheduler_address: str | None = None
                     ) -> Evaluator:
    """Evaluate through :func:`experiments.runner.run_experiment` into ``out_dir/runs``."""
    headline = dict(spec.objectives)

    def evaluate(variants: Mapping[str, Sequence[str]], replications: int) -> pd.DataFrame:
        result = run_experiment(list(spec.scenario), variants, replications,
                                Path(out_dir) / RUNS_DIR, n_jobs=n_jobs, backend=backend,
                                scheduler_address=scheduler_address, progress=False,
                                name=spec.name, headline=headline)
        return result.kpis

    return evaluate


def kpi_means(kpis: pd.DataFrame, variant: str, keys: Sequence[str]) -> dict[str, float]:
    """Mean of each KPI over the variant's replications (NaN-safe; NaN if never defined)."""
    rows = kpis[kpis["variant"] == variant]
    out = {}
    for key in keys:
        x = rows[key].to_numpy(dtype=float) if key in rows else np.array([])
        x = x[np.isfinite(x)]
        out[key] = float(x.mean()) if x.size else math.nan
    return out


def constraint_values(spec: SearchSpec, means: Mapping[str, float]) -> list[float]:
    """Optuna's constraint values (``<= 0`` is feasible), one per bound, in definition order."""
    out = []
    for key, bounds in spec.constraints.items():
        value = means.get(key, math.nan)
        for side in ("min", "max"):
            if side not in bounds:
                continue
            if not math.isfinite(value):
                out.append(UNDEFINED_VIOLATION)
            else:
                out.append(bounds[side] - value if side == "min" else value - bounds[side])
    return out


def constraint_names(spec: SearchSpec) -> list[str]:
    """``<kpi>.<min|max>`` of each bound, in the order of :func:`constraint_values`."""
    return [f"{key}.{side}" for key, bounds in spec.constraints.items()
            for side in ("min", "max") if side in bounds]


def reported_kpis(spec: SearchSpec) -> list[str]:
    """The KPIs a trial records: its objectives, then its constrained KPIs."""
    return list(dict.fromkeys([*spec.objectives, *spec.constraints]))
