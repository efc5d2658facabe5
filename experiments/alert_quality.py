"""Alert quality on long runs (issue 15): precision per half-year and breakdowns avoided.

For each seed, the run with the default alerts and the same seed with
``alerts=none`` (common random numbers). Reported per seed: precision over
all scored alerts, per half-year of the run (by the day an alert was
raised), the censored alerts, ``breakdowns_avoided_share`` (seed 002's
"> 80 % of alerted breakdowns avoided") and the predictable breakdowns
avoided against ``alerts=none``: 1 - (roadside failures of the causes some
detector predicts with alerts) / (the same without alerts), and the recall of
those predictable breakdowns (``breakdown_recall``: the roadside failures, real
or prevented, of the predicted causes that had a qualifying alert; an
unalerted one cannot be avoided). ``recall`` is the run's ``alert_recall``,
over every failure of the predicted causes, drivable wear-outs (pads and
tread at their limit) included.

``python -m experiments.alert_quality --vehicles 20000 --days 730 --seeds 1 2 3 4 5``
prints one row per seed (the slow test ``tests/validation/test_alert_quality.py``
asserts the targets on the same numbers).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from joblib import Parallel, delayed

import sim
from sim.alerts import alert_truth, horizons
from sim.alerts.scoring import DAYS_PER_HALF_YEAR, score_alerts

ROADSIDE = "roadside"


def _predictable_breakdowns(events: Any, predicted: set[tuple[str, str]]) -> int:
    road = events[(events["event"] == "failure") & (events["severity"] == ROADSIDE)]
    pairs = zip(road["component"].astype(str), road["cause"].astype(str), strict=True)
    return sum(pair in predicted for pair in pairs)


def breakdown_recall(events: Any, acfg: Any, vehicles: int, days: int,
                     predicted: set[tuple[str, str]]) -> float:
    """Recall over the predictable breakdowns: the roadside failures (real or prevented) of
    the predicted causes that had an alert ``alerts.min_lead_days`` before, in its window."""
    road = events[(events["event"] == "alert") | (events["severity"] == ROADSIDE)]
    return score_alerts(road, vehicles, float(days), horizons(acfg),
                        float(acfg.min_lead_days), predicted)["alert_recall"]


def _run(seed: int, vehicles: int, days: int, alerts: str) -> tuple[dict, Any, Any]:
    cfg = sim.load_config([f"fleet.size={vehicles}", f"horizon_days={days}", f"seed={seed}",
                           f"alerts={alerts}", "output.progress=false",
                           "output.report=false", "output.fleet_state=false"])
    r = sim.simulate(cfg)
    keep = r.events["event"].isin(["alert", "failure", "failure_prevented"])
    return r.kpis, r.events[keep].reset_index(drop=True), cfg.alerts


def measure(seed: int, vehicles: int, days: int) -> dict[str, float]:
    """Alert quality of one seed (two runs: default alerts and ``alerts=none``)."""
    kpis, events, acfg = _run(seed, vehicles, days, "default")
    _, events_none, _ = _run(seed, vehicles, days, "none")
    predicted = ({(r.component, r.cause) for r in acfg.rules.values()}
                 | {(t.component, t.cause) for t in acfg.trends.values()})
    truth = alert_truth(events, horizons(acfg), float(days))
    scored = truth[~truth["censored"]]
    half = (scored["time_d"].to_numpy(float) // DAYS_PER_HALF_YEAR).astype(int)
    with_alerts = _predictable_breakdowns(events, predicted)
    without = _predictable_breakdowns(events_none, predicted)
    out = {"seed": float(seed), "alerts": float(len(truth)),
           "censored": float(truth["censored"].sum()),
           "precision": kpis["alert_precision"],
           "recall": kpis["alert_recall"],
           "breakdown_recall": breakdown_recall(events, acfg, vehicles, days, predicted),
           "precision_worst_half_year": kpis["alert_precision_worst_half_year"],
           "breakdowns_avoided_share": kpis["breakdowns_avoided_share"],
           "predictable_breakdowns_none": float(without),
           "predictable_breakdowns_alerts": float(with_alerts),
           "predictable_breakdowns_avoided": (1.0 - with_alerts / without if without
                                              else float("nan"))}
    for h, p in scored.groupby(half)["true"].mean().items():
        out[f"precision_half_{int(h) + 1}"] = float(p)
    for comp in sorted(scored["component"].unique()):
        for h, p in scored[scored["component"] == comp].groupby(
                half[(scored["component"] == comp).to_numpy()])["true"].mean().items():
            out[f"precision_{comp}_half_{int(h) + 1}"] = float(p)
    return out


def measure_seeds(seeds: list[int], vehicles: int, days: int,
                  n_jobs: int = 2) -> list[dict[str, float]]:
    """:func:`measure` for each seed, in parallel (joblib)."""
    return Parallel(n_jobs=n_jobs)(delayed(measure)(s, vehicles, days) for s in seeds)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.alert_quality",
                                description=__doc__.splitlines()[0])
    p.add_argument("--vehicles", type=int, default=20_000)
    p.add_argument("--days", type=int, default=730)
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    p.add_argument("--n-jobs", type=int, default=2)
    a = p.parse_args(argv)
    rows = measure_seeds(a.seeds, a.vehicles, a.days, a.n_jobs)
    keys = sorted({k for r in rows for k in r}, key=lambda k: (not k.startswith("seed"), k))
    for k in keys:
        print(f"{k:40s}", " ".join(f"{r.get(k, np.nan):9.3f}" for r in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
