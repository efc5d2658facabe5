"""Experiments: replications with confidence intervals and policy comparisons.

Public API::

    from sim.experiment import run_experiment
    vans = "service.mobile.vans_per_10000_vehicles"
    res = run_experiment(["fleet.size=20000"], {"vans_1": [f"{vans}=1"], "vans_2": []},
                         replications=8, out_dir="outputs/vans", n_jobs=2, baseline="vans_2")
    res.summary   # per variant x KPI: mean, sd, n, 95 % CI, paired difference to the baseline
    print(res.answer_text())

Every (variant, replication) task composes its own config in the worker and
stores one Parquet row under ``out_dir/kpis/variant=<v>/replication=<r>.parquet``;
rerunning into the same directory skips finished tasks.
"""

from sim.experiment.adapter import experiment_kwargs, is_experiment, run_from_config
from sim.experiment.multirun import merge_multirun, multirun_report
from sim.experiment.report import build_report, render_report
from sim.experiment.runner import (
    DEFAULT_HEADLINE,
    ExperimentResult,
    run_experiment,
    validate_variants,
)
from sim.experiment.scale import efficiency_table, parallel_efficiency
from sim.experiment.stats import Answer, answers, summarize, t_interval
from sim.experiment.store import ResultStore, StaleResultError
from sim.experiment.tasks import Task, replication_seeds

__all__ = [
    "DEFAULT_HEADLINE", "Answer", "ExperimentResult", "ResultStore", "StaleResultError", "Task",
    "answers", "build_report", "efficiency_table", "experiment_kwargs", "is_experiment",
    "merge_multirun", "multirun_report", "parallel_efficiency", "render_report",
    "replication_seeds", "run_experiment", "run_from_config", "summarize", "t_interval",
    "validate_variants",
]
