"""A release train (issue 15): monthly releases over a multi-year run, built from ``ota.train``.

Seed 000: a maker ships feature and performance releases month after month,
and some 15 % of its releases are safety fixes. :func:`train_releases` turns
the ``ota.train`` config into ordinary releases (``train_<nn>_<kind>``), so
every release of the train runs through the same machinery as a configured
one: its own campaign and rollout gates, the operator's investigation and
hotfix when a latent defect trips a gate. Feature releases are optional
(owners may defer them), safety fixes are not. The train is deterministic
given its config: the safety fixes are spread evenly (largest remainder), and
the defective releases are named in the config, so the KPIs of a run can be
recomputed from its config alone.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from configs.ota_schema import EffectsConfig, ReleaseConfig

FEATURE, SAFETY = "feature", "safety"


def train_kinds(count: int, safety_share: float) -> list[str]:
    """The kind of each of ``count`` releases: ``safety`` where the running share of safety
    fixes crosses a whole number (release i: floor((i + 1) x share) > floor(i x share))."""
    return [SAFETY if math.floor((i + 1) * safety_share + 1e-9)
            > math.floor(i * safety_share + 1e-9) else FEATURE for i in range(count)]


def train_releases(train: Any, horizon_days: int) -> dict[str, ReleaseConfig]:
    """The releases of the train ``train`` (the ``ota.train`` config) within ``horizon_days``.

    Returns name -> release config (rollout null: ``ota.rollout``), in release order.
    """
    if not train.enabled:
        return {}
    days = range(int(train.first_release_day), int(horizon_days), int(train.interval_days))
    defective = {int(n) for n in train.defective_releases}
    out: dict[str, ReleaseConfig] = {}
    for i, (day, kind) in enumerate(zip(days, train_kinds(len(days),
                                                          float(train.safety_share_frac)),
                                        strict=True)):
        number = i + 1
        safety = kind == SAFETY
        out[f"train_{number:02d}_{kind}"] = ReleaseConfig(
            version=f"train.{number}", release_day=int(day), target_ecus=list(train.target_ecus),
            size_mb=float(train.safety_size_mb if safety else train.feature_size_mb),
            optional=not safety,
            defect_prob_by_hw_config=(dict(train.defect_prob_by_hw_config)
                                      if number in defective else {}),
            defect_effect=str(train.defect_effect),
            defect_onset_days_mean=float(train.defect_onset_days_mean),
            effects=EffectsConfig(), rollout=None)
    return out


def with_train(ota: Any, horizon_days: int) -> Any:
    """``ota`` (the typed ``ota`` config) with the train's releases added to its own;
    ``ota`` itself when no train is enabled."""
    train = getattr(ota, "train", None)
    if train is None or not train.enabled:
        return ota
    return dataclasses.replace(ota, releases={**dict(ota.releases),
                                              **train_releases(train, horizon_days)})
