"""The trials of a study as a table, and its feasible Pareto front.

Read from the Optuna storage alone (the trials' params, values and user
attributes), so an interrupted study or one run by several workers summarises
the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import optuna
from optuna.trial import TrialState

from experiments.search.spec import SearchSpec


def trial_rows(study: optuna.Study, spec: SearchSpec) -> list[dict[str, Any]]:
    """One row per trial: number, state, params, overrides, policy, KPI means, feasible
    (the trial's ``result`` user attribute, set when it is told). A trial a worker asked
    for beyond the budget (``over_budget``, never evaluated) is left out."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        if t.user_attrs.get("over_budget"):
            continue
        res = t.user_attrs.get("result", {})
        rows.append({
            "number": t.number,
            "state": t.state.name,
            "params": dict(t.params),
            "overrides": list(res.get("overrides", [])),
            "policy": res.get("policy", ""),
            "kpis": dict(res.get("kpis", {})),
            "constraints": list(res.get("constraints", [])),
            "feasible": bool(res.get("feasible", False)),
            "worker": t.user_attrs.get("worker", ""),
        })
    return rows


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """``a`` is no worse than ``b`` everywhere and better somewhere (all minimised)."""
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(
        x < y for x, y in zip(a, b, strict=True))


def _minimised(row: Mapping[str, Any], objectives: Mapping[str, str]) -> list[float]:
    return [row["kpis"][k] if d == "lower" else -row["kpis"][k] for k, d in objectives.items()]


def pareto_front(rows: Sequence[Mapping[str, Any]], objectives: Mapping[str, str]
                 ) -> list[int]:
    """Trial numbers of the feasible, complete trials no other such trial dominates.

    Trials repeating a policy count once (the lowest number). Objectives are KPI ->
    ``lower``/``higher``.
    """
    seen: set[str] = set()
    pool = []
    for r in rows:
        if r["state"] != TrialState.COMPLETE.name or not r["feasible"]:
            continue
        if r["policy"] in seen:
            continue
        vec = _minimised(r, objectives)
        if not all(math.isfinite(v) for v in vec):
            continue
        seen.add(r["policy"])
        pool.append((r["number"], vec))
    return sorted(n for n, v in pool if not any(dominates(w, v) for _, w in pool))


def summary(study: optuna.Study, spec: SearchSpec) -> dict[str, Any]:
    """Trials, front and counts of a study (the ``trials``/``front`` part of search.json)."""
    rows = trial_rows(study, spec)
    states = [r["state"] for r in rows]
    return {
        "trials": rows,
        "front": pareto_front(rows, spec.objectives),
        "counts": {s.name.lower(): states.count(s.name) for s in TrialState},
        "feasible": sum(1 for r in rows if r["feasible"] and r["state"] == "COMPLETE"),
    }
