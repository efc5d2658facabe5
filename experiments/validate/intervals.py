"""The 95 % intervals experiments report (:mod:`experiments.stats`) against their promise.

Coverage (issue 18, deliverable 5): many independent small experiments of a KPI whose
true mean is known exactly, each summarised as an experiment does (the mean of its
replications with :func:`experiments.stats.t_interval`); the share of intervals that hold
the true mean must lie in ``COVERAGE_BAND``. The KPI is a cheap sub-model of the
simulator: the body twin (a constant-hazard shock) of a ``VEHICLES``-vehicle fleet over
``DAYS`` days, KPI = vehicles damaged at least once. Damage is sticky, so each vehicle
is damaged with probability ``1 - exp(-rate T)`` and the true mean is exact. Five
replications make the check sensitive to the t quantile: a normal (z) interval would
cover ~0.88.

Common random numbers: a small default-scenario experiment (a baseline and a variant on
the same replication seeds, :func:`experiments.tasks.replication_seeds`), whose paired
intervals of ``variant - baseline`` (:func:`experiments.stats.summarize`) must be
narrower than the unpaired (Welch) intervals of the same runs; the figure is the largest
ratio of the half-widths over ``CRN_KPIS``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

import sim
from experiments.stats import CONFIDENCE, summarize, t_interval
from experiments.tasks import replication_seeds
from experiments.validate.checks import Check
from twins import body
from twins.usage import DAYS_PER_YEAR

# Issue 18 acceptance: coverage of the 95 % intervals within 0.93-0.97. With 2 000
# experiments the binomial standard error of a true 0.95 is 0.005: the band is +-4 SE.
COVERAGE_BAND = (0.93, 0.97)
EXPERIMENTS = 2000
REPLICATIONS = 5
VEHICLES = 2000
DAYS = 730
COVERAGE_SEED = 18
COVERAGE_SOURCE = ("issue 18 acceptance (0.93-0.97); true mean exact: "
                   "vehicles x (1 - exp(-damage_rate x days / 365.25)) (constant hazard)")
# CRN experiment: 20 replications of a 1 000-vehicle, 60-day default fleet, alerts on vs off.
CRN_BASE = ("output.progress=false", "fleet.size=1000", "horizon_days=60")
CRN_VARIANTS: dict[str, tuple[str, ...]] = {"baseline": (), "no_alerts": ("alerts=none",)}
CRN_KPIS = ("service_jobs", "mean_wait_h", "jobs_per_van_day")
CRN_REPLICATIONS = 20
CRN_SEED = 18
CRN_SOURCE = ("common random numbers (Law, Simulation Modeling and Analysis, ch. 11): "
              "positively correlated replications give narrower paired intervals")


def damaged_counts(params, experiments: int = EXPERIMENTS, replications: int = REPLICATIONS,
                   vehicles: int = VEHICLES, days: int = DAYS,
                   seed: int = COVERAGE_SEED) -> np.ndarray:
    """Vehicles damaged at least once, per ``(experiment, replication)`` (body twin alone)."""
    rng = np.random.default_rng(seed)
    n = experiments * replications * vehicles
    st = body.initial_state(n, params, rng)
    for _ in range(days):
        body.step(st, None, 1.0, params, rng)  # the body twin reads no usage
    return st["damage"].reshape(experiments, replications, vehicles).sum(axis=2)


def exact_mean(rate_per_vehicle_year: float, vehicles: int = VEHICLES,
               days: int = DAYS) -> float:
    """Expected vehicles damaged at least once in ``days`` at a constant hazard."""
    return vehicles * -math.expm1(-rate_per_vehicle_year / DAYS_PER_YEAR * days)


def coverage_check(params, true_mean: float | None = None,
                   confidence: float = CONFIDENCE) -> Check:
    """Share of the experiments' t intervals holding the exact mean (module docstring).

    ``true_mean`` defaults to the exact mean of ``params``; pass another to see the
    check fail.
    """
    counts = damaged_counts(params)
    truth = exact_mean(params.damage_rate_per_vehicle_year) if true_mean is None else true_mean
    intervals = [t_interval(row, confidence) for row in counts]
    low = np.array([iv.low for iv in intervals])
    high = np.array([iv.high for iv in intervals])
    hit = (low <= truth) & (truth <= high)
    coverage = float(hit.mean())
    se = math.sqrt(confidence * (1 - confidence) / hit.size)
    return Check(
        name="stats_interval_coverage",
        title=(f"Coverage of the {confidence:.0%} t intervals of {hit.size} small experiments "
               f"({REPLICATIONS} replications each; KPI with an exact mean)"),
        figure=round(coverage, 5), unit="share of intervals holding the true mean",
        reference=f"nominal {confidence:g}", band=COVERAGE_BAND, source=COVERAGE_SOURCE,
        detail={"experiments": int(hit.size), "replications": REPLICATIONS,
                "kpi": f"body-damaged vehicles of {VEHICLES} over {DAYS} days",
                "true_mean": round(truth, 4), "mean_of_means": round(float(counts.mean()), 4),
                "binomial_se": round(se, 5), "misses_below": int((truth < low).sum()),
                "misses_above": int((truth > high).sum()), "seed": COVERAGE_SEED,
                "median_half_width": round(float(np.median((high - low) / 2)), 4)},
        plot={"kind": "band", "value": coverage, "band": list(COVERAGE_BAND),
              "x_label": "empirical coverage"})


def crn_table(replications: int = CRN_REPLICATIONS, seed: int = CRN_SEED,
              variants: Mapping[str, Sequence[str]] = CRN_VARIANTS,
              kpis: Sequence[str] = CRN_KPIS) -> pd.DataFrame:
    """A small experiment's task table: variant, replication, KPIs (same seeds per variant)."""
    seeds = replication_seeds(seed, replications)
    rows = []
    for variant, overrides in variants.items():
        cfg = sim.load_config([*CRN_BASE, *overrides])
        for r, s in enumerate(seeds):
            cfg.seed = s
            k = sim.simulate(cfg).kpis
            rows.append({"variant": variant, "replication": r} | {x: float(k[x]) for x in kpis})
    return pd.DataFrame(rows)


def crn_check(table: pd.DataFrame, baseline: str = "baseline",
              kpis: Sequence[str] = CRN_KPIS) -> Check:
    """Paired (CRN) half-width over the unpaired (Welch) one of the same runs, per KPI."""
    summary = summarize(table, baseline, columns=list(kpis))
    rows = []
    for v in [v for v in dict.fromkeys(table["variant"]) if v != baseline]:
        for kpi in kpis:
            s = summary[(summary["variant"] == v) & (summary["kpi"] == kpi)].iloc[0]
            a = table.loc[table["variant"] == v, kpi].to_numpy(float)
            b = table.loc[table["variant"] == baseline, kpi].to_numpy(float)
            welch = sps.ttest_ind(a, b, equal_var=False).confidence_interval(CONFIDENCE)
            paired = (s["diff_ci_high"] - s["diff_ci_low"]) / 2
            unpaired = (welch.high - welch.low) / 2
            rows.append({"variant": v, "kpi": kpi, "diff_mean": round(float(s["diff_mean"]), 5),
                         "paired_half_width": round(float(paired), 5),
                         "unpaired_half_width": round(float(unpaired), 5),
                         "correlation": round(float(np.corrcoef(a, b)[0, 1]), 4),
                         "ratio": round(float(paired / unpaired), 5)})
    ratio = max(r["ratio"] for r in rows)
    return Check(
        name="stats_crn_paired_narrower",
        title=("Paired-difference intervals under common random numbers vs unpaired ones "
               "on the same runs (largest half-width ratio)"),
        figure=ratio, unit="paired / unpaired half-width", reference="paired < unpaired",
        band=(0.0, 1.0), source=CRN_SOURCE,
        detail={"rows": rows, "replications": int(table["replication"].nunique()),
                "base": list(CRN_BASE), "variants": {k: list(v) for k, v in CRN_VARIANTS.items()},
                "seed": CRN_SEED},
        plot={"kind": "ranges", "labels": [r["kpi"] for r in rows],
              "value": [r["ratio"] for r in rows], "low": [0.0] * len(rows),
              "high": [1.0] * len(rows), "y_label": "paired / unpaired half-width"})
