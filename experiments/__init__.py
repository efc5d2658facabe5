"""The experiment layer: replications, paired policy comparisons, sweeps, the benchmark.

Public API::

    from experiments import run_experiment
    vans = "service.mobile.vans_per_10000_vehicles"
    res = run_experiment(["fleet.size=20000"], {"vans_1": [f"{vans}=1"], "vans_2": []},
                         replications=8, out_dir="outputs/vans", n_jobs=2, baseline="vans_2")
    res.summary   # per variant x KPI: mean, sd, n, 95 % CI, paired difference to the baseline
    print(res.answer_text())

    from reports.experiment import build_report
    build_report("outputs/vans")  # the comparison report.html, from the files written above

Every (variant, replication) task composes its own config in the worker and
stores one Parquet row under ``out_dir/kpis/variant=<v>/replication=<r>.parquet``;
rerunning into the same directory skips finished tasks.

Modules: :mod:`~experiments.runner` (run an experiment), :mod:`~experiments.tasks`
(one task = one seeded run), :mod:`~experiments.store` (the results store),
:mod:`~experiments.stats` (intervals, paired differences, the answer),
:mod:`~experiments.targets` (published figures the variants should reproduce),
:mod:`~experiments.backends` (joblib, Dask), :mod:`~experiments.adapter` (from the
``experiment`` config key), :mod:`~experiments.multirun` (merge a Hydra sweep),
:mod:`~experiments.scale` (parallel efficiency), :mod:`~experiments.check`
(``fleetsim-check``) and :mod:`experiments.bench` (``fleetsim-bench`` and its
naive baseline).
"""

import importlib
from typing import Any

# The public names, by the module that defines them. They are imported on first use
# (PEP 562), so that `fleetsim-bench` and `fleetsim-check`, which live in this package,
# do not pay for the experiment machinery (scipy.stats, joblib) they do not use.
_HOMES = {
    "adapter": ("experiment_kwargs", "is_experiment", "run_from_config"),
    "multirun": ("MultirunSummary", "merge_multirun", "summarize_multirun"),
    "runner": ("DEFAULT_HEADLINE", "ExperimentResult", "run_experiment", "validate_variants"),
    "scale": ("efficiency_table", "parallel_efficiency"),
    "stats": ("Answer", "answers", "summarize", "t_interval"),
    "targets": ("target_rows",),
    "store": ("ResultStore", "StaleResultError"),
    "tasks": ("Task", "replication_seeds"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_HOME_OF)


def __getattr__(name: str) -> Any:
    if name not in _HOME_OF:
        raise AttributeError(f"module 'experiments' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"experiments.{_HOME_OF[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
