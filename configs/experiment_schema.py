"""Schema of the ``experiment`` config key: replications and policy comparisons.

A named experiment (``configs/experiment/<name>.yaml``, ``# @package _global_``)
sets this key and, beside it, any scenario changes it needs (e.g. ``fleet.size``).
Each variant is a list of Hydra override strings applied on top of the base
scenario; every variant runs on the same replication seeds (common random numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from configs.fields import choice, num

BACKENDS = ("loky", "threading", "dask")
DIRECTIONS = ("lower", "higher")
# A variant name is a folder name in the results store (kpis/variant=<name>/).
VARIANT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


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
        replications: runs per variant, seeds spawned from the base ``seed``.
        n_jobs: parallel tasks (joblib; -1 = all cores).
        backend: joblib backend; ``dask`` runs on a distributed cluster.
        scheduler_address: Dask scheduler (``tcp://host:8786``); "" starts a LocalCluster.
    """

    name: str = ""
    baseline: str = ""
    variants: dict[str, list[str]] = field(default_factory=dict)
    headline: dict[str, str] = field(default_factory=dict)
    replications: int = num(1, 1, 100_000)
    n_jobs: int = num(1, -1, 4096)
    backend: str = choice("loky", *BACKENDS)
    scheduler_address: str = ""

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return experiment_problems(cfg, path)


def experiment_problems(cfg: Any, path: str = "experiment") -> list[str]:
    """What is wrong with an experiment config's names and choices (empty when fine)."""
    errs = []
    names = list(cfg.variants)
    bad = [n for n in names if not VARIANT_NAME.match(str(n))]
    if bad:
        errs.append(f"{path}.variants: names {bad} are not allowed; use letters, digits, "
                    "'_', '-', '.' (they become folder names)")
    if cfg.baseline and cfg.baseline not in names and not (cfg.baseline == "base" and not names):
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
    return errs
