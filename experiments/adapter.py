"""Thin adapter from a composed config (``cfg.experiment``) to :func:`run_experiment`.

Used by ``fleetsim``: a config whose ``experiment.variants`` is non-empty or whose
``experiment.replications`` > 1 runs an experiment instead of a single run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from experiments.runner import ExperimentResult, run_experiment
from experiments.targets import target_rows, within_text

_CONTROL_PREFIXES = ("experiment.", "+experiment.", "++experiment.", "~experiment.")


def is_experiment(cfg: DictConfig) -> bool:
    """True when the config asks for variants or more than one replication."""
    exp = cfg.get("experiment") if isinstance(cfg, DictConfig) else None
    if exp is None:
        return False
    return bool(exp.get("variants")) or int(exp.get("replications", 1)) > 1


def base_overrides(task_overrides: Sequence[str]) -> list[str]:
    """The overrides that define the scenario: all but the ``experiment.*`` settings.

    ``experiment=<name>`` stays (it selects the experiment's scenario changes);
    ``experiment.n_jobs=4`` and the like go, so changing how an experiment runs
    does not change its tasks' fingerprints and a rerun resumes.
    """
    return [o for o in task_overrides if not str(o).startswith(_CONTROL_PREFIXES)]


def experiment_kwargs(cfg: DictConfig) -> dict[str, Any]:
    """The :func:`run_experiment` keyword arguments ``cfg.experiment`` asks for."""
    exp = cfg.experiment
    variants = _plain(exp.get("variants"))
    headline = _plain(exp.get("headline"))
    targets = _plain(exp.get("targets"))
    return {
        "variants": {str(k): [str(o) for o in v] for k, v in variants.items()},
        "replications": int(exp.get("replications", 1)),
        "n_jobs": int(exp.get("n_jobs", 1)),
        "backend": str(exp.get("backend", "loky")),
        "scheduler_address": str(exp.get("scheduler_address") or "") or None,
        "baseline": str(exp.get("baseline") or "") or None,
        "name": str(exp.get("name") or "") or None,
        "headline": {str(k): str(v) for k, v in headline.items()} or None,
        "targets": targets or None,
    }


def _plain(node: Any) -> dict:
    if node is None:
        return {}
    return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else dict(node)


def run_from_config(cfg: DictConfig, out_dir: str | Path, task_overrides: Sequence[str],
                    progress: bool | None = None) -> ExperimentResult:
    """Run the experiment ``cfg`` describes into ``out_dir``.

    Args:
        cfg: the composed config (with an ``experiment`` key).
        out_dir: the experiment directory (the Hydra run dir for ``fleetsim``).
        task_overrides: the command-line overrides that composed ``cfg``; every task
            composes them again (minus ``experiment.*`` settings) plus its variant and seed.
        progress: tqdm bar over tasks (default: ``cfg.output.progress``).
    """
    kwargs = experiment_kwargs(cfg)
    show = bool(cfg.output.progress) if progress is None else progress
    return run_experiment(base_overrides(task_overrides), out_dir=out_dir, progress=show,
                          **kwargs)


def format_result(result: ExperimentResult) -> str:
    """What ``fleetsim`` prints after an experiment: size, timing, the answer, where."""
    tasks = result.meta.get("tasks", {})
    nv, nr = len(result.variants), len(result.seeds)
    lines = [
        f"fleetsim experiment {result.name}: {nv} variant{'s' * (nv != 1)} x "
        f"{nr} replication{'s' * (nr != 1)} ({tasks.get('total', 0)} tasks: "
        f"{tasks.get('run', 0)} run, {tasks.get('reused', 0)} reused) in "
        f"{result.meta.get('wall_s', 0.0):.1f} s; baseline {result.baseline}",
        result.answer_text(),
    ]
    targets = result.meta.get("targets")
    if targets:
        lines.append(f"published figures: {within_text(target_rows(result.kpis, targets))}")
    if result.report_path is not None:
        lines.append(f"report:  {result.report_path}")
    lines.append(f"results: {result.out_dir}")
    return "\n".join(line for line in lines if line)
