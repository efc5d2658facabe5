"""Run an experiment: replications of variants on common random numbers, resumable.

Layout of an experiment directory::

    kpis/variant=<v>/replication=<r>.parquet   one row per finished task (see store.py)
    summary.csv, summary.parquet               per variant x KPI statistics (see stats.py)
    timeline/variant=<v>/replication=<r>.parquet   KPIs over time of each task (a row per day)
    experiment.json                            inputs (and published targets), seeds,
                                               timing (written after the summary)

The comparison ``report.html`` is written by the reports layer
(:func:`reports.experiment.build_report`), from these files alone.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from tqdm import tqdm

from configs.experiment_schema import BASE_VARIANT, experiment_problems
from configs.load import load_config
from configs.validate import ConfigError
from experiments.backends import check_backend, run_parallel
from experiments.stats import Answer, answers, summarize
from experiments.store import ResultStore
from experiments.targets import normalize_targets
from experiments.tasks import (
    PARENT_PID,
    Task,
    config_hash,
    make_tasks,
    replication_seeds,
    run_task,
)
from sim.io import write_json, write_parquet, write_text
from sim.kpis.catalogue import CATALOGUE, kpi, lookup
from sim.result import git_commit, package_versions

DEFAULT_HEADLINE_KPIS = (
    "breakdowns_per_1000_vehicle_years",
    "mean_wait_h",
    "service_cost_per_vehicle_year",
)
# KPI -> better direction, from the KPI catalogue (``fleetsim-kpis``).
DEFAULT_HEADLINE = {key: kpi(key).better for key in DEFAULT_HEADLINE_KPIS}
SUMMARY_CSV, SUMMARY_PARQUET, EXPERIMENT_JSON = "summary.csv", "summary.parquet", "experiment.json"


@dataclass
class ExperimentResult:
    """The outcome of :func:`run_experiment`.

    Attributes:
        name: experiment name (stored in every row).
        out_dir: the experiment directory.
        baseline: the variant the others are compared with.
        variants: variant name -> overrides, in run order.
        seeds: one seed per replication (shared by all variants).
        headline: KPI -> better direction (``lower``/``higher``).
        kpis: one row per task: variant, replication, seed, fingerprint, config_hash,
            wall_s, finished_at, KPIs.
        summary: per variant x KPI statistics (see :func:`experiments.stats.summarize`).
        meta: the contents of ``experiment.json``.
        report_path: ``report.html``, once the reports layer has written it.
    """

    name: str
    out_dir: Path
    baseline: str
    variants: dict[str, list[str]]
    seeds: list[int]
    headline: dict[str, str]
    kpis: pd.DataFrame
    summary: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    report_path: Path | None = None

    def answers(self) -> list[Answer]:
        """The best variant on each headline KPI, with the paired difference to the baseline."""
        return answers(self.summary, self.headline, self.baseline)

    def answer_text(self) -> str:
        """The headline answer as text lines (unknown headline KPIs are named)."""
        lines = [f"  {a.sentence()}" for a in self.answers()]
        missing = sorted(set(self.headline) - set(self.summary["kpi"]))
        if missing:
            lines.append(f"  not KPIs of this run (check the names): {', '.join(missing)}")
        return "\n".join(lines)


class ExperimentInterrupted(KeyboardInterrupt):
    """Ctrl-C during an experiment; ``kept`` of ``total`` tasks are stored in ``out_dir``."""

    def __init__(self, kept: int, total: int, out_dir: Path) -> None:
        super().__init__(f"interrupted: {kept} of {total} tasks kept")
        self.kept, self.total, self.out_dir = kept, total, out_dir


def validate_variants(base_overrides: Sequence[str],
                      variants: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Compose every variant once, so a bad override fails before any task runs.

    Returns:
        variant -> hash of its resolved scenario (:func:`experiments.tasks.config_hash`).

    Raises:
        ConfigError: ``variant '<name>': <the config error>``.
    """
    hashes = {}
    for name, extra in variants.items():
        try:
            hashes[name] = config_hash(load_config([*base_overrides, *extra]))
        except ConfigError as ex:
            raise ConfigError(f"variant {name!r}: {ex}") from None
    return hashes


def _check_names(variants: Mapping[str, Sequence[str]], baseline: str,
                 headline: Mapping[str, str], targets: Mapping[str, Any]) -> None:
    view = SimpleNamespace(variants=variants, baseline=baseline, headline=headline, n_jobs=1,
                           targets=targets)
    problems = experiment_problems(view, "experiment", unknown_kpi=_unknown_kpi)
    if problems:
        raise ConfigError("; ".join(problems))
    check_headline(headline)


def _unknown_kpi(key: str) -> str | None:
    """None for a key the KPI catalogue defines (a family member too), else a hint."""
    if lookup(key) is not None:
        return None
    close = get_close_matches(key, [k.key for k in CATALOGUE], n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def check_headline(headline: Mapping[str, str]) -> None:
    """Every headline KPI is in the KPI catalogue, with a direction it allows.

    A KPI whose catalogue ``better`` is ``""`` (a size or context figure) takes either
    direction.

    Raises:
        ConfigError: naming the KPI, the value and what is allowed.
    """
    problems = []
    for key, direction in headline.items():
        entry = lookup(str(key))
        if entry is None:
            hint = _unknown_kpi(str(key))
            problems.append(f"experiment.headline: {key!r} is not a KPI of the catalogue{hint} "
                            "(`fleetsim-kpis` lists the KPIs)")
        elif entry.better and direction != entry.better:
            problems.append(f"experiment.headline.{key}={direction!r} is not allowed: the KPI "
                            f"catalogue says {entry.better} is better; expected "
                            f"{entry.better!r} (`fleetsim-kpis` lists the directions)")
    if problems:
        raise ConfigError("; ".join(problems))


def run_experiment(base_overrides: Sequence[str], variants: Mapping[str, Sequence[str]],
                   replications: int, out_dir: str | Path, n_jobs: int = 1,
                   backend: str = "loky", scheduler_address: str | None = None,
                   progress: bool | None = None, baseline: str | None = None, *,
                   name: str | None = None,
                   headline: Mapping[str, str] | None = None,
                   targets: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None
                   ) -> ExperimentResult:
    """Run every (variant, replication) task not yet stored in ``out_dir``, then summarise.

    Args:
        base_overrides: Hydra overrides of the base scenario (its ``seed`` spawns the
            replication seeds).
        variants: variant name -> extra overrides; empty = one variant ``base``.
        replications: runs per variant (replication ``r`` has the same seed in every variant).
        out_dir: experiment directory; rerunning into it reuses the finished tasks.
        n_jobs: parallel tasks (-1 = all cores).
        backend: joblib backend: ``loky``, ``threading`` or ``dask``.
        scheduler_address: Dask scheduler address; ``None`` with ``dask`` starts a LocalCluster.
        progress: tqdm bar over tasks on stderr (hidden when stderr is not a terminal);
            ``False`` turns it off.
        baseline: variant to compare with (default: the first).
        name: stored in every row (default: the directory's name).
        headline: KPI -> ``lower``/``higher`` for the answer (default: :data:`DEFAULT_HEADLINE`);
            each KPI must be in the KPI catalogue, with its ``better`` direction.
        targets: variant -> KPI -> published figure (``value``, ``band_rel``, ``source``,
            ``label``; see :class:`configs.experiment_schema.TargetRow`), stored in
            ``experiment.json`` for the report (:mod:`experiments.targets`).

    Returns:
        The task table, the summary and the metadata (also written to ``out_dir``).

    Raises:
        ConfigError: a bad base or variant override (named), a headline KPI that is
            not in the KPI catalogue or has the wrong better direction, or a bad target
            (unknown variant or KPI, value, band), before any task runs.
        StaleResultError: a stored row was made from other overrides (the file is named).
        ExperimentInterrupted: Ctrl-C; the finished tasks are kept (a rerun resumes).
    """
    t0, started = time.perf_counter(), _now()
    out = Path(out_dir)
    variants = {str(k): [str(o) for o in v] for k, v in variants.items()} or {BASE_VARIANT: []}
    baseline = baseline or next(iter(variants))
    headline = dict(headline or DEFAULT_HEADLINE)
    name = name or out.resolve().name
    base = [str(o) for o in base_overrides]
    if int(replications) < 1:
        raise ConfigError(f"replications={replications} is not allowed; expected >= 1")
    check_backend(backend, n_jobs)
    _check_names(variants, baseline, headline, targets or {})
    targets = normalize_targets(targets)

    base_cfg = load_config(base)
    root_seed = int(base_cfg.seed)
    seeds = replication_seeds(root_seed, int(replications))
    hashes = validate_variants(base, variants)
    tasks = make_tasks(base, variants, seeds, hashes)
    store = ResultStore(out)
    store.clean_temp()
    todo = [t for t in tasks if not store.is_done(t)]
    _execute(todo, store, name, len(tasks), n_jobs, backend, scheduler_address, progress)

    order = {v: i for i, v in enumerate(variants)}
    kpis = store.load(sorted(tasks, key=lambda t: (order[t.variant], t.replication)))
    summary = summarize(kpis, baseline, list(variants))
    write_text(out / SUMMARY_CSV, summary.to_csv(index=False, float_format="%.10g"))
    write_parquet(out / SUMMARY_PARQUET, summary)
    meta = _metadata(name, base, variants, baseline, headline, targets, root_seed, seeds, n_jobs,
                     backend, scheduler_address, started, time.perf_counter() - t0, len(tasks),
                     len(todo), kpis)
    # Day 0 of the report's over-time charts (output.start_date; '' = run days).
    meta["start_date"] = str(base_cfg.output.get("start_date") or "")
    write_json(out / EXPERIMENT_JSON, meta)
    return ExperimentResult(name, out, baseline, variants, seeds, headline, kpis, summary, meta)


def _execute(todo: list[Task], store: ResultStore, name: str, total: int, n_jobs: int,
             backend: str, scheduler_address: str | None, progress: bool | None) -> None:
    """Run the tasks and store each row as soon as it comes back."""
    if not todo:
        return
    disable = True if progress is False else None  # None: hidden unless stderr is a terminal
    kept = total - len(todo)
    os.environ[PARENT_PID] = str(os.getpid())   # workers leave Ctrl-C to this process
    try:
        with tqdm(total=total, initial=kept, unit="task", desc=name, file=sys.stderr,
                  disable=disable, leave=False) as bar:
            for res in run_parallel(run_task, todo, n_jobs=n_jobs, backend=backend,
                                    scheduler_address=scheduler_address):
                store.write(res, name)
                kept += 1
                bar.update(1)
    except KeyboardInterrupt:
        raise ExperimentInterrupted(kept, total, store.root.parent) from None


def _metadata(name: str, base: list[str], variants: dict[str, list[str]], baseline: str,
              headline: dict[str, str], targets: dict[str, Any], root_seed: int,
              seeds: list[int], n_jobs: int, backend: str, scheduler_address: str | None,
              started: str, wall_s: float, total: int, run: int,
              kpis: pd.DataFrame) -> dict[str, Any]:
    walls = kpis["wall_s"].to_numpy(dtype=float) if "wall_s" in kpis else []
    return {
        "name": name,
        "base_overrides": base,
        "variants": variants,
        "baseline": baseline,
        "headline": headline,
        "targets": targets,
        "replications": len(seeds),
        "seed": root_seed,
        "seeds": seeds,
        "n_jobs": n_jobs,
        "backend": backend,
        "scheduler_address": scheduler_address,
        "started_at": started,
        "finished_at": _now(),
        "wall_s": round(wall_s, 4),
        "tasks": {"total": total, "run": run, "reused": total - run},
        "task_wall_s": {"sum": round(float(sum(walls)), 4),
                        "mean": round(float(sum(walls) / len(walls)), 4) if len(walls) else None,
                        "max": round(float(max(walls)), 4) if len(walls) else None},
        "git_commit": git_commit(),
        "versions": dict(package_versions()),
    }


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
