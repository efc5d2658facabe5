"""Predictive alerts and OTA rollouts against their targets (issue 18, deliverable 6; --full).

Alerts: :func:`experiments.alert_quality.measure_seeds` on 20 000 vehicles x 730 days for
seeds 1-5 (each seed also with ``alerts=none``, common random numbers). Precision must hold
at 0.85 for every seed and half-year (seed 002's target, DESIGN.md; issue 15). Issue 15 asks
that 80 % of the *predictable breakdowns* be avoided against ``alerts=none`` (the seed's
figure): the roadside failures of the causes some detector predicts (12 V wear-out
no-starts; a sudden 12 V short, a puncture, an HV or electrical fault are causes no detector
predicts). That figure is checked (``predictable_breakdowns_avoided``), and so is the recall
it needs: a breakdown no alert warned of cannot be avoided, so the recall over those same
breakdowns (``breakdown_recall``) must reach 0.80. The run's ``alert_recall`` KPI counts
every failure of the predicted causes, drivable wear-outs included (pads and tread at their
limit, found at a service, not breakdowns): it is shown in the recall check's detail, not
judged against a breakdown target. At least 80 % of the alerted breakdowns must be avoided
(``breakdowns_avoided_share``, seed 002).

OTA: the containment curve, vehicles that installed a release whose installs are defective
at a rate (1, 3, 5, 10, 30 %, every hw config) per rollout preset, on the OTA sandbox
(:mod:`sim.ota.sandbox`: 50 000 vehicles, seed 000's waves, 150 days, operator off, the same
seeds for every cell). Issue 15: under a statistical gate a defect at 5 % exposes at most
20 % of what big bang exposes; the check takes every rate from 5 % up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from experiments.alert_quality import measure_seeds
from experiments.validate.checks import Check
from sim.ota.sandbox import SyntheticFleet, ota_config, run

ALERT_SEEDS = (1, 2, 3, 4, 5)
ALERT_VEHICLES, ALERT_DAYS = 20_000, 730
HALF_YEARS = 4  # 730 days
PRECISION_MIN = 0.85  # seed 002 target (DESIGN.md), issue 15: every seed and half-year
RECALL_MIN = 0.80  # issue 15: >= 80 % of predictable breakdowns avoided needs them alerted
PREDICTABLE_AVOIDED_MIN = 0.80  # issue 15: >= 80 % of predictable breakdowns avoided vs none
AVOIDED_MIN = 0.80  # seed 002: > 80 % of alerted breakdowns avoided
ALERT_SOURCE = ("seed 002 targets (DESIGN.md): precision > 85 %, > 80 % of alerted breakdowns "
                "avoided; issue 15 deliverable 3: on 20 000 x 730, seeds 1-5, every half-year, "
                ">= 80 % of predictable breakdowns avoided vs alerts=none")

RELEASE = "fix_2026_12"
POLICIES = ("big_bang", "staged_rate", "staged", "staged_wilson", "staged_beta",
            "hawkbit_default", "aws_abort", "mender_phased")
STATISTICAL_GATES = ("staged", "staged_wilson", "staged_beta")
DEFECT_RATES = (0.01, 0.03, 0.05, 0.10, 0.30)
CHECKED_FROM_RATE = 0.05
OTA_VEHICLES, OTA_DAYS = 50_000, 150
CONTAINMENT_MAX_SHARE = 0.20  # issue 15: <= 20 % of big bang's exposure at a 5 % defect
OTA_SOURCE = ("issue 15 deliverable 5 / acceptance: a defect at 5 % under a statistical gate "
              "exposes <= 20 % of what big bang exposes on the same seed")


def alert_rows(seeds: Sequence[int] = ALERT_SEEDS, vehicles: int = ALERT_VEHICLES,
               days: int = ALERT_DAYS, n_jobs: int = 2) -> list[dict[str, float]]:
    """:func:`experiments.alert_quality.measure` for each seed (two runs per seed)."""
    return measure_seeds(list(seeds), vehicles, days, n_jobs=n_jobs)


def _seed_check(name: str, title: str, rows: Sequence[Mapping[str, float]], key: str,
                values: Sequence[float], low: float, reference: str,
                context: Mapping[str, Any] | None = None) -> Check:
    figure = min(values)
    labels = [f"seed {int(r['seed'])}" for r in rows]
    return Check(
        name=name, title=title, figure=round(float(figure), 5), unit=f"lowest {key}",
        reference=reference, band=(low, 1.0), source=ALERT_SOURCE,
        detail={"per_seed": {lab: round(float(v), 5)
                             for lab, v in zip(labels, values, strict=True)},
                **(context or {}), "rows": [dict(r) for r in rows]},
        plot={"kind": "ranges", "labels": labels, "value": [float(v) for v in values],
              "low": [low] * len(rows), "high": [1.0] * len(rows), "y_label": key})


def alert_checks(rows: Sequence[Mapping[str, float]]) -> list[Check]:
    """Precision (worst seed and half-year), recall over the predictable breakdowns, those
    breakdowns avoided against ``alerts=none`` and the alerted breakdowns avoided, per seed."""
    worst = [min(float(r["precision"]),
                 *(float(r.get(f"precision_half_{h}", 1.0)) for h in range(1, HALF_YEARS + 1)))
             for r in rows]
    every_failure = {f"seed {int(r['seed'])}": round(float(r["recall"]), 5)
                     for r in rows if "recall" in r}
    return [
        _seed_check("alerts_precision", "Alert precision, worst half-year, seeds 1-5 "
                    "(20 000 x 730)", rows, "precision", worst, PRECISION_MIN, "> 0.85"),
        _seed_check("alerts_recall", "Alert recall over the predictable breakdowns (roadside "
                    "failures of the causes a detector predicts), seeds 1-5 (20 000 x 730)",
                    rows, "breakdown_recall", [float(r["breakdown_recall"]) for r in rows],
                    RECALL_MIN, ">= 0.80 (to avoid 80 % of predictable breakdowns)",
                    {"alert_recall_every_failure": every_failure,
                     "definition": "roadside failures (real or prevented) of the causes some "
                     "detector predicts, alerted alerts.min_lead_days or more before, inside "
                     "the alert's window; alert_recall_every_failure (the run's alert_recall "
                     "KPI) also counts drivable wear-outs (pads, tread) and is not judged"}),
        _seed_check("alerts_predictable_breakdowns_avoided", "Predictable breakdowns avoided "
                    "vs alerts=none on the same seed, seeds 1-5 (20 000 x 730)", rows,
                    "predictable_breakdowns_avoided",
                    [float(r["predictable_breakdowns_avoided"]) for r in rows],
                    PREDICTABLE_AVOIDED_MIN, ">= 0.80 of predictable breakdowns avoided"),
        _seed_check("alerts_breakdowns_avoided", "Alerted breakdowns avoided, seeds 1-5 "
                    "(20 000 x 730)", rows, "breakdowns_avoided_share",
                    [float(r["breakdowns_avoided_share"]) for r in rows], AVOIDED_MIN,
                    "> 0.80 of alerted breakdowns avoided")]


def exposed(policy: str, rate: float, vehicles: int = OTA_VEHICLES, days: int = OTA_DAYS,
            overrides: Mapping[str, Any] | None = None) -> int:
    """Vehicles that installed the release, all of whose installs are defective at ``rate``."""
    cfg = ota_config(rollout=policy, overrides={
        f"releases.{RELEASE}.defect_prob_by_hw_config": {"hw3": rate, "hw4": rate},
        "operator.enabled": False, **(overrides or {})})
    ota, _ = run(cfg, SyntheticFleet(n=vehicles), days)
    return int((ota.installed_day(RELEASE) >= 0).sum())


def containment_curves(policies: Sequence[str] = POLICIES,
                       rates: Sequence[float] = DEFECT_RATES, **kwargs: Any
                       ) -> dict[str, list[int]]:
    """Policy -> vehicles exposed at each defect rate (the sandbox's same seeds)."""
    return {p: [exposed(p, r, **kwargs) for r in rates] for p in policies}


def containment_check(curves: Mapping[str, Sequence[int]],
                      rates: Sequence[float] = DEFECT_RATES,
                      gates: Sequence[str] = STATISTICAL_GATES) -> Check:
    """Largest share of big bang's exposure under a statistical gate at rates from 5 % up."""
    base = curves["big_bang"]
    shares = {p: [e / b if b else float("nan") for e, b in zip(curves[p], base, strict=True)]
              for p in curves}
    checked = [i for i, r in enumerate(rates) if r >= CHECKED_FROM_RATE - 1e-12]
    worst = max(shares[g][i] for g in gates for i in checked)
    pct = [round(r * 100, 3) for r in rates]
    return Check(
        name="ota_containment",
        title=("OTA containment: vehicles exposed to a defective release vs defect rate, per "
               "rollout policy (largest share of big bang under a statistical gate, >= 5 %)"),
        figure=round(float(worst), 5), unit="exposed / big bang's exposed",
        reference="<= 0.20 of big bang's exposure", band=(0.0, CONTAINMENT_MAX_SHARE),
        source=OTA_SOURCE,
        detail={"exposed": {p: list(map(int, v)) for p, v in curves.items()},
                "share_of_big_bang": {p: [round(x, 5) for x in v] for p, v in shares.items()},
                "defect_pct": pct, "gates": list(gates), "vehicles": OTA_VEHICLES,
                "days": OTA_DAYS},
        plot={"kind": "lines", "x": pct, "series": {p: list(map(int, v))
                                                    for p, v in curves.items()},
              "highlight": list(gates), "x_label": "defective installs (%)",
              "y_label": "vehicles exposed", "log_y": True})
