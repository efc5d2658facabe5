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
:mod:`~experiments.backends` (joblib, Dask), :mod:`~experiments.adapter` (from the
``experiment`` config key), :mod:`~experiments.multirun` (merge a Hydra sweep),
:mod:`~experiments.scale` (parallel efficiency), :mod:`~experiments.check`
(``fleetsim-check``) and :mod:`experiments.bench` (``fleetsim-bench`` and its
naive baseline).
"""

from experiments.adapter import experiment_kwargs, is_experiment, run_from_config
from experiments.multirun import MultirunSummary, merge_multirun, summarize_multirun
from experiments.runner import (
    DEFAULT_HEADLINE,
    ExperimentResult,
    run_experiment,
    validate_variants,
)
from experiments.scale import efficiency_table, parallel_efficiency
from experiments.stats import Answer, answers, summarize, t_interval
from experiments.store import ResultStore, StaleResultError
from experiments.tasks import Task, replication_seeds

__all__ = [
    "DEFAULT_HEADLINE", "Answer", "ExperimentResult", "MultirunSummary", "ResultStore",
    "StaleResultError", "Task", "answers", "efficiency_table", "experiment_kwargs",
    "is_experiment", "merge_multirun", "parallel_efficiency", "replication_seeds",
    "run_experiment", "run_from_config", "summarize", "summarize_multirun", "t_interval",
    "validate_variants",
]
