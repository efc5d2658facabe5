"""Published figures an experiment's variants should reproduce, against what they did.

An experiment's ``targets`` (:class:`configs.experiment_schema.TargetRow` rows, by
variant and KPI) give a published value and a relative band around it. Each row
here compares a variant's mean over replications (with its 95 % t interval, as in
:mod:`experiments.stats`) with that band. Everything is NaN-safe: a KPI undefined
in every replication has a NaN mean and is not within its band.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from configs.experiment_schema import TargetRow
from experiments.stats import CONFIDENCE, t_interval
from sim.kpis.catalogue import lookup

_DEFAULTS = {f.name: f.default for f in dataclasses.fields(TargetRow)}
TARGET_COLUMNS = ("variant", "kpi", "label", "source", "target", "band_rel", "band_low",
                  "band_high", "n", "mean", "ci_low", "ci_high", "ci_half", "rel_error",
                  "within")


def normalize_targets(targets: Mapping[str, Mapping[str, Mapping[str, Any]]] | None
                      ) -> dict[str, dict[str, dict[str, Any]]]:
    """Targets as plain JSON-ready dicts with every field of a row (defaults filled in).

    Args:
        targets: variant -> KPI -> row (``value``, optional ``band_rel``, ``source``,
            ``label``), already validated (:func:`configs.experiment_schema.experiment_problems`).
    """
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for variant, rows in (targets or {}).items():
        out[str(variant)] = {
            str(key): {"value": float(row["value"]),
                       "band_rel": float(row.get("band_rel", _DEFAULTS["band_rel"])),
                       "source": str(row.get("source") or ""),
                       "label": str(row.get("label") or "")}
            for key, row in rows.items()}
    return out


def _label(key: str, given: str) -> str:
    if given:
        return given
    found = lookup(key)
    return found.label if found is not None else key


def target_rows(kpis: pd.DataFrame, targets: Mapping[str, Mapping[str, Mapping[str, Any]]],
                confidence: float = CONFIDENCE) -> list[dict[str, Any]]:
    """Each published figure against its variant's mean over replications.

    Args:
        kpis: one row per task with ``variant`` and KPI columns (as stored by the runner).
        targets: variant -> KPI -> row (see :func:`normalize_targets`).
        confidence: two-sided level of the interval of the mean.

    Returns:
        One dict per target, in the order given, with :data:`TARGET_COLUMNS`: ``target``
        (the published value), ``band_low``/``band_high`` = ``target * (1 -/+ band_rel)``,
        ``n`` replications where the KPI is defined, their ``mean`` with its t interval
        (``ci_low``, ``ci_high``, ``ci_half``; NaN below two values), ``rel_error`` =
        ``(mean - target) / |target|`` (NaN for a zero target) and ``within``, True when
        the mean lies in the band. A variant or KPI the frame lacks gives ``n`` 0.
    """
    variants = (kpis["variant"].astype(str) if "variant" in kpis
                else pd.Series("", index=kpis.index)).to_numpy()
    out = []
    for variant, rows in normalize_targets(targets).items():
        own = kpis[variants == variant]
        for key, row in rows.items():
            values = own[key].to_numpy(dtype=float) if key in own else np.array([])
            iv = t_interval(values, confidence)
            value, band = row["value"], row["band_rel"]
            low, high = sorted((value * (1 - band), value * (1 + band)))
            defined = math.isfinite(iv.mean)
            rel = (iv.mean - value) / abs(value) if defined and value != 0 else math.nan
            out.append({
                "variant": variant, "kpi": key, "label": _label(key, row["label"]),
                "source": row["source"], "target": value, "band_rel": band,
                "band_low": low, "band_high": high, "n": iv.n, "mean": iv.mean,
                "ci_low": iv.low, "ci_high": iv.high, "ci_half": (iv.high - iv.low) / 2,
                "rel_error": rel, "within": bool(defined and low <= iv.mean <= high)})
    return out


def within_text(rows: list[dict[str, Any]]) -> str:
    """``"k of n figures within their bands"`` for :func:`target_rows` output."""
    hits = sum(1 for r in rows if r["within"])
    return f"{hits} of {len(rows)} figures within their bands"
