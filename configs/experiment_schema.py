"""Schema of the ``experiment`` config key: replications and policy comparisons.

A named experiment (``configs/experiment/<name>.yaml``, ``# @package _global_``)
sets this key and, beside it, any scenario changes it needs (e.g. ``fleet.size``).
Each variant is a list of Hydra override strings applied on top of the base
scenario; every variant runs on the same replication seeds (common random numbers).
``targets`` names published figures a variant should reproduce (shown in the report).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from configs.fields import check_row, choice, num

BACKENDS = ("loky", "threading", "dask")
DIRECTIONS = ("lower", "higher")
# A variant name is a folder name in the results store (kpis/variant=<name>/).
VARIANT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
# The one variant of an experiment without variants.
BASE_VARIANT = "base"


@dataclass
class TargetRow:
    """A published figure a variant should reproduce: one row of ``experiment.targets``.

    Attributes:
        value: the published value, in the KPI's unit (a share as a fraction 0..1).
        band_rel: half-width of the accepted band relative to ``value``; the band is
            ``value * (1 - band_rel)`` to ``value * (1 + band_rel)``.
        source: short citation shown in the report ("" allowed).
        label: the figure's name in the report ("" = the KPI catalogue's label).
    """

    value: float = math.nan  # required: a missing value is reported by experiment_problems
    band_rel: float = num(0.15, 0.0, 10.0, lo_open=True)
    source: str = ""
    label: str = ""


@dataclass
class ExperimentConfig:
    """Replications of the scenario, optionally per policy variant.

    ``fleetsim`` runs an experiment instead of a single run when ``variants`` is
    non-empty or ``replications`` > 1.

    Attributes:
        name: experiment name, stored in every result row ("" = the output folder's name).
        baseline: the variant the others are compared with ("" = the first variant).
        variants: variant name -> Hydra overrides (e.g. ``["alerts=none"]``); ``[]`` = base.
        headline: KPI -> ``lower`` or ``higher`` (which direction is better); the
            answer printed and leading the report ({} = a default set).
        targets: variant -> KPI -> :class:`TargetRow` (published figures the variant
            should reproduce; the report compares them with its mean over replications).
        replications: runs per variant, seeds spawned from the base ``seed``.
        n_jobs: parallel tasks (joblib; -1 = all cores).
        backend: joblib backend; ``dask`` runs on a distributed cluster.
        scheduler_address: Dask scheduler (``tcp://host:8786``); "" starts a LocalCluster.
    """

    name: str = ""
    baseline: str = ""
    variants: dict[str, list[str]] = field(default_factory=dict)
    headline: dict[str, str] = field(default_factory=dict)
    # Rows are TargetRow-shaped plain dicts, checked by experiment_problems: typed as
    # dict[str, dict[str, TargetRow]], OmegaConf half-types them and command-line overrides
    # (+experiment.targets.base.mean_wait_h.value=3) fail with "mean_wait_h=None ...".
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    replications: int = num(1, 1, 100_000)
    n_jobs: int = num(1, -1, 4096)
    backend: str = choice("loky", *BACKENDS)
    scheduler_address: str = ""

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return experiment_problems(cfg, path)


def experiment_problems(cfg: Any, path: str = "experiment",
                        unknown_kpi: Callable[[str], str | None] | None = None) -> list[str]:
    """What is wrong with an experiment config's names and choices (empty when fine).

    Args:
        cfg: the ``experiment`` node (or any object with its attributes).
        path: the node's key, used in the messages.
        unknown_kpi: KPI key -> None when the KPI catalogue defines it, else a hint
            ("" or "; did you mean ..."). The catalogue lives in a higher layer
            (``sim.kpis``), so the experiment runner passes it in; ``None`` skips that check.
    """
    errs = []
    names = list(cfg.variants)
    bad = [n for n in names if not VARIANT_NAME.match(str(n))]
    if bad:
        errs.append(f"{path}.variants: names {bad} are not allowed; use letters, digits, "
                    "'_', '-', '.' (they become folder names)")
    only_base = cfg.baseline == BASE_VARIANT and not names
    if cfg.baseline and cfg.baseline not in names and not only_base:
        errs.append(f"{path}.baseline={cfg.baseline!r} is not a variant; variants: "
                    f"{', '.join(names) or '(none: the only variant is base)'}")
    wrong = {k: v for k, v in cfg.headline.items() if v not in DIRECTIONS}
    if wrong:
        errs.append(f"{path}.headline: {wrong} not allowed; each KPI maps to "
                    f"{' or '.join(DIRECTIONS)} (the better direction)")
    if cfg.n_jobs == 0:
        errs.append(f"{path}.n_jobs=0 is not allowed; expected -1 (all cores) or a positive count")
    for name, overrides in cfg.variants.items():
        seeded = [o for o in overrides if str(o).lstrip("+~").split("=")[0] == "seed"]
        if seeded:
            errs.append(f"{path}.variants.{name} sets {seeded[0]!r}: variants share the "
                        "replication seeds (common random numbers); set the base seed instead")
    errs += target_problems(getattr(cfg, "targets", None) or {}, names, path, unknown_kpi)
    return errs


def target_problems(targets: Mapping[str, Any], variants: list[str], path: str = "experiment",
                    unknown_kpi: Callable[[str], str | None] | None = None) -> list[str]:
    """One-line problems of ``experiment.targets`` (see :func:`experiment_problems`)."""
    errs = []
    allowed = [str(v) for v in variants] or [BASE_VARIANT]
    for variant, rows in targets.items():
        where = f"{path}.targets.{variant}"
        if str(variant) not in allowed:
            errs.append(f"{where}: {variant!r} is not a variant; allowed: {', '.join(allowed)}")
        if not isinstance(rows, Mapping):
            errs.append(f"{where}={rows!r} is not allowed; expected KPI -> "
                        "{value, band_rel, source, label}")
            continue
        for key, row in rows.items():
            at = f"{where}.{key}"
            hint = unknown_kpi(str(key)) if unknown_kpi is not None else None
            if hint is not None:
                errs.append(f"{at}: {key!r} is not a KPI of the catalogue{hint} "
                            "(`fleetsim-kpis` lists the KPIs)")
            if not isinstance(row, Mapping):
                errs.append(f"{at}={row!r} is not allowed; expected a mapping with keys "
                            "value, band_rel, source, label")
                continue
            errs += check_row(row, TargetRow, at)
            value = row.get("value")
            if not _finite(value):
                shown = "missing" if value is None else repr(value)
                errs.append(f"{at}.value={shown} is not allowed; expected a finite number "
                            "(the published figure, in the KPI's unit)")
    return errs


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
