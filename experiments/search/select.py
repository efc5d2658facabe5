"""Final selection: the Pareto set again with more replications, against the baseline.

Each front policy and the baseline run ``final_replications`` replications on the
same seeds (their first ``replications`` are the trials' own, read back from the
store). Every candidate is compared with the baseline by paired differences with
t intervals (:func:`experiments.stats.summarize`); candidates that fail a
constraint on the final means are dropped; the recommendation is the best feasible
candidate on the first objective, and every candidate not distinguishable from it
on that objective (paired interval of the difference includes zero) is reported as
tied with it, not ranked by noise. Among the tied, the one recommended is the best
on the next objectives in order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from experiments.search.evaluate import (
    Evaluator,
    constraint_values,
    kpi_means,
    policy_name,
    reported_kpis,
)
from experiments.search.spec import SearchSpec
from experiments.stats import summarize, t_interval

BASELINE = "baseline"


def _paired(kpis: pd.DataFrame, a: str, b: str, key: str) -> dict[str, Any]:
    """Paired difference ``a - b`` of one KPI over the replications both define."""
    wide = kpis.pivot(index="replication", columns="variant", values=key).astype(float)
    x, y = wide[a].to_numpy(), wide[b].to_numpy()
    both = np.isfinite(x) & np.isfinite(y)
    iv = t_interval(x[both] - y[both])
    distinguishable = bool(iv.n > 1 and math.isfinite(iv.low) and (iv.low > 0 or iv.high < 0))
    return {"n": iv.n, "mean": iv.mean, "low": iv.low, "high": iv.high,
            "distinguishable": distinguishable}


def _diff_rows(summary: pd.DataFrame, variant: str, keys: Sequence[str]) -> dict[str, Any]:
    rows = summary[(summary["variant"] == variant) & summary["kpi"].isin(keys)]
    out = {}
    for _, r in rows.iterrows():
        out[str(r["kpi"])] = {k: _num(r[c]) for k, c in (
            ("mean", "mean"), ("ci_low", "ci_low"), ("ci_high", "ci_high"),
            ("diff", "diff_mean"), ("diff_low", "diff_ci_low"), ("diff_high", "diff_ci_high"),
            ("diff_rel", "diff_rel"))}
        out[str(r["kpi"])]["distinguishable"] = bool(r["diff_distinguishable"])
    return out


def _num(x: Any) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def final_selection(spec: SearchSpec, front: Sequence[Mapping[str, Any]],
                    evaluate: Evaluator) -> dict[str, Any]:
    """Re-evaluate the front with ``spec.final_replications`` and pick the recommendation.

    Args:
        spec: the search definition (objectives, constraints, baseline, replications).
        front: the front's trial rows (:func:`experiments.search.front.trial_rows`).
        evaluate: the evaluator the trials used.

    Returns:
        ``baseline`` (policy, overrides, KPI means), ``candidates`` (trial, overrides,
        means, paired differences to the baseline, feasible), ``recommended`` (a trial
        number or None), ``ties`` (trial numbers tied with it on the first objective),
        ``pairwise`` (candidate pairs not distinguishable on any objective).
    """
    base_name = policy_name(list(spec.baseline))
    variants: dict[str, list[str]] = {base_name: list(spec.baseline)}
    for row in front:
        variants.setdefault(row["policy"], list(row["overrides"]))
    keys = reported_kpis(spec)
    kpis = evaluate(variants, spec.final_replications)
    table = summarize(kpis, base_name, list(variants), columns=keys)
    candidates = []
    for row in front:
        means = kpi_means(kpis, row["policy"], keys)
        cons = constraint_values(spec, means)
        candidates.append({"trial": row["number"], "policy": row["policy"],
                           "overrides": list(row["overrides"]), "params": row["params"],
                           "means": {k: _num(v) for k, v in means.items()},
                           "versus_baseline": _diff_rows(table, row["policy"], keys),
                           "feasible": all(c <= 0 for c in cons)})
    base_means = kpi_means(kpis, base_name, keys)
    result = {"baseline": {"policy": base_name, "overrides": list(spec.baseline),
                           "means": {k: _num(v) for k, v in base_means.items()},
                           "feasible": all(c <= 0 for c in constraint_values(spec, base_means))},
              "replications": spec.final_replications, "candidates": candidates,
              "seeds": sorted({int(s) for s in kpis["seed"]}) if "seed" in kpis else []}
    result.update(_recommend(spec, candidates, kpis))
    return result


def _recommend(spec: SearchSpec, candidates: Sequence[Mapping[str, Any]],
               kpis: pd.DataFrame) -> dict[str, Any]:
    feasible = [c for c in candidates if c["feasible"]]
    pairwise = []
    for i, a in enumerate(candidates):
        for b in candidates[i + 1:]:
            if a["policy"] == b["policy"]:
                continue
            tests = [_paired(kpis, a["policy"], b["policy"], k) for k in spec.objectives]
            if not any(t["distinguishable"] for t in tests):
                pairwise.append([a["trial"], b["trial"]])
    if not feasible:
        return {"recommended": None, "ties": [], "pairwise_ties": pairwise}
    sign = {k: (1.0 if d == "lower" else -1.0) for k, d in spec.objectives.items()}
    first = next(iter(spec.objectives))

    def score(c: Mapping[str, Any], key: str) -> float:
        value = c["means"].get(key)
        return math.inf if value is None else sign[key] * value

    best = min(feasible, key=lambda c: score(c, first))
    tied = [c for c in feasible if c is best or (c["policy"] != best["policy"] and not
            _paired(kpis, c["policy"], best["policy"], first)["distinguishable"])]
    rest = list(spec.objectives)[1:]
    chosen = min(tied, key=lambda c: tuple(score(c, k) for k in rest) + (score(c, first),))
    return {"recommended": chosen["trial"],
            "ties": sorted(c["trial"] for c in tied if c is not chosen),
            "pairwise_ties": pairwise}
